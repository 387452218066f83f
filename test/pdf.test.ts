import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VFile } from 'vfile';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAssetResolver } from '../pipeline/read/assets.ts';
import { build, type BuildResult } from '../pipeline/build/build.ts';
import { parse } from '../pipeline/parse/parse.ts';
import { runTransforms } from '../pipeline/transforms/index.ts';
import { pdfWriter, planPdf, type Plan } from '../pipeline/writers/pdf/index.ts';
import type { Box, StructNode } from '../pipeline/writers/pdf/boxes.ts';
import { PAPER } from '../pipeline/writers/pdf/theme.ts';
import type { PdfFont } from '../pipeline/writers/pdf/pdfkit-api.ts';
import { WordShapes } from '../pipeline/writers/pdf/word-shapes.ts';
import { expectGolden, fixturesDir, pageEnds, printedLines, projectRoot, tempProject, tool, updateGolden } from './helpers.ts';

/**
 * The PDF edition, checked on real files with real tools (qpdf, poppler). A missing tool fails
 * the suite: CI must install poppler-utils and qpdf.
 */

const FIXTURES = ['pdf-long-report/long-report.md', 'pdf-widows/widows.md', 'pdf-table/table.md', 'pdf-intl/intl.md', 'pdf-features/features.md', 'pdf-overflow/overflow.md', 'world-scripts/input.md'];

function pageCount(pdf: string): number {
  return Number(/Pages:\s+(\d+)/.exec(tool('pdfinfo', [pdf]))![1]);
}

function pageText(pdf: string, page: number): string {
  return tool('pdftotext', ['-f', String(page), '-l', String(page), pdf, '-']);
}

interface QpdfJson {
  pages: { object: string; outlines: { title: string }[] }[];
  qpdf: [unknown, Record<string, { value?: Record<string, unknown>; stream?: { dict: Record<string, unknown> } }>];
}

function qpdfJson(pdf: string): QpdfJson {
  return JSON.parse(tool('qpdf', ['--json=2', '--json-key=pages', '--json-key=qpdf', pdf])) as QpdfJson;
}

/** Link annotations per page (1-based): their URI or named destination. */
function links(json: QpdfJson): { page: number; uri?: string; dest?: string }[] {
  const objects = json.qpdf[1];
  const value = (ref: unknown) => (typeof ref === 'string' ? objects[`obj:${ref}`]?.value : (ref as Record<string, unknown>));
  const out: { page: number; uri?: string; dest?: string }[] = [];
  json.pages.forEach((page, index) => {
    const annots = (value(page.object)?.['/Annots'] as string[] | undefined) ?? [];
    for (const annot of annots) {
      const action = value(value(annot)?.['/A']);
      if (!action) continue;
      const text = (field: string) => (typeof action[field] === 'string' ? (action[field] as string).replace(/^u:/, '') : undefined);
      out.push({ page: index + 1, uri: text('/URI'), dest: text('/D') });
    }
  });
  return out;
}

/** The laid-out pages of a fixture, before drawing. */
function planOf(fixture: string): Plan {
  const path = join(fixturesDir, fixture);
  const file = new VFile({ path, value: readFileSync(path, 'utf8') });
  const tree = parse(file);
  const meta = runTransforms(tree, file);
  const assets = createAssetResolver({ root: projectRoot, documentDir: join(fixturesDir, fixture, '..'), file, cache: new Map() });
  return planPdf({ tree, meta, file, assets, epoch: 0 });
}

/** The note a box of the note area belongs to (the gaps between notes belong to none). */
function noteOf(box: Box): StructNode | undefined {
  for (let node = box.struct; node; node = node.parent) if (node.tag === 'Note') return node;
  return undefined;
}

let out: string;
let result: BuildResult;
const pdfOf = (name: string) => join(out, `${name}.pdf`);

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'colophon-pdf-'));
  result = await build({ root: projectRoot, paths: ['source/sco-blueprint.md', ...FIXTURES.map((path) => `test/fixtures/${path}`)], out, formats: ['pdf'], cache: false });
  return () => rmSync(out, { recursive: true, force: true });
});

