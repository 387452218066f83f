import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import type { Element, ElementContent, Root as HastRoot } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import JSZip from 'jszip';
import type { Root } from 'mdast';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { formatMessage } from '../pipeline/cli/cli.ts';
import type { DocumentMeta } from '../pipeline/types.ts';
import { splitChapters } from '../pipeline/writers/epub/chapters.ts';
import { fileAs } from '../pipeline/writers/epub/metadata.ts';
import { packageEpub, packageEpubTo, type PackageInput } from '../pipeline/writers/epub/package.ts';
import { epubcheck, expectGolden, fixturesDir, launchChromium, openPage, projectRoot, runCli, tempProject } from './helpers.ts';

/** Each case: where its project root and source are, and where its goldens live. */
const cases = {
  seed: { root: projectRoot, source: 'source/sco-blueprint.md', golden: join(fixturesDir, 'epub-seed') },
  features: { root: join(fixturesDir, 'epub-features'), source: 'input.md', golden: join(fixturesDir, 'epub-features') },
  multilingual: { root: join(fixturesDir, 'epub-multilingual'), source: 'input.md', golden: join(fixturesDir, 'epub-multilingual') },
  notes: { root: join(fixturesDir, 'epub-notes'), source: 'input.md', golden: join(fixturesDir, 'epub-notes') },
  trusted: { root: join(fixturesDir, 'epub-trusted'), source: 'input.md', golden: join(fixturesDir, 'epub-trusted') },
  scripts: { root: join(fixturesDir, 'world-scripts'), source: 'input.md', golden: join(fixturesDir, 'world-scripts', 'epub') },
} as const;
type CaseName = keyof typeof cases;
const names = Object.keys(cases) as CaseName[];

interface Built {
  epub: Uint8Array;
  html: string;
  messages: string;
  zip: JSZip;
  epubcheck: string;
}
const built = new Map<CaseName, Built>();
const out = mkdtempSync(join(tmpdir(), 'colophon-epub-'));

async function buildCase(name: CaseName, formats: ('epub' | 'html')[] = ['epub', 'html']) {
  const { root, source } = cases[name];
  // No edition cache: every build here must really render, or the reproducibility checks prove nothing.
  return build({ root, paths: [source], out: join(out, name), formats, cache: false });
}

beforeAll(async () => {
  for (const name of names) {
    const result = await buildCase(name);
    const document = result.documents[0]!;
    const messages = `${[...document.file.messages.map(formatMessage), `exit ${result.ok ? 0 : 1}`].join('\n')}\n`;
    const epub = document.editions.find((edition) => edition.edition === 'epub')!.bytes;
    const html = new TextDecoder().decode(document.editions.find((edition) => edition.edition === 'html')!.bytes);
    built.set(name, { epub, html, messages, zip: await JSZip.loadAsync(epub), epubcheck: '' });
  }
  for (const name of names) {
    const report = await epubcheck(join(out, name, `${cases[name].source.split('/').pop()!.replace(/\.md$/, '')}.epub`));
    built.get(name)!.epubcheck = report.stdout;
  }
});

afterAll(() => rmSync(out, { recursive: true, force: true }));

async function entry(name: CaseName, path: string): Promise<string> {
  const file = built.get(name)!.zip.file(path);
  if (!file) throw new Error(`${name}: no ${path} in the package`);
  return file.async('string');
}

/** Content documents in spine order, without the cover page and the navigation document. */
async function chapters(name: CaseName): Promise<{ path: string; xhtml: string }[]> {
  const opf = await entry(name, 'OEBPS/content.opf');
  const hrefs = new Map([...opf.matchAll(/<item id="([^"]+)" href="([^"]+)"/g)].map((match) => [match[1]!, match[2]!]));
  const spine = [...opf.matchAll(/<itemref idref="([^"]+)"/g)].map((match) => match[1]!).filter((id) => id !== 'cover' && id !== 'nav');
  return Promise.all(spine.map(async (id) => ({ path: hrefs.get(id)!, xhtml: await entry(name, `OEBPS/${hrefs.get(id)!}`) })));
}

