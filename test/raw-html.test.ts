import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Root, Table } from 'mdast';
import { VFile } from 'vfile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { parse } from '../pipeline/parse/parse.ts';
import { createAssetResolver } from '../pipeline/read/assets.ts';
import { runTransforms } from '../pipeline/transforms/index.ts';
import type { LineOp, Op, StructNode, TextOp } from '../pipeline/writers/pdf/boxes.ts';
import { planPdf } from '../pipeline/writers/pdf/index.ts';
import { epubcheck, fixturesDir, nuCheck, tempProject, tool } from './helpers.ts';

/** A document's three editions, built; its HTML page passes the Nu checker and its EPUB epubcheck. */
async function validEditions(markdown: string) {
  const root = tempProject({ 'doc.md': markdown });
  const result = await build({ root, paths: ['doc.md'], formats: ['html', 'pdf', 'epub'], cache: false });
  expect(result.ok).toBe(true);
  expect(nuCheck([join(root, 'dist', 'doc.html')]).filter((message) => message.type === 'error')).toEqual([]);
  expect((await epubcheck(join(root, 'dist', 'doc.epub'))).status).toBe(0);
  return { root, result, html: readFileSync(join(root, 'dist', 'doc.html'), 'utf8') };
}

function transformed(markdown: string): { tree: Root; file: VFile; meta: ReturnType<typeof runTransforms> } {
  // Nothing is read from the document's folder: it need not exist.
  const file = new VFile({ path: join(tmpdir(), 'colophon-raw-html', 'doc.md'), value: markdown });
  const tree = parse(file);
  const meta = runTransforms(tree, file);
  return { tree, file, meta };
}

describe('raw HTML anchors', () => {
  it('lifts an anchor alone in its paragraph out of it, so no edition prints an empty paragraph', () => {
    const { tree } = transformed('---\ntitle: T\n---\n\n<a id="top"></a>\n\nText.\n\n> <a name="q"></a>\n>\n> Quoted.\n\nA <a id="inline"></a> in a line.\n');
    expect(tree.children.map((node) => node.type)).toEqual(['anchor', 'paragraph', 'blockquote', 'paragraph']);
    const quote = tree.children[2];
    expect(quote?.type === 'blockquote' && quote.children.map((node) => node.type)).toEqual(['anchor', 'paragraph']);
    // An anchor inside running text stays there.
    const last = tree.children[3];
    expect(last?.type === 'paragraph' && last.children.some((node) => node.type === 'anchor')).toBe(true);
  });
});

describe('a raw id written with spaces (Node.js’s docs: `<a id="Time Validity Errors"></a>`)', () => {
  const markdown = '---\ntitle: T\n---\n\n<a id="Time Validity Errors"></a>\n\n### Time Validity Errors\n\n<h3 id=" Two  words ">Raw</h3>\n\nSee [the errors](#Time%20Validity%20Errors), <a href="#Two  words">the raw one</a> and [another](#two-words-elsewhere).\n';

  it('becomes a valid id (spaces as hyphens), links to it follow, and the author is told where', () => {
    const { tree, file } = transformed(markdown);
    expect(tree.children[0]).toMatchObject({ type: 'anchor', id: 'Time-Validity-Errors' });
    const urls: string[] = [];
    const walk = (node: Root | Root['children'][number]): void => {
      if (node.type === 'link') urls.push(node.url);
      if ('children' in node) for (const child of node.children) walk(child as Root['children'][number]);
    };
    walk(tree);
    expect(urls).toEqual(['#Time-Validity-Errors', '#Two-words', '#two-words-elsewhere']);
    expect(file.messages.filter((message) => message.ruleId === 'id-spaces').map((message) => `${message.line}:${message.column} ${message.reason}`)).toEqual([
      '5:1 the id "Time Validity Errors" holds spaces, which no HTML id may: it is "Time-Validity-Errors" in every edition, and links to it follow',
      '9:1 the id "Two  words" holds spaces, which no HTML id may: it is "Two-words" in every edition, and links to it follow',
    ]);
  });

  it('gives a valid HTML page and EPUB, and PDF links that reach their destinations', async () => {
    const { root, result, html } = await validEditions(markdown);
    expect(html).toContain('id="Time-Validity-Errors"');
    expect(html).toContain('href="#Time-Validity-Errors"');
    // Only the link to an id no one wrote lost its target in the PDF and the EPUB.
    const dead = result.documents[0]!.file.messages.filter((message) => message.ruleId === 'pdf-link-target' || message.ruleId === 'epub-link-anchor').map((message) => `${message.ruleId} ${message.reason.includes('"#two-words-elsewhere"')}`);
    expect(dead.sort()).toEqual(['epub-link-anchor true', 'pdf-link-target true']);
    rmSync(root, { recursive: true, force: true });
  });
});