describe('PDF edition as a file', () => {
  it('builds every fixture without errors', () => {
    for (const document of result.documents) {
      const problems = document.file.messages.filter((message) => message.fatal === true || message.ruleId?.startsWith('pdf-missing'));
      expect(problems.map(String), document.source).toEqual([]);
      expect(document.ok).toBe(true);
    }
  });

  it('embeds every font, passes qpdf --check, and carries Title, Author and tagging', () => {
    for (const name of ['sco-blueprint', 'long-report', 'widows', 'table', 'intl', 'features', 'overflow']) {
      const fonts = tool('pdffonts', [pdfOf(name)]).split('\n').slice(2).filter((line) => line.trim());
      expect(fonts.length, name).toBeGreaterThan(0);
      for (const line of fonts) expect(line.split(/\s+/).at(-5), `${name}: ${line}`).toBe('yes');
      const check = tool('qpdf', ['--check', pdfOf(name)]);
      expect(check).toContain('No syntax or stream encoding errors');
      expect(check).not.toMatch(/WARNING/i);
    }
    const info = tool('pdfinfo', [pdfOf('sco-blueprint')]);
    expect(info).toMatch(/Title:\s+Xi Lays Out the Blueprint for the SCO’s Future Development/);
    expect(info).toMatch(/Author:\s+Zhao Baoling, Tang Aijun/);
    expect(info).toMatch(/Tagged:\s+yes/);
    expect(info).toMatch(/Keywords:\s+Shanghai Cooperation Organization/);
    expect(info).toMatch(/CreationDate:\s+Fri Jun {2}1 00:00:00 2018 UTC/);
  });

  it('is byte-identical when built twice', async () => {
    const again = mkdtempSync(join(tmpdir(), 'colophon-pdf-'));
    try {
      await build({ root: projectRoot, paths: ['source/sco-blueprint.md'], out: again, formats: ['pdf'], cache: false });
      expect(Buffer.compare(readFileSync(join(again, 'sco-blueprint.pdf')), readFileSync(pdfOf('sco-blueprint')))).toBe(0);
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it('writes well-formed XMP even when the title has & and <', () => {
    const bytes = readFileSync(pdfOf('long-report')).toString('latin1');
    const xmp = /<x:xmpmeta[\s\S]*?<\/x:xmpmeta>/.exec(bytes)![0];
    expect(xmp).toContain('Rivers &amp; Roads: A Long Report &lt;with 200+ notes&gt;');
    const parsed = tool('python3', ['-c', 'import sys, xml.dom.minidom as m; m.parseString(sys.stdin.buffer.read()); print("ok")'], { input: Buffer.from(xmp, 'latin1') });
    expect(parsed.trim()).toBe('ok');
  });

  it('has bookmarks from the headings and clickable links', () => {
    const json = qpdfJson(pdfOf('features'));
    const titles = json.pages.flatMap((page) => page.outlines.map((item) => item.title));
    expect(titles).toEqual(['Lists with a note', 'Quotes', 'Code blocks', 'Tables', 'Images']);
    const all = links(json);
    expect(all.some((link) => link.uri?.startsWith('https://example.org/a/very/long/path'))).toBe(true);
    expect(all.some((link) => link.dest === 'code-blocks')).toBe(true);
    expect(all.some((link) => link.dest === 'fn-1')).toBe(true);
    expect(all.some((link) => link.dest === 'fnref-1')).toBe(true);
    const raw = readFileSync(pdfOf('features')).toString('latin1');
    expect(raw).toContain('/Alt (A gradient test image)');
    expect(raw).toMatch(/\/S \/Note/);
    expect(raw).toMatch(/\/S \/Table/);
    expect(raw).toMatch(/\/S \/Figure/);
    expect(raw).toMatch(/\/S \/Link/);
    expect(raw).toMatch(/\/S \/H2/);
    expect(raw).toMatch(/\/S \/LI/);
    // Text inside the SVG is set in the document's embedded faces, never an unembedded standard font.
    expect(tool('pdffonts', [pdfOf('features')])).toMatch(/NotoSansMono-Bold/);
  });
});

describe('page-bottom notes', () => {
  it('sets each note on the page of its first citation (252 notes)', () => {
    const pdf = pdfOf('long-report');
    const pages = pageCount(pdf);
    const texts = Array.from({ length: pages }, (_, index) => pageText(pdf, index + 1));
    const firstCitation = new Map<number, number>();
    for (const link of links(qpdfJson(pdf))) {
      const match = /^fn-(\d+)$/.exec(link.dest ?? '');
      if (match && !firstCitation.has(Number(match[1]))) firstCitation.set(Number(match[1]), link.page);
    }
    expect(firstCitation.size).toBeGreaterThanOrEqual(200);
    // Note 1 is the byline's author note, on page 1; the others start "Note N." in this fixture.
    expect(firstCitation.get(1)).toBe(1);
    expect(texts[0]).toContain('Ada Example wrote this report');
    for (const [number, page] of firstCitation) {
      if (number === 1) continue;
      expect(texts[page - 1], `note ${number} on page ${page}`).toContain(`Note ${number - 1}.`);
    }
  });
  it('keeps a line whose notes overflow its page after the text before it, and continues the notes in order', () => {
    // One line cites three notes longer together than a page, then a later line a short one.
    const pdf = pdfOf('overflow');
    const first = pageText(pdf, 1);
    expect(first).toContain('Opening paragraph.');
    expect(first).toContain('A single line citing three notes');
    expect(first).toMatch(/The\s+alpha\s+note\s+keeps\s+going/);
    expect(pageText(pdf, 2)).toMatch(/The\s+(alpha|bravo|charlie)\s+note\s+keeps\s+going/);
    const { pages, frame } = planOf('pdf-overflow/overflow.md');
    const citing = pages.findIndex((page) => page.body.some(({ box }) => box.notes.includes('1')));
    expect(citing).toBe(0);
    expect(pages[0]!.notes.some(({ box }) => box.dests?.includes('fn-1'))).toBe(true);
    // The body keeps filling pages beside the continuing notes.
    pages.slice(0, -1).forEach((page, index) => {
      const used = page.body.reduce((sum, { box }) => sum + box.height, 0) + page.noteHeight;
      expect(used / frame.height, `page ${index + 1} is too empty`).toBeGreaterThanOrEqual(0.6);
      expect(page.body.some(({ box }) => !box.space), `page ${index + 1} has no text`).toBe(true);
    });
  });

  it('sets notes in one piece each, in order, within the page, never before their citation', () => {
    for (const fixture of ['pdf-overflow/overflow.md', 'pdf-long-report/long-report.md']) {
      const { pages, frame } = planOf(fixture);
      const citedOn = new Map<string, number>();
      const order: StructNode[] = [];
      pages.forEach((page, index) => {
        const used = page.body.reduce((sum, { box }) => sum + box.height, 0) + page.noteHeight;
        expect(used, `${fixture}: page ${index + 1} runs off`).toBeLessThanOrEqual(frame.height + 0.01);
        for (const { box } of [...page.body, ...page.notes]) for (const number of box.notes) if (!citedOn.has(number)) citedOn.set(number, index);
        page.notes.forEach(({ box }, position) => {
          const note = noteOf(box);
          if (!note || order.at(-1) === note) return;
          // A note never resumes after another one has started.
          expect(order, `${fixture}: page ${index + 1}: a note is set in two pieces`).not.toContain(note);
          order.push(note);
          const number = box.dests?.map((name) => /^fn-(\d+)$/.exec(name)?.[1]).find(Boolean);
          expect(number, `${fixture}: page ${index + 1}: a note starts without its anchor`).toBeDefined();
          const cited = citedOn.get(number!);
          expect(cited, `${fixture}: note ${number} before its citation`).toBeDefined();
          if (cited === index) return;
          // Set on a later page only behind a note continued from an earlier one, or first on its
          // page when the note before it, cited on the same page, filled that page's note area.
          expect(cited!, `${fixture}: note ${number}`).toBeLessThan(index);
          if (position === 0) expect(citedOn.get(String(Number(number) - 1)), `${fixture}: note ${number} on page ${index + 1}`).toBe(cited);
          else expect(noteOf(page.notes[0]!.box), `${fixture}: note ${number} on page ${index + 1}`).not.toBe(note);
        });
      });
      expect(order.length).toBeGreaterThanOrEqual(fixture.includes('overflow') ? 4 : 200);
    }
  });
});

describe('pages', () => {
  it('matches the per-page text goldens', () => {
    for (const [name, folder] of [['sco-blueprint', 'pdf-seed'], ['long-report', 'pdf-long-report'], ['widows', 'pdf-widows'], ['table', 'pdf-table'], ['intl', 'pdf-intl'], ['features', 'pdf-features'], ['overflow', 'pdf-overflow']] as const) {
      const pdf = pdfOf(name);
      const pages = pageCount(pdf);
      const expectedDir = join(fixturesDir, folder, 'expected');
      if (updateGolden) rmSync(expectedDir, { recursive: true, force: true });
      for (let page = 1; page <= pages; page++) expectGolden(join(expectedDir, `page-${String(page).padStart(3, '0')}.txt`), pageText(pdf, page));
      expect(readdirSync(expectedDir).filter((file) => file.startsWith('page-')).length, `${name}: page count`).toBe(pages);
    }
  });

  it('keeps a heading’s space before it when it follows an empty section of its level or deeper, not when a deeper one follows', async () => {
    // LaTeX keeps the larger of two spaces (\addvspace): "Second" after the empty "Part one" opened with no gap above it.
    const root = tempProject({ 'doc.md': '---\ntitle: Spaces\n---\n\n## First\n\n### Part one\n\n## Second\n\nText.\n' });
    try {
      await build({ root, paths: ['doc.md'], out: 'dist', formats: ['pdf'], cache: false });
      const top = new Map([...tool('pdftotext', ['-bbox', join(root, 'dist', 'doc.pdf'), '-']).matchAll(/<word xMin="[\d.]+" yMin="([\d.]+)"[^>]*>([^<]*)<\/word>/g)].map((match) => [match[2]!, Number(match[1])]));
      const deeper = top.get('Part')! - top.get('First')!;
      const shallower = top.get('Second')! - top.get('Part')!;
      expect(shallower).toBeGreaterThan(deeper + 6);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps every glyph inside the margins', () => {
    const theme = JSON.parse(readFileSync(join(projectRoot, 'templates/pdf/theme.json'), 'utf8'));
    for (const [name, paper] of [['sco-blueprint', 'a4'], ['long-report', 'a4'], ['widows', 'a4'], ['table', 'a4'], ['intl', 'a4'], ['features', 'a5'], ['overflow', 'a4']] as const) {
      const margins = theme.page.margins[paper];
      const [width, height] = PAPER[paper];
      const html = tool('pdftotext', ['-bbox', pdfOf(name), '-']);
      let words = 0;
      for (const match of html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g)) {
        const [xMin, yMin, xMax, yMax] = match.slice(1, 5).map(Number) as [number, number, number, number];
        words++;
        expect(xMin, `${name}: "${match[5]}"`).toBeGreaterThanOrEqual(margins.inner - 1);
        expect(xMax, `${name}: "${match[5]}"`).toBeLessThanOrEqual(width - margins.outer + 1);
        expect(yMin, `${name}: "${match[5]}"`).toBeGreaterThanOrEqual(margins.top - theme.page.headerOffset - 12);
        expect(yMax, `${name}: "${match[5]}"`).toBeLessThanOrEqual(height - margins.bottom + theme.page.footerOffset + 2);
      }
      expect(words).toBeGreaterThan(50);
    }
  });

  it('never ends a page with a heading and leaves no widows or orphans', () => {
    for (const fixture of ['pdf-widows/widows.md', 'pdf-long-report/long-report.md', 'pdf-overflow/overflow.md']) {
      const { pages } = planOf(fixture);
      expect(pages.length).toBeGreaterThan(3);
      if (fixture.includes('long-report')) {
        // Some long note did not fit and continues at the top of the next page's note area.
        const continued = pages.filter((page, index) => index > 0 && page.notes.length > 0 && !page.notes[0]!.box.ops.some((op) => op.op === 'text' && op.struct?.tag === 'Lbl'));
        expect(continued.length).toBeGreaterThan(0);
        // And every note starts on a page that also holds a box citing it for the first time.
        const seen = new Set<string>();
        for (const page of pages) {
          const cited = new Set(page.body.flatMap((placed) => placed.box.notes).concat(page.notes.flatMap((placed) => placed.box.notes)));
          for (const placed of page.notes) {
            for (const name of placed.box.dests ?? []) {
              const number = /^fn-(\d+)$/.exec(name)?.[1];
              if (!number) continue;
              expect(seen.has(number), `note ${number} set twice`).toBe(false);
              seen.add(number);
              expect(cited.has(number), `note ${number} lies on a page that does not cite it`).toBe(true);
            }
          }
        }
        expect(seen.size).toBeGreaterThanOrEqual(200);
      }
      pages.forEach((page, index) => {
        if (index === pages.length - 1) return;
        const last = page.body.at(-1)!.box;
        expect(last.struct?.tag ?? '', `${fixture}: page ${index + 1} ends with a heading`).not.toMatch(/^H\d$/);
        // A paragraph split here has at least two lines on each side.
        const next = pages[index + 1]!.body.find((placed) => !placed.box.artifact)?.box;
        if (last.struct && next?.struct === last.struct && last.struct.tag === 'P') {
          const before = page.body.filter((placed) => placed.box.struct === last.struct).length;
          const after = pages[index + 1]!.body.filter((placed) => placed.box.struct === last.struct).length;
          expect(before, `${fixture}: orphan at the foot of page ${index + 1}`).toBeGreaterThanOrEqual(2);
          expect(after, `${fixture}: widow at the top of page ${index + 2}`).toBeGreaterThanOrEqual(2);
        }
      });
    }
    // And as printed: no page's last body line is a heading.
    const pdf = pdfOf('widows');
    for (let page = 1; page < pageCount(pdf); page++) {
      const lines = pageText(pdf, page).split('\n').filter((line) => line.trim() && !/^\f?\d+$/.test(line.trim()));
      expect(lines.at(-1), `page ${page}`).not.toMatch(/^(Sub)?[Ss]ection \d/);
    }
  });

  it('ends no page with a hyphenated word, in the body or in a note continuing overleaf (\\brokenpenalty)', () => {
    for (const name of ['sco-blueprint', 'widows', 'table', 'intl', 'features', 'overflow']) {
      const ends = pageEnds(pdfOf(name));
      expect(ends.length, name).toBeGreaterThan(1);
      for (const [index, end] of ends.slice(0, -1).entries()) {
        expect(end.body, `${name}: body of page ${index + 1}`).not.toMatch(/[-\u2010]$/);
        expect(end.last, `${name}: foot of page ${index + 1}`).not.toMatch(/[-\u2010]$/);
      }
    }
    // A rule with a price, as in TeX: in the report, dense with long notes, two pages of 44 keep
    // their hyphen, where the only other break would leave a band of 14% or move a long note over.
    const report = pageEnds(pdfOf('long-report')).slice(0, -1);
    const hyphenated = report.filter((end) => /[-\u2010]$/.test(end.body) || /[-\u2010]$/.test(end.last));
    expect(hyphenated.length).toBeLessThanOrEqual(2);
  });

  it('sets no more than two hyphenated lines in a row (the seed once had eight)', () => {
    let hyphenated = 0;
    for (const name of ['sco-blueprint', 'long-report', 'widows', 'features', 'overflow']) {
      for (const [index, lines] of printedLines(pdfOf(name)).entries()) {
        let run = 0;
        for (const [position, line] of lines.entries()) {
          // A run stays within one paragraph: the body's lines and a note's are not one ladder.
          const previous = lines[position - 1];
          if (previous && (Math.abs(previous.height - line.height) > 0.3 || line.top - previous.top > line.height * 1.5)) run = 0;
          run = /\p{L}[-\u2010]$/u.test(line.text) ? run + 1 : 0;
          if (run > 0) hyphenated++;
          expect(run, `${name}, page ${index + 1}: "${line.text}"`).toBeLessThanOrEqual(2);
        }
      }
    }
    // Hyphenation is still on: the limit shapes ladders, it does not turn hyphens off.
    expect(hyphenated).toBeGreaterThan(50);
  });

  it('repeats the table header on every page the table continues on', () => {
    const pdf = pdfOf('table');
    let tablePages = 0;
    for (let page = 1; page <= pageCount(pdf); page++) {
      const text = pageText(pdf, page);
      // pdftotext puts a row's cells on one line or on lines of their own, by how far apart they are.
      const rowNumbers = text.split('\n').filter((line) => /^\d+( [A-Z]|$)/.test(line.trim())).length;
      if (rowNumbers < 3) continue;
      tablePages++;
      expect(text, `page ${page}`).toContain('Region');
      expect(text, `page ${page}`).toContain('Comment');
    }
    expect(tablePages).toBeGreaterThanOrEqual(3);
  });
});

describe('scripts and fonts', () => {
  it('sets Chinese, Russian and Greek with real glyphs (no .notdef)', () => {
    const pdf = pdfOf('intl');
    expect(tool('pdffonts', [pdf])).toMatch(/NotoSerifSC-Regular/);
    const text = pageText(pdf, 1);
    expect(text.replace(/\s+/g, '')).toContain('上海合作组织成员国元首理事会第十八次会议于二〇一八年六月在青岛举行。');
    expect(text).toContain('Съешь же ещё этих мягких французских булок');
    expect(text).toContain('Ξεσκεπάζω');
    // Glyph id 0 is .notdef: no shown string may contain it.
    const dir = mkdtempSync(join(tmpdir(), 'colophon-qdf-'));
    try {
      tool('qpdf', ['--qdf', '--object-streams=disable', pdf, join(dir, 'intl.pdf')]);
      const raw = readFileSync(join(dir, 'intl.pdf')).toString('latin1');
      const shown = [...raw.matchAll(/\[([^\]]*)\]\s*TJ/g)].flatMap((match) => [...match[1]!.matchAll(/<([0-9a-f]+)>/g)].map((hex) => hex[1]!));
      expect(shown.length).toBeGreaterThan(10);
      for (const hex of shown) expect(hex.match(/.{4}/g)).not.toContain('0000');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives back a word of every script to pdftotext, conjuncts, ligatures and marks included', () => {
    // pdftotext marks right-to-left stretches with bidi embedding controls; the words are what count.
    const text = [1, 2].map((page) => pageText(pdfOf('intl'), page)).join('\n').replace(/[\u202a-\u202e]/g, '');
    const words = [
      'العربية', 'انتشارا', 'وتتصل', 'لتملأ', // Arabic: joining forms, dotted letters, lam-alef
      'עברית', 'מימין', // Hebrew
      'हिन्दी', 'देवनागरी', 'संयुक्ताक्षर', 'धर्म', 'विद्यार्थी', // Devanagari: vowel signs, conjuncts, reph
      'วรรณยุกต์', 'ครั้ง', // Thai: stacked marks
      '한국어는', '仮名を組み合わせて', '上海合作组织', '😀', 'Colophon',
    ];
    for (const word of words) expect(text, word).toContain(word);
  });

  it('gives back each word as written where one glyph stands for different letters in different words', async () => {
    // biome's README.hi: the face draws ओ as the glyph of आ and a sign; each glyph had one text, the
    // first it met, so every आ after an ओ was read back as ओ ("ओप" for "आप").
    const root = tempProject({ 'hi.md': '---\ntitle: Hindi\nlang: hi\n---\n\nपरियोजनाओं के लिए। आप आपको आवश्यकता।\n' });
    try {
      const built = await build({ root, paths: ['hi.md'], out: 'dist', formats: ['pdf'], cache: false });
      expect(built.ok).toBe(true);
      const text = tool('pdftotext', [join(root, 'dist', 'hi.pdf'), '-']);
      for (const word of ['परियोजनाओं', 'आप', 'आपको', 'आवश्यकता']) expect(text).toMatch(new RegExp(`(^|\\s)${word}(\\s|।)`));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('takes Korean, Japanese, Arabic, Hebrew, Devanagari, Thai and emoji faces only where the text needs them', () => {
    const intl = tool('pdffonts', [pdfOf('intl')]);
    for (const face of ['NotoNaskhArabic', 'NotoSerifHebrew', 'NotoSerifDevanagari', 'NotoSansThai', 'NotoSerifKR', 'NotoSerifJP', 'NotoEmoji', 'NotoSerifSC']) expect(intl, face).toContain(face);
    const seed = tool('pdffonts', [pdfOf('sco-blueprint')]);
    expect(seed).not.toMatch(/Naskh|Hebrew|Devanagari|Thai|SerifKR|SerifJP|Emoji/);
  });

  it('sets right-to-left paragraphs flush right, their last line too, and left-to-right ones flush left', () => {
    const theme = JSON.parse(readFileSync(join(projectRoot, 'templates/pdf/theme.json'), 'utf8'));
    const left = theme.page.margins.a4.inner as number;
    const right = PAPER.a4[0] - (theme.page.margins.a4.outer as number);
    // Every page's words, each page's heights kept apart (the layout may move a paragraph over).
    const words = tool('pdftotext', ['-bbox', pdfOf('intl'), '-'])
      .split('<page ')
      .flatMap((page, index) =>
        [...page.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<\/word>/g)].map((match) => ({
          xMin: Number(match[1]),
          y: index * 10000 + Number(match[2]),
          xMax: Number(match[3]),
          text: match[4]!,
        })),
      );
    // pdftotext -bbox lists words in drawing order, right-to-left ones reversed and cut at their
    // marks, so lines are found by script and height, not by word.
    const lines = new Map<number, (typeof words)[number][]>();
    for (const word of words) {
      // Marks above raise a word's box a little: a line is what lies within 4 pt.
      const key = [...lines.keys()].find((y) => Math.abs(y - word.y) < 4) ?? word.y;
      lines.set(key, [...(lines.get(key) ?? []), word]);
    }
    // Lines of a script with no Latin word in them (those are left-to-right paragraphs quoting a word).
    const linesOf = (script: RegExp) =>
      [...lines.values()]
        .filter((line) => line.some((word) => script.test(word.text)) && !line.some((word) => /[A-Za-z]/.test(word.text)))
        .map((line) => ({ xMin: Math.min(...line.map((word) => word.xMin)), xMax: Math.max(...line.map((word) => word.xMax)) }));
    // Arabic: the heading and three lines, two justified, the last one short; all flush right.
    const arabic = linesOf(/[\u0600-\u06ff]/);
    expect(arabic.length).toBeGreaterThanOrEqual(4);
    for (const line of arabic) expect(line.xMax).toBeGreaterThan(right - 3);
    expect(arabic.filter((line) => line.xMin < left + 3).length).toBeGreaterThanOrEqual(2);
    expect(arabic.filter((line) => line.xMin > left + 100).length).toBeGreaterThanOrEqual(2);
    const hebrew = linesOf(/[\u0590-\u05ff]/);
    expect(hebrew.length).toBeGreaterThanOrEqual(3);
    for (const line of hebrew) expect(line.xMax).toBeGreaterThan(right - 3);
    // A left-to-right paragraph's last line stays flush left.
    const russianLast = words.find((word) => word.text === 'цитрус?')!;
    const russian = words.filter((word) => Math.abs(word.y - russianLast.y) < 2);
    expect(Math.min(...russian.map((word) => word.xMin))).toBeLessThan(left + 3);
    // …and is not stretched to the right margin: its spaces keep their natural width (it may
    // happen to fill the measure, as it does at 11 pt on A4).
    const sorted = [...russian].sort((a, b) => a.xMin - b.xMin);
    const gaps = sorted.slice(1).map((word, index) => word.xMin - sorted[index]!.xMax);
    expect(Math.max(...gaps) - Math.min(...gaps)).toBeLessThan(0.1);
    expect(Math.max(...gaps)).toBeLessThan(theme.body.size * 0.3);
  });

  it('mirrors a right-to-left document: tables run their columns from the right, notes hang their numbers on the right', () => {
    const theme = JSON.parse(readFileSync(join(projectRoot, 'templates/pdf/theme.json'), 'utf8'));
    const right = PAPER.a4[0] - (theme.page.margins.a4.outer as number);
    // pdftotext -bbox gives right-to-left words reversed, in drawing order.
    const words = [...tool('pdftotext', ['-bbox', pdfOf('input'), '-']).matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<\/word>/g)].map((match) => ({
      xMin: Number(match[1]),
      y: Number(match[2]),
      xMax: Number(match[3]),
      text: match[4]!,
    }));
    const find = (text: string) => words.find((word) => word.text === text || [...word.text].reverse().join('') === text)!;
    // | اللغة | الكلمة |: the first column, the language, is on the right.
    expect(find('العربية').xMin).toBeGreaterThan(find('سلام').xMax);
    expect(find('English').xMin).toBeGreaterThan(find('peace').xMax);
    // Note 1 (Arabic): its number in a label column at the right margin, its text to the left of it.
    const noteLine = words.filter((word) => Math.abs(word.y - find('شاح').y) < 2);
    const label = noteLine.find((word) => word.text === '1')!;
    expect(label.xMin).toBeGreaterThan(right - theme.notes.labelWidth);
    for (const word of noteLine.filter((word) => word !== label)) expect(word.xMax).toBeLessThan(label.xMin);
  });

  it('draws brackets mirrored in right-to-left text (UAX #9, L4), while their text stays as written', () => {
    const plan = planOf('world-scripts/input.md');
    const face = plan.fonts.segments('(بين)', 'regular')[0]!.face;
    plan.pdf.raw.font(face.name);
    const font = (plan.pdf.raw as unknown as { _font: PdfFont })._font;
    const shaped = new WordShapes().shape(font, '(بين)', true);
    const glyphOf = (char: string) => font.font.layout(char).glyphs[0]!.id;
    // Drawn left to right: the logical end first, a ")" that must look like "(".
    expect(shaped.glyphs.charCodeAt(0)).toBe(glyphOf('('));
    expect(shaped.glyphs.charCodeAt(shaped.glyphs.length - 1)).toBe(glyphOf(')'));
    // Extraction maps each glyph to the character it stands for: ")" on the left, "(" on the right.
    expect(shaped.unicodes?.[0]).toEqual([')'.codePointAt(0)]);
    expect(shaped.unicodes?.at(-1)).toEqual(['('.codePointAt(0)]);
    // Left-to-right text is untouched.
    expect(new WordShapes().shape(font, '(a)', false).glyphs.charCodeAt(0)).toBe(glyphOf('('));
  });

  it('breaks Thai lines between words (no spaces to break at)', () => {
    const text = tool('pdftotext', [pdfOf('intl'), '-']);
    const lines = text.split('\n').filter((line) => /[\u0e00-\u0e7f]{10}/.test(line));
    expect(lines.length).toBeGreaterThanOrEqual(2);
    const paragraph = lines.join('').replace(/\s+/g, '');
    const boundaries = new Set<number>();
    let offset = 0;
    for (const { segment } of new Intl.Segmenter('th', { granularity: 'word' }).segment(paragraph)) boundaries.add((offset += segment.length));
    expect(boundaries.has(lines[0]!.replace(/\s+/g, '').length), lines[0]).toBe(true);
  });

  it('warns, with file, line, column and code point, about a character no font has', async () => {
    const root = tempProject({ 'doc.md': '---\ntitle: Missing\n---\n\nA sign 𓀀 here.\n' });
    try {
      const built = await build({ root, paths: ['doc.md'], out: 'dist', formats: ['pdf'], cache: false });
      const warnings = built.documents[0]!.file.messages.filter((message) => message.ruleId === 'pdf-missing-glyph');
      expect(warnings).toHaveLength(1);
      const [warning] = warnings;
      expect(warning!.file).toMatch(/doc\.md$/);
      expect([warning!.line, warning!.column]).toEqual([5, 8]);
      expect(warning!.reason).toMatch(/U\+13000/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('places a missing glyph of the title where the title is written, though the running head sets it first', async () => {
    // prompts' README: its title, "❯ Prompts", comes from a raw <h1>; the warning named 1:1.
    const root = tempProject({ 'heading.md': '<h1 align="center">𓀀 Sign</h1>\n\nBody.\n', 'front.md': '---\ntitle: A sign 𓀀 here\n---\n\nBody.\n' });
    try {
      const built = await build({ root, paths: ['heading.md', 'front.md'], out: 'dist', formats: ['pdf'], cache: false });
      const placesOf = (name: string) =>
        built.documents
          .find((document) => document.file.path.endsWith(name))!
          .file.messages.filter((message) => message.ruleId === 'pdf-missing-glyph')
          .map((message) => [message.line, message.column]);
      expect(placesOf('heading.md')).toEqual([[1, 20]]);
      expect(placesOf('front.md')).toEqual([[2, 15]]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('finds no glyph missing for a default-ignorable code point, and keeps a tag sequence with its emoji', async () => {
    // ajv's README: a stray U+FE0F after a letter ("Open Collective️"), which no renderer shows.
    const flag = '\u{1F3F4}\u{E0067}\u{E0062}\u{E0073}\u{E0063}\u{E0074}\u{E007F}';
    const root = tempProject({ 'doc.md': `---\ntitle: Selectors\n---\n\n[Ajv Open Collective\uFE0F](https://opencollective.com/ajv) and Scotland ${flag} here.\n` });
    try {
      const built = await build({ root, paths: ['doc.md'], out: 'dist', formats: ['pdf'], cache: false });
      expect(built.documents[0]!.file.messages.filter((message) => message.ruleId === 'pdf-missing-glyph').map(String)).toEqual([]);
      expect(tool('pdftotext', [join(root, 'dist', 'doc.pdf'), '-'])).toContain('Open Collective');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    // The flag's tags are shaped with its black flag by the emoji face, which makes them Scotland's flag.
    const segments = planOf('world-scripts/input.md').fonts.segments(`Scotland ${flag}`, 'regular');
    expect(segments.map((segment) => segment.text)).toEqual(['Scotland ', flag]);
  });

  // A last-resort face draws signs no other face has: no missing-glyph warning, the face embedded, the signs in the text layer.
  async function expectDrawnBy(markdown: string, face: string, signs: string[]): Promise<void> {
    const root = tempProject({ 'doc.md': markdown });
    try {
      const built = await build({ root, paths: ['doc.md'], out: 'dist', formats: ['pdf'], cache: false });
      expect(built.documents[0]!.file.messages.filter((message) => message.ruleId === 'pdf-missing-glyph').map(String)).toEqual([]);
      const pdf = join(root, 'dist', 'doc.pdf');
      expect(tool('pdffonts', [pdf])).toContain(face);
      const text = tool('pdftotext', [pdf, '-']);
      for (const sign of signs) expect(text).toContain(sign);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }

  it('draws symbols no text face has (dingbats, control pictures, braille) in the symbols face, in regular and bold', async () => {
    // enhanced-resolve's ➝ and ✗, prompts' ❯, hast-util-to-html's ␠: blank boxes and warnings before.
    await expectDrawnBy('---\ntitle: Symbols\n---\n\nSteps ➝ done, ✗ failed, ❯ prompt, `,␠` a space, ⠿ braille; **bold ✗**.\n', 'NotoSansSymbols2', ['➝', '✗', '❯', '␠', '⠿']);
  });

  it('draws arrows and math letters that no other face has in the math face (enhanced-resolve’s ⇠, 𝐁𝐨𝐥𝐝 pasted as styled text)', async () => {
    await expectDrawnBy('---\ntitle: Arrows\n---\n\nFalls back ⇠ here; 𝐁𝐨𝐥𝐝 and 𝑥 letters; **bold ⇠**.\n', 'NotoSansMath', ['⇠', '𝐁𝐨𝐥𝐝', '𝑥']);
  });

  it('takes the symbols face for bold text as the one face it is (the theme gives both keys one file), under one resource name', () => {
    // pdfkit handed the bold key the regular font (one PostScript name) and the bold key's name
    // (FC24) replaced FC23 on it: pages drew it under whichever name the document met last, and a
    // watch session's checkpoint taken before the first bold sign could not be resumed after it.
    const fonts = planOf('world-scripts/input.md').fonts;
    const [regular] = fonts.segments('✗', 'regular');
    const id = regular!.face.font.id;
    const [bold] = fonts.segments('✗', 'bold');
    expect(bold!.face).toBe(regular!.face);
    expect(regular!.face.font.id).toBe(id);
    expect(fonts.face('symbolsBold')).toBe(fonts.face('symbols'));
  });
});

describe('options', () => {
  it('gives PDF/A-2b when the theme asks for it, and honours the paper size', async () => {
    const path = join(projectRoot, 'source/sco-blueprint.md');
    const file = new VFile({ path, value: readFileSync(path, 'utf8') });
    const tree = parse(file);
    const meta = runTransforms(tree, file, { papersize: 'letter' });
    const own = createAssetResolver({ root: projectRoot, documentDir: join(projectRoot, 'source'), file, cache: new Map() });
    // A user theme reaches the writer through the asset resolver: here, one that turns PDF/A on.
    const assets = {
      ...own,
      own: (asset: string) => {
        if (asset !== 'templates/pdf/theme.json') return own.own(asset);
        const theme = JSON.parse(new TextDecoder().decode(own.own(asset)));
        return new TextEncoder().encode(JSON.stringify({ ...theme, pdfa: true }));
      },
    };
    const bytes = await pdfWriter.render({ tree, meta, file, assets, epoch: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'colophon-pdfa-'));
    try {
      const pdf = join(dir, 'a.pdf');
      writeFileSync(pdf, bytes);
      expect(tool('qpdf', ['--check', pdf])).toContain('No syntax or stream encoding errors');
      const info = tool('pdfinfo', [pdf]);
      expect(info).toMatch(/Page size:\s+612 x 792 pts \(letter\)/);
      expect(info).toMatch(/Tagged:\s+yes/);
      const raw = Buffer.from(bytes).toString('latin1');
      expect(raw).toContain('<pdfaid:part>2</pdfaid:part>');
      expect(raw).toContain('<pdfaid:conformance>B</pdfaid:conformance>');
      expect(raw).toContain('<xmp:ModifyDate>1970-01-01T00:00:00Z</xmp:ModifyDate>');
      expect(raw).toContain('/OutputIntents');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('slices a table row taller than a page instead of running off it', async () => {
    const cell = Array.from({ length: 2500 }, () => 'word').join(' ');
    const root = tempProject({ 'tall.md': `---\ntitle: Tall row\n---\n\n| A | B |\n|---|---|\n| short | ${cell} |\n| next | row |\n` });
    try {
      const built = await build({ root, paths: ['tall.md'], out: 'dist', formats: ['pdf'], cache: false });
      expect(built.ok).toBe(true);
      const pdf = join(root, 'dist', 'tall.pdf');
      expect(pageCount(pdf)).toBeGreaterThan(2);
      const bottoms = [...tool('pdftotext', ['-bbox', pdf, '-']).matchAll(/yMax="([\d.]+)"/g)].map((match) => Number(match[1]));
      expect(Math.max(...bottoms)).toBeLessThanOrEqual(PAPER.a4[1] - 72 + 40);
      for (let page = 2; page <= pageCount(pdf); page++) expect(pageText(pdf, page)).toMatch(/^\s*Tall row\s+A\s+B/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('gives a table of many columns its words whole, in smaller text, and cuts a word too long for any column with a hyphen', async () => {
    // The shape of unified's sponsor table (raw HTML, two rows of names, an empty row between).
    const names = ['Gatsby', 'Netlify', 'Coinbase', 'ThemeIsle', 'Expo', 'Boost Note', 'Markdown Space', 'Holloway'];
    const cells = (row: string[]) => `<tr>${row.map((name) => `<td>${name}</td>`).join('')}</tr>`;
    // No language hyphenates a word of 120 letters: it can only be cut.
    const long = `W${'w'.repeat(119)}`;
    const root = tempProject({ 'wide.md': `---\ntitle: Wide tables\n---\n\n<table>\n${cells(names.slice(0, 5))}\n<tr></tr>\n${cells(names)}\n</table>\n\n| A | B |\n|---|---|\n| ${long} | b |\n` });
    try {
      const built = await build({ root, paths: ['wide.md'], out: 'dist', formats: ['pdf', 'html'], cache: false });
      expect(built.ok).toBe(true);
      const text = tool('pdftotext', ['-raw', join(root, 'dist', 'wide.pdf'), '-']);
      for (const name of names) for (const word of name.split(' ')) expect(text).toMatch(new RegExp(`(^|\\s)${word}(\\s|$)`));
      // Cut, each piece but the last ends with a hyphen.
      expect(text).toMatch(/^Ww+-\nw+-?$/m);
      expect(text).not.toMatch(/^w+\nw/m);
      // The row left empty to hold a row span's place is no row of the table.
      expect(readFileSync(join(root, 'dist', 'wide.html'), 'utf8').match(/<tr>/g)).toHaveLength(2 + 2);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('keeps a cell whose code runs into text or punctuation inside its column (tapable’s hook table)', async () => {
    // `callAsync`, and non-`undefined` are words of two runs each: a column narrower than them once
    // set the rest of its cell on one line, over the next column and past the margin.
    const rows = [
      '| `SyncLoopHook` | `tap` | `call` | `undefined` | non-`undefined` restarts the loop from the first tap |',
      '| `AsyncParallelBailHook` | `tap`, `tapAsync`, `tapPromise` | `callAsync`, `promise` | first non-`undefined` value, or `undefined` | short-circuits the hook |',
    ];
    const root = tempProject({ 'hooks.md': `---\ntitle: Hooks\n---\n\n| Class | Tap methods | Call methods | Result | Returned value from tap |\n| --- | --- | --- | --- | --- |\n${rows.join('\n')}\n` });
    try {
      const built = await build({ root, paths: ['hooks.md'], out: 'dist', formats: ['pdf'], cache: false });
      expect(built.ok).toBe(true);
      const theme = JSON.parse(readFileSync(join(projectRoot, 'templates/pdf/theme.json'), 'utf8'));
      const words = [...tool('pdftotext', ['-bbox', join(root, 'dist', 'hooks.pdf'), '-']).matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<\/word>/g)].map((match) => ({
        xMin: Number(match[1]),
        y: Number(match[2]),
        xMax: Number(match[3]),
        text: match[4]!,
      }));
      for (const word of words) expect(word.xMax, word.text).toBeLessThanOrEqual(PAPER.a4[0] - theme.page.margins.a4.outer + 1);
      // No word is drawn over another on its line.
      for (const word of words) {
        for (const other of words) if (other !== word && Math.abs(other.y - word.y) < 2 && other.xMin > word.xMin) expect(other.xMin, `${word.text} / ${other.text}`).toBeGreaterThanOrEqual(word.xMax - 0.5);
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('breaks a narrow cell at its space, not inside a word (clippy’s lint-level table: "Default level")', () => {
    const plan = planOf('real-documents/clippy-lint-levels.md');
    const texts = plan.pages.flatMap((page) => page.body.flatMap(({ box }) => box.ops)).flatMap((op) => (op.op === 'text' ? [op.text] : []));
    // The header's words each fit the column the longest level (**warn/deny**) gives it.
    expect(texts).toContain('Default');
    expect(texts.some((text) => text.startsWith('De') && text.endsWith('-'))).toBe(false);
  });

  it('sets a table of contents with page numbers when the front matter asks for one', async () => {
    const sections = Array.from({ length: 8 }, (_, index) => `## Part ${index + 1}\n\n${'A sentence of text that fills the page. '.repeat(60)}\n`).join('\n');
    const root = tempProject({ 'toc.md': `---\ntitle: Contents test\ntoc: true\n---\n\n${sections}` });
    try {
      const built = await build({ root, paths: ['toc.md'], out: 'dist', formats: ['pdf'], cache: false });
      expect(built.ok).toBe(true);
      const pdf = join(root, 'dist', 'toc.pdf');
      const first = tool('pdftotext', ['-layout', '-f', '1', '-l', '1', pdf, '-']);
      expect(first).toContain('Contents');
      // Each entry's number is the page where its heading is printed.
      for (let part = 1; part <= 8; part++) {
        const listed = Number(new RegExp(`Part ${part}\\s+(\\d+)`).exec(first)?.[1]);
        const printed = Array.from({ length: pageCount(pdf) }, (_, index) => index + 1).find((page) =>
          tool('pdftotext', ['-layout', '-f', String(page), '-l', String(page), pdf, '-']).split('\n').some((line) => line.trim() === `Part ${part}`),
        );
        expect(listed, `Part ${part}`).toBe(printed);
      }
      expect(links(qpdfJson(pdf)).filter((link) => link.page === 1 && link.dest?.startsWith('part-')).length).toBeGreaterThanOrEqual(8);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('the tree\'s last reader', () => {
  // The build renders the PDF last and lets it drop the body's blocks as it lays them out
  // (WriterInput.lastReader): the same bytes and messages as with the tree kept whole, on a
  // document streamed page by page, one with notes, one with a table of contents.
  it.each(['pdf-long-report/long-report.md', 'notes/input.md', 'toc/input.md'])('%s: the same PDF, and every body block let go', async (fixture) => {
    const path = join(fixturesDir, fixture);
    const render = async (lastReader: boolean) => {
      const file = new VFile({ path, value: readFileSync(path, 'utf8') });
      const tree = parse(file);
      const meta = runTransforms(tree, file);
      const assets = createAssetResolver({ root: projectRoot, documentDir: join(fixturesDir, fixture, '..'), file, cache: new Map() });
      const before = file.messages.length;
      const bytes = await pdfWriter.render({ tree, meta, file, assets, epoch: 0, lastReader });
      return { bytes, messages: file.messages.slice(before).map(String), kept: tree.children.filter((node) => node !== undefined).length };
    };
    const whole = await render(false);
    const streamed = await render(true);
    expect(Buffer.from(streamed.bytes).equals(Buffer.from(whole.bytes))).toBe(true);
    expect(streamed.messages).toEqual(whole.messages);
    expect(whole.kept).toBeGreaterThan(1);
    // At most the abstract, which opens the document before the contents, is kept.
    expect(streamed.kept).toBeLessThanOrEqual(1);
  });
});

describe('a face’s post table', () => {
  it('gives, header read from the bytes and glyph names decoded when asked, what fontkit’s whole decode gives', async () => {
    const fontkit = await import('fontkit');
    const { decodePostHeaderLazily } = await import('../pipeline/writers/pdf/fontkit-lazy.ts');
    const theme = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'templates', 'pdf', 'theme.json'), 'utf8')) as { fonts: Record<string, Record<string, string>> };
    const paths = Object.values(theme.fonts).flatMap((faces) => Object.values(faces));
    expect(paths.length).toBeGreaterThan(3);
    for (const path of paths) {
      const bytes = readFileSync(join(import.meta.dirname, '..', 'node_modules', path));
      const eager = fontkit.create(bytes) as unknown as { post: object; getGlyph(id: number): { name: string }; numGlyphs: number; italicAngle: number };
      const lazy = fontkit.create(bytes) as unknown as typeof eager & { _tables: Record<string, unknown> };
      decodePostHeaderLazily(lazy);
      expect('post' in lazy._tables).toBe(true);
      expect(lazy.italicAngle).toBe(eager.italicAngle);
      expect({ ...lazy.post }).toEqual({ ...eager.post });
      for (const id of [0, 1, 36, lazy.numGlyphs - 1]) expect(lazy.getGlyph(id).name).toBe(eager.getGlyph(id).name);
    }
  });
});

describe('a rule right under a heading', () => {
  it('keeps with what follows, as the heading does: no page ends with a heading and its rule (pyenv’s README: `### A. Getting Pyenv`, then `----`)', () => {
    for (let filler = 30; filler <= 60; filler++) {
      const lines = Array.from({ length: filler }, (_, n) => `Line ${n} of the filler.`).join('\n\n');
      const file = new VFile({ path: join(tmpdir(), 'colophon-rule', 'doc.md'), value: `---\ntitle: T\n---\n\n${lines}\n\n### Getting Pyenv\n----\n\nFollowing text.\n` });
      const tree = parse(file);
      const meta = runTransforms(tree, file);
      const assets = createAssetResolver({ root: tmpdir(), documentDir: tmpdir(), file, cache: new Map() });
      const plan = planPdf({ tree, meta, file, assets, epoch: 0 });
      const pageOf = (word: string) => plan.pages.findIndex((page) => page.body.some(({ box }) => box.ops.some((op) => op.op === 'text' && op.text.includes(word))));
      expect(pageOf('Getting'), `${filler} lines before`).toBe(pageOf('Following'));
    }
  });
});
