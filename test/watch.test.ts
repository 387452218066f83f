import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli, tempProject } from './helpers.ts';

/** A `colophon build --watch` child whose stderr can be awaited line by line. */
function startWatch(root: string, args: string[]) {
  const child = spawn(process.execPath, [cli, 'build', '--watch', '--format', 'html', ...args], { cwd: root });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  // Bounded by the work (one small rebuild), with a limit far above any loaded machine's time.
  const waitFor = async (pattern: RegExp, count = 1) => {
    for (let waited = 0; waited < 120_000; waited += 50) {
      if ((stderr.match(new RegExp(pattern, 'g')) ?? []).length >= count) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`timed out waiting for ${pattern}; stderr so far:\n${stderr}`);
  };
  const stop = async () => {
    const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
    child.kill('SIGINT');
    return exit;
  };
  return { waitFor, stop, stderr: () => stderr };
}

const doc = (text: string, image = '') => `---\ntitle: Watched\n---\n\n${text}\n${image}`;

describe('watch follows what the build reads', () => {
  it('ignores files no build read, and rebuilds for sources, images and new documents', async () => {
    const root = tempProject({ 'source/doc.md': doc('First text.', '![A dot](../images/dot.svg)\n'), 'images/dot.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>' });
    const watching = startWatch(root, []);
    await watching.waitFor(/watching for changes/);

    // Another tool's log, an output, a hidden folder and a non-Markdown file beside the source: no rebuild.
    writeFileSync(join(root, 'build.log'), 'a log line\n');
    mkdirSync(join(root, '.tool'));
    writeFileSync(join(root, '.tool/state.json'), '{}');
    writeFileSync(join(root, 'source/notes.txt'), 'not a document\n');
    writeFileSync(join(root, 'dist/extra.html'), '<p>written by someone else</p>');
    // Then a real input: exactly one rebuild follows, naming only that input.
    writeFileSync(join(root, 'images/dot.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>');
    await watching.waitFor(/rebuilt in \d+ ms/);
    writeFileSync(join(root, 'source/doc.md'), doc('Second text.', '![A dot](../images/dot.svg)\n'));
    await watching.waitFor(/rebuilt in \d+ ms/, 2);
    expect(readFileSync(join(root, 'dist/doc.html'), 'utf8')).toContain('Second text.');

    // A new document in a folder the build listed is built.
    writeFileSync(join(root, 'source/new.md'), doc('A new document.'));
    await watching.waitFor(/rebuilt in \d+ ms/, 3);
    expect(readFileSync(join(root, 'dist/new.html'), 'utf8')).toContain('A new document.');

    expect(await watching.stop()).toBe(0);
    const changedLines = watching.stderr().split('\n').filter((line) => line.startsWith('changed:'));
    expect(changedLines).toEqual(['changed: images/dot.svg', 'changed: source/doc.md', 'changed: source/new.md']);
  });

  it('rebuilds a document whose link names a heading of another when that heading changes', async () => {
    const root = tempProject({ 'source/a.md': doc('See [the setup](b.md#Setting-Up).'), 'source/b.md': doc('## Setting up\n\nSteps.') });
    const watching = startWatch(root, []);
    await watching.waitFor(/watching for changes/);
    expect(readFileSync(join(root, 'dist/a.html'), 'utf8')).toContain('href="b.html#setting-up"');
    writeFileSync(join(root, 'source/b.md'), doc('## Setting it up\n\nSteps.'));
    await watching.waitFor(/rebuilt in \d+ ms/);
    // The link is kept as written, and said to name nothing.
    expect(readFileSync(join(root, 'dist/a.html'), 'utf8')).toContain('href="b.html#Setting-Up"');
    expect(watching.stderr()).toMatch(/source\/a\.md:5:5: warning: link to "b\.md#Setting-Up": source\/b\.md has no heading or anchor "Setting-Up"[^\n]*\[document-link-anchor\]/);
    writeFileSync(join(root, 'source/b.md'), doc('## Setting Up\n\nSteps.'));
    await watching.waitFor(/rebuilt in \d+ ms/, 2);
    expect(readFileSync(join(root, 'dist/a.html'), 'utf8')).toContain('href="b.html#setting-up"');
    expect(await watching.stop()).toBe(0);
  });

  it('rebuilds when a missing image appears', async () => {
    const root = tempProject({ 'source/doc.md': doc('Text.', '![Later](later.svg)\n') });
    const watching = startWatch(root, []);
    await watching.waitFor(/watching for changes/);
    expect(watching.stderr()).toContain('later.svg');
    writeFileSync(join(root, 'source/later.svg'), '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
    await watching.waitFor(/rebuilt in \d+ ms/);
    expect(await watching.stop()).toBe(0);
    expect(readFileSync(join(root, 'dist/doc.html'), 'utf8')).toMatch(/<img src="data:image\/svg\+xml;base64,[^"]+" alt="Later"/);
  });
});
