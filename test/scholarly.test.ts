import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { toString as mdastToString } from 'mdast-util-to-string';
import { VFile } from 'vfile';
import { beforeAll, describe, expect, it } from 'vitest';
import { renderDocument, type Source } from '../pipeline/build/document.ts';
import { openEditionThread } from '../pipeline/build/edition-thread.ts';
import { parse } from '../pipeline/parse/parse.ts';
import { typesetFormulas } from '../pipeline/writers/pdf/math.ts';
import type { RenderContext } from '../pipeline/types.ts';
import { runTransforms } from '../pipeline/transforms/index.ts';
import { headingText } from '../pipeline/writers/shared/format.ts';
import { copyInto, epubcheck, expectGolden, fixturesDir, nuCheck, runCli, tempProject, tool } from './helpers.ts';

const fixture = join(fixturesDir, 'paper');

/** The paper fixture, built once in all three editions with the real CLI. */
let root = '';
let run: ReturnType<typeof runCli>;
beforeAll(() => {
  root = tempProject();
  copyInto(root, fixture, 'paper');
  run = runCli(['build', 'paper/paper.md', '--out', 'dist'], root, { SOURCE_DATE_EPOCH: '0' });
});

const out = (name: string) => join(root, 'dist', name);

function parsed(markdown: string) {
  // A title line first, so the only messages are the feature's; lines below count from 1 after it.
  const file = new VFile({ path: 'doc.md', value: `---\ntitle: T\n---\n${markdown}` });
  const tree = parse(file);
  runTransforms(tree, file);
  return { tree, file, messages: file.messages.map((message) => `${(message.line ?? 0) - 3}:${message.column} ${message.ruleId}: ${message.reason}`) };
}

describe('math syntax (Pandoc rules for $)', () => {
  const kinds = (markdown: string) => JSON.stringify(parse(new VFile(markdown)).children[0], (key, value) => (key === 'position' || key === 'data' ? undefined : value));
  it('does not take prices for formulas', () => {
    expect(kinds('It cost $20 and $30.')).not.toContain('inlineMath');
    expect(kinds('costs $20, or $x$ here')).toContain('"value":"x"');
    expect(kinds('$x$5 and $y$')).toContain('"value":"y"');
    expect(kinds('$ x$ and $x $')).not.toContain('inlineMath');
  });
  it('keeps escaped dollars inside a formula', () => {
    expect(kinds('a \\$5 and $a\\$b$')).toContain('"value":"a\\\\$b"');
  });
  it('turns a paragraph of $$…$$ {#eq:x} into a numbered display equation', () => {
    const { tree } = parsed('$$ a = b $$ {#eq:one}\n\n$$c$$\n\nText $$d$$ inline.\n');
    const [one, two, three] = tree.children;
    expect(one).toMatchObject({ type: 'math', value: 'a = b', data: { label: 'eq:one', number: '1', id: 'eq:one' } });
    expect(two).toMatchObject({ type: 'math', value: 'c' });
    expect(three?.type).toBe('paragraph');
  });
  it('reads a multi-line equation labelled on its closing fence, and what follows it', () => {
    const { tree, messages } = parsed('$$\na = b\n$$ {#eq:two}\n\nAfter *this*.\n');
    expect(messages).toEqual([]);
    expect(tree.children[0]).toMatchObject({ type: 'math', value: 'a = b', data: { label: 'eq:two', number: '1' } });
    expect(tree.children[1]).toMatchObject({ type: 'paragraph', position: { start: { line: 8, column: 1 } } });
    expect(mdastToString(tree.children[1]!)).toBe('After this.');
  });
});

describe('math errors', () => {
  it('reports a TeX error at the formula, with the TeX message', () => {
    expect(parsed('Text\n\nSome $\\frac{a}{$ here.\n').messages).toEqual(["3:16 math-tex: TeX error in formula: Unexpected end of input in a macro argument, expected '}'"]);
    expect(parsed('$$\nx +\n\\nosuch y\n$$\n').messages).toEqual(['3:1 math-tex: TeX error in formula: Unsupported function name: \\nosuch']);
  });
  it('finishes a huge or deeply nested formula in bounded time with an error', () => {
    const started = Date.now();
    expect(parsed(`$${'x+'.repeat(50_000)}y$`).messages[0]).toMatch(/math-too-long/);
    expect(parsed(`$${'{'.repeat(10_000)}x${'}'.repeat(10_000)}$`).messages[0]).toMatch(/math-too-(deep|long)/);
    expect(Date.now() - started).toBeLessThan(60_000);
  });
  it('reports an equation label used twice at the second', () => {
    expect(parsed('$$a$$ {#eq:x}\n\n$$b$$ {#eq:x}\n').messages).toEqual(['3:1 crossref-duplicate: equation label "eq:x" is used twice; labels must be unique']);
  });
});

