import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { VFile } from 'vfile';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from '../pipeline/parse/parse.ts';
import { runTransforms } from '../pipeline/transforms/index.ts';
import { copyInto, expectGolden, fixturesDir, nuCheck, requireTool, runCli, tempProject } from './helpers.ts';

const SLOW = 240_000;
const fixture = join(fixturesDir, 'paper');
const epubcheckJar = '/usr/share/java/epubcheck.jar';

/** The paper fixture, built once in all three editions with the real CLI. */
let root = '';
let run: ReturnType<typeof runCli>;
beforeAll(() => {
  root = tempProject();
  copyInto(root, fixture, 'paper');
  run = runCli(['build', 'paper/paper.md', '--out', 'dist'], root, { SOURCE_DATE_EPOCH: '0' });
}, SLOW);

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
    expect(one).toMatchObject({ type: 'math', value: 'a = b', data: { label: 'eq:one', number: '1', id: 'eq-one' } });
    expect(two).toMatchObject({ type: 'math', value: 'c' });
    expect(three?.type).toBe('paragraph');
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
  }, SLOW);

  it('EPUB: MathML with the manifest property; epubcheck is clean', async () => {
    const zip = await JSZip.loadAsync(readFileSync(out('paper.epub')));
    const opf = await zip.file('OEBPS/content.opf')!.async('string');
    expect(opf).toMatch(/href="chapter-01\.xhtml"[^>]*properties="mathml"/);
    const chapters = Object.keys(zip.files).filter((name) => /chapter-\d+\.xhtml$/.test(name)).sort();
    const xhtml = (await Promise.all(chapters.map((name) => zip.file(name)!.async('string')))).join('\n');
    expect(xhtml).toContain('<math xmlns="http://www.w3.org/1998/Math/MathML"');
    expectGolden(join(fixture, 'expected', 'epub-chapters.xhtml'), xhtml);
    requireTool('java', 'apt-get install default-jre-headless');
    if (!existsSync(epubcheckJar)) throw new Error(`${epubcheckJar} is missing (apt-get install epubcheck)`);
    const report = execFileSync('java', ['-jar', epubcheckJar, out('paper.epub')], { encoding: 'utf8' });
    expect(report).toContain('No errors or warnings detected');
  }, SLOW);

  it('PDF: typeset math, no TeX source in the text layer; formulas are tagged with their TeX as Alt', () => {
    requireTool('pdftotext', 'apt-get install poppler-utils');
    const text = execFileSync('pdftotext', ['-layout', out('paper.pdf'), '-'], { encoding: 'utf8' });
    expect(text).not.toMatch(/\\frac|\\int|\\sum|\\varphi|mc\^2|\$\$/);
    expect(text).toContain('cost $20 and the map $30');
    expect(text).toMatch(/\(1\)/);
    expectGolden(join(fixture, 'expected', 'paper.pdf.txt'), text);
    const raw = readFileSync(out('paper.pdf')).toString('latin1');
    expect(raw).toContain('/S /Formula');
    expect(raw).toMatch(/\/Alt \(E = mc\^2\)/);
    expect(execFileSync('qpdf', ['--check', out('paper.pdf')], { encoding: 'utf8' })).toMatch(/No syntax or stream encoding errors/);
  }, SLOW);
});
