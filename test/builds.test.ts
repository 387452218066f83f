import { spawn } from 'node:child_process';
import JSZip from 'jszip';
import { cpSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VFile } from 'vfile';
import { describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import type { Edition } from '../pipeline/types.ts';
import type { DocumentsUsed } from '../pipeline/build/cache.ts';
import { createSharedResources } from '../pipeline/build/resources.ts';
import { createAssetResolver } from '../pipeline/read/assets.ts';
import { cli, runCli, tempProject, tool } from './helpers.ts';
import { WALL_CLOCK_GUARD_MS } from './limits.ts';

const note = (title: string) => `---\ntitle: ${title}\ndate: 2024-05-01\n---\n\n## Part\n\n${title} text with a note[^a].\n\n[^a]: The note of ${title}.\n`;

describe('the edition cache', () => {
  it('serves unchanged editions from the cache and says so; --force rebuilds', () => {
    const root = tempProject({ 'doc.md': note('Cached') });
    const first = runCli(['build', 'doc.md', '--format', 'html,epub'], root);
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/^wrote dist\/doc\.html/m);
    const second = runCli(['build', 'doc.md', '--format', 'html,epub'], root);
    expect(second.stdout).toMatch(/^up to date dist\/doc\.html .*from cache/m);
    expect(second.stdout).toMatch(/^up to date dist\/doc\.epub/m);
    const forced = runCli(['build', 'doc.md', '--format', 'html', '--force'], root);
    expect(forced.stdout).toMatch(/^wrote dist\/doc\.html/m);
  });

  it('rebuilds when the source, an image or the options change', () => {
    const root = tempProject({ 'doc.md': '---\ntitle: Img\n---\n\n![A square](dot.svg)\n', 'dot.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>' });
    runCli(['build', 'doc.md', '--format', 'html'], root);
    writeFileSync(join(root, 'dot.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>');
    expect(runCli(['build', 'doc.md', '--format', 'html'], root).stdout).toMatch(/^wrote/m);
    expect(runCli(['build', 'doc.md', '--format', 'html'], root).stdout).toMatch(/^up to date/m);
    writeFileSync(join(root, 'doc.md'), '---\ntitle: Img 2\n---\n\n![A square](dot.svg)\n');
    expect(runCli(['build', 'doc.md', '--format', 'html'], root).stdout).toMatch(/^wrote/m);
  });

  it('detects a corrupt or truncated entry and rebuilds it, never serving it', () => {
    const root = tempProject({ 'doc.md': note('Corrupt') });
    runCli(['build', 'doc.md', '--format', 'html'], root);
    const good = readFileSync(join(root, 'dist/doc.html'));
    const folder = join(root, 'node_modules/.cache/colophon/editions');
    const payload = readdirSync(folder).find((name) => name.endsWith('.html.html'))!;
    writeFileSync(join(folder, payload), good.subarray(0, 100));
    writeFileSync(join(root, 'dist/doc.html'), 'damaged');
    const run = runCli(['build', 'doc.md', '--format', 'html'], root);
    expect(run.stdout).toMatch(/^wrote dist\/doc\.html/m);
    expect(readFileSync(join(root, 'dist/doc.html'))).toEqual(good);
  });

  it('leaves an entry that already holds the same bytes and manifest as it is, and replaces one that does not', async () => {
    const { EditionCache } = await import('../pipeline/build/cache.ts');
    const root = tempProject({});
    const cache = EditionCache.forProject(root);
    const folder = join(root, 'node_modules/.cache/colophon/editions');
    const bytes = new TextEncoder().encode('<p>same</p>');
    const alone = { looked: [['doc.md', null]] } as DocumentsUsed;
    cache.set('k', 'html', bytes, new Map(), [], alone);
    const files = () => readdirSync(folder).map((name) => [name, statSync(join(folder, name)).ino]);
    const before = files();
    cache.set('k', 'html', bytes, new Map(), [], alone);
    expect(files()).toEqual(before);
    cache.set('k', 'html', new TextEncoder().encode('<p>else</p>'), new Map(), [], alone);
    expect(files()).not.toEqual(before);
    expect(new TextDecoder().decode(cache.get('k', 'html', undefined)?.bytes)).toBe('<p>else</p>');
    cache.set('k', 'html', new TextEncoder().encode('<p>else</p>'), new Map(), [{ file: 'doc.md', reason: 'a message' }], alone);
    expect(cache.get('k', 'html', undefined)?.messages).toEqual([{ file: 'doc.md', reason: 'a message' }]);
  });
});

describe('writing editions', () => {
  it('leaves an edition file that holds the same bytes as it is, and rewrites one of the same size that differs', () => {
    const root = tempProject({ 'doc.md': note('Alpha') });
    const html = join(root, 'dist/doc.html');
    expect(runCli(['build', 'doc.md', '--format', 'html'], root).status).toBe(0);
    const first = statSync(html);
    expect(runCli(['build', 'doc.md', '--format', 'html', '--force'], root).status).toBe(0);
    expect(statSync(html).ino).toBe(first.ino);
    // The same length, another text: the same size, other bytes.
    writeFileSync(join(root, 'doc.md'), note('Omega'));
    expect(runCli(['build', 'doc.md', '--format', 'html', '--force'], root).status).toBe(0);
    expect(statSync(html).size).toBe(first.size);
    expect(statSync(html).ino).not.toBe(first.ino);
    expect(readFileSync(html, 'utf8')).toContain('Omega');
  });
});

describe('deferred edition-cache entries (a watch session)', () => {
  it('hold each document\'s latest entry until asked for or flushed; the edition itself is written at once', async () => {
    const { DeferredEntries } = await import('../pipeline/build/build.ts');
    const root = tempProject({ 'a.md': note('A'), 'b.md': note('B') });
    const folder = join(root, 'node_modules/.cache/colophon/editions');
    const entries = () => (statSync(folder, { throwIfNoEntry: false }) ? readdirSync(folder).filter((name) => name.endsWith('.json')).length : 0);
    const deferredEntries = new DeferredEntries();
    const options = { root, paths: ['a.md', 'b.md'], formats: ['html'] as 'html'[], shared: createSharedResources(), deferredEntries, jobs: 1 };
    const first = await build(options);
    expect(first.documents.map((document) => document.editions[0]!.cached)).toEqual([false, false]);
    expect(readFileSync(join(root, 'dist/a.html'), 'utf8')).toContain('A text');
    expect(entries()).toBe(0);
    // a.md edited: its held entry is replaced; b.md unchanged: its entry is written when looked up, and served.
    writeFileSync(join(root, 'a.md'), note('A2'));
    const second = await build(options);
    expect(second.documents.map((document) => document.editions[0]!.cached)).toEqual([false, true]);
    expect(entries()).toBe(1);
    deferredEntries.flush();
    expect(entries()).toBe(2);
    // A separate run finds both documents' latest entries.
    const third = await build({ root, paths: ['a.md', 'b.md'], formats: ['html'] as 'html'[], jobs: 1 });
    expect(third.documents.map((document) => document.editions[0]!.cached)).toEqual([true, true]);
    expect(readFileSync(join(root, 'dist/a.html'), 'utf8')).toContain('A2 text');
  });
});

describe('a watch session\'s PDF written into its file', () => {
  it('holds its cache entry as a second name of the file, not a copy: the last build\'s bytes reach the cache when the session ends, and nothing is left behind', async () => {
    const { DeferredEntries } = await import('../pipeline/build/build.ts');
    const chapter = (number: number) => `# Chapter ${number}\n\n${Array.from({ length: 12 }, (_, index) => `Paragraph ${number}.${index} runs on with plain words, long enough to wrap.\n`).join('\n')}`;
    const root = tempProject({ 'book/book.yaml': 'title: Held\nchapters:\n  - one.md\n  - two.md\n', 'book/one.md': chapter(1), 'book/two.md': chapter(2) });
    const folder = join(root, 'node_modules/.cache/colophon/editions');
    const listed = (pattern: RegExp) => (statSync(folder, { throwIfNoEntry: false }) ? readdirSync(folder).filter((name) => pattern.test(name)) : []);
    const deferredEntries = new DeferredEntries();
    const shared = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
    const options = { root, paths: ['book'], formats: ['pdf'] as 'pdf'[], shared, deferredEntries, jobs: 1, sourceDateEpoch: 0 };
    const target = join(root, 'dist/book.pdf');
    // What a session killed before its end left (a process id no process has) goes at the next hold.
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, '.held-4194305-left.tmp'), 'left behind');
    for (const [edit, line] of ['', 'A line added.', 'Another line.'].entries()) {
      if (line) writeFileSync(join(root, 'book/two.md'), `${readFileSync(join(root, 'book/two.md'), 'utf8')}\n${line}\n`);
      const edition = (await build(options)).documents[0]!.editions[0]!;
      expect(edition.cached).toBe(false);
      expect(edition.size).toBe(statSync(target).size);
      // Nothing in the cache yet: one held name, whose file is the target's (the same inode), the one before it gone.
      expect(listed(/\.json$/)).toEqual([]);
      const held = listed(/^\.held-/);
      expect(held).toHaveLength(1);
      expect(statSync(join(folder, held[0]!)).ino).toBe(statSync(target).ino);
      if (edit === 2) {
        // The target replaced (as the next build would), the held name keeps this build's bytes.
        const bytes = readFileSync(target);
        writeFileSync(`${target}.new`, 'other bytes');
        renameSync(`${target}.new`, target);
        expect(readFileSync(join(folder, held[0]!)).equals(bytes)).toBe(true);
        deferredEntries.flush();
        expect(listed(/^\.held-/)).toEqual([]);
        expect(listed(/\.pdf\.pdf$/)).toHaveLength(1);
        expect(readFileSync(join(folder, listed(/\.pdf\.pdf$/)[0]!)).equals(bytes)).toBe(true);
        // A separate run is served that entry, and puts its bytes back in place.
        const served = (await build({ root, paths: ['book'], formats: ['pdf'], jobs: 1, sourceDateEpoch: 0 })).documents[0]!.editions[0]!;
        expect(served.cached).toBe(true);
        expect(readFileSync(target).equals(bytes)).toBe(true);
      }
    }
    // The edits were rebuilt from the last build's tree (region-rebuild.ts), written into the file as made too.
    expect(shared.lastBuilds?.spliced).toBe(2);
    // The PDF as a cold build makes it.
    const cold = (await build({ root, paths: ['book'], formats: ['pdf'], cache: false, dryRun: true, sourceDateEpoch: 0 })).documents[0]!.editions[0]!;
    expect(Buffer.from(cold.bytes).equals(readFileSync(target))).toBe(true);
  });
});