describe('the paper fixture', () => {
  it('builds all three editions without messages', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('HTML: MathML, no script, no web font; the Nu checker is clean', () => {
    const html = readFileSync(out('paper.html'), 'utf8');
    expect(html).toContain('<math xmlns="http://www.w3.org/1998/Math/MathML"');
    expect(html).not.toMatch(/<script(?! type="application\/ld\+json")|@font-face|\.woff/);
    expect(html).toContain('cost $20 and the map $30');
    expect(nuCheck([out('paper.html')])).toEqual([]);
    expectGolden(join(fixture, 'expected', 'paper.html'), html);
  });

  it('EPUB: MathML with the manifest property; epubcheck is clean', async () => {
    const zip = await JSZip.loadAsync(readFileSync(out('paper.epub')));
    const opf = await zip.file('OEBPS/content.opf')!.async('string');
    expect(opf).toMatch(/href="chapter-01\.xhtml"[^>]*properties="mathml"/);
    const chapters = Object.keys(zip.files).filter((name) => /chapter-\d+\.xhtml$/.test(name)).sort();
    const xhtml = (await Promise.all(chapters.map((name) => zip.file(name)!.async('string')))).join('\n');
    expect(xhtml).toContain('<math xmlns="http://www.w3.org/1998/Math/MathML"');
    expectGolden(join(fixture, 'expected', 'epub-chapters.xhtml'), xhtml);
    const report = await epubcheck(out('paper.epub'));
    expect(report.stdout).toContain('No errors or warnings detected');
  });

  it('PDF: typeset math, no TeX source in the text layer; formulas are tagged with their TeX as Alt', () => {
    const text = tool('pdftotext', ['-layout', out('paper.pdf'), '-']);
    expect(text).not.toMatch(/\\frac|\\int|\\sum|\\varphi|mc\^2|\$\$/);
    // Whitespace-insensitive: where the line breaks depends on the measure.
    expect(text.replace(/\s+/g, ' ')).toContain('cost $20 and the map $30');
    expect(text).toMatch(/\(1\)/);
    expectGolden(join(fixture, 'expected', 'paper.pdf.txt'), text);
    const raw = readFileSync(out('paper.pdf')).toString('latin1');
    expect(raw).toContain('/S /Formula');
    expect(raw).toMatch(/\/Alt \(E = mc\^2\)/);
    expect(tool('qpdf', ['--check', out('paper.pdf')])).toMatch(/No syntax or stream encoding errors/);
  });
});

/** Transforms only, with the bibliography and style files given in memory (read as the build reads them). */
function cited(markdown: string, files: Record<string, string>, front = 'bibliography: refs.bib') {
  const file = new VFile({ path: 'doc.md', value: `---\ntitle: T\n${front}\n---\n${markdown}` });
  const tree = parse(file);
  runTransforms(tree, file, {
    readData: (url) => (url in files ? { path: url, bytes: new TextEncoder().encode(files[url]!), mediaType: 'text/plain' } : undefined),
    ownFile: (path) => readFileSync(join(fixturesDir, '..', '..', path)),
  });
  return { tree, file, messages: file.messages.map((message) => `${message.file === 'doc.md' ? '' : `${message.file}:`}${message.line}:${message.column} ${message.ruleId}: ${message.reason}`) };
}
const bib = readFileSync(join(fixture, 'refs.bib'), 'utf8');
const paragraphText = (tree: import('mdast').Root, index = 0) => mdastToString(tree.children[index]!);

describe('the PDF on a thread of its own', () => {
  it('gives the same bytes and the same messages, in the same order, as rendering it in line', async () => {
    // The paper, plus problems that every edition (PDF included) reports: a missing image, an unknown key.
    const project = tempProject();
    copyInto(project, fixture, 'paper');
    const text = readFileSync(join(project, 'paper', 'paper.md'), 'utf8');
    writeFileSync(join(project, 'paper', 'paper.md'), `${text}\n![A chart](missing.png)\n\nAs [@nobody] says, $x^{2}$ and $\\frac{a}{b}$ again.\n`);
    const source: Source = { kind: 'file', path: join(project, 'paper', 'paper.md'), name: 'paper' };
    const context: RenderContext = { root: project, formats: ['html', 'pdf', 'epub'], epoch: 0, cwd: project };
    let opened = 0;
    const inLine = await renderDocument(source, context);
    const threaded = await renderDocument(source, context, undefined, () => {
      opened++;
      return openEditionThread();
    });
    expect(opened).toBe(1);
    expect(threaded.messages).toEqual(inLine.messages);
    expect(threaded.messages.map((message) => message.ruleId)).toEqual(expect.arrayContaining(['asset-missing', 'citation-unknown']));
    expect(threaded.editions.map(({ edition }) => edition).sort()).toEqual(['epub', 'html', 'pdf']);
    for (const { edition, bytes } of inLine.editions) {
      expect(Buffer.from(threaded.editions.find((candidate) => candidate.edition === edition)?.bytes ?? []).equals(Buffer.from(bytes!)), edition).toBe(true);
    }
    expect(new Map(threaded.assets)).toEqual(new Map(inLine.assets));
    expect(threaded.missing.sort()).toEqual(inLine.missing.sort());
  });
});

describe('PDF formulas as outlines', () => {
  it('draws colours, colour boxes and cancelling arrows itself; only text outside the math fonts needs an SVG renderer', () => {
    const { tree, file } = parsed('$\\color{red}{x} + y$ and $\\colorbox{yellow}{z}$ and $\\cancelto{0}{x}$ and $\\color[rgb]{0,0,1}{w}$ and $\\text{é}$\n');
    const formulas = [...typesetFormulas(tree, file, '#000000').entries()].map(([node, formula]) => ({ tex: node.value, formula }));
    const [red, box, arrow, blue, accented] = formulas;
    expect(red?.formula.outlines?.operators).toMatch(/^q 1 0 0 rg 1 0 0 RG q /);
    // \color is a switch, as in TeX: x + y are red, one coloured group.
    expect(red?.formula.outlines?.operators.match(/ rg /g)).toHaveLength(1);
    expect(box?.formula.outlines?.operators).toMatch(/^q 1 1 0 rg q [^Q]* re f Q Q/);
    // The arrow of \cancelto is rotated: a matrix with a rotation in it.
    expect(arrow?.formula.outlines?.operators).toMatch(/q -?[\d.]+ -?0\.\d+ -?0\.\d+ -?[\d.]+ [\d.-]+ [\d.-]+ cm /);
    expect(blue?.formula.outlines?.operators).toMatch(/^q 0 0 1 rg 0 0 1 RG /);
    for (const entry of [red, box, arrow, blue]) expect(entry?.formula.svg).toBeUndefined();
    expect(accented?.formula.outlines).toBeUndefined();
    expect(accented?.formula.svg).toContain('<text');
  });
});

describe('citations', () => {
  it('links each work of a cluster to its own entry; an in-text citation keeps the author inside its link', () => {
    const { tree } = cited('[see @knuth1984, p. 4; @gauss1801, and elsewhere] @kernighan1988 [p. 3]\n', { 'refs.bib': bib });
    const paragraph = tree.children[0] as import('mdast').Paragraph;
    const links = paragraph.children.filter((node) => node.type === 'link').map((node) => [(node as import('mdast').Link).url, mdastToString(node)]);
    expect(links).toEqual([
      ['#ref-knuth1984', 'Knuth 1984, 4'],
      ['#ref-gauss1801', 'Gauss 1801'],
      ['#ref-kernighan1988', 'Kernighan and Ritchie (1988, 3)'],
    ]);
    expect(paragraphText(tree)).toBe('(see Knuth 1984, 4; Gauss 1801, and elsewhere) Kernighan and Ritchie (1988, 3)');
  });
  it('formats citations in the document\'s language with the CSL locales Colophon ships', () => {
    expect(paragraphText(cited('[@kernighan1988]\n', { 'refs.bib': bib }, 'bibliography: refs.bib\nlang: de').tree)).toBe('(Kernighan und Ritchie 1988)');
    // German locator words are locators too: "S. 4" is a page, printed in the locale's form.
    expect(paragraphText(cited('[@kernighan1988, S. 4]\n', { 'refs.bib': bib }, 'bibliography: refs.bib\nlang: de').tree)).toBe('(Kernighan und Ritchie 1988, 4)');
    expect(paragraphText(cited('[@kernighan1988]\n', { 'refs.bib': bib }, 'bibliography: refs.bib\nlang: ru').tree)).toBe('(Kernighan и Ritchie 1988)');
    expect(paragraphText(cited('[@kernighan1988]\n', { 'refs.bib': bib }, 'bibliography: refs.bib\nlang: hi').tree)).toBe('(Kernighan and Ritchie 1988)');
  });
  it('formats Pandoc citation forms in Chicago author-date by default', () => {
    const { tree, messages } = cited('[@knuth1984] [@knuth1984, p. 12] [see @gauss1801; @kernighan1988] @knuth1984 [ch. 4] [-@gauss1801]\n', { 'refs.bib': bib });
    expect(messages).toEqual([]);
    expect(paragraphText(tree)).toBe('(Knuth 1984) (Knuth 1984, 12) (see Gauss 1801; Kernighan and Ritchie 1988) Knuth (1984, chap. 4) (1801)');
  });
  it('lists only cited works, linked from their citations', () => {
    const { tree } = cited('Text [@gauss1801].\n', { 'refs.bib': bib });
    const entries = tree.children.filter((node) => node.type === 'paragraph' && node.data?.anchor);
    expect(entries.map((node) => (node as import('mdast').Paragraph).data?.anchor)).toEqual(['ref-gauss1801']);
    expect(JSON.stringify(tree.children[0])).toContain('"url":"#ref-gauss1801"');
  });
  it('warns about an unknown key at its place and prints ?key', () => {
    const { tree, messages } = cited('Known [@gauss1801] and not [@nobody2000].\n', { 'refs.bib': bib });
    expect(messages).toEqual(['5:29 citation-unknown: citation "@nobody2000" is not in the bibliography']);
    expect(paragraphText(tree)).toBe('Known (Gauss 1801) and not ?nobody2000.');
  });
  it('leaves @names alone in documents without a bibliography', () => {
    const { tree, messages } = cited('Ping @someone about it.\n', {}, 'lang: en');
    expect(messages).toEqual([]);
    expect(paragraphText(tree)).toContain('@someone');
  });
  it('reports a BibTeX syntax error at its own line and column', () => {
    const { messages } = cited('[@x]\n', { 'refs.bib': '@book{ok, title = {Fine}}\n@book{x,\n  title = "a" year = 1999\n}\n' });
    // The message is the .bib's own, at the error's line and column there, not at the front matter's key.
    expect(messages.find((message) => message.includes('bibliography-syntax'))).toBe('refs.bib:3:15 bibliography-syntax: not valid BibTeX: expected "rbrace", got "identifier"');
  });
  it('reads CSL JSON and CSL YAML; reports their syntax errors in the file', () => {
    const json = JSON.stringify([{ id: 'doe', type: 'book', title: 'A Book', author: [{ family: 'Doe', given: 'Jane' }], issued: { 'date-parts': [[2020]] } }]);
    expect(paragraphText(cited('[@doe]\n', { 'refs.json': json }, 'bibliography: refs.json').tree)).toBe('(Doe 2020)');
    const yaml = 'references:\n- id: roe\n  type: book\n  title: B\n  author:\n  - family: Roe\n    given: R\n  issued:\n    date-parts: [[2019]]\n';
    expect(paragraphText(cited('[@roe]\n', { 'refs.yaml': yaml }, 'bibliography: refs.yaml').tree)).toBe('(Roe 2019)');
    expect(cited('[@x]\n', { 'refs.json': '[{"id": 1,,}]' }, 'bibliography: refs.json').messages[0]).toMatch(/^refs\.json:1:11 bibliography-syntax: not valid JSON/);
    expect(cited('[@x]\n', { 'refs.yaml': 'references:\n- id: a\n  title: [x\n' }, 'bibliography: refs.yaml').messages[0]).toMatch(/^refs\.yaml:4:1 bibliography-syntax: not valid YAML/);
  });
  it('a note style turns citations into footnotes numbered with the other notes', () => {
    const style = readFileSync(join(fixture, 'note-style.csl'), 'utf8');
    const { tree, messages } = cited('A note.[^a] A citation [@knuth1984, p. 3].\n\n[^a]: Mine.\n', { 'refs.bib': bib, 'note.csl': style }, 'bibliography: refs.bib\ncsl: note.csl');
    expect(messages).toEqual([]);
    const notes = tree.children.filter((node) => node.type === 'footnoteDefinition');
    expect(notes.map((node) => [(node as import('mdast').FootnoteDefinition).identifier, mdastToString(node)])).toEqual([['1', 'Mine.'], ['2', 'Knuth, The TeXbook, 3.']]);
  });
  it('reads 50,000 entries in bounded time', () => {
    const entries = Array.from({ length: 50_000 }, (_, i) => `@book{k${i}, author = {Author${i}, A.}, title = {Title ${i}}, publisher = {P}, year = {${1900 + (i % 100)}}}`).join('\n');
    const started = Date.now();
    const { tree, messages } = cited('[@k49999]\n', { 'refs.bib': entries });
    expect(messages).toEqual([]);
    expect(paragraphText(tree)).toBe('(Author49999 1999)');
    expect(Date.now() - started).toBeLessThan(120_000);
  });
});

describe('math where only text can go', () => {
  it('gives headings, the title and the description the plain text of a formula, not its TeX', () => {
    const file = new VFile({ path: 'doc.md', value: '# On $E = mc^2$\n\nThe ratio $\\frac{a}{b} + x_1^2$ holds.\n\n## Roots $\\sqrt{x}$\n' });
    const tree = parse(file);
    const meta = runTransforms(tree, file);
    expect(meta.title).toBe('On E = mc²');
    expect(meta.description).toBe('The ratio a/b + x₁² holds.');
    const heading = tree.children.find((node) => node.type === 'heading') as import('mdast').Heading;
    expect(headingText(heading)).toBe('Roots √x');
  });
});

describe('cross-references', () => {
  it('names equations and sections, as links, by number when sections are numbered', () => {
    const markdown = '# Intro {#sec:intro}\n\nSee @sec:intro, @eq:e and [@eq:e; @sec:intro]; -@eq:e alone.\n\n$$ e = 1 $$ {#eq:e}\n';
    const numbered = cited(markdown, {}, 'number-sections: true');
    expect(numbered.messages).toEqual([]);
    expect(paragraphText(numbered.tree, 1)).toBe('See Section\u00a01, Equation\u00a0(1) and Equation\u00a0(1), Section\u00a01; (1) alone.');
    expect(JSON.stringify(numbered.tree.children[1])).toContain('"url":"#sec:intro"');
    expect(JSON.stringify(numbered.tree.children[1])).toContain('"url":"#eq:e"');
    expect(paragraphText(cited(markdown, {}, 'lang: en').tree, 1)).toBe('See Intro, Equation\u00a0(1) and Equation\u00a0(1), Intro; (1) alone.');
  });
  it('writes several references of a kind as pandoc-crossref does: "Equations (1) and (2)", each number a link; three in a row as a range', () => {
    const markdown = 'See [@eq:a; @eq:b], [@eq:a; @eq:b; @eq:c], [@eq:c; @sec:s], [-@eq:a; -@eq:b] and [@eq:c; @eq:a; @eq:b; @eq:c].\n\n# S {#sec:s}\n\n$$ a $$ {#eq:a}\n\n$$ b $$ {#eq:b}\n\n$$ c $$ {#eq:c}\n';
    const { tree, messages } = cited(markdown, {}, 'number-sections: true');
    expect(messages).toEqual([]);
    expect(paragraphText(tree)).toBe('See Equations\u00a0(1) and (2), Equations\u00a0(1)\u2013(3), Equation\u00a0(3), Section\u00a01, (1) and (2) and Equations\u00a0(3) and (1)\u2013(3).');
    const links = (tree.children[0] as import('mdast').Paragraph).children.filter((node) => node.type === 'link').map((node) => `${(node as import('mdast').Link).url} ${mdastToString(node)}`);
    expect(links.slice(0, 4)).toEqual(['#eq:a (1)', '#eq:b (2)', '#eq:a (1)', '#eq:c (3)']);
    expect(paragraphText(cited(markdown, {}, 'number-sections: true\nlang: de').tree)).toContain('Gleichungen\u00a0(1) und (2)');
    expect(paragraphText(cited(markdown, {}, 'number-sections: true\nlang: ja').tree)).toContain('式(1)\u2013(3)');
  });
  it('localises the words', () => {
    expect(paragraphText(cited('Voir @eq:e.\n\n$$ e = 1 $$ {#eq:e}\n', {}, 'lang: fr').tree)).toBe('Voir Équation\u00a0(1).');
  });
  it('reports an unknown label where it is written, and a label used twice at the second', () => {
    expect(cited('See @fig:none here.\n', {}, 'lang: en').messages).toEqual(['5:5 crossref-unknown: cross-reference "@fig:none" has no target: no figure, table, section or equation is labelled "fig:none"']);
    expect(cited('# A {#sec:a}\n\n# B {#sec:a}\n', {}, 'lang: en').messages.filter((message) => message.includes('crossref-duplicate'))).toEqual(['7:1 crossref-duplicate: the label "sec:a" is used twice; labels must be unique']);
  });
});