describe('markup the Nu checker and epubcheck refuse as written (Node.js’s contributing docs, Debian’s READMEs)', () => {
  it('gives a <details> its <summary> first, in the document’s language, and writes a # inside a fragment as %23', async () => {
    const markdown = [
      '---\ntitle: T\nlang: fr\n---\n',
      'Les étapes sont dans la section repliée.\n',
      '<details>\n\nUne *étape*.\n\n</details>\n',
      '<details><p>Le texte.</p><summary>Plus tard</summary></details>\n',
      'Venez sur [Matrix](https://matrix.to/#/#salon:example.org).\n',
    ].join('\n');
    const { root, html } = await validEditions(markdown);
    expect(html).toMatch(/<details><summary>Détails<\/summary>\s*<p>Une <em>étape<\/em>/);
    expect(html).toMatch(/<details><summary>Plus tard<\/summary><p>Le texte\.<\/p><\/details>/);
    expect(html).toContain('href="https://matrix.to/#/%23salon:example.org"');
    rmSync(root, { recursive: true, force: true });
  });
});

describe('a raw heading that shows nothing (chalk’s and KaTeX’s logo blocks without their images)', () => {
  it('is no heading: screen readers would announce an empty one; its id stays as an anchor', () => {
    const { tree } = transformed('---\ntitle: T\n---\n\n<h1 align="center">\n\t<br>\n\t<br>\n</h1>\n\n<h1><a href="https://katex.org/">\n  <picture>\n  </picture>\n</a></h1>\n\n<h2 id="logo"><br></h2>\n\n<h2>A <br> heading</h2>\n');
    expect(tree.children.map((node) => node.type)).toEqual(['anchor', 'heading']);
  });
});

describe('a raw <img>', () => {
  it('alone in its paragraph is no figure (GitHub and Pandoc set it without a caption); in a raw <figure> it is, as a Markdown image alone is', () => {
    const { tree } = transformed(
      '---\ntitle: T\n---\n\n<p align="center"><img src="logo.png" alt="Logo"></p>\n\n<div align="center">\n  <img src="banner.png" alt="A banner">\n</div>\n\n<figure><img src="raw.png" alt="Raw"><figcaption>A raw figure</figcaption></figure>\n\n![A Markdown figure](md.png)\n',
    );
    const figures: string[] = [];
    const images: string[] = [];
    const walk = (node: Root | Root['children'][number]): void => {
      if (node.type === 'figure') figures.push(`${node.kind} ${node.number}`);
      if (node.type === 'image') images.push(node.alt ?? '');
      if ('children' in node) for (const child of node.children) walk(child as Root['children'][number]);
    };
    walk(tree);
    expect(images).toEqual(['Logo', 'A banner', 'Raw', 'A Markdown figure']);
    expect(figures).toEqual(['figure 1', 'figure 2']);
  });
});