describe('reporters', () => {
  it('json: one JSON document with editions and messages', () => {
    const root = tempProject({ 'a.md': note('A'), 'b.md': '---\ntitle: B\n---\n\nText.\n\n[^x]: unused\n' });
    const run = runCli(['build', 'a.md', 'b.md', '--format', 'html', '--reporter', 'json'], root);
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toBe(true);
    expect(report.documents.map((document: { source: string }) => document.source)).toEqual(['a.md', 'b.md']);
    expect(report.documents[1].messages).toEqual([
      { file: 'b.md', line: 7, column: 1, severity: 'warning', message: 'footnote "x" is defined but never cited', rule: 'footnote-unused' },
    ]);
    expect(report.documents[0].editions[0]).toMatchObject({ edition: 'html', path: 'dist/a.html', bytes: statSync(join(root, 'dist/a.html')).size, cached: false });
  });

  it('github: workflow-command annotations at the source line', () => {
    const root = tempProject({ 'doc.md': '---\ntitle: G\n---\n\nCites[^nope], here.\n' });
    const run = runCli(['build', 'doc.md', '--format', 'html', '--reporter', 'github'], root);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('::error file=doc.md,line=5,col=6,title=footnote-undefined::footnote "nope" is cited but never defined');
  });
});

describe('colophon check', () => {
  it('renders every edition, writes nothing, and gates on warnings with --strict', () => {
    const root = tempProject({ 'doc.md': '---\ntitle: C\n---\n\nText.\n\n[^x]: unused\n' });
    const loose = runCli(['check', 'doc.md'], root);
    expect(loose.status).toBe(0);
    expect(loose.stderr).toContain('doc.md:7:1: warning: footnote "x" is defined but never cited [footnote-unused]');
    expect(readdirSync(root)).toEqual(['doc.md']);
    const strict = runCli(['check', 'doc.md', '--strict'], root);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain('doc.md:7:1: warning: footnote "x" is defined but never cited [footnote-unused]');
    expect(readdirSync(root)).toEqual(['doc.md']);
  });
});