describe.each(names)('EPUB of %s', (name) => {
  it('passes epubcheck with no errors and no warnings', () => {
    const report = built.get(name)!.epubcheck;
    expect(report).toContain('Messages: 0 fatals / 0 errors / 0 warnings / 0 infos');
    expect(report.split('\n').filter((line) => /^(FATAL|ERROR|WARNING|INFO|USAGE)/.test(line))).toEqual([]);
  });

  it('matches its golden OPF, NCX, navigation, chapters and messages', async () => {
    const zip = built.get(name)!.zip;
    const pinned = Object.keys(zip.files).filter((path) => /\.(opf|ncx|xhtml)$/.test(path) || path === 'OEBPS/images/cover.svg');
    const expectedDir = join(cases[name].golden, 'expected');
    for (const path of pinned) expectGolden(join(expectedDir, path.replace(/^OEBPS\//, '')), await zip.file(path)!.async('string'));
    // A file the package no longer has must not linger among the goldens.
    const goldenFiles = readdirSync(expectedDir, { recursive: true, withFileTypes: true })
      .filter((dirent) => dirent.isFile())
      .map((dirent) => join(dirent.parentPath, dirent.name).slice(expectedDir.length + 1));
    expect(goldenFiles.sort()).toEqual(pinned.map((path) => path.replace(/^OEBPS\//, '')).sort());
    expectGolden(join(cases[name].golden, 'messages.txt'), built.get(name)!.messages);
  });

  it('has a stored mimetype first, then entries dated from the document, in a fixed order', async () => {
    const bytes = built.get(name)!.epub;
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getUint32(0, true)).toBe(0x04034b50);
    expect(view.getUint16(8, true)).toBe(0); // stored, not deflated
    expect(view.getUint16(26, true)).toBe(8);
    expect(view.getUint16(28, true)).toBe(0); // no extra field
    expect(new TextDecoder().decode(bytes.subarray(30, 58))).toBe('mimetypeapplication/epub+zip');
    const opf = await entry(name, 'OEBPS/content.opf');
    const modified = /<meta property="dcterms:modified">([^<]+)</.exec(opf)![1]!;
    const expected = Math.max(Date.parse(modified), Date.UTC(1980, 0, 1));
    for (const file of Object.values(built.get(name)!.zip.files)) expect(file.date.getTime(), file.name).toBe(expected);
  });

  it('keeps the text of the HTML edition, in reading order, with list numbers, task states and cells', async () => {
    const html = project(articleOf(fromHtml(built.get(name)!.html)));
    const parts = (await chapters(name)).map((chapter) => project(bodyOf(fromHtml(chapter.xhtml))));
    const epubLines = parts.flatMap((part) => part.lines);
    expect(epubLines).toEqual(html.lines);
    const epubNotes = new Map<string, string>();
    for (const part of parts) {
      for (const [number, text] of part.notes) {
        // A note cited from two chapters is in both files, identical.
        if (epubNotes.has(number)) expect(text).toBe(epubNotes.get(number));
        epubNotes.set(number, text);
      }
    }
    expect(new Map([...epubNotes].sort(byNumber))).toEqual(new Map([...html.notes].sort(byNumber)));
  });

  it('puts every note in the file that cites it, as a popup aside with a backlink', async () => {
    for (const { path, xhtml } of await chapters(name)) {
      const refs = [...xhtml.matchAll(/<a href="#fn-(\d+)" id="(fnref-[\d-]+)" epub:type="noteref" role="doc-noteref">(\d+)<\/a>/g)];
      for (const [, number, , label] of refs) {
        expect(label, path).toBe(number);
        expect(xhtml, `${path}: note ${number}`).toContain(`<aside class="footnote" id="fn-${number}" epub:type="footnote" role="doc-footnote">`);
      }
      for (const [, number] of xhtml.matchAll(/<aside class="footnote" id="fn-(\d+)"/g)) {
        expect(xhtml, `${path}: backlink of note ${number}`).toMatch(new RegExp(`<a class="note-number" href="#fnref-${number}" role="doc-backlink"[^>]*>${number}\\.</a>`));
        expect(xhtml, `${path}: citation of note ${number}`).toContain(`id="fnref-${number}"`);
      }
    }
  });

  it('declares its language on every content document', async () => {
    const opf = await entry(name, 'OEBPS/content.opf');
    const lang = /<dc:language>([^<]+)</.exec(opf)![1]!;
    const documents = Object.keys(built.get(name)!.zip.files).filter((path) => path.endsWith('.xhtml'));
    for (const path of documents) expect(await entry(name, path), path).toContain(`xml:lang="${lang}" lang="${lang}"`);
  });
});

describe('EPUB accessibility in a browser engine', () => {
  /**
   * The conformance claim says WCAG 2.1 AA: every content document of every case is checked
   * with axe-core's WCAG 2.x A/AA rules in Chromium (reading systems are browser engines).
   * axe's best-practice rules (one <main> per page, content inside landmarks) are for web
   * pages, not for the chapters of a book, and are not run, as in DAISY Ace.
   */
  it('has no WCAG 2.x A/AA violations in any content document', async () => {
    const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
    const browser = await launchChromium();
    try {
      const problems: string[] = [];
      // The long book repeats the same markup six times over; the other three cover every construct.
      for (const name of ['seed', 'features', 'multilingual', 'trusted'] as const) {
        const folder = join(out, `${name}-unpacked`);
        const zip = built.get(name)!.zip;
        for (const [path, file] of Object.entries(zip.files)) {
          if (file.dir) continue;
          mkdirSync(dirname(join(folder, path)), { recursive: true });
          writeFileSync(join(folder, path), await file.async('uint8array'));
        }
        for (const path of Object.keys(zip.files).filter((path) => path.endsWith('.xhtml'))) {
          const page = await openPage(browser);
          await page.goto(`file://${join(folder, path)}`);
          await page.addScriptTag({ content: axeSource });
          const violations = await page.evaluate(async () => {
            const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe;
            const result = await axe.run(document, { resultTypes: ['violations'], runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } });
            return result.violations.map((violation) => `${violation.id} (${violation.nodes.length})`);
          });
          problems.push(...violations.map((violation) => `${name}/${path}: ${violation}`));
          await page.close();
        }
      }
      expect(problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('EPUB metadata and accessibility', () => {
  it('describes the seed: title with subtitle refinement, authors and editor with file-as, dates, no images', async () => {
    const opf = await entry('seed', 'OEBPS/content.opf');
    expect(opf).toMatch(/<dc:title id="subtitle">Chinese President[^<]+<\/dc:title>\s*<meta refines="#subtitle" property="title-type">subtitle<\/meta>/);
    expect(opf).toMatch(/<dc:creator id="creator-1">Zhao Baoling<\/dc:creator>\s*<meta refines="#creator-1" property="role" scheme="marc:relators">aut<\/meta>\s*<meta refines="#creator-1" property="file-as">Zhao, Baoling<\/meta>/);
    expect(opf).toMatch(/<dc:contributor id="editor-1">Cai Hairuo<\/dc:contributor>\s*<meta refines="#editor-1" property="role" scheme="marc:relators">edt<\/meta>/);
    expect(opf).toContain('<meta property="dcterms:modified">2018-06-01T00:00:00Z</meta>');
    expect(opf).toContain('<dc:date>2018-06</dc:date>');
    expect(opf).toMatch(/<dc:description>\S[^<]+<\/dc:description>/);
    expect(opf).toContain('<dc:subject>Qingdao Summit</dc:subject>');
    expect(opf).toContain('<meta property="schema:accessMode">textual</meta>');
    expect(opf).not.toContain('<meta property="schema:accessMode">visual</meta>');
    expect(opf).toContain('<meta property="dcterms:conformsTo">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>');
    expect(opf).toContain('<meta property="schema:accessibilityHazard">none</meta>');
    expect(opf).toMatch(/<item id="cover-image" href="images\/cover.svg" media-type="image\/svg\+xml" properties="cover-image"\/>/);
    // The same title block and colophon as the HTML edition.
    const text = (await chapters('seed')).map((chapter) => chapter.xhtml).join('\n');
    for (const line of ['CPC Longkou Municipal Party School', 'June 2018', 'Editor: Cai Hairuo', 'Opinion articles reflect the views of their authors']) expect(text).toContain(line);
  });

  it('describes the features book: ISBN, images, a cover from front matter, no conformance claim while an image lacks alt text', async () => {
    const opf = await entry('features', 'OEBPS/content.opf');
    expect(opf).toContain('<dc:identifier id="pub-id">urn:isbn:9783161484100</dc:identifier>');
    expect(opf).toContain('<meta refines="#pub-id" property="identifier-type" scheme="onix:codelist5">15</meta>');
    expect(opf).toContain('<meta refines="#creator-2" property="file-as">Hopper, Grace</meta>');
    expect(opf).toContain('<meta refines="#creator-3" property="file-as">Li, Wei</meta>');
    expect(opf).toContain('<meta property="schema:accessMode">visual</meta>');
    expect(opf).toContain('<meta property="schema:accessModeSufficient">textual,visual</meta>');
    expect(opf).not.toContain('alternativeText');
    expect(opf).not.toContain('dcterms:conformsTo');
    expect(opf).toContain('<item id="cover-image" href="images/cover.png" media-type="image/png" properties="cover-image"/>');
    expect(opf).toContain('media-type="image/jpeg"');
    expect(opf).toContain('<item id="image-3" href="images/003-diagram.svg" media-type="image/svg+xml"/>');
    // red.png is used three times and packaged once.
    expect(Object.keys(built.get('features')!.zip.files).filter((path) => path.includes('red.png'))).toEqual(['OEBPS/images/001-red.png']);
    expect(await entry('features', 'OEBPS/images/002-photo.jpg')).toBeTruthy();
    // toc: true puts the navigation document into the reading order; otherwise it stays out of it.
    expect(opf).toContain('<itemref idref="nav"/>');
    expect(await entry('seed', 'OEBPS/content.opf')).toContain('<itemref idref="nav" linear="no"/>');
  });

  it('files names as a catalogue would', () => {
    expect(fileAs('Grace Hopper')).toBe('Hopper, Grace');
    expect(fileAs('Ludwig van Beethoven')).toBe('Beethoven, Ludwig van');
    expect(fileAs('Zhao Baoling')).toBe('Zhao, Baoling');
    expect(fileAs('赵宝玲')).toBe('赵宝玲');
    expect(fileAs('Lovelace, Ada')).toBe('Lovelace, Ada');
    expect(fileAs('Plato')).toBe('Plato');
  });

  it('navigates: nested contents to level 3, landmarks, and an NCX with the same entries', async () => {
    const nav = await entry('features', 'OEBPS/toc.xhtml');
    expect(nav).toContain('<nav epub:type="toc" role="doc-toc" id="toc"');
    expect(nav).toMatch(/<a href="chapter-04.xhtml">Code blocks<\/a>\s*<ol>\s*<li><a href="chapter-04.xhtml#a-subsection">A subsection<\/a>\s*<ol>\s*<li><a href="chapter-04.xhtml#a-sub-subsection">/);
    expect(nav).not.toContain('level-four');
    for (const type of ['cover', 'toc', 'bodymatter']) expect(nav).toContain(`<a epub:type="${type}"`);
    const ncx = await entry('features', 'OEBPS/toc.ncx');
    expect(ncx).toContain('<meta name="dtb:uid" content="urn:isbn:9783161484100"/>');
    expect(ncx).toContain('<meta name="dtb:depth" content="3"/>');
    const navTargets = [...nav.matchAll(/<li><a href="([^"]+)"/g)].map((match) => match[1]);
    const ncxTargets = [...ncx.matchAll(/<content src="([^"]+)"/g)].map((match) => match[1]);
    expect(ncxTargets).toEqual(navTargets);
  });
});

describe('EPUB links and images', () => {
  it('links across chapters to the file that holds the target', async () => {
    const [opening, , , , , links] = await chapters('features');
    expect(opening!.xhtml).toContain('<a href="chapter-03.xhtml#tables">the tables</a>');
    expect(links!.xhtml).toContain('<a href="chapter-02.xhtml#lists">the lists chapter</a>');
    expect(links!.xhtml).toContain('<a href="chapter-02.xhtml#lists">this file’s lists</a>');
    const raw = (await chapters('features')).at(-1)!.xhtml;
    expect(raw).toContain('<a href="#legacy-anchor">legacy anchor</a>');
    expect(raw).toContain('<span id="legacy-anchor"></span>');
  });

  it('keeps the text of links that leave the book or miss their anchor, drops the link, warns with the position', async () => {
    const [, , , , , links] = await chapters('features');
    expect(links!.xhtml).toContain('Links that cannot stay links in an e-book: the API, the licence, a missing anchor and a missing file’s anchor.');
    const messages = built.get('features')!.messages;
    expect(messages).toMatch(/input\.md:\d+:\d+: warning: link to "\.\/docs\/API\.md" points to a local file that is not part of the book.*\[epub-link-outside\]/);
    expect(messages).toMatch(/input\.md:\d+:\d+: warning: link to "LICENSE" points to a local file/);
    expect(messages).toMatch(/input\.md:\d+:\d+: warning: link to "#no-such-anchor" points to an anchor that does not exist.*\[epub-link-anchor\]/);
    expect(messages).toMatch(/input\.md:\d+:\d+: warning: image "images\/red\.png" has no alt text.*\[epub-image-alt\]/);
  });

  it('in a book (book.yaml), links a chapter file to a heading in another; other files stay outside', async () => {
    const root = tempProject({
      'mybook/book.yaml': 'title: A Book\nchapter-level: 1\nchapters:\n  - one.md\n  - two.md\n',
      'mybook/one.md': '# One\n\nSee [two](two.md#second-part) and [gone](three.md#x).\n',
      'mybook/two.md': '# Two\n\n## Second part\n\nBack to [one](one.md#one).\n',
    });
    try {
      const result = await build({ root, paths: ['mybook'], out: join(root, 'dist'), formats: ['epub'], cache: false, dryRun: true });
      const zip = await JSZip.loadAsync(result.documents[0]!.editions[0]!.bytes);
      expect(await zip.file('OEBPS/chapter-02.xhtml')!.async('string')).toContain('<p>See <a href="chapter-03.xhtml#second-part">two</a> and gone.</p>');
      expect(await zip.file('OEBPS/chapter-03.xhtml')!.async('string')).toContain('<a href="chapter-02.xhtml#one">one</a>');
      expect(result.documents[0]!.file.messages.map(formatMessage)).toContainEqual(expect.stringMatching(/one\.md:3:35: warning: link to "three\.md": the file is not part of the book .*\[book-link-outside\]/));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('makes raw HTML valid XHTML without losing its text', async () => {
    const raw = (await chapters('features')).at(-1)!.xhtml;
    expect(raw).toContain('<p class="align-center">Centred, with <code>teletype</code>, <del>strike</del> and a<br/>\nline break.</p>');
    // A percentage height means nothing in a reading system: only pixel sizes stay.
    expect(raw).toContain('<img src="images/001-red.png" alt="A red square, from raw HTML" width="16"/>');
    expect(raw).toContain('<kbd>Ctrl</kbd>+<kbd>C</kbd>; H<sub>2</sub>O; x<sup>2</sup>; <mark>marked</mark>; <abbr title="HyperText Markup Language">HTML</abbr>');
    // The cell's obsolete align attribute becomes a class, as a paragraph's does.
    expect(raw).toContain('<th class="align-left">Raw header</th>');
    expect(raw).not.toMatch(/border=|cellpadding|valign|name=/);
  });

  it('writes `]]>` in text, code and attributes as `]]&gt;`, which XML content cannot hold (xmldom’s changelog)', async () => {
    const root = tempProject({
      'doc.md': '---\ntitle: CDATA\n---\n\nInline `"]]>"`, plain ]]> and a [link](https://example.org "to ]]>").\n\n```xml\n<![CDATA[ a ]]> b ]]>\n```\n\n| a ]]> |\n|---|\n| ]]> |\n',
    });
    try {
      const result = await build({ root, paths: ['doc.md'], out: join(root, 'dist'), formats: ['epub'], cache: false });
      expect(result.ok).toBe(true);
      const zip = await JSZip.loadAsync(result.documents[0]!.editions[0]!.bytes);
      const xhtml = await zip.file('OEBPS/chapter-01.xhtml')!.async('string');
      expect(xhtml).not.toContain(']]>');
      expect(xhtml).toContain('<p>Inline <code>"]]&gt;"</code>, plain ]]&gt; and a <a href="https://example.org" title="to ]]&gt;">link</a>.</p>');
      expect(xhtml).toContain('&#x3C;![CDATA[ a ]]&gt; b ]]&gt;');
      const report = await epubcheck(join(root, 'dist', 'doc.epub'));
      expect(report.stdout).toContain('Messages: 0 fatals / 0 errors / 0 warnings / 0 infos');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('reads a control character as U+FFFD (a form feed as a space), with one warning, so HTML and XML can hold the text', async () => {
    const root = tempProject({ 'doc.md': '---\ntitle: Controls\n---\n\nA form\f feed, an escape \u001b[31m red, a bell \u0007.\n\n```\ncode \u001b[0m\n```\n' });
    try {
      const result = await build({ root, paths: ['doc.md'], out: join(root, 'dist'), formats: ['epub', 'html'], cache: false });
      expect(result.ok).toBe(true);
      const document = result.documents[0]!;
      expect(document.file.messages.map(formatMessage)).toContainEqual(
        expect.stringMatching(/doc\.md:5:7: warning: control characters U\+000C, U\+001B, U\+0007 cannot be in HTML or EPUB text.*\[source-control-character\]/),
      );
      const html = new TextDecoder().decode(document.editions.find((edition) => edition.edition === 'html')!.bytes);
      expect(html).toContain('<p>A form  feed, an escape \uFFFD[31m red, a bell \uFFFD.</p>');
      expect(html).toContain('code \uFFFD[0m');
      const zip = await JSZip.loadAsync(document.editions.find((edition) => edition.edition === 'epub')!.bytes);
      for (const name of Object.keys(zip.files).filter((entry) => /\.(xhtml|opf|ncx)$/.test(entry))) {
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it looks for
        expect(await zip.file(name)!.async('string')).not.toMatch(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/);
      }
      const report = await epubcheck(join(root, 'dist', 'doc.epub'));
      expect(report.stdout).toContain('Messages: 0 fatals / 0 errors / 0 warnings / 0 infos');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps trusted inline SVG and MathML (declared in the manifest) and leaves out scripts and frames, with warnings', async () => {
    const [chapter] = await chapters('trusted');
    expect(chapter!.xhtml).toContain('<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20" viewBox="0 0 40 20" role="img" aria-label="A green bar">');
    expect(chapter!.xhtml).toContain('<msup><mi>x</mi><mn>2</mn></msup>');
    expect(chapter!.xhtml).toContain('<span style="color: #8b0000">coloured span</span>');
    expect(chapter!.xhtml).not.toMatch(/<script|<iframe|onclick/);
    expect(await entry('trusted', 'OEBPS/content.opf')).toContain('href="chapter-01.xhtml" media-type="application/xhtml+xml" properties="svg mathml"/>');
    expect(built.get('trusted')!.messages).toMatch(/input\.md:14:1: warning: raw HTML <script> cannot be part of an EPUB content document.*\[epub-raw-html\]/);
  });

  it('fails with the position of a missing image or cover and writes nothing; a WebP or remote image is a warning and keeps its alt text', async () => {
    const root = tempProject({
      'doc.md': '---\ntitle: Broken\ncover: covers/none.png\n---\n\nText.\n\n![Nothing here](missing.png)\n\n![Web](picture.webp)\n\n![Badge](https://example.org/badge.svg)\n',
      'picture.webp': new Uint8Array([0x52, 0x49, 0x46, 0x46]),
    });
    try {
      const result = await build({ root, paths: ['doc.md'], out: join(root, 'dist'), formats: ['epub'], cache: false });
      expect(result.ok).toBe(false);
      const messages = result.documents[0]!.file.messages.map(formatMessage);
      expect(messages).toContainEqual(expect.stringMatching(/doc\.md:3:8: error: file not found: "covers\/none\.png".*\[asset-missing\]/));
      expect(messages).toContainEqual(expect.stringMatching(/doc\.md:8:1: error: file not found: "missing\.png".*\[asset-missing\]/));
      expect(messages).toContainEqual(expect.stringMatching(/doc\.md:10:1: warning: "picture\.webp" is image\/webp.*\[epub-image-type\]/));
      expect(messages).toContainEqual(expect.stringMatching(/doc\.md:12:1: warning: remote image "https:\/\/example\.org\/badge\.svg" is not embedded.*\[epub-image-remote\]/));
      expect(messages.filter((message) => / error: /.test(message))).toHaveLength(2);
      expect(existsSync(join(root, 'dist', 'doc.epub'))).toBe(false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('EPUB reproducibility', () => {
  it('builds byte-identical packages twice in one process', async () => {
    for (const name of ['seed', 'features'] as const) {
      const again = await buildCase(name, ['epub']);
      expect(Buffer.compare(Buffer.from(again.documents[0]!.editions[0]!.bytes), Buffer.from(built.get(name)!.epub)), name).toBe(0);
    }
  });

  it('builds the same bytes from another working directory and time zone, through the CLI', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'colophon-epub-cwd-'));
    try {
      for (const [name, zone] of [['features', 'Pacific/Kiritimati'], ['multilingual', 'America/St_Johns']] as const) {
        const { root, source } = cases[name];
        const result = runCli(['build', join(root, source), '--root', root, '--out', join(elsewhere, name), '--format', 'epub', '--force'], elsewhere, { TZ: zone });
        expect(result.status, result.stderr).toBe(0);
        const bytes = readFileSync(join(elsewhere, name, 'input.epub'));
        expect(Buffer.compare(bytes, Buffer.from(built.get(name)!.epub)), name).toBe(0);
      }
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('dates an undated document from SOURCE_DATE_EPOCH, and from 1980 (the zip minimum) without one', async () => {
    const root = tempProject({ 'doc.md': '---\ntitle: Undated\n---\n\nText.\n' });
    try {
      for (const [epoch, modified, zipDate] of [
        [1_700_000_000, '2023-11-14T22:13:20Z', Date.UTC(2023, 10, 14, 22, 13, 20)],
        [0, '1970-01-01T00:00:00Z', Date.UTC(1980, 0, 1)],
      ] as const) {
        const result = await build({ root, paths: ['doc.md'], out: join(root, 'dist'), formats: ['epub'], sourceDateEpoch: epoch, dryRun: true });
        const zip = await JSZip.loadAsync(result.documents[0]!.editions[0]!.bytes);
        expect(await zip.file('OEBPS/content.opf')!.async('string')).toContain(`<meta property="dcterms:modified">${modified}</meta>`);
        for (const file of Object.values(zip.files)) expect(file.date.getTime()).toBe(zipDate);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('EPUB chapters', () => {
  const meta = (chapterLevel?: number): DocumentMeta => ({
    title: 'T', shortTitle: 'T', authors: [], editors: [], lang: 'en', identifier: 'x', keywords: [], papersize: 'a4', toc: false, chapterLevel,
  });
  const doc = (paragraph: string): Root => ({
    type: 'root',
    children: [
      { type: 'paragraph', children: [{ type: 'text', value: paragraph }] },
      ...['One', 'Two'].flatMap((title): Root['children'] => [
        { type: 'heading', depth: 2, children: [{ type: 'text', value: title }], data: { id: title.toLowerCase() } },
        { type: 'paragraph', children: [{ type: 'text', value: paragraph }] },
      ]),
      { type: 'heading', depth: 3, children: [{ type: 'text', value: 'Sub' }], data: { id: 'sub' } },
    ],
  });

  it('keeps a short article in one file', () => {
    expect(splitChapters(doc('short'), meta(), []).map((part) => part.blocks.length)).toEqual([6]);
  });

  it('splits a long document at the highest level used more than once', () => {
    const parts = splitChapters(doc('x'.repeat(10_000)), meta(), []);
    expect(parts.map((part) => [part.filename, part.title, part.blocks.length])).toEqual([
      ['chapter-01.xhtml', 'T', 1],
      ['chapter-02.xhtml', 'One', 2],
      ['chapter-03.xhtml', 'Two', 3],
    ]);
  });

  it('splits where chapter-level says, even in a short article', () => {
    expect(splitChapters(doc('short'), meta(3), []).map((part) => part.title)).toEqual(['T', 'One', 'Two', 'Sub']);
  });

  it('gives each part the notes it cites, and the notes those notes cite', () => {
    const tree: Root = {
      type: 'root',
      children: [
        { type: 'paragraph', children: [{ type: 'footnoteReference', identifier: '1', label: '1' }] },
        { type: 'heading', depth: 1, children: [{ type: 'text', value: 'B' }], data: { id: 'b' } },
        { type: 'paragraph', children: [{ type: 'footnoteReference', identifier: '2', label: '2' }, { type: 'footnoteReference', identifier: '1', label: '1' }] },
        { type: 'footnoteDefinition', identifier: '1', label: '1', children: [{ type: 'paragraph', children: [{ type: 'text', value: 'one' }] }] },
        { type: 'footnoteDefinition', identifier: '2', label: '2', children: [{ type: 'paragraph', children: [{ type: 'footnoteReference', identifier: '3', label: '3' }] }] },
        { type: 'footnoteDefinition', identifier: '3', label: '3', children: [{ type: 'paragraph', children: [{ type: 'text', value: 'three' }] }] },
      ],
    };
    const parts = splitChapters(tree, meta(1), []);
    expect(parts.map((part) => part.notes.map((note) => note.identifier))).toEqual([['1'], ['1', '2', '3']]);
  });
});

/**
 * Our packaging around epub-gen-memory (pipeline/writers/epub/package.ts), on its own: the
 * library drops attributes outside its allow-list (`start`, `checked`), renames and fetches
 * images, and writes a random identifier and the clock's time. The workaround must hand over
 * our XHTML, images and metadata untouched, and give the same bytes for the same input.
 */
describe('EPUB packaging around epub-gen-memory', () => {
  const template = (name: string) => readFileSync(join(projectRoot, 'templates', 'epub', name), 'utf8');
  const templates = {
    contentOPF: template('content.opf.ejs'),
    tocNCX: template('toc.ncx.ejs'),
    tocXHTML: template('nav.xhtml.ejs'),
    chapterXHTML: template('chapter.xhtml.ejs'),
    css: template('style.css'),
  };
  const body = [
    '<ol start="5"><li>five</li><li>six</li></ol>',
    '<ul class="contains-task-list"><li class="task-list-item"><input type="checkbox" checked="checked" disabled="disabled"/> done</li></ul>',
    '<p><img src="images/001-dot.png" alt="A dot" width="16"/></p>',
  ].join('\n');
  const dot = new Uint8Array(readFileSync(join(fixturesDir, 'images', 'dot.png')));
  const input = (): PackageInput => ({
    book: {
      metadata: {
        identifier: 'urn:uuid:00000000-0000-4000-8000-000000000001',
        title: 'Probe',
        creators: [{ id: 'creator-1', name: 'Ada Lovelace', fileAs: 'Lovelace, Ada', role: 'aut' }],
        contributors: [],
        language: 'en',
        subjects: [],
        description: 'A probe of the packaging.',
        modified: '2020-02-02T02:02:02Z',
        accessibility: { accessModes: ['textual'], accessModesSufficient: ['textual'], features: [], hazards: ['none'], summary: 'Text.' },
      },
      manifest: [
        { id: 'chapter-01', href: 'chapter-01.xhtml', mediaType: 'application/xhtml+xml' },
        { id: 'image-1', href: 'images/001-dot.png', mediaType: 'image/png' },
      ],
      spine: [{ idref: 'chapter-01', linear: true }],
      nav: [{ label: 'One', href: 'chapter-01.xhtml', order: 1, children: [] }],
      navDepth: 1,
      landmarks: [{ type: 'bodymatter', href: 'chapter-01.xhtml', label: 'Start' }],
      labels: { contents: 'Contents', landmarks: 'Landmarks' },
      direction: 'ltr',
    },
    documents: [{ filename: 'chapter-01.xhtml', title: 'One', language: 'en', bodyClass: 'chapter', body: () => new TextEncoder().encode(body) }],
    files: [{ path: 'images/001-dot.png', bytes: dot }],
    templates,
    epoch: Date.UTC(2020, 1, 2, 2, 2, 2) / 1000,
  });

  it('keeps our chapter XHTML whole: start on <ol>, checked task boxes, image names and sizes', async () => {
    const zip = await JSZip.loadAsync(await packageEpub(input()));
    const chapter = await zip.file('OEBPS/chapter-01.xhtml')!.async('string');
    expect(chapter).toContain(body);
    expect(Object.keys(zip.files).filter((path) => path.startsWith('OEBPS/images/') && !zip.files[path]!.dir)).toEqual(['OEBPS/images/001-dot.png']);
    expect(Buffer.from(await zip.file('OEBPS/images/001-dot.png')!.async('uint8array')).equals(Buffer.from(dot))).toBe(true);
  });

  it('asks for each page’s body once, when the zip is written, and puts it between the template’s head and foot', async () => {
    let asked = 0;
    const packaged = input();
    packaged.documents = [
      {
        ...packaged.documents[0]!,
        body: () => {
          asked++;
          return new TextEncoder().encode(body);
        },
      },
    ];
    const bytes = await packageEpub(packaged);
    expect(asked).toBe(1);
    const chapter = await (await JSZip.loadAsync(bytes)).file('OEBPS/chapter-01.xhtml')!.async('string');
    expect(chapter).toMatch(/<body class="chapter">\n<ol start="5">[\s\S]*width="16"\/><\/p>\n<\/body>\n<\/html>\n?$/);
    expect(chapter).not.toContain('colophon-page-body');
  });

  it('deflates every entry but the stored mimetype with Node’s zlib, each entry whole and its CRC right', async () => {
    const bytes = await packageEpub(input());
    const zip = await JSZip.loadAsync(bytes, { checkCRC32: true });
    const entries = Object.values(zip.files).filter((file) => !file.dir);
    expect(entries.map((file) => file.name)).toContain('OEBPS/chapter-01.xhtml');
    for (const file of entries) {
      // JSZip keeps each entry's deflated data as it read it (an internal, for this check only).
      const read = (file as unknown as { _data: { compressedContent: Uint8Array; compression: { magic: string } } })._data;
      const content = await file.async('uint8array');
      if (file.name === 'mimetype') expect(read.compression.magic).toBe('\x00\x00');
      else expect(Buffer.from(read.compressedContent).equals(deflateRawSync(content, { level: 9 })), file.name).toBe(true);
    }
    // Info-ZIP's own test of every entry's data against its CRC and sizes.
    const path = join(mkdtempSync(join(tmpdir(), 'colophon-epub-')), 'book.epub');
    writeFileSync(path, bytes);
    expect(execFileSync('unzip', ['-t', path], { encoding: 'utf8' })).toMatch(/No errors detected/);
  });

  it('writes the same bytes into a file as it makes in memory', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = join(mkdtempSync(join(tmpdir(), 'colophon-epub-')), 'book.epub');
    await packageEpubTo(input(), path);
    expect(readFileSync(path).equals(Buffer.from(await packageEpub(input())))).toBe(true);
  });

  it('writes our identifier and date, not a random one or the clock, and the same bytes twice', async () => {
    const first = await packageEpub(input());
    const second = await packageEpub(input());
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    const zip = await JSZip.loadAsync(first);
    const opf = await zip.file('OEBPS/content.opf')!.async('string');
    expect(opf).toContain('<dc:identifier id="pub-id">urn:uuid:00000000-0000-4000-8000-000000000001</dc:identifier>');
    expect(opf).toContain('<meta property="dcterms:modified">2020-02-02T02:02:02Z</meta>');
    // One identifier only, and no rights line we did not ask for.
    expect(opf.match(/urn:uuid:/g)).toHaveLength(1);
    expect(opf).not.toContain('<dc:rights>');
    expect(await zip.file('OEBPS/toc.ncx')!.async('string')).toContain('<meta name="dtb:uid" content="urn:uuid:00000000-0000-4000-8000-000000000001"/>');
    for (const file of Object.values(zip.files)) expect(file.date.getTime(), file.name).toBe(Date.UTC(2020, 1, 2, 2, 2, 2));
  });
});

// ---- Text projection: what a reader gets, independent of markup and file boundaries. ----

interface Projection {
  lines: string[];
  notes: Map<string, string>;
}


describe('a right-to-left document', () => {
  it('runs right to left in the EPUB and the HTML, and each block the other way says so', async () => {
    const opf = await entry('scripts', 'OEBPS/content.opf');
    expect(opf).toContain('<spine toc="ncx" page-progression-direction="rtl">');
    const [chapter] = await chapters('scripts');
    expect(chapter!.xhtml).toMatch(/<html [^>]*lang="ar" dir="rtl">/);
    expect(chapter!.xhtml).toContain('<p dir="ltr">This paragraph is in English');
    // A Hebrew paragraph runs the document's way already: no dir of its own.
    expect(chapter!.xhtml).toContain('<p>עברית נכתבת');
    const html = built.get('scripts')!.html;
    expect(html).toMatch(/<html lang="ar" dir="rtl">/);
    expect(html).toContain('<p dir="ltr">This paragraph is in English');
    expect(html).toContain('<td dir="ltr">English</td>');
  });
});

function byNumber(a: [string, string], b: [string, string]): number {
  return Number(a[0]) - Number(b[0]);
}

function articleOf(root: HastRoot): Element {
  return find(root, (node) => node.tagName === 'article')!;
}

function bodyOf(root: HastRoot): Element {
  return find(root, (node) => node.tagName === 'body')!;
}

function find(node: HastRoot | Element, test: (element: Element) => boolean): Element | undefined {
  for (const child of node.children) {
    if (child.type !== 'element') continue;
    if (test(child)) return child;
    const found = find(child, test);
    if (found) return found;
  }
  return undefined;
}

function classes(node: Element): string[] {
  return Array.isArray(node.properties.className) ? node.properties.className.map(String) : [];
}

const BLOCKS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'tr', 'pre', 'blockquote', 'div', 'header', 'footer', 'section', 'article', 'ul', 'ol', 'table', 'thead', 'tbody', 'details', 'summary', 'dt', 'dd', 'hr', 'figure', 'figcaption', 'aside', 'nav', 'img']);

/**
 * Lines of text in reading order. List items carry their number (from `start`) or a bullet,
 * task items their state, table rows their cells, images their alt text, citations their
 * note number. The notes themselves are set aside, by number, without their backlinks.
 */
function project(root: Element): Projection {
  const lines: string[] = [];
  const notes = new Map<string, string>();
  let line = '';
  const flush = () => {
    const text = line.replace(/\s+/g, ' ').trim();
    // A list item's marker waits for the item's first block (a loose item starts with a <p>).
    if (/^(•|\d+\.)$/.test(text)) return;
    if (text) lines.push(text);
    line = '';
  };
  const walk = (node: ElementContent, prefix = '') => {
    if (node.type === 'text') {
      line += node.value;
      return;
    }
    if (node.type !== 'element') return;
    if (node.tagName === 'nav') return; // the HTML edition's table of contents: the EPUB has its own navigation
    if (['script', 'style', 'template', 'noscript', 'iframe'].includes(node.tagName)) return; // never shown as text
    if ((node.tagName === 'section' && classes(node).includes('footnotes')) || node.tagName === 'aside') {
      collectNotes(node, notes);
      return;
    }
    if (node.tagName === 'a' && ('dataFootnoteRef' in node.properties || node.properties['epub:type'] === 'noteref')) {
      line += `[^${text(node)}]`;
      return;
    }
    if (node.tagName === 'input' && node.properties.type === 'checkbox') {
      line += node.properties.checked ? '[x] ' : '[ ] ';
      return;
    }
    if (node.tagName === 'img') {
      flush();
      line += `[image: ${String(node.properties.alt ?? '')}]`;
      flush();
      return;
    }
    if (node.tagName === 'br') {
      line += ' ';
      return;
    }
    const block = BLOCKS.has(node.tagName);
    if (block) flush();
    if (node.tagName === 'tr') {
      const cells = node.children.filter((cell): cell is Element => cell.type === 'element');
      line += `${cells.map((cell) => `| ${project(cell).lines.join(' ')} `).join('')}|`;
      flush();
      return;
    }
    if (node.tagName === 'pre') {
      // Code keeps its lines and indentation.
      lines.push(...text(node, () => false, true).replace(/\n$/, '').split('\n'));
      return;
    }
    if (node.tagName === 'ol' || node.tagName === 'ul') {
      const start = node.tagName === 'ol' ? Number(node.properties.start ?? 1) : 0;
      node.children
        .filter((child): child is Element => child.type === 'element' && child.tagName === 'li')
        .forEach((item, index) => walk(item, node.tagName === 'ol' ? `${start + index}. ` : '• '));
      flush();
      return;
    }
    line += prefix;
    for (const child of node.children) walk(child);
    if (block) flush();
  };
  for (const child of root.children) walk(child);
  flush();
  return { lines, notes };
}

function collectNotes(container: Element, notes: Map<string, string>): void {
  const visit = (node: ElementContent) => {
    if (node.type !== 'element') return;
    const id = String(node.properties.id ?? '');
    if ((node.tagName === 'li' || node.tagName === 'aside') && /^fn-\d+$/.test(id)) {
      notes.set(id.slice(3), text(node, (element) => 'dataFootnoteBackref' in element.properties || element.properties.role === 'doc-backlink'));
      return;
    }
    node.children.forEach(visit);
  };
  container.children.forEach(visit);
}

function text(node: ElementContent, skip: (element: Element) => boolean = () => false, raw = false): string {
  if (node.type === 'text') return node.value;
  if (node.type !== 'element' || skip(node)) return '';
  const joined = node.children
    .map((child) => (!raw && child.type === 'element' && BLOCKS.has(child.tagName) ? ` ${text(child, skip)} ` : text(child, skip, raw)))
    .join('');
  return raw ? joined : joined.replace(/\s+/g, ' ').trim();
}
