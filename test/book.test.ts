import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { formatMessage } from '../pipeline/cli/cli.ts';
import type { Box } from '../pipeline/writers/pdf/boxes.ts';
import type { Page } from '../pipeline/writers/pdf/paginate.ts';
import { copyInto, epubcheck, fixturesDir, nuCheck, requireTool, tempProject } from './helpers.ts';

/**
 * A book as real ones are written (mdBook): chapters in a folder, figures as raw HTML `<img>`
 * (a PNG, a JPEG beside the chapter, an SVG with the SVG 1.1 DOCTYPE, a script and a remote
 * reference), links between chapter files with and without anchors, written `.md` and `.html`,
 * and a heading slug ("overview") that two chapters share.
 */
const root = join(fixturesDir, 'book-figures');
const out = mkdtempSync(join(tmpdir(), 'colophon-book-'));
let messages: string[] = [];
let html = '';
let pdfPath = '';
let epubPath = '';

beforeAll(async () => {
  const result = await build({ root, paths: ['.'], out, formats: ['html', 'pdf', 'epub'], cache: false });
  messages = result.documents.flatMap((document) => document.file.messages.map(formatMessage));
  expect(result.ok).toBe(true);
  html = readFileSync(join(out, 'book-figures.html'), 'utf8');
  pdfPath = join(out, 'book-figures.pdf');
  epubPath = join(out, 'book-figures.epub');
});
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('a book with raw-HTML figures and links between chapters', () => {
  it('builds without a single message', () => {
    expect(messages).toEqual([]);
  });

  it('HTML: embeds every figure, every in-page link has its target, and the Nu checker finds nothing', () => {
    const images = [...html.matchAll(/<img src="data:(image\/[a-z+]+);base64,/g)].map((match) => match[1]);
    expect(images).toEqual(['image/png', 'image/jpeg', 'image/svg+xml']);
    const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((match) => match[1]));
    const targets = [...html.matchAll(/href="#([^"]*)"/g)].map((match) => match[1]!);
    expect(targets.length).toBeGreaterThanOrEqual(9);
    expect(targets.filter((target) => !ids.has(target))).toEqual([]);
    // The second chapter's "Overview" is prefixed; its own link follows it.
    expect(html).toContain('<h2 id="ch02-ownership-overview">Overview</h2>');
    expect(html).toContain('<a href="#ch02-ownership-overview">this one</a>');
    expect(html).toContain('<a href="#overview">the introduction’s overview</a>');
    expect(html).toContain('<a href="#the-rules">the rules</a>');
    expect(html).not.toMatch(/href="[^"#]+\.(md|html)/);
    expect(html).toContain('</span>: A photograph, from a JPEG beside the chapter.</figcaption>');
    expect(html).toContain('<details><summary>Why it matters</summary>');
    expect(nuCheck([join(out, 'book-figures.html')])).toEqual([]);
  });

  it('EPUB: packages every figure, the SVG without its DOCTYPE, script or remote reference, and epubcheck finds nothing', async () => {
    const zip = await JSZip.loadAsync(readFileSync(epubPath));
    const images = Object.keys(zip.files).filter((name) => /images\/\d+-/.test(name)).sort();
    expect(images.map((name) => name.split('.').pop())).toEqual(['png', 'jpg', 'svg']);
    const svg = await zip.file(images[2]!)!.async('string');
    expect(svg).not.toMatch(/DOCTYPE|<script|example\.com/);
    expect(svg).toContain('<linearGradient id="g">');
    const chapters = await Promise.all(Object.keys(zip.files).filter((name) => /chapter-\d+\.xhtml$/.test(name)).map((name) => zip.file(name)!.async('string')));
    expect(chapters.join('').match(/<img /g)).toHaveLength(3);
    const report = await epubcheck(epubPath);
    expect(report.stdout).toContain('Messages: 0 fatals / 0 errors / 0 warnings / 0 infos');
  });

  it('PDF: draws every figure, tagged as Figure, and qpdf finds nothing', () => {
    requireTool('qpdf', 'apt-get install qpdf');
    expect(existsSync(pdfPath)).toBe(true);
    const check = spawnSync('qpdf', ['--check', pdfPath], { encoding: 'utf8' });
    expect(check.status).toBe(0);
    // Two raster images (PNG, JPEG); the SVG is drawn as vectors, its text as text.
    const list = spawnSync('pdfimages', ['-list', pdfPath], { encoding: 'utf8' }).stdout.trim().split('\n').slice(2);
    expect(list).toHaveLength(2);
    expect(spawnSync('pdftotext', [pdfPath, '-'], { encoding: 'utf8' }).stdout).toContain('Stack to heap');
    const qdf = spawnSync('qpdf', ['--qdf', '--object-streams=disable', pdfPath, '-'], { encoding: 'latin1', maxBuffer: 64 * 1024 * 1024 }).stdout;
    expect(qdf.match(/\/S \/Figure/g)).toHaveLength(3);
    // Every internal link goes to a named destination that exists.
    const names = new Set([...qdf.matchAll(/\(([^)]+)\)\s*\[\s*\d+ 0 R\s*\/XYZ/g)].map((match) => match[1]!));
    const goTos = [...qdf.matchAll(/\/D \(([^)]*)\)\s*\/S \/GoTo/g)].map((match) => match[1]!);
    expect(goTos.length).toBeGreaterThanOrEqual(9);
    expect(goTos.filter((name) => !names.has(name))).toEqual([]);
  });

  it('PDF: every chapter after the first opens a page, as a book class sets chapters', () => {
    requireTool('pdftotext', 'apt-get install poppler-utils');
    const pages = spawnSync('pdftotext', [pdfPath, '-'], { encoding: 'utf8' }).stdout.split('\f').slice(0, -1);
    // The first page holds the title and the first chapter; each later page's first line below the running head opens a chapter.
    expect(pages).toHaveLength(3);
    expect(pages[0]).toContain('Introduction');
    const openings = pages.slice(1).map((page) => page.split('\n').filter((line) => line.trim() && line !== 'Figures and Links')[0]);
    expect(openings).toEqual(['Ownership', 'Details follow, without a heading to open the chapter.']);
  });
});

describe("a long book's PDF on a thread of its own", () => {
  // The build renders a long book's PDF on another core, beside its HTML and EPUB
  // (edition-thread.ts): the thread gets a copy of the packed chapters and the book's facts.
  it('gives the same bytes and the same messages, in the same order, as rendering it in line', async () => {
    const { renderDocument } = await import('../pipeline/build/document.ts');
    const { openEditionThread } = await import('../pipeline/build/edition-thread.ts');
    // Problems every edition reports (the PDF's included), in two chapters: their places are in the chapter files.
    const project = tempProject();
    copyInto(project, root, 'book');
    appendFileSync(join(project, 'book', 'chapters', 'ch01-intro.md'), '\n![A chart](missing-one.png)\n');
    appendFileSync(join(project, 'book', 'appendix.md'), '\n![Another chart](missing-two.png)\n\n[](https://example.com/)\n');
    const source = { kind: 'book' as const, path: join(project, 'book'), name: 'book' };
    const context = { root: project, formats: ['html' as const, 'pdf' as const, 'epub' as const], epoch: 0, cwd: project };
    const inLine = await renderDocument(source, context);
    let opened = 0;
    const threaded = await renderDocument(source, context, undefined, () => {
      opened++;
      return openEditionThread();
    });
    expect(opened).toBe(1);
    expect(threaded.messages).toEqual(inLine.messages);
    // Each edition reports the two missing images, the PDF's in their place among the others'.
    const perEdition = ['book/chapters/ch01-intro.md:18 asset-missing', 'book/appendix.md:11 asset-missing'];
    expect(threaded.messages.map((message) => `${message.file}:${message.line} ${message.ruleId}`)).toEqual(['book/appendix.md:13 link-text', ...perEdition, ...perEdition, ...perEdition]);
    expect(threaded.editions.map(({ edition }) => edition).sort()).toEqual(['epub', 'html', 'pdf']);
    for (const { edition, bytes } of inLine.editions) {
      expect(Buffer.from(threaded.editions.find((candidate) => candidate.edition === edition)?.bytes ?? []).equals(Buffer.from(bytes!)), edition).toBe(true);
    }
    expect(new Map(threaded.assets)).toEqual(new Map(inLine.assets));
    expect(threaded.missing.sort()).toEqual(inLine.missing.sort());
  });

  it('opens on two cores only for a document of a million characters or more; on more cores, from 50,000; never past 25 million', async () => {
    const { editionThreadOpener } = await import('../pipeline/build/edition-thread.ts');
    const opened: number[] = [];
    for (const [cores, chars] of [[1, 5_000_000], [2, 999_999], [2, 1_000_000], [3, 49_999], [3, 50_000], [2, 25_000_001], [8, 25_000_001]] as const) {
      const thread = editionThreadOpener(cores)(chars);
      if (thread) opened.push(chars);
      await thread?.close();
    }
    expect(opened).toEqual([1_000_000, 50_000]);
  });
});

describe('a long book on a thread with a bounded heap', () => {
  // The build renders a book of 2 MB or more there (document-thread.ts): the same editions,
  // messages, assets and missing files as rendering it in line; a thread that runs out of its
  // heap says so (undefined), and the build renders in line instead.
  it('gives the same output as in line, and undefined when the heap is too small', async () => {
    const { renderDocument } = await import('../pipeline/build/document.ts');
    const { renderOnBoundedThread } = await import('../pipeline/build/document-thread.ts');
    const source = { kind: 'book' as const, path: root, name: 'book-figures' };
    const context = { root, formats: ['html' as const, 'pdf' as const, 'epub' as const], epoch: 0, cwd: root };
    const inLine = await renderDocument(source, context);
    const threaded = await renderOnBoundedThread<typeof source, typeof inLine>(source, context, 2000);
    expect(threaded).toBeDefined();
    expect(threaded!.messages).toEqual(inLine.messages);
    expect(threaded!.editions.map(({ edition }) => edition)).toEqual(inLine.editions.map(({ edition }) => edition));
    for (const { edition, bytes } of inLine.editions) {
      expect(Buffer.from(threaded!.editions.find((candidate) => candidate.edition === edition)!.bytes!).equals(Buffer.from(bytes!)), edition).toBe(true);
    }
    expect(threaded!.assets).toEqual(inLine.assets);
    expect(threaded!.missing).toEqual(inLine.missing);
    expect(await renderOnBoundedThread(source, context, 1)).toBeUndefined();
  });

  it('collects what the render left before its output is copied out, without leaving the collector exposed', async () => {
    const { collectGarbage } = await import('../pipeline/build/document-thread.ts');
    const { runInNewContext } = await import('node:vm');
    let left: { text: string }[] | undefined = Array.from({ length: 1_000_000 }, (_, index) => ({ text: `left ${index}` }));
    const before = process.memoryUsage().heapUsed;
    expect(left.length).toBe(1_000_000);
    left = undefined;
    collectGarbage();
    expect(process.memoryUsage().heapUsed).toBeLessThan(before - 30 * 1024 * 1024);
    expect(runInNewContext('typeof gc')).toBe('undefined');
  });
});

describe('the messages of a book whose PDF renders last', () => {
  // In line the PDF renders after the other editions (the tree's last reader), the messages made
  // before it waiting as plain data meanwhile; its own still go where the editions' order puts them.
  it('lists them in the order of the editions asked for', async () => {
    const { renderDocument } = await import('../pipeline/build/document.ts');
    const chapter = (title: string) => `# ${title}\n\n### Skipped a level\n\nSee ![Chat](https://example.com/chat.svg) here.\n\n[a]: https://example.com/1\n[a]: https://example.com/2\n`;
    const book = tempProject({ 'book.yaml': 'title: Messages\nchapters:\n  - one.md\n  - two.md\n', 'one.md': chapter('One'), 'two.md': chapter('Two') });
    const source = { kind: 'book' as const, path: book, name: 'messages' };
    const context = { root: book, formats: ['html' as const, 'pdf' as const, 'epub' as const], epoch: 0, cwd: book };
    const { messages } = await renderDocument(source, context);
    const rules = messages.map((message) => message.ruleId ?? '');
    const firstPdf = rules.findIndex((rule) => rule.startsWith('pdf-'));
    const firstEpub = rules.findIndex((rule) => rule.startsWith('epub-'));
    expect(firstPdf).toBeGreaterThan(0);
    expect(firstEpub).toBeGreaterThan(firstPdf);
    expect(rules.slice(firstPdf, firstEpub).every((rule) => rule.startsWith('pdf-'))).toBe(true);
    expect(rules.slice(firstEpub).some((rule) => rule.startsWith('pdf-'))).toBe(false);
    // Each names its chapter file and line, whether made plain before the PDF or after it.
    expect([...new Set(messages.map((message) => `${message.file}:${message.line}:${message.ruleId}`))].sort()).toEqual(
      ['one.md', 'two.md'].flatMap((file) => [`${file}:3:heading-skip`, `${file}:5:epub-image-remote`, `${file}:5:pdf-image-remote`, `${file}:8:definition-duplicate`]).sort(),
    );
  });
});

describe('a chapter break in pagination', () => {
  const geometry = { height: 100, separator: 4, gap: 2, maxNoteFraction: 0.5 };
  const line = (dest: string): Box => ({ height: 25, ops: [], notes: [], keep: false, dests: [dest] });
  const opening = (pages: Page[]) => pages.map((page) => page.body.find(({ box }) => box.dests)?.box.dests?.[0]);

  it('ends the page before it, and leaves no empty page when the chapter before filled its last one', async () => {
    const { pageBreak } = await import('../pipeline/writers/pdf/boxes.ts');
    const { paginate } = await import('../pipeline/writers/pdf/paginate.ts');
    const none = new Map();
    expect(opening(paginate([line('a'), pageBreak(), line('b')], none, geometry))).toEqual(['a', 'b']);
    // Four lines fill a page exactly: the break then falls at its end, not on a page of its own.
    const full = paginate([line('a1'), line('a2'), line('a3'), line('a4'), pageBreak(), line('b')], none, geometry);
    expect(opening(full)).toEqual(['a1', 'b']);
    expect(full).toHaveLength(2);
  });
});

describe('links written as a documentation site serves its pages', () => {
  it('reach their chapters in every edition: the route from the site root (/commands/install) and without .md', async () => {
    // npm's docs link /commands/npm-install#description; VitePress and Docusaurus sites write routes too.
    const project = tempProject({
      'docs/book.yaml': 'title: Site Docs\ndate: 2024-06-01\nchapters:\n  - guide/start.md\n  - commands/install.md\n',
      'docs/guide/start.md': '# Start\n\nRun [install](/commands/install#options) or [the command](../commands/install); [home](/) stays.\n',
      'docs/commands/install.md': '# Install\n\n## Options\n\nBack to [the start](/guide/start).\n',
    });
    try {
      const result = await build({ root: project, paths: ['docs'], out: join(project, 'dist'), formats: ['html', 'pdf', 'epub'], cache: false });
      // The site's home is no chapter: the EPUB alone cannot keep that link, and says so.
      expect(result.documents[0]!.file.messages.map(formatMessage)).toEqual([expect.stringMatching(/start\.md:3:81: warning: link to "\/" points to a local file .*\[epub-link-outside\]/)]);
      const page = readFileSync(join(project, 'dist', 'docs.html'), 'utf8');
      expect(page).toContain('Run <a href="#options">install</a> or <a href="#install">the command</a>; <a href="/">home</a> stays.');
      expect(page).toContain('Back to <a href="#start">the start</a>.');
      const zip = await JSZip.loadAsync(readFileSync(join(project, 'dist', 'docs.epub')));
      expect(await zip.file('OEBPS/chapter-01.xhtml')!.async('string')).toContain('<p>Run <a href="#options">install</a> or <a href="#install">the command</a>; home stays.</p>');
      // The PDF's links are GoTo destinations, not URIs to a site that is not there.
      const pdf = readFileSync(join(project, 'dist', 'docs.pdf'), 'latin1');
      expect(pdf).not.toMatch(/\/URI \(\/(commands|guide)/);
      expect(pdf.match(/\/S \/GoTo\b/g)).toHaveLength(3);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
