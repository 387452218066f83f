import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectGolden, fixturesDir, tool } from './helpers.ts';
import {
  build3,
  checkEditions,
  distFiles,
  EDITIONS,
  expectNoBytesFrom,
  expectNoTemporaryFiles,
  fixtureInput,
  golden,
  hostileKit,
  messagesOf,
  outcomeOf,
  pdfText,
  renderInMemory,
  runCli,
} from './hostile-kit.ts';

/**
 * Hostile input (issue 6): refusals, limits, the project root, output names, raw HTML, signals
 * and partial failures. The huge inputs that build (a 2 MB line, 50,000 emphasis markers, 20,000
 * notes, a 2 MB word) are in hostile-large.test.ts, so that the two halves run side by side.
 */
const { temporary, project, record, buildFixture } = hostileKit('hostile input');
// Cases ------------------------------------------------------------------------------------

describe('hostile input: bounded work, clear outcome', () => {
  const refused: [string, string][] = [
    ['nested-quotes', 'nesting-limit'],
    ['nested-list', 'nesting-limit'],
    ['yaml-bomb', 'metadata-yaml'],
    ['binary', 'source-binary'],
    // 50,000 unmatched emphasis openers in one paragraph: micromark would take minutes.
    ['emphasis', 'emphasis-limit'],
  ];
  for (const [name, rule] of refused) {
    it(`${name}: refused with [${rule}], exit 1, nothing written`, async () => {
      const { root, run } = await buildFixture(name);
      expect(run.status).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^input\\.md:\\d+:\\d+: error: .*\\[${rule}\\]$`, 'm'));
      expect(distFiles(root)).toEqual([]);
    });
  }

  it('binary --encoding latin1: a binary file stays binary whatever the encoding', async () => {
    const root = project({ 'input.md': await fixtureInput('hostile-binary') });
    const run = await build3(root, ['input.md'], ['--encoding', 'latin1']);
    record('binary --encoding latin1', run, outcomeOf(run));
    golden('binary', run, root, 'messages-latin1.txt');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('input.md:2:49: error: binary file: NUL byte at offset 134; Colophon reads Markdown text [source-binary]');
    expect(distFiles(root)).toEqual([]);
  });

  it('empty: an empty file builds all three editions, with a title warning', async () => {
    const { root, run } = await buildFixture('empty');
    expect(run.status).toBe(0);
    await checkEditions(root, 'input');
  });

  it('front-matter-only: a file with only front matter builds all three editions', async () => {
    const { root, run } = await buildFixture('front-matter-only');
    expect(run.status).toBe(0);
    const editions = await checkEditions(root, 'input');
    expect(editions.html).toContain('Only front matter');
    expect(pdfText(editions.pdf)).toContain('Only front matter');
  });

  it('crlf-bom: CRLF line endings after a BOM read like LF, in all three editions', async () => {
    const { root, run } = await buildFixture('crlf-bom');
    expect(run.status).toBe(0);
    const editions = await checkEditions(root, 'input');
    // The BOM did not hide the front matter: its title is the document's.
    expect(editions.html).toMatch(/<title>Windows file/);
    expect(editions.html).not.toContain('\ufeff');
    expect(editions.html).toContain('data-footnote-ref');
    const text = pdfText(editions.pdf);
    expect(text).toContain('Windows file');
    expect(text).toContain('A paragraph with a note1 across two lines.');
    expect(text).toContain('The note.');
    expect([...editions.epub.values()].join('')).toContain('The note.');
  });

  it('latin1: Latin-1 bytes are an error naming the byte, and build with --encoding latin1', async () => {
    const root = project({ 'input.md': await fixtureInput('hostile-latin1') });
    const refused = await build3(root, ['input.md']);
    golden('latin1', refused, root);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('input.md:2:11: error: invalid UTF-8 at byte offset 14');
    expect(distFiles(root)).toEqual([]);
    const accepted = await build3(root, ['input.md'], ['--encoding', 'latin1']);
    record('latin1', refused, outcomeOf(refused));
    record('latin1 --encoding latin1', accepted, outcomeOf(accepted));
    golden('latin1', accepted, root, 'messages-latin1.txt');
    expect(accepted.status).toBe(0);
    const editions = await checkEditions(root, 'input');
    expect(editions.html).toContain('Crème brûlée, à la carte');
    expect(pdfText(editions.pdf)).toContain('Crème brûlée');
    expect([...editions.epub.values()].join('')).toContain('Crème brûlée');
  });
});

describe('hostile input: the limits are configurable', () => {
  it('limits: --max-nesting lowers the nesting limit, --max-input-size the size limit', async () => {
    const root = project({ 'input.md': await fixtureInput('hostile-limits'), 'long.md': await fixtureInput('hostile-long-line') });
    const lowered = await build3(root, ['input.md'], ['--max-nesting', '10']);
    record('limits (20 quotes, --max-nesting 10)', lowered, outcomeOf(lowered));
    golden('limits', lowered, root, 'messages-max-nesting.txt');
    expect(lowered.status).toBe(1);
    expect(lowered.stderr).toContain('input.md:5:11: error: nesting too deep: more than 10 quote markers (--max-nesting) [nesting-limit]');
    expect(distFiles(root)).toEqual([]);
    const accepted = await build3(root, ['input.md']);
    record('limits (20 quotes, default 64)', accepted, outcomeOf(accepted));
    golden('limits', accepted, root);
    expect(accepted.status).toBe(0);
    const editions = await checkEditions(root, 'input');
    expect(editions.html.match(/<blockquote>/g)?.length).toBe(20);
    expect(pdfText(editions.pdf)).toContain('deep');
    expect([...editions.epub.values()].join('')).toContain('deep');
    const small = await build3(root, ['long.md'], ['--max-input-size', '1']);
    record('limits (2 MB, --max-input-size 1)', small, outcomeOf(small));
    golden('limits', small, root, 'messages-max-input-size.txt');
    expect(small.status).toBe(1);
    expect(small.stderr).toMatch(/^long\.md:1:1: error: the source is 2\.0 MB, more than the limit of 1\.0 MB \(--max-input-size\) \[input-too-large\]$/m);
    expect(distFiles(root).filter((name) => name.startsWith('long'))).toEqual([]);
  });
});

describe('hostile input: nothing read from outside the project root', () => {
  it('symlink-outside: an image symlinked outside the root is an error; no edition holds its bytes', async () => {
    const outside = temporary(join(tmpdir(), 'colophon-outside-'));
    const secret = Buffer.concat([readFileSync(join(fixturesDir, 'images', 'dot.png')), Buffer.from('COLOPHON-SECRET-OUTSIDE-THE-ROOT')]);
    writeFileSync(join(outside, 'secret.png'), secret);
    const root = project({ 'input.md': await fixtureInput('hostile-symlink-outside') });
    mkdirSync(join(root, 'images'));
    symlinkSync(join(outside, 'secret.png'), join(root, 'images', 'secret.png'));
    const run = await build3(root, ['input.md']);
    record('symlink-outside', run, outcomeOf(run));
    expectGolden(join(fixturesDir, 'hostile-symlink-outside', 'messages.txt'), messagesOf(run, root).split(outside).join('<outside>'));
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^input\.md:7:1: error: "images\/secret\.png" lies outside the project .*\[asset-outside\]$/m);
    expect(distFiles(root)).toEqual([]);
    const rendered = await renderInMemory(root, 'input.md');
    expect(rendered.filter((edition) => !edition.edition.includes(':')).map((edition) => edition.edition)).toEqual([...EDITIONS]);
    expectNoBytesFrom(secret.subarray(0, 64), rendered);
  });

  it('path-escape: ../../etc/passwd and absolute paths as images are errors; no edition holds their bytes', async () => {
    // The document at the top of a root in the temporary folder: ../../etc/passwd is /etc/passwd.
    const root = temporary('/tmp/colophon-hostile-');
    writeFileSync(join(root, 'input.md'), await fixtureInput('hostile-path-escape'));
    const run = await build3(root, ['input.md']);
    record('path-escape', run, outcomeOf(run));
    golden('path-escape', run, root);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^input\.md:5:1: error: "\.\.\/\.\.\/etc\/passwd" lies outside the project .*\[asset-outside\]$/m);
    expect(run.stderr).toMatch(/^input\.md:7:1: error: "\/etc\/passwd" lies outside the project .*\[asset-outside\]$/m);
    expect(distFiles(root)).toEqual([]);
    const rendered = await renderInMemory(root, 'input.md');
    expectNoBytesFrom(readFileSync('/etc/passwd').subarray(0, 32), rendered);
  });

  it('device: /dev/zero and a named pipe as images are errors, without blocking', async () => {
    const root = project({ 'input.md': await fixtureInput('hostile-device') });
    tool('mkfifo', [join(root, 'pipe.png')]);
    const run = await build3(root, ['input.md']);
    record('device', run, outcomeOf(run));
    golden('device', run, root);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^input\.md:5:1: error: "\/dev\/zero" .*\[asset-(outside|invalid)\]$/m);
    expect(run.stderr).toMatch(/^input\.md:7:1: error: "pipe\.png" is not a regular file \[asset-invalid\]$/m);
    expect(distFiles(root)).toEqual([]);
  });

  it('remote-image: an http image is never fetched, not even with --allow-remote when it is on loopback', async () => {
    const requests: string[] = [];
    const server = createServer((request, response) => {
      requests.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'image/png' }).end(readFileSync(join(fixturesDir, 'images', 'dot.png')));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    try {
      const port = (server.address() as AddressInfo).port;
      const input = String(await fixtureInput('hostile-remote-image')).replace('PORT', String(port));
      const root = project({ 'input.md': input });
      const run = await build3(root, ['input.md']);
      record('remote-image', run, outcomeOf(run));
      golden('remote-image', run, root);
      expect(run.stderr).toMatch(/^input\.md:5:1: (error|warning): .*http:\/\/127\.0\.0\.1:\d+\/picture\.png.*\[[a-z-]*remote\]$/m);
      if (run.status === 0) await checkEditions(root, 'input');
      // The editions rendered in memory too: no writer fetched the image.
      const rendered = await renderInMemory(root, 'input.md');
      expect(rendered.length).toBeGreaterThanOrEqual(3);
      // Allowed to fetch, Colophon still refuses a loopback address (in a fresh project: no edition cache).
      const fresh = project({ 'input.md': input });
      const allowed = await build3(fresh, ['input.md'], ['--allow-remote']);
      record('remote-image --allow-remote (loopback)', allowed, outcomeOf(allowed));
      golden('remote-image', allowed, fresh, 'messages-allow-remote.txt');
      expect(allowed.status).toBe(1);
      expect(allowed.stderr).toMatch(/^input\.md:5:1: error: cannot fetch "http:\/\/127\.0\.0\.1:\d+\/picture\.png": 127\.0\.0\.1 is an internal address; refused \[asset-remote\]$/m);
      expect(distFiles(fresh)).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await new Promise((done) => server.close(done));
    }
  });
});

describe('hostile input: output names', () => {
  it('output-names: odd source names are sanitised and written inside --out; sources outside the root are refused', async () => {
    const input = readFileSync(join(fixturesDir, 'hostile-output-names', 'input.md'));
    const outside = temporary(join(tmpdir(), 'colophon-outside-'));
    writeFileSync(join(outside, 'secret.md'), input);
    const root = project({ 'a b&c?.md': input, '-dash.md': input, 'ünï.md': input, '.hidden.md': input, 'src/deep/x y.md': input, 'src/deep/.skipped.md': input });
    symlinkSync(join(outside, 'secret.md'), join(root, 'link.md'));
    const run = await build3(root, ['a b&c?.md', './-dash.md', 'ünï.md', '.hidden.md', 'src']);
    record('output-names', run, outcomeOf(run));
    golden('output-names', run, root);
    expect(run.status).toBe(0);
    expect(distFiles(root)).toEqual(
      ['-dash', '_hidden', 'a-b-c-', 'deep', 'deep/x-y', 'ünï'].flatMap((name) => (name === 'deep' ? ['deep'] : EDITIONS.map((edition) => `${name}.${edition}`).sort())),
    );
    const escape = await build3(root, ['../x.md']);
    const symlinked = await build3(root, ['link.md']);
    record('output-names (../x.md)', escape, outcomeOf(escape));
    record('output-names (symlink out)', symlinked, outcomeOf(symlinked));
    golden('output-names', escape, root, 'messages-parent.txt');
    golden('output-names', symlinked, root, 'messages-symlink.txt');
    expect(escape.status).toBe(2);
    expect(escape.stderr).toMatch(/lies outside the project root/);
    expect(symlinked.status).toBe(2);
    expect(symlinked.stderr).toMatch(/outside the project root/);
    expect(readdirSync(outside)).toEqual(['secret.md']);
  });
});

describe('hostile input: raw HTML', () => {
  it('raw-html: scripts, iframes, event handlers and javascript: links are gone from every edition', async () => {
    const { root, run } = await buildFixture('raw-html');
    expect(run.status).toBe(0);
    const editions = await checkEditions(root, 'input');
    const dangerous = [/<script/i, /<iframe/i, /\son[a-z]+\s*=/i, /javascript:/i, /vbscript:/i, /alert\(/];
    const body = editions.html.slice(editions.html.indexOf('<body'));
    for (const pattern of dangerous) expect(body, `HTML keeps ${pattern}`).not.toMatch(pattern);
    for (const [name, xhtml] of editions.epub) {
      for (const pattern of dangerous) expect(xhtml, `${name} keeps ${pattern}`).not.toMatch(pattern);
    }
    // Safe formatting and text survive in HTML and EPUB.
    expect(body).toContain('inline bold');
    expect(body).toContain('Safe words in a div.');
    expect([...editions.epub.values()].join('')).toContain('inline bold');
    // The PDF never shows markup.
    const text = pdfText(editions.pdf);
    for (const markup of ['<script', '<iframe', 'onclick', 'onmouseover', 'javascript:', 'alert(', '<b', '</a>']) expect(text).not.toContain(markup);
    expect(text).toContain('Markdown link');
  });
});

describe('hostile input: nothing lost', () => {
  // SIGINT and SIGTERM are the same case: only the exit code and the golden messages differ.
  const signals = [
    { signal: 'SIGINT', status: 130, label: 'interrupted (SIGINT)', messages: undefined, epubcheck: true },
    { signal: 'SIGTERM', status: 143, label: 'terminated (SIGTERM)', messages: 'messages-sigterm.txt', epubcheck: false },
  ] as const;
  it.each(signals)('$signal mid-build exits $status and leaves no partial or temporary file', async ({ signal, status, label, messages, epubcheck }) => {
    const root = project({ 'a.md': readFileSync(join(fixturesDir, 'hostile-interrupted', 'a.md')), 'b.md': await fixtureInput('hostile-interrupted') });
    let signalledAt = -1;
    const run = await runCli(['build', 'a.md', 'b.md', '--format', EDITIONS.join(','), '--out', 'dist', '--root', '.'], root, (child) => {
      // a.md is small and written first; once its last edition exists, b.md (2 MB) is building.
      // The signal comes once one of b's editions waits in its temporary file (written as soon as
      // made, renamed only when the whole document succeeded): the interrupted build removes it.
      const started = performance.now();
      const poll = setInterval(() => {
        if (existsSync(join(root, 'dist', 'a.epub')) && readdirSync(join(root, 'dist')).some((name) => name.startsWith('.b.'))) {
          clearInterval(poll);
          signalledAt = Math.round(performance.now() - started);
          child.kill(signal);
        }
      }, 5);
      child.on('close', () => clearInterval(poll));
    });
    record(label, run, `${outcomeOf(run)}, signalled at ${signalledAt} ms`);
    golden('interrupted', run, root, messages);
    expect(signalledAt).toBeGreaterThanOrEqual(0);
    expect(run.status).toBe(status);
    expect(run.stderr).toContain(`colophon: interrupted (${signal})`);
    expectNoTemporaryFiles(root);
    // The first document is complete; the interrupted one left nothing at all.
    expect(distFiles(root)).toEqual(['a.epub', 'a.html', 'a.pdf']);
    await checkEditions(root, 'a', { epubcheck });
  });

  it('keep-previous: a failed build leaves the previous good editions byte-identical', async () => {
    const root = project({ 'input.md': await fixtureInput('hostile-keep-previous') });
    const good = await build3(root, ['input.md']);
    expect(good.status).toBe(0);
    const before = EDITIONS.map((edition) => readFileSync(join(root, 'dist', `input.${edition}`)));
    writeFileSync(join(root, 'input.md'), readFileSync(join(fixturesDir, 'hostile-keep-previous', 'broken.md')));
    const failed = await build3(root, ['input.md']);
    record('keep-previous', failed, outcomeOf(failed));
    golden('keep-previous', failed, root);
    expect(failed.status).toBe(1);
    EDITIONS.forEach((edition, index) => expect(readFileSync(join(root, 'dist', `input.${edition}`)).equals(before[index]!), `${edition} changed`).toBe(true));
    expectNoTemporaryFiles(root);
    expect(distFiles(root)).toEqual(['input.epub', 'input.html', 'input.pdf']);
  });

  it('partial-failure: when one document fails the others still build, and the exit code is 1', async () => {
    const names = ['a-good', 'b-bad', 'c-good'];
    const root = project(Object.fromEntries(names.map((name) => [`${name}.md`, readFileSync(join(fixturesDir, 'hostile-partial-failure', `${name}.md`))])));
    const run = await build3(root, names.map((name) => `${name}.md`));
    record('partial-failure', run, outcomeOf(run));
    golden('partial-failure', run, root);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^b-bad\.md:5:24: error: .*\[footnote-undefined\]$/m);
    expect(distFiles(root)).toEqual(['a-good.epub', 'a-good.html', 'a-good.pdf', 'c-good.epub', 'c-good.html', 'c-good.pdf']);
    await checkEditions(root, 'a-good');
    await checkEditions(root, 'c-good');
    expectNoTemporaryFiles(root);
  });
});

describe('hostile input: found by these tests, fixed, and kept fixed', () => {
  it('deep nesting inside the limit (40 quotes, a 40-level list) loses no text in any edition', async () => {
    let list = '';
    for (let level = 0; level < 40; level++) list += `${'  '.repeat(level)}- item ${level} survives\n`;
    const root = project({ 'input.md': `---\ntitle: Deep\n---\n\n${'> '.repeat(40)}the deepest quote survives\n\n${list}` });
    const run = await build3(root, ['input.md']);
    record('deep nesting inside the limit', run, outcomeOf(run));
    expect(run.status).toBe(0);
    const editions = await checkEditions(root, 'input', { epubcheck: false });
    const pdf = pdfText(editions.pdf).replace(/\s+/g, ' ');
    const epub = [...editions.epub.values()].join('');
    for (const text of ['the deepest quote survives', ...Array.from({ length: 40 }, (_, level) => `item ${level} survives`)]) {
      expect(editions.html, text).toContain(text);
      expect(pdf, text).toContain(text);
      expect(epub, text).toContain(text);
    }
  });

  it('a name that merely starts with two dots is inside the project', async () => {
    const root = project({ '..notes.md': '---\ntitle: Dots\n---\n\n![A dot](..dot.svg)\n', '..dot.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>' });
    const run = await build3(root, ['..notes.md']);
    record('..name inside the root', run, outcomeOf(run));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    // The image was read and embedded, not refused as outside the project.
    const page = distFiles(root).find((name) => name.endsWith('.html'));
    expect(page).toBeDefined();
    const html = readFileSync(join(root, 'dist', page ?? ''), 'utf8');
    expect(html).toMatch(/<img src="data:image\/svg\+xml;base64,[^"]+" alt="A dot"/);
  });

  it('raw HTML blocks print their text in the PDF, without markup or script source', async () => {
    const root = project({ 'input.md': '---\ntitle: Raw\n---\n\n<div class="box">A <em>raw</em> block <script>secret()</script></div>\n' });
    const run = await build3(root, ['input.md']);
    expect(run.status).toBe(0);
    const text = pdfText(join(root, 'dist', 'input.pdf'));
    expect(text).toContain('A raw block');
    expect(text).not.toMatch(/secret|<div|<em/);
  });
});
