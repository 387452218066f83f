import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot, runCli, tempProject } from './helpers.ts';

const article = '---\ntitle: T\n---\n\nText with a note[^a].\n\n[^a]: The note.\n';

describe('colophon build', () => {
  it('builds source/ into dist/ by default, from the project folder', () => {
    const root = tempProject({ 'source/one.md': article, 'source/sub/two.md': article });
    const run = runCli(['build', '--format', 'html'], root);
    expect(run.stderr).toBe('2 documents, 2 editions in X s\n'.replace('X', /in ([\d.]+) s/.exec(run.stderr)?.[1] ?? '?'));
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/wrote dist\/one\.html/);
    for (const path of ['dist/one.html', 'dist/sub/two.html']) {
      const html = readFileSync(join(root, path), 'utf8');
      expect(html, path).toContain('<h1 class="title">T</h1>');
      expect(html, path).toContain('Text with a note');
      expect(html, path).toContain('The note.');
    }
  });

  it('exits 1 on a cited-but-undefined note, naming file, line and column', () => {
    const root = tempProject({ 'doc.md': '---\ntitle: T\n---\n\nFirst line.\nA citation[^missing] here.\n' });
    const run = runCli(['build', 'doc.md', '--format', 'html'], root);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('doc.md:6:11: error: footnote "missing" is cited but never defined [footnote-undefined]');
  });

  it('exits 1 on a YAML syntax error, at its line and column in the Markdown file', () => {
    const root = tempProject({ 'doc.md': '---\ntitle: T\nkeywords: [a, b\nlang: en\n---\n\nBody.\n' });
    const run = runCli(['build', 'doc.md', '--format', 'html'], root);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^doc\.md:4:1: error: invalid YAML in front matter: .*\[metadata-yaml\]$/m);
  });

  it('starts a build of 2 MB of Markdown or more again with bounded malloc arenas, its exit and messages passed through', () => {
    // A preload records, per process, the malloc setting it started with (Linux only: the launcher's choice).
    const probe = "require('node:fs').appendFileSync(process.env.PROBE_LOG, process.pid + ' ' + (process.env.MALLOC_ARENA_MAX ?? '-') + '\\n');";
    const filler = 'A line of filler text for a long document, written many times over.\n\n'.repeat(30_000);
    const root = tempProject({ 'probe.cjs': probe, 'big.md': `---\ntitle: T\nkeywords: [a, b\nlang: en\n---\n\n${filler}`, 'small.md': '---\ntitle: T\nkeywords: [a, b\n---\n\nBody.\n' });
    const settings = (path: string) => {
      const log = join(root, `${path}.log`);
      writeFileSync(log, '');
      const run = runCli(['build', path, '--format', 'html'], root, { NODE_OPTIONS: `--require ${join(root, 'probe.cjs')}`, PROBE_LOG: log, MALLOC_ARENA_MAX: undefined, MALLOC_MMAP_THRESHOLD_: undefined });
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^${path}:\\d+:\\d+: error: invalid YAML in front matter`, 'm'));
      return new Set(readFileSync(log, 'utf8').trim().split('\n').map((line) => line.split(' ')[1]));
    };
    expect(settings('big.md')).toEqual(new Set(process.platform === 'linux' ? ['-', '2'] : ['-']));
    expect(settings('small.md')).toEqual(new Set(['-']));
  });

  it('warns on an unused note and exits 0, or 1 with --strict', () => {
    const root = tempProject({ 'doc.md': '---\ntitle: T\n---\n\nBody.\n\n[^spare]: Unused.\n' });
    const loose = runCli(['build', 'doc.md', '--format', 'html'], root);
    expect(loose.status).toBe(0);
    expect(loose.stderr).toContain('doc.md:7:1: warning: footnote "spare" is defined but never cited [footnote-unused]');
    const strict = runCli(['build', 'doc.md', '--format', 'html', '--strict'], root);
    expect(strict.status).toBe(1);
    expect(strict.stderr).toContain('doc.md:7:1: warning: footnote "spare" is defined but never cited [footnote-unused]');
  });

  it('leaves the previous good edition in place when a build fails', () => {
    const root = tempProject({ 'doc.md': article });
    expect(runCli(['build', 'doc.md', '--format', 'html'], root).status).toBe(0);
    const good = readFileSync(join(root, 'dist/doc.html'));
    writeFileSync(join(root, 'doc.md'), '---\ntitle: [broken\n---\n');
    const failed = runCli(['build', 'doc.md', '--format', 'html'], root);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toMatch(/^doc\.md:2:\d+: error: .*\[metadata-yaml\]$/m);
    expect(readFileSync(join(root, 'dist/doc.html'))).toEqual(good);
    expect(good.toString()).toContain('Text with a note');
  });

  it('gives byte-identical HTML when built twice, whatever the time zone', () => {
    const root = tempProject({ 'doc.md': article });
    // --force: the second build must really build, not be served from the edition cache.
    expect(runCli(['build', 'doc.md', '--format', 'html', '--out', 'a', '--force'], root, { TZ: 'UTC' }).status).toBe(0);
    expect(runCli(['build', 'doc.md', '--format', 'html', '--out', 'b', '--force'], root, { TZ: 'Pacific/Kiritimati', LANG: 'de_DE.UTF-8' }).status).toBe(0);
    expect(readFileSync(join(root, 'a/doc.html'), 'utf8')).toContain('Text with a note');
    expect(readFileSync(join(root, 'b/doc.html'))).toEqual(readFileSync(join(root, 'a/doc.html')));
  });

  it('runs from any working directory, with paths relative to it', () => {
    const root = tempProject({ 'deep/doc.md': article });
    const run = runCli(['build', 'doc.md', '--format', 'html', '--root', '..', '--out', '../out'], join(root, 'deep'));
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/wrote \.\.\/out\/doc\.html|wrote .*out\/doc\.html/);
    expect(readFileSync(join(root, 'out/doc.html'), 'utf8')).toContain('Text with a note');
  });

  it('exits 2 on usage errors: unknown option, unknown format, missing path', () => {
    const root = tempProject({ 'doc.md': article });
    const bogus = runCli(['build', '--bogus'], root);
    expect(bogus.status).toBe(2);
    expect(bogus.stderr).toMatch(/unknown option '--bogus'/);
    const format = runCli(['build', 'doc.md', '--format', 'docx'], root);
    expect(format.status).toBe(2);
    expect(format.stderr).toContain('unknown format "docx"');
    const missing = runCli(['build', 'nowhere.md'], root);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain('no such file or folder: nowhere.md');
  });

  it('reports a binary file and invalid UTF-8 with a position', () => {
    const root = tempProject({ 'bin.md': new Uint8Array([0x23, 0x20, 0x41, 0x0a, 0x00, 0x01]), 'latin.md': new Uint8Array([0x23, 0x20, 0x43, 0x61, 0x66, 0xe9, 0x0a]) });
    const binary = runCli(['build', 'bin.md', '--format', 'html'], root);
    expect(binary.status).toBe(1);
    expect(binary.stderr).toContain('bin.md:2:1: error: binary file: NUL byte at offset 4');
    const latin = runCli(['build', 'latin.md', '--format', 'html'], root);
    expect(latin.status).toBe(1);
    expect(latin.stderr).toContain('latin.md:1:6: error: invalid UTF-8 at byte offset 5');
    expect(runCli(['build', 'latin.md', '--format', 'html', '--encoding', 'latin1'], root).status).toBe(0);
    expect(readFileSync(join(root, 'dist/latin.html'), 'utf8')).toContain('<h1 class="title" id="café">Café</h1>');
  });

  it('renders several documents in its worker threads to the same bytes as in one thread (from the bundle when it is current, as after npm ci)', () => {
    const files: Record<string, string> = {};
    for (const name of ['a', 'b', 'c', 'd']) files[`source/${name}.md`] = `---\ntitle: ${name}\n---\n\nText of ${name}, with a note[^n] and \`code\`.\n\n[^n]: Note of ${name}.\n`;
    const root = tempProject(files);
    expect(runCli(['build', '--format', 'html,epub', '--out', 'pooled', '--jobs', '2'], root).status).toBe(0);
    expect(runCli(['build', '--format', 'html,epub', '--out', 'single', '--jobs', '1', '--force'], root).status).toBe(0);
    for (const name of ['a', 'b', 'c', 'd']) {
      for (const edition of ['html', 'epub']) expect(readFileSync(join(root, 'pooled', `${name}.${edition}`)).equals(readFileSync(join(root, 'single', `${name}.${edition}`))), `${name}.${edition}`).toBe(true);
    }
  });

  it('is declared as the package binary', () => {
    const manifest = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8'));
    expect(manifest.bin.colophon).toBe('bin/colophon.mjs');
  });
});