describe('the heading that became the title', () => {
  const source = '# My Project\n\nSee [the top](#my-project) and [usage](#usage).\n\n## Usage\n\nText.\n\n## My Project\n\nA later heading with the same text.\n';

  it('gives its id to the title, first, as GitHub slugs it, so a later namesake steps aside', () => {
    const { tree, meta } = transformed(source);
    expect(meta.title).toBe('My Project');
    expect(meta.titleId).toBe('my-project');
    const ids = tree.children.flatMap((node) => (node.type === 'heading' ? [node.data?.id] : []));
    expect(ids).toEqual(['usage', 'my-project-1']);
  });

  let root: string;
  beforeAll(async () => {
    root = tempProject({ 'doc.md': source });
    const result = await build({ root, paths: ['doc.md'], out: 'dist', formats: ['html', 'pdf', 'epub'], cache: false });
    expect(result.ok).toBe(true);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('is a link target in every edition', () => {
    const html = readFileSync(join(root, 'dist', 'doc.html'), 'utf8');
    expect(html).toContain('<h1 class="title" id="my-project">My Project</h1>');
    const chapter = tool('unzip', ['-p', join(root, 'dist', 'doc.epub'), 'OEBPS/chapter-01.xhtml']);
    expect(chapter).toContain('<h1 class="title" id="my-project">My Project</h1>');
    expect(chapter).toContain('<a href="#my-project">');
    const qdf = tool('qpdf', ['--qdf', '--object-streams=disable', join(root, 'dist', 'doc.pdf'), '-']);
    expect(qdf).toMatch(/\/D \(my-project\)/);
    expect(qdf).toMatch(/\(my-project\)\s*\[/);
  });
});

describe('raw HTML tables', () => {
  const source = readFileSync(join(fixturesDir, 'raw-html-tables', 'input.md'), 'utf8');
  const tables = () => transformed(source).tree.children.filter((node): node is Table => node.type === 'table');

  it('reads header rows as HTML does: a <thead>, else a first row of <th> only, else none', () => {
    expect(tables().map((table) => table.data?.headRows ?? 1)).toEqual([0, 1, 2, 0, 1, 0]);
  });

  it('keeps each cell’s spans and grid column, and fills what a row leaves free', () => {
    const [, , spans, options, short, sponsors] = tables();
    const grid = (table: Table | undefined) => table?.children.map((row) => row.children.map((cell) => [cell.data?.column, cell.data?.colSpan ?? 1, cell.data?.rowSpan ?? 1]));
    expect(grid(spans)).toEqual([
      [[0, 1, 2], [1, 2, 1]],
      [[1, 1, 1], [2, 1, 1]],
      [[0, 1, 1], [1, 1, 1], [2, 1, 1]],
      [[0, 1, 2], [1, 2, 1]],
      [[1, 1, 1], [2, 1, 1]],
      [[0, 3, 1]],
    ]);
    expect(spans?.align).toHaveLength(3);
    expect(grid(options)).toEqual([[[0, 2, 1]], [[0, 1, 1], [1, 1, 1]], [[0, 2, 1]]]);
    // The row span of 5 stops at the table's last row, so it spans nothing; the short row gets an empty third cell.
    expect(short?.data?.spanned).toBeUndefined();
    expect(short?.children.map((row) => row.children.length)).toEqual([3, 3]);
    expect(short?.children[1]?.children[2]?.children).toEqual([]);
    // The row left empty is left out, and the row spans over it shortened: Netlify's row starts under Vercel's.
    // No cell begins in HTML's second column (every span there is `colspan="2"`): it joins the first,
    // which the Nu checker requires, so Vercel, Motif and Netlify span one column, not two.
    expect(grid(sponsors)).toEqual([
      [[0, 1, 1], [1, 2, 1]],
      [[0, 1, 2], [1, 1, 1], [2, 1, 1]],
      [[1, 2, 1]],
    ]);
    expect(sponsors?.align).toHaveLength(3);
    // A cell's own align is kept, over its column's.
    expect(sponsors?.children.map((row) => row.children.map((cell) => cell.data?.align))).toEqual([['center', undefined], [undefined, undefined, undefined], ['right']]);
  });

  it('keeps the blocks met inside a cell on lines of their own, a nested row’s cells apart', () => {
    const { tree } = transformed('<table><tr><td><p>One.<details><summary>More</summary><table><tr><td>a<td>b<tr><td>c</table></details></table>\n');
    const table = tree.children[0];
    const cell = table?.type === 'table' ? table.children[0]?.children[0] : undefined;
    const shown = cell?.children.map((node) => (node.type === 'text' ? node.value : node.type)).filter((value) => value.trim() !== '');
    expect(shown).toEqual(['One.', 'break', 'More', 'break', 'a', 'b', 'break', 'c']);
    expect(cell?.children.map((node) => (node.type === 'text' ? node.value : '|')).join('')).toContain('a b');
  });

  it('lays out the PDF on the grid: no header for a grid of data, spanning cells over their columns', () => {
    const { tree, file, meta } = transformed(source);
    const assets = createAssetResolver({ root: tmpdir(), documentDir: tmpdir(), file, cache: new Map() });
    const plan = planPdf({ tree, meta, file, assets, epoch: 0 });
    const ops = plan.pages.flatMap((page) => page.body.flatMap(({ box }) => box.ops)).filter((op): op is TextOp => op.op === 'text');
    const cell = (text: string) => ops.find((op) => op.text === text || op.text.startsWith(`${text} `));
    // The grid of data has no header row: its cells are TD, in regular type, in a TBody.
    expect(cell('Alpha')?.struct?.tag).toBe('TD');
    expect(cell('Alpha')?.struct?.parent?.parent?.tag).toBe('TBody');
    expect(cell('Alpha')?.face).toBe(cell('Gamma')?.face);
    // Two header rows, both TH in the THead; the row-spanning header carries its span.
    expect(cell('Name')?.struct).toMatchObject({ tag: 'TH', rowSpan: 2 });
    expect(cell('First')?.struct?.tag).toBe('TH');
    expect(cell('First')?.struct?.parent?.parent?.tag).toBe('THead');
    // "Scores…" spans columns 2 and 3: it starts over "First", and "Second" starts to the right of it.
    expect(cell('Scores')?.struct).toMatchObject({ tag: 'TH', colSpan: 2 });
    expect(cell('Scores')?.x).toBeCloseTo(cell('First')!.x, 1);
    expect(cell('Second')!.x).toBeGreaterThan(cell('First')!.x);
    // The 7 sits in the second column, under "First", beside Grace's row span.
    expect(cell('7')?.x).toBeCloseTo(cell('10')!.x, 1);
    expect(cell('A')?.struct?.colSpan).toBeUndefined();
    // "You?" is set to the right of its two columns, Vercel centred over its two.
    expect(cell('You?')!.x + cell('You?')!.width).toBeGreaterThan(cell('Boost')!.x + cell('Boost')!.width - 1);
    expect(cell('Vercel')!.x).toBeGreaterThan(cell('Netlify')!.x + 1);
  });
});

describe('a tall table row in the PDF', () => {
  it('breaks between its lines at the foot of a page rather than leave a hole there, with no gap at the cut', () => {
    const filler = Array.from({ length: 30 }, (_, index) => `Filler${index + 1}.`).join('\n\n');
    const cell = Array.from({ length: 30 }, (_, index) => `L${index + 1}`).join('<br>');
    const { tree, file, meta } = transformed(`---\ntitle: T\n---\n\n${filler}\n\n<table><tr><td>Key</td><td>${cell}</td></tr></table>\n`);
    const assets = createAssetResolver({ root: tmpdir(), documentDir: tmpdir(), file, cache: new Map() });
    const plan = planPdf({ tree, meta, file, assets, epoch: 0 });
    const pageOf = (text: string) => plan.pages.findIndex((page) => page.body.some(({ box }) => box.ops.some((op) => op.op === 'text' && op.text === text)));
    expect(pageOf('L1')).toBe(pageOf('Filler30.'));
    expect(pageOf('L30')).toBe(pageOf('L1') + 1);
    // The lines keep one spacing across the cut: the next page starts with the line after.
    const next = plan.pages[pageOf('L30')]!.body.flatMap(({ box }) => box.ops).filter((op): op is TextOp => op.op === 'text');
    const first = next.find((op) => /^L\d+$/.test(op.text))!;
    const before = plan.pages[pageOf('L1')]!.body.flatMap(({ box }) => box.ops).filter((op): op is TextOp => op.op === 'text' && /^L\d+$/.test(op.text));
    expect(Number(first.text.slice(1))).toBe(Number(before.at(-1)!.text.slice(1)) + 1);
  });

  it('keeps the cell padding under the header repeated over the cut (node\'s CHANGELOG.md: its release table, one tall row)', () => {
    // The table's one body row is three columns of release links, one a line, longer than the
    // page has room for under the list above it: the row is cut, and its header repeated.
    const source = readFileSync(join(fixturesDir, 'real-documents', 'node-changelog.md'), 'utf8');
    const { tree, file, meta } = transformed(source);
    const assets = createAssetResolver({ root: tmpdir(), documentDir: tmpdir(), file, cache: new Map() });
    const plan = planPdf({ tree, meta, file, assets, epoch: 0 });
    const release = (op: Op): op is TextOp => op.op === 'text' && /^\d+\.\d+\.\d+$/.test(op.text);
    const pages = plan.pages.filter((page) => page.body.some(({ box }) => box.ops.some(release)));
    expect(pages).toHaveLength(2);
    // On each page, from the header's rule to the top of the row's first line: the same
    // distance on the page where the row continues as on the page where it starts.
    const gaps = pages.map((page) => {
      const header = page.body.find(({ box }) => box.ops.some((op) => op.op === 'text' && op.text === '(LTS)'))!;
      const rule = Math.max(...header.box.ops.filter((op): op is LineOp => op.op === 'line').map((op) => header.y + op.points[0]![1]));
      const lines = page.body.flatMap(({ box, y }) => box.ops.filter(release).map((op) => y + op.y - op.size));
      return Math.min(...lines) - rule;
    });
    expect(gaps[0]).toBeGreaterThan(2);
    expect(gaps[1]).toBeCloseTo(gaps[0]!, 1);
  });
});

describe('raw <mark> and <abbr> in the PDF', () => {
  it('sets marked text on a highlighter tint and gives an abbreviation its expansion (/E)', () => {
    const { tree, file, meta } = transformed('---\ntitle: T\n---\n\nSome <mark>marked words</mark> and the <abbr title="World Wide Web Consortium">W3C</abbr>.\n');
    const assets = createAssetResolver({ root: tmpdir(), documentDir: tmpdir(), file, cache: new Map() });
    const plan = planPdf({ tree, meta, file, assets, epoch: 0 });
    const ops = plan.pages.flatMap((page) => page.body.flatMap(({ box }) => box.ops)).filter((op): op is TextOp => op.op === 'text');
    const marked = ops.filter((op) => op.highlight);
    expect(marked.map((op) => op.text).join('')).toBe('marked words');
    expect(marked[0]?.highlight).toBe('#fff1a6');
    const abbreviation = ops.find((op) => op.text === 'W3C');
    const span: StructNode | undefined = abbreviation?.struct;
    expect(span?.tag).toBe('Span');
    expect(span?.expanded).toBe('World Wide Web Consortium');
  });
});

describe('a raw <p align> or <div align> in the PDF (charset_normalizer\'s README: centred taglines and badges)', () => {
  it('sets its lines centred or flush right, as the HTML and EPUB classes do, apart by space rather than an indent', () => {
    const { tree, file, meta } = transformed('---\ntitle: T\n---\n\nOpening words.\n\n<p align="center">Centred tagline</p>\n\n<div align="right">\n\nFlush right\n\n</div>\n\nAfter them.\n\nAnd indented.\n');
    const assets = createAssetResolver({ root: tmpdir(), documentDir: tmpdir(), file, cache: new Map() });
    const plan = planPdf({ tree, meta, file, assets, epoch: 0 });
    // Each line of text is a box of its own: its words' extent.
    const lines = plan.pages.flatMap((page) => page.body.map(({ box }) => box.ops.filter((op): op is TextOp => op.op === 'text' && op.text.trim() !== '')));
    const line = (start: string) => {
      const words = lines.find((ops) => ops[0]?.text.startsWith(start))!;
      return { left: Math.min(...words.map((op) => op.x)), right: Math.max(...words.map((op) => op.x + op.width)) };
    };
    // The A4 measure: 595.28 pt less 122 pt each side.
    const measure = 595.28 - 2 * 122;
    const centred = line('Centred');
    expect(Math.abs(centred.left - (measure - centred.right))).toBeLessThan(1);
    expect(centred.left).toBeGreaterThan(50);
    expect(Math.abs(line('Flush').right - measure)).toBeLessThan(1);
    // The paragraph after them starts at the margin; the next one, after prose, is indented.
    expect(line('After').left).toBe(0);
    expect(line('And').left).toBeGreaterThan(5);
    expect(line('Opening').left).toBe(0);
  });
});

describe('raw-html: trust', () => {
  const source = [
    '---\ntitle: Trusted\nraw-html: trust\n---\n',
    '<!-- a comment -->\n',
    '<div class="box" style="color: #8b0000">Kept <mark>marked</mark> words<script>go()</script></div>\n',
    '<details>\n<summary>More</summary>\n\nSome **Markdown** with a note[^1].\n\n</details>\n',
    'A <kbd style="font-weight: bold">K</kbd> key.\n',
    '<p align="center"><img src="dot.png" alt="A dot" width="20"></p>\n',
    '## After\n',
    '[^1]: The note.\n',
  ].join('\n');

  it('keeps each stretch of raw HTML as written beside its typed meaning; Markdown between stays Markdown', () => {
    const { tree } = transformed(source);
    expect(tree.children.map((node) => node.type)).toEqual(['trustedHtml', 'trustedHtml', 'trustedHtml', 'paragraph', 'trustedHtml', 'heading', 'footnoteDefinition']);
    const [comment, box, details] = tree.children;
    expect(comment?.type === 'trustedHtml' && comment.children).toEqual([]);
    expect(box?.type === 'trustedHtml' && box.children.map((node) => node.type)).toEqual(['htmlBlock']);
    expect(details?.type === 'trustedHtml' && details.data.original.map((node) => node.type)).toEqual(['html', 'paragraph', 'html']);
    const line = tree.children[3];
    expect(line?.type === 'paragraph' && line.children.map((node) => node.type)).toEqual(['text', 'trustedHtmlInline', 'text']);
  });

  let root: string;
  beforeAll(async () => {
    root = tempProject({ 'doc.md': source, 'dot.png': readFileSync(join(fixturesDir, 'book-figures', 'img', 'dot.png')) });
    const result = await build({ root, paths: ['doc.md'], out: 'dist', formats: ['html', 'pdf'], cache: false });
    expect(result.ok).toBe(true);
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('writes the raw HTML as written into the HTML, and the subset’s meaning into the PDF', () => {
    const html = readFileSync(join(root, 'dist', 'doc.html'), 'utf8');
    expect(html).toContain('<div class="box" style="color: #8b0000">Kept <mark>marked</mark> words<script>go()</script></div>');
    expect(html).toContain('<kbd style="font-weight: bold">K</kbd>');
    expect(html).toMatch(/<details>\s*<summary>More<\/summary>\s*<p>Some <strong>Markdown<\/strong> with a note<sup><a href="#fn-1"/);
    const text = tool('pdftotext', ['-layout', join(root, 'dist', 'doc.pdf'), '-']);
    expect(text).toMatch(/Kept marked words\s+More\s+Some Markdown with a note1\.\s+A K key\./);
    expect(text).not.toContain('go()');
    expect(text).toContain('1 The note.');
    // The raw image is drawn, but not numbered: the HTML keeps the markup as written, with no "Figure 1".
    expect(text).not.toContain('Figure');
    expect(tool('pdfimages', ['-list', join(root, 'dist', 'doc.pdf')]).trim().split('\n')).toHaveLength(3);
    // As written, but for the image, embedded as a Markdown image is: the page stands alone.
    expect(html).toMatch(/<p align="center"><img src="data:image\/png;base64,[A-Za-z0-9+/=]+" alt="A dot" width="20"><\/p>/);
  });
});

describe('raw-html: trust, a raw heading', () => {
  it('keeps the heading as written, with the id its contents entry and links reach it by', async () => {
    const root = tempProject({ 'doc.md': '---\ntitle: T\nraw-html: trust\n---\n\nIntro.\n\n<h2 class="x">Raw heading</h2>\n\nSee [it](#raw-heading).\n\n<h2 id="own">Own id</h2>\n\n## Markdown heading\n' });
    try {
      const result = await build({ root, paths: ['doc.md'], out: 'dist', formats: ['html', 'epub'], cache: false });
      expect(result.ok).toBe(true);
      const html = readFileSync(join(root, 'dist', 'doc.html'), 'utf8');
      expect(html).toContain('<h2 class="x" id="raw-heading">Raw heading</h2>');
      expect(html).toContain('<h2 id="own">Own id</h2>');
      expect(html).toContain('<a href="#raw-heading">it</a>');
      const epub = join(root, 'dist', 'doc.epub');
      const chapter = tool('unzip', ['-p', epub, 'OEBPS/chapter-01.xhtml']);
      expect(chapter).toContain('<h2 class="x" id="raw-heading">Raw heading</h2>');
      expect(chapter).toContain('<a href="#raw-heading">it</a>');
      const nav = tool('unzip', ['-p', epub, 'OEBPS/toc.xhtml']);
      expect(nav.match(/href="chapter-01\.xhtml#[^"]+"/g)).toEqual(['href="chapter-01.xhtml#raw-heading"', 'href="chapter-01.xhtml#own"', 'href="chapter-01.xhtml#markdown-heading"']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('raw-html: trust, a raw image', () => {
  it('is embedded in the HTML page as Markdown images are (the page stands alone); a missing one is a positioned error', async () => {
    const icon = readFileSync(join(fixturesDir, 'pdf-inline-images', 'icon.png'));
    const root = tempProject({ 'doc.md': '---\ntitle: T\nraw-html: trust\n---\n\nA raw <img src="icon.png" alt="icon" width="32" height="16"> image.\n\n<p align="center"><img src="icon.png" alt="logo"></p>\n', 'icon.png': icon });
    try {
      const result = await build({ root, paths: ['doc.md'], out: 'dist', formats: ['html'], cache: false });
      expect(result.ok).toBe(true);
      const html = readFileSync(join(root, 'dist', 'doc.html'), 'utf8');
      const data = `data:image/png;base64,${icon.toString('base64')}`;
      expect(html).toContain(`<img src="${data}" alt="icon" width="32" height="16">`);
      expect(html).toContain(`<img src="${data}" alt="logo">`);
      writeFileSync(join(root, 'gone.md'), '---\ntitle: T\nraw-html: trust\n---\n\nMissing: <img src="nothere.png" alt="x">\n');
      const failed = await build({ root, paths: ['gone.md'], out: 'dist', formats: ['html'], cache: false });
      expect(failed.ok).toBe(false);
      const missing = failed.documents[0]!.file.messages.find((message) => message.ruleId === 'asset-missing');
      expect([missing?.line, missing?.column, missing?.reason]).toEqual([6, 10, 'file not found: "nothere.png"']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('raw HTML that never closes', () => {
  it('an unknown or unclosed element keeps the headings and notes after it as blocks (a README’s `<Contributors />`)', () => {
    const { tree, file } = transformed('---\ntitle: T\n---\n\nText[^1].\n\n<Contributors />\n\n## After\n\nMore text.\n\n<a name="x">\n\n## Later\n\n[^1]: A note.\n');
    expect(file.messages.filter((message) => message.fatal).map(String)).toEqual([]);
    const headings = tree.children.flatMap((node) => (node.type === 'heading' ? [node.children.map((child) => ('value' in child ? child.value : '')).join('')] : []));
    expect(headings).toEqual(['After', 'Later']);
    expect(tree.children.some((node) => node.type === 'anchor' && node.id === 'x')).toBe(true);
    expect(JSON.stringify(tree)).not.toContain('AfterMore text');
  });

  it('thousands of unclosed elements are a positioned error, not a crash', () => {
    const { file } = transformed(`---\ntitle: T\n---\n\nIntro.\n\n<div>\n${'<x>'.repeat(20_000)}\n\nMore.\n`);
    expect(file.messages.filter((message) => message.fatal).map((message) => `${message.line}:${message.column} ${message.ruleId}`)).toEqual(['7:1 nesting-limit']);
  });
});
