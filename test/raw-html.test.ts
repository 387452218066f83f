import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Root } from 'mdast';
import { VFile } from 'vfile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { parse } from '../pipeline/parse/parse.ts';
import { createAssetResolver } from '../pipeline/read/assets.ts';
import { runTransforms } from '../pipeline/transforms/index.ts';
import type { StructNode, TextOp } from '../pipeline/writers/pdf/boxes.ts';
import { planPdf } from '../pipeline/writers/pdf/index.ts';
import { fixturesDir, tempProject, tool } from './helpers.ts';

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
    expect(html).toContain('<p align="center"><img src="dot.png" alt="A dot" width="20"></p>');
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