describe('many documents', () => {
  it('--shard splits the documents deterministically, disjoint and complete', () => {
    const files = Object.fromEntries(['a', 'b', 'c', 'd', 'e'].map((name) => [`source/${name}.md`, note(name.toUpperCase())]));
    const root = tempProject(files);
    const built = [1, 2, 3].map((index) => {
      const run = runCli(['build', '--format', 'html', '--shard', `${index}/3`, '--out', `out${index}`], root);
      expect(run.status).toBe(0);
      return readdirSync(join(root, `out${index}`)).sort();
    });
    expect(built.flat().sort()).toEqual(['a.html', 'b.html', 'c.html', 'd.html', 'e.html']);
    const wrong = runCli(['build', '--shard', '4/3'], root);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(/shard/);
  });

  it('links between the documents of a folder go to their editions, in every shard and in a watch session', async () => {
    const files = {
      'source/a.md': '---\ntitle: A\n---\n\nSee [B](sub/b.md#part), [B again][b], [the same B](./sub/b.md), [C](sub/c%20d.md) and [D](sub/d.txt).\n\n[b]: sub/b.md\n\n## Tail\n\nLast words.\n',
      'source/sub/b.md': '---\ntitle: B\n---\n\n## Part\n\nBack to [A](../a.md) and to [nowhere](gone.md).\n',
      'source/sub/c d.md': '---\ntitle: C\n---\n\nBack to [A](../a.md#tail).\n',
    };
    const root = tempProject(files);
    const options = { root, formats: ['html', 'pdf', 'epub'] as Edition[], cache: false };
    const whole = await build({ ...options, out: join(root, 'whole') });
    expect(whole.ok).toBe(true);
    const hrefs = (path: string) => [...readFileSync(join(root, path), 'utf8').matchAll(/<a href="([^"]+)"/g)].map((match) => match[1]!).filter((href) => !href.startsWith('#'));
    const uris = (path: string) => [...new Set([...readFileSync(join(root, path), 'latin1').matchAll(/\/URI \(([^)]*)\)/g)].map((match) => match[1]))].sort();
    // Another PDF of the run is opened by the viewer (GoToR: its path, a named destination or its first page), not handed to a browser.
    const goToR = (path: string) => [...new Set([...readFileSync(join(root, path), 'latin1').matchAll(/\/S \/GoToR\n\/F \(([^)]*)\)\n\/D (\([^)]*\)|\[0 \/Fit\])/g)].map((match) => `${match[1]} ${match[2]}`))].sort();
    expect(hrefs('whole/a.html')).toEqual(['sub/b.html#part', 'sub/b.html', 'sub/b.html', 'sub/c-d.html', 'sub/d.txt']);
    expect(hrefs('whole/sub/b.html')).toEqual(['../a.html', 'gone.md']);
    expect(hrefs('whole/sub/c-d.html')).toEqual(['../a.html#tail']);
    expect(goToR('whole/a.pdf')).toEqual(['sub/b.pdf (part)', 'sub/b.pdf [0 /Fit]', 'sub/c-d.pdf [0 /Fit]']);
    expect(uris('whole/a.pdf')).toEqual(['sub/d.txt']);
    expect(goToR('whole/sub/b.pdf')).toEqual(['../a.pdf [0 /Fit]']);
    expect(uris('whole/sub/b.pdf')).toEqual(['gone.md']);
    expect(goToR('whole/sub/c-d.pdf')).toEqual(['../a.pdf (tail)']);
    // The EPUB cannot follow a link out of itself: it keeps the text and says so, naming the other document's EPUB.
    const epubWarnings = whole.documents.find((document) => document.source.endsWith('b.md'))!.file.messages.filter((message) => message.ruleId === 'epub-link-outside').map((message) => message.reason);
    expect(epubWarnings).toEqual([
      'link to "../a.md" points to another document of this build, whose EPUB is "../a.epub", and one EPUB cannot open another: the EPUB keeps the text "A" but drops the link',
      'link to "gone.md" points to a local file that is not part of the book: the EPUB keeps the text "nowhere" but drops the link',
    ]);
    // A shard links as the whole run does.
    for (const index of [1, 2]) await build({ ...options, out: join(root, 'sharded'), shard: { index, count: 2 } });
    const names = ['a', 'sub/b', 'sub/c-d'];
    for (const name of names) for (const edition of ['html', 'pdf', 'epub']) expect(readFileSync(join(root, 'sharded', `${name}.${edition}`))).toEqual(readFileSync(join(root, 'whole', `${name}.${edition}`)));
    // Built alone, a document has no other documents to link to: its links stay as written.
    await build({ ...options, out: join(root, 'alone'), paths: ['source/a.md'] });
    expect(hrefs('alone/a.html')).toEqual(['sub/b.md#part', 'sub/b.md', './sub/b.md', 'sub/c%20d.md', 'sub/d.txt']);
    // A watch session (one edition: its rebuilds may splice an edit into the last build) gives
    // the cold build's bytes after an edit that adds such a link, and after a new document.
    for (const edition of ['html', 'pdf'] as Edition[]) {
      writeFileSync(join(root, 'source/a.md'), files['source/a.md']);
      rmSync(join(root, 'source/sub/e.md'), { force: true });
      const session = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
      const watched = { ...options, formats: [edition], out: join(root, 'warm') };
      await build({ ...watched, shared: session });
      const edits = [
        () => writeFileSync(join(root, 'source/a.md'), files['source/a.md'].replace('Last words.', 'Last words, then more.')),
        () => writeFileSync(join(root, 'source/a.md'), files['source/a.md'].replace('Last words.', 'Last words, then more, and [B](sub/b.md).')),
        () => writeFileSync(join(root, 'source/a.md'), files['source/a.md'].replace('Last words.', 'Last words, then more, and [B](sub/b.md) and [E](sub/e.md).')),
        () => writeFileSync(join(root, 'source/sub/e.md'), '# E\n\nNew.\n'),
      ];
      for (const change of edits) {
        change();
        await build({ ...watched, shared: session });
        await build({ ...watched, out: join(root, 'cold') });
        expect(readFileSync(join(root, 'warm', `a.${edition}`))).toEqual(readFileSync(join(root, 'cold', `a.${edition}`)));
      }
      expect(session.lastBuilds!.spliced).toBeGreaterThan(0);
    }
    expect(hrefs('cold/a.html')).toContain('sub/e.html');
  });

  it('links written as a documentation site serves its pages (the route from the root, or no .md) go to the editions of the run', async () => {
    // npm's docs link /commands/npm-install#description; VitePress and Docusaurus sites write routes too.
    const root = tempProject({
      'guide/start.md': '---\ntitle: Start\n---\n\nRun [install](/commands/install#options) or [the command](../commands/install); [home](/) and [the API](/api/) stay.\n',
      'commands/install.md': '---\ntitle: Install\n---\n\n## Options\n\nBack to [the start](/guide/start).\n',
    });
    try {
      const result = await build({ root, paths: ['.'], out: join(root, 'out'), formats: ['html', 'pdf'], cache: false });
      expect(result.ok).toBe(true);
      const hrefs = (path: string) => [...readFileSync(join(root, 'out', path), 'utf8').matchAll(/<a href="([^"]+)"/g)].map((match) => match[1]!).filter((href) => !href.startsWith('#'));
      expect(hrefs('guide/start.html')).toEqual(['../commands/install.html#options', '../commands/install.html', '/', '/api/']);
      expect(hrefs('commands/install.html')).toEqual(['../guide/start.html']);
      const pdf = readFileSync(join(root, 'out', 'guide', 'start.pdf'), 'latin1');
      expect([...pdf.matchAll(/\/S \/GoToR\n\/F \(([^)]*)\)/g)].map((match) => match[1])).toEqual(['../commands/install.pdf', '../commands/install.pdf']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('a document added to a folder rebuilds only the documents whose links ask for it', async () => {
    const root = tempProject({
      'source/a.md': '---\ntitle: A\n---\n\nSee [D](d.md), [E](e.md), [an object](constructor) and [another](__proto__).\n',
      'source/b.md': '---\ntitle: B\n---\n\nNo links.\n',
    });
    const options = { root, formats: ['html', 'pdf'] as Edition[], paths: ['source'], out: join(root, 'dist') };
    const cachedOf = async () => Object.fromEntries((await build(options)).documents.map((document) => [document.source.replace(/^.*\//, ''), document.editions.map((edition) => edition.cached)]));
    expect(await cachedOf()).toEqual({ 'a.md': [false, false], 'b.md': [false, false] });
    writeFileSync(join(root, 'source/c.md'), '# C\n');
    expect(await cachedOf()).toEqual({ 'a.md': [true, true], 'b.md': [true, true], 'c.md': [false, false] });
    writeFileSync(join(root, 'source/d.md'), '# D\n');
    expect(await cachedOf()).toEqual({ 'a.md': [false, false], 'b.md': [true, true], 'c.md': [true, true], 'd.md': [false, false] });
    rmSync(join(root, 'source/c.md'));
    expect(await cachedOf()).toEqual({ 'a.md': [true, true], 'b.md': [true, true], 'd.md': [true, true] });
    // Each edition as a cold build makes it.
    await build({ ...options, out: join(root, 'cold'), cache: false });
    for (const name of ['a', 'b', 'd']) for (const edition of ['html', 'pdf']) expect(readFileSync(join(root, 'dist', `${name}.${edition}`))).toEqual(readFileSync(join(root, 'cold', `${name}.${edition}`)));
    expect(readFileSync(join(root, 'dist/a.html'), 'utf8')).toMatch(/href="d\.html".*href="e\.md".*href="constructor".*href="__proto__"/s);
  });

  it('a worker pool gives the same bytes as one thread, and one failure does not stop the others', async () => {
    const root = tempProject({
      ...Object.fromEntries(['a', 'b', 'c', 'd'].map((name) => [`source/${name}.md`, note(name)])),
      'source/bad.md': '---\ntitle: [oops\n---\n',
    });
    const pooled = await build({ root, out: join(root, 'pooled'), formats: ['html', 'pdf', 'epub'], jobs: 2, cache: false });
    const single = await build({ root, out: join(root, 'single'), formats: ['html', 'pdf', 'epub'], jobs: 1, cache: false });
    expect(pooled.ok).toBe(false);
    expect(pooled.documents.filter((document) => document.ok)).toHaveLength(4);
    for (const name of ['a', 'b', 'c', 'd']) {
      for (const edition of ['html', 'pdf', 'epub']) {
        expect(readFileSync(join(root, 'pooled', `${name}.${edition}`))).toEqual(readFileSync(join(root, 'single', `${name}.${edition}`)));
      }
    }
    expect(single.documents.find((document) => !document.ok)!.source).toMatch(/bad\.md$/);
  });

  it('writes each edition into a temporary file as it is made, and puts it in place only when its document succeeded', async () => {
    const root = tempProject({ 'source/doc.md': note('doc'), 'source/sub/other.md': note('other') });
    const formats = ['html', 'pdf', 'epub'] as const;
    const first = await build({ root, out: 'dist', formats: [...formats], cache: true });
    expect(first.ok).toBe(true);
    const good = new Map(formats.map((edition) => [edition, readFileSync(join(root, 'dist', `doc.${edition}`))]));
    for (const edition of first.documents[0]!.editions) expect(Buffer.from(edition.bytes).equals(readFileSync(join(root, edition.path)))).toBe(true);
    // Its size is known without reading the file back (the reporters print it; a long book's PDF is hundreds of megabytes).
    for (const edition of first.documents[0]!.editions) expect(edition.size).toBe(statSync(join(root, edition.path)).size);
    // The same bytes as rendered in memory (a dry run writes nothing).
    const dry = await build({ root, formats: [...formats], dryRun: true });
    for (const edition of dry.documents.find((document) => document.source.endsWith('doc.md'))!.editions) {
      expect(Buffer.from(edition.bytes).equals(good.get(edition.edition as (typeof formats)[number])!)).toBe(true);
      expect(edition.size).toBe(edition.bytes.length);
    }

    // A failed document leaves the last good editions as they were, and no temporary file; its
    // result still holds what was rendered. A folder made for a failed document alone goes too.
    writeFileSync(join(root, 'source', 'doc.md'), `${note('changed')}\n![missing](nope.png)\n`);
    writeFileSync(join(root, 'source', 'sub', 'other.md'), '---\ntitle: [oops\n---\n');
    const failed = await build({ root, out: 'dist', formats: [...formats], cache: true, paths: ['source/doc.md'] });
    expect(failed.ok).toBe(false);
    for (const edition of formats) expect(readFileSync(join(root, 'dist', `doc.${edition}`)).equals(good.get(edition)!)).toBe(true);
    expect(Buffer.from(failed.documents[0]!.editions.find((edition) => edition.edition === 'pdf')!.bytes).subarray(0, 5).toString()).toBe('%PDF-');
    const fresh = await build({ root, out: 'fresh', formats: [...formats], cache: false, paths: ['source/sub/other.md'] });
    expect(fresh.ok).toBe(false);
    expect(readdirSync(root)).not.toContain('fresh');
    expect(readdirSync(join(root, 'dist'), { recursive: true }).filter((name) => String(name).endsWith('.tmp'))).toEqual([]);
  });

  it('fonts parsed and words shaped for one document serve the next with the same bytes as a fresh parse', async () => {
    const root = tempProject({
      // A glyph the first document makes for other text (⚡ alone; ⚡ and U+FE0F in the second)
      // must not change the second's text map.
      'source/a.md': `${note('First, with *italic* and `code`')}\nFast \u26a1 here.\n`,
      'source/b.md': `${note('Second')}\nΕλληνικά, Русский, **bold** and ***bold italic***. Fast \u26a1\ufe0f here.\n`,
    });
    const shared = createSharedResources();
    const together = await build({ root, out: join(root, 'together'), formats: ['pdf'], jobs: 1, cache: false, shared });
    const alone = await build({ root, paths: ['source/b.md'], out: join(root, 'alone'), formats: ['pdf'], jobs: 1, cache: false });
    expect(together.ok && alone.ok).toBe(true);
    expect(readFileSync(join(root, 'together', 'b.pdf'))).toEqual(readFileSync(join(root, 'alone', 'b.pdf')));
    // A face whose file changed is parsed again, never served stale.
    const parse = (bytes: Uint8Array) => bytes.length;
    expect(shared.parsed('k', new Uint8Array([1, 2]), parse)).toBe(2);
    expect(shared.parsed('k', new Uint8Array([1, 2]), () => -1)).toBe(2);
    expect(shared.parsed('k', new Uint8Array([1, 2, 3]), parse)).toBe(3);
    // A file read only when the bytes parsed before are not the file's any more (`holds`, as a watch session compares its fonts).
    let reads = 0;
    const read = (bytes: number[]) => () => {
      reads++;
      return new Uint8Array(bytes);
    };
    const holds = (file: number[]) => (bytes: Uint8Array) => Buffer.from(bytes).equals(Buffer.from(file));
    expect(shared.parsed('f', read([1]), parse, holds([1]))).toBe(1);
    expect(shared.parsed('f', read([1]), () => -1, holds([1]))).toBe(1);
    expect(reads).toBe(1);
    expect(shared.parsed('f', read([4, 5]), parse, holds([4, 5]))).toBe(2);
    expect(reads).toBe(2);
    // The resolver's own files compared where they lie: the font the writer reads.
    const assets = createAssetResolver({ root, documentDir: root, file: new VFile(), cache: new Map() });
    const font = '@expo-google-fonts/noto-sans-math/400Regular/NotoSansMath_400Regular.ttf';
    const bytes = Uint8Array.from(createAssetResolver({ root, documentDir: root, file: new VFile(), cache: new Map() }).own(font));
    expect(assets.ownHolds?.(font, bytes)).toBe(true);
    bytes[bytes.length - 1]! ^= 1;
    expect(assets.ownHolds?.(font, bytes)).toBe(false);
    expect(assets.ownHolds?.(font, bytes.subarray(1))).toBe(false);
  });
});

describe('books', () => {
  const book = {
    'source/novel/book.yaml': 'title: A Novel\nauthor: Ada\ndate: 2024-01-01\nchapters:\n  - one.md\n  - parts/two.md\n',
    'source/novel/one.md': '# One\n\nFirst[^1].\n\n[^1]: Chapter one note.\n',
    'source/novel/parts/two.md': '# Two\n\nSecond[^1] and again[^1].\n\n![Dot](dot.svg)\n\n[^1]: Chapter two note.\n',
    'source/novel/parts/dot.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>',
  };

  it('builds a folder with book.yaml into one edition per format, numbering notes across chapters', () => {
    const root = tempProject(book);
    const run = runCli(['build', '--format', 'html,epub,pdf'], root);
    expect(run.stderr).not.toMatch(/error|warning/);
    expect(run.status).toBe(0);
    const html = readFileSync(join(root, 'dist/novel.html'), 'utf8');
    expect(html).toContain('<h1 class="title">A Novel</h1>');
    expect([...html.matchAll(/<li id="(fn-\d+)">/g)].map((match) => match[1])).toEqual(['fn-1', 'fn-2']);
    expect(html).toContain('Chapter one note.');
    expect(html).toContain('Chapter two note.');
    expect(html).toContain('src="data:image/svg+xml;base64,');
  });

  it('restarts note numbers per chapter with footnote-numbering: chapter, the same in every edition', async () => {
    const root = tempProject({
      'b/book.yaml': 'title: B\nfootnote-numbering: chapter\nchapters: [one.md, two.md]\n',
      'b/one.md': '# One\n\nA[^a] B[^b].\n\n[^a]: one-a\n\n[^b]: one-b\n',
      'b/two.md': '# Two\n\nC[^a].\n\n[^a]: two-a\n',
    });
    const result = await build({ root, paths: ['b'], out: join(root, 'dist'), formats: ['html', 'pdf', 'epub'], cache: false });
    expect(result.ok).toBe(true);
    const html = readFileSync(join(root, 'dist/b.html'), 'utf8');
    expect([...html.matchAll(/href="#fn-(\d)"[^>]*>(\d)</g)].map((match) => `${match[1]}:${match[2]}`)).toEqual(['1:1', '2:2', '3:1']);
    expect(html).toContain('<li id="fn-3" value="1">');
    const pdfText = tool('pdftotext', [join(root, 'dist/b.pdf'), '-']);
    expect(pdfText).toMatch(/^1 one-a$/m);
    expect(pdfText).toMatch(/^1 two-a$/m);
    const epub = await JSZip.loadAsync(readFileSync(join(root, 'dist/b.epub')));
    const xhtml = (await Promise.all(Object.keys(epub.files).filter((name) => name.endsWith('.xhtml')).map((name) => epub.file(name)!.async('string')))).join('');
    expect([...xhtml.matchAll(/class="note-number" href="#fnref-\d"[^>]*>(\d)\./g)].map((match) => match[1])).toEqual(['1', '2', '1']);
  });

  it('reports a problem in a chapter at that chapter\'s own line and column', () => {
    const root = tempProject({ ...book, 'source/novel/parts/two.md': '# Two\n\nSecond[^missing].\n' });
    const run = runCli(['build', '--format', 'html'], root);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('source/novel/parts/two.md:3:7: error: footnote "missing" is cited but never defined [footnote-undefined]');
  });
});

describe('reproducibility', () => {
  it('gives byte-identical editions across builds, time zones, locales, working directories and checkout paths', () => {
    const files = { 'source/doc.md': note('Same'), 'source/undated.md': '---\ntitle: Undated\n---\n\nNo date[^n].\n\n[^n]: Note.\n' };
    const first = tempProject(files);
    const second = join(tmpdir(), `colophon-elsewhere-${process.pid}`, 'deeper', 'checkout');
    mkdirSync(second, { recursive: true });
    cpSync(first, second, { recursive: true });
    const a = runCli(['build', '--force'], first, { TZ: 'UTC', LANG: 'C', SOURCE_DATE_EPOCH: '1700000000' });
    const b = runCli(['build', '--force', '--root', '..', '--out', '../dist', '../source'], join(second, 'source'), { TZ: 'Asia/Kolkata', LANG: 'ja_JP.UTF-8', SOURCE_DATE_EPOCH: '1700000000' });
    expect(a.status).toBe(0);
    expect(b.status).toBe(0);
    for (const name of ['doc', 'undated']) {
      for (const edition of ['html', 'pdf', 'epub']) {
        expect(readFileSync(join(second, 'dist', `${name}.${edition}`)), `${name}.${edition}`).toEqual(readFileSync(join(first, 'dist', `${name}.${edition}`)));
      }
    }
    // SOURCE_DATE_EPOCH is honoured where the document has no date.
    const c = runCli(['build', '--force', '--out', 'other', 'source/undated.md'], first, { SOURCE_DATE_EPOCH: '1600000000' });
    expect(c.status).toBe(0);
    expect(readFileSync(join(first, 'other/undated.epub'))).not.toEqual(readFileSync(join(first, 'dist/undated.epub')));
  });
});

describe('watch mode', () => {
  it('rebuilds on change, survives an error, and stops cleanly on Ctrl-C', async () => {
    const root = tempProject({ 'source/doc.md': note('Watched') });
    const child = spawn(process.execPath, [cli, 'build', '--watch', '--format', 'html'], { cwd: root });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const waitFor = async (pattern: RegExp, count = 1) => {
      for (let waited = 0; waited < WALL_CLOCK_GUARD_MS; waited += 50) {
        if ((stderr.match(new RegExp(pattern, 'g')) ?? []).length >= count) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`timed out waiting for ${pattern}; stderr so far:\n${stderr}`);
    };
    await waitFor(/watching for changes/);
    writeFileSync(join(root, 'source/doc.md'), '---\ntitle: Broken\n---\n\nCites[^nope].\n');
    await waitFor(/rebuilt in \d+ ms/);
    expect(stderr).toContain('error: footnote "nope" is cited but never defined');
    writeFileSync(join(root, 'source/doc.md'), note('Fixed'));
    await waitFor(/rebuilt in \d+ ms/, 2);
    expect(readFileSync(join(root, 'dist/doc.html'), 'utf8')).toContain('Fixed text');
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    expect(await exit).toBe(0);
    expect(stderr).toContain('stopped watching');
    expect(readdirSync(join(root, 'dist')).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
