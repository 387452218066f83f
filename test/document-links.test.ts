import JSZip from 'jszip';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { createSharedResources } from '../pipeline/build/resources.ts';
import type { Edition } from '../pipeline/types.ts';
import { copyInto, countingParses, epubcheck, fixturesDir, nuCheck, runCli, tempProject } from './helpers.ts';

/** A folder of documents that link into each other's headings (test/fixtures/document-links). */
function project(): string {
  const root = tempProject();
  copyInto(root, join(fixturesDir, 'document-links'), 'docs');
  return root;
}

const hrefs = (path: string) => [...readFileSync(path, 'utf8').matchAll(/<a href="([^"]+)"/g)].map((match) => match[1]!).filter((href) => !href.startsWith('#'));
/** Each link to another PDF of the run (GoToR): its file and its named destination, or its first page. */
const goToR = (path: string) => [...new Set([...readFileSync(path, 'latin1').matchAll(/\/S \/GoToR\n\/F \(([^)]*)\)\n\/D (\([^)]*\)|\[0 \/Fit\])/g)].map((match) => `${match[1]} ${match[2]}`))].sort();
const ids = (path: string) => [...readFileSync(path, 'utf8').matchAll(/ id="([^"]+)"/g)].map((match) => match[1]!);

describe('links to a heading in another document of the run', () => {
  it('go to the anchor the fragment names there, in every edition; one that names none is warned about, and the build succeeds', async () => {
    const root = project();
    const run = runCli(['build', 'docs', '--format', 'html,pdf,epub', '--out', 'out', '--force'], root);
    expect(run.status).toBe(0);
    const out = (path: string) => join(root, 'out', path);
    expect(hrefs(out('a.html'))).toEqual([
      'b.html#foo-bar',
      'b.html#foo-bar',
      'b.html#installing-the-cli',
      'b.html#custom-id',
      'b.html#legacy',
      'b.html#fig:plot',
      'b.html#installing-the-cli',
      'b.html#no-such-heading',
      'sub/c.html#deep-section',
      'a.html#tail',
    ]);
    expect(hrefs(out('sub/c.html'))).toEqual(['../a.html#tail', '../b.html#Given']);
    // Each id linked to is one the other document's HTML has.
    const beta = ids(out('b.html'));
    for (const id of ['foo-bar', 'installing-the-cli', 'custom-id', 'legacy', 'fig:plot']) expect(beta).toContain(id);
    expect(ids(out('sub/c.html'))).toContain('deep-section');
    expect(ids(out('a.html'))).toContain('tail');
    // The PDF goes to the same named destinations in the other PDFs.
    expect(goToR(out('a.pdf'))).toEqual(['a.pdf (tail)', 'b.pdf (custom-id)', 'b.pdf (fig:plot)', 'b.pdf (foo-bar)', 'b.pdf (installing-the-cli)', 'b.pdf (legacy)', 'b.pdf (no-such-heading)', 'sub/c.pdf (deep-section)']);
    // Named and in the right case where they are defined.
    const destinations = readFileSync(out('b.pdf'), 'latin1');
    for (const id of ['foo-bar', 'installing-the-cli', 'custom-id']) expect(destinations).toContain(`(${id})`);
    // The fragments that name nothing, at the link's line and column, once each (not once per edition).
    const warnings = run.stderr.split('\n').filter((line) => line.includes('[document-link-anchor]'));
    expect(warnings).toEqual([
      'docs/a.md:8:5: warning: link to "b.md#no-such-heading": docs/b.md has no heading or anchor "no-such-heading"; the link goes to the document, its fragment as written [document-link-anchor]',
      'docs/sub/c.md:7:45: warning: link to "../b.md#Given": docs/b.md has no heading or anchor "Given"; the link goes to the document, its fragment as written [document-link-anchor]',
    ]);
    // An EPUB cannot open another: those links keep their text (as before); a link to its own file goes to its heading.
    const zip = await JSZip.loadAsync(readFileSync(out('a.epub')));
    const chapter = await zip.file('OEBPS/chapter-01.xhtml')!.async('string');
    expect([...chapter.matchAll(/<a href="([^"]+)"/g)].map((match) => match[1])).toEqual(['#tail']);
    expect(run.stderr).not.toContain('epub-link-anchor');
    // The validators accept every edition.
    expect(nuCheck([out('a.html'), out('b.html'), out('sub/c.html')]).filter((message) => message.type === 'error')).toEqual([]);
    for (const name of ['a', 'b', 'sub/c']) {
      const checked = await epubcheck(out(`${name}.epub`));
      expect(checked.status, checked.stdout + checked.stderr).toBe(0);
    }
    // --strict makes the warning fail that document, as it does every warning.
    const strict = runCli(['build', 'docs', '--format', 'html', '--out', 'strict', '--strict'], root);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain('docs/a.md:8:5: warning: link to "b.md#no-such-heading"');
  });

  it('a cached edition is kept while the anchors its links named stay, and rebuilt when they change', async () => {
    const root = project();
    const options = { root, paths: ['docs'], formats: ['html', 'pdf'] as Edition[], out: join(root, 'dist') };
    const cachedOf = async () => Object.fromEntries((await build(options)).documents.map((document) => [document.source.replace(/^.*docs\//, ''), document.editions.every((edition) => edition.cached)]));
    expect(await cachedOf()).toEqual({ 'a.md': false, 'b.md': false, 'sub/c.md': false });
    expect(await cachedOf()).toEqual({ 'a.md': true, 'b.md': true, 'sub/c.md': true });
    const beta = join(root, 'docs/b.md');
    const original = readFileSync(beta, 'utf8');
    // Beta's text changes, and a heading no link names is added: what the links named holds.
    writeFileSync(beta, original.replace('Text of Beta.', 'Other text of Beta.\n\n## Given\n'));
    expect(await cachedOf()).toEqual({ 'a.md': true, 'b.md': false, 'sub/c.md': false });
    // Gamma's `#Given` now names that heading: its warning went with the rebuild.
    expect(hrefs(join(root, 'dist/sub/c.html'))).toEqual(['../a.html#tail', '../b.html#given']);
    // A heading a link names is renamed: Alpha is rebuilt, its link kept as written and warned about.
    writeFileSync(beta, original.replace('## Foo Bar', '## Foo Baz'));
    const renamed = await build(options);
    const alpha = renamed.documents.find((document) => document.source.endsWith('a.md'))!;
    expect(alpha.editions.map((edition) => edition.cached)).toEqual([false, false]);
    expect(alpha.file.messages.filter((message) => message.ruleId === 'document-link-anchor').map((message) => `${message.line}:${message.column} ${message.reason}`)).toEqual([
      '5:12 link to "b.md#foo-bar": docs/b.md has no heading or anchor "foo-bar"; the link goes to the document, its fragment as written',
      '5:40 link to "b.md#Foo-Bar": docs/b.md has no heading or anchor "Foo-Bar"; the link goes to the document, its fragment as written',
      '8:5 link to "b.md#no-such-heading": docs/b.md has no heading or anchor "no-such-heading"; the link goes to the document, its fragment as written',
    ]);
    // And served from the cache after, with its warnings.
    const again = await build(options);
    const served = again.documents.find((document) => document.source.endsWith('a.md'))!;
    expect(served.editions.map((edition) => edition.cached)).toEqual([true, true]);
    expect(served.file.messages.filter((message) => message.ruleId === 'document-link-anchor')).toHaveLength(3);
    // Beta cannot be read (a NUL byte: its own build fails): Alpha's links stay as written, without a
    // warning; Beta mended, Alpha is built again.
    writeFileSync(beta, `${original}\0`);
    const unreadable = await build(options);
    expect(unreadable.documents.find((document) => document.source.endsWith('a.md'))!.file.messages.filter((message) => message.ruleId === 'document-link-anchor')).toEqual([]);
    expect(hrefs(join(root, 'dist/a.html'))).toContain('b.html#Foo-Bar');
    expect((await cachedOf())['a.md']).toBe(true);
    writeFileSync(beta, original);
    expect((await cachedOf())['a.md']).toBe(false);
    expect(hrefs(join(root, 'dist/a.html'))[1]).toBe('b.html#foo-bar');
    // Every edition as a cold build makes it.
    await build({ ...options, out: join(root, 'cold'), cache: false });
    for (const name of ['a', 'b', 'sub/c']) for (const edition of ['html', 'pdf']) expect(readFileSync(join(root, 'dist', `${name}.${edition}`))).toEqual(readFileSync(join(root, 'cold', `${name}.${edition}`)));
  });

  it('parses each document once a run, its anchors read from the same tree as its editions, even with --force', async () => {
    const root = project();
    const options = { root, paths: ['docs'], formats: ['html'] as Edition[], out: join(root, 'dist'), jobs: 1 };
    const first = countingParses(createSharedResources());
    await build({ ...options, shared: first.shared });
    expect(first.parsed.count).toBe(3);
    // --force reads no tree an earlier run left, but those this run wrote: Beta and Gamma, parsed for
    // Alpha's links before their own builds, are not parsed again for them.
    const forced = countingParses(createSharedResources());
    const result = await build({ ...options, shared: forced.shared, force: true });
    expect(forced.parsed.count).toBe(3);
    expect(result.documents.every((document) => document.editions.every((edition) => !edition.cached))).toBe(true);
  });

  it('a watch session rebuilds a document when a heading its links name changes in another', async () => {
    const root = project();
    const beta = join(root, 'docs/b.md');
    const original = readFileSync(beta, 'utf8');
    for (const edition of ['html', 'pdf'] as Edition[]) {
      writeFileSync(beta, original);
      const session = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
      const watched = { root, paths: ['docs'], formats: [edition], out: join(root, `warm-${edition}`), shared: session };
      await build(watched);
      const alpha = join(root, 'docs/a.md');
      const editAlpha = (words: string) => writeFileSync(alpha, readFileSync(join(fixturesDir, 'document-links/a.md'), 'utf8').replace('The end.', words));
      const edits = [
        // An edit of Alpha's own text: spliced into the last build, its links as they were.
        () => editAlpha('The very end.'),
        // A heading Alpha names is renamed: Alpha is built again.
        () => writeFileSync(beta, original.replace('## Foo Bar', '## Foo Baz')),
        () => writeFileSync(beta, original.replace('## Foo Bar', '## FOO BAR')),
        // Both at once: the splice would keep links that no longer hold.
        () => {
          editAlpha('The very last end.');
          writeFileSync(beta, original.replace('## Foo Bar', '## Foo Baz'));
        },
        () => editAlpha('The end, again.'),
      ];
      for (const change of edits) {
        change();
        await build(watched);
        await build({ ...watched, shared: undefined, out: join(root, 'cold'), cache: false });
        for (const name of ['a', 'sub/c']) expect(readFileSync(join(root, `warm-${edition}`, `${name}.${edition}`))).toEqual(readFileSync(join(root, 'cold', `${name}.${edition}`)));
      }
      expect(session.lastBuilds!.spliced).toBeGreaterThan(0);
      editAlpha('The end.');
    }
    writeFileSync(beta, original);
    expect(hrefs(join(root, 'warm-html/a.html'))).toContain('b.html#Foo-Bar');
  });
});
