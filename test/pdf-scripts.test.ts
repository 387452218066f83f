import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VFile } from 'vfile';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../pipeline/build/build.ts';
import { parse } from '../pipeline/parse/parse.ts';
import { createAssetResolver } from '../pipeline/read/assets.ts';
import { runTransforms } from '../pipeline/transforms/index.ts';
import { ScriptTools } from '../pipeline/writers/pdf/bidi.ts';
import { bengaliInitAtWordStart, skipNullAnchors } from '../pipeline/writers/pdf/fontkit-fixes.ts';
import { indexLookupTables } from '../pipeline/writers/pdf/fontkit-lazy.ts';
import { planPdf } from '../pipeline/writers/pdf/index.ts';
import { epubcheck, fixturesDir, projectRoot, tempProject, tool } from './helpers.ts';

/**
 * The faces of the scripts added after the first ones (test/fixtures/pdf-scripts): each drawn
 * in its own face, loaded only when the text needs it, shaped as HarfBuzz shapes it, given back
 * whole by pdftotext; Myanmar, which fontkit cannot shape, reported once instead.
 */

const fixture = join(fixturesDir, 'pdf-scripts', 'scripts.md');
const theme = JSON.parse(readFileSync(join(projectRoot, 'templates', 'pdf', 'theme.json'), 'utf8')) as { fonts: Record<string, { regular: string; bold: string }> };

/** Each script's paragraph of the fixture, by its `lang`, with its face in the theme. */
const SCRIPTS = [
  ['ka', 'georgian'],
  ['hy', 'armenian'],
  ['bn', 'bengali'],
  ['gu', 'gujarati'],
  ['or', 'oriya'],
  ['ta', 'tamil'],
  ['te', 'telugu'],
  ['kn', 'kannada'],
  ['ml', 'malayalam'],
  ['si', 'sinhala'],
  ['lo', 'lao'],
  ['km', 'khmer'],
  ['am', 'ethiopic'],
  ['dv', 'thaana'],
] as const;

function paragraph(lang: string): string {
  const match = new RegExp(`<p lang="${lang}"[^>]*>([^<]*)</p>`).exec(readFileSync(fixture, 'utf8'));
  if (!match) throw new Error(`no paragraph in ${lang}`);
  return match[1]!;
}

/** The PostScript name of a face, as pdffonts lists it (NotoSansGeorgian-Regular). */
function psName(path: string): string {
  return /\/(Noto\w+?)_(400Regular|700Bold)\.ttf$/.exec(path)!.slice(1).join('-').replace('400Regular', 'Regular').replace('700Bold', 'Bold');
}

let out: string;
let result: BuildResult;
const pdf = () => join(out, 'scripts.pdf');

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'colophon-scripts-'));
  result = await build({ root: projectRoot, paths: ['test/fixtures/pdf-scripts/scripts.md'], out, formats: ['pdf', 'epub'], cache: false });
  return () => rmSync(out, { recursive: true, force: true });
});

describe('scripts with faces of their own', () => {
  it('has a glyph for every character but Myanmar, which is said once, with why', () => {
    const [document] = result.documents;
    expect(document!.ok).toBe(true);
    const messages = document!.file.messages.map((message) => `${message.ruleId}: ${message.reason}`);
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^pdf-missing-glyph: Myanmar text has no face in the PDF theme, as fontkit .* has no Myanmar shaper/);
  });

  it('embeds each face, regular and bold, as a TrueType font (no Type 3), and passes qpdf --check', () => {
    const fonts = tool('pdffonts', [pdf()]);
    const lines = fonts.split('\n').slice(2).filter((line) => line.trim());
    for (const line of lines) {
      expect(line, line).toMatch(/CID TrueType/);
      expect(line.split(/\s+/).at(-5), line).toBe('yes');
    }
    expect(fonts).not.toMatch(/Type 3/);
    for (const [, script] of SCRIPTS) expect(fonts, script).toContain(psName(theme.fonts[script]!.regular));
    for (const script of ['georgian', 'bengali', 'tamil']) expect(fonts, `${script} bold`).toContain(psName(theme.fonts[script]!.bold));
    // The Thaana text's Arabic commas are the Thaana face's: no Arabic face for them.
    expect(fonts).not.toMatch(/Arabic|Devanagari|Myanmar/);
    const check = tool('qpdf', ['--check', pdf()]);
    expect(check).toContain('No syntax or stream encoding errors');
    expect(check).not.toMatch(/WARNING/i);
  });

  it('tags each paragraph with its language', () => {
    const dir = mkdtempSync(join(tmpdir(), 'colophon-qdf-'));
    try {
      tool('qpdf', ['--qdf', '--object-streams=disable', pdf(), join(dir, 'scripts.pdf')]);
      const raw = readFileSync(join(dir, 'scripts.pdf')).toString('latin1');
      for (const [lang] of SCRIPTS) expect(raw, lang).toContain(`/Lang (${lang})`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('tags a raw <div lang> too, around its paragraphs or as one', async () => {
    const root = tempProject({ 'doc.md': '---\ntitle: Langs\n---\n\n<div lang="ka">\n\nყოველი ადამიანი.\n\nმათ მინიჭებული.\n\n</div>\n\n<div lang="hy">Բոլոր մարդիկ։</div>\n\nEnglish.\n' });
    try {
      const built = await build({ root, paths: ['doc.md'], out: 'dist', formats: ['pdf'], cache: false });
      expect(built.ok).toBe(true);
      const structure = tool('pdfinfo', ['-struct', join(root, 'dist', 'doc.pdf')]);
      expect(structure).toMatch(/Div\n {4}P \(block\)\n[\s\S]*\n {4}P \(block\)/);
      tool('qpdf', ['--qdf', '--object-streams=disable', join(root, 'dist', 'doc.pdf'), join(root, 'q.pdf')]);
      const raw = readFileSync(join(root, 'q.pdf')).toString('latin1');
      expect(raw.match(/\/Lang \(ka\)/g)).toHaveLength(1);
      expect(raw).toContain('/Lang (hy)');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('gives every word back to pdftotext', () => {
    const text = tool('pdftotext', [pdf(), '-']).replace(/[\u202a-\u202e]/g, '');
    for (const [lang, script] of SCRIPTS) {
      const words = paragraph(lang).split(' ');
      if (script === 'lao' || script === 'khmer') {
        // Words without spaces between them: a justified line's gaps between them read as spaces.
        const joined = text.replace(/\s+/g, '');
        for (const word of words) expect(joined, `${script}: ${word}`).toContain(word);
      } else if (script === 'thaana') {
        // Right to left: the words come back whole, each vowel sign (fili) after its letter, but
        // for the vowel sign of the last letter before an Arabic comma or the end of the line,
        // which poppler puts after the comma or at the line's start ("ކަމާއ،ި"): not yet mended.
        for (const word of words.slice(0, -1).filter((word) => !word.endsWith('،'))) expect(text, `${script}: ${word}`).toContain(word);
        for (const word of words.filter((word) => word.endsWith('،'))) expect(text, `${script}: ${word}`).toContain(word.slice(0, -2));
      } else for (const word of words) expect(text, `${script}: ${word}`).toContain(word);
    }
  });

  it('parses none of their faces for a document without them (the seed)', () => {
    const path = join(projectRoot, 'source', 'sco-blueprint.md');
    const file = new VFile({ path, value: readFileSync(path, 'utf8') });
    const tree = parse(file);
    const meta = runTransforms(tree, file);
    const assets = createAssetResolver({ root: projectRoot, documentDir: join(projectRoot, 'source'), file, cache: new Map() });
    const read: string[] = [];
    const own = assets.own.bind(assets);
    assets.own = (asset: string) => {
      read.push(asset);
      return own(asset);
    };
    planPdf({ tree, meta, file, assets, epoch: 0 });
    expect(read.some((asset) => asset.includes('NotoSerif_400Regular'))).toBe(true);
    for (const [, script] of SCRIPTS) for (const face of Object.values(theme.fonts[script]!)) expect(read, script).not.toContain(face);
  });
});

describe('the EPUB', () => {
  it('passes epubcheck, each paragraph with its lang (the reader’s fonts set them; Ace: test/ace.test.ts)', async () => {
    const report = (await epubcheck(join(out, 'scripts.epub'))).stdout;
    expect(report).toContain('Messages: 0 fatals / 0 errors / 0 warnings / 0 infos');
    const chapter = tool('unzip', ['-p', join(out, 'scripts.epub'), 'OEBPS/chapter-01.xhtml']);
    for (const [lang] of SCRIPTS) expect(chapter, lang).toMatch(new RegExp(`<p (dir="rtl" )?lang="${lang}">`));
  });
});

describe('shaping, against HarfBuzz', () => {
  it('gives HarfBuzz’s glyphs and positions for every word of every script but one Telugu word', async () => {
    const fontkit = await import('fontkit');
    const differ: string[] = [];
    for (const [lang, script] of SCRIPTS) {
      const path = join(projectRoot, 'node_modules', theme.fonts[script]!.regular);
      const face = fontkit.create(readFileSync(path)) as unknown as { layout(text: string, f?: unknown, s?: unknown, l?: unknown, d?: string): { glyphs: { id: number }[]; positions: { xAdvance: number; xOffset: number; yOffset: number }[] } };
      // As the PDF writer prepares a face (word-shapes.ts).
      indexLookupTables(face);
      skipNullAnchors(face);
      bengaliInitAtWordStart(face);
      const words = paragraph(lang).split(' ');
      const dir = mkdtempSync(join(tmpdir(), 'colophon-hb-'));
      try {
        writeFileSync(join(dir, 'words.txt'), words.join('\n'));
        // One line of output per line of input: each word shaped alone, as the PDF writer shapes it.
        const shaped = tool('hb-shape', ['--output-format=json', '--no-glyph-names', '--no-clusters', `--text-file=${join(dir, 'words.txt')}`, path]).trim().split('\n');
        expect(shaped).toHaveLength(words.length);
        words.forEach((word, index) => {
          const run = face.layout(word, undefined, undefined, undefined, script === 'thaana' ? 'rtl' : undefined);
          const ours = run.glyphs.map((glyph, at) => [glyph.id, Math.round(run.positions[at]!.xAdvance), Math.round(run.positions[at]!.xOffset), Math.round(run.positions[at]!.yOffset)]);
          const theirs = (JSON.parse(shaped[index]!) as { g: number; ax: number; dx: number; dy: number }[]).map((glyph) => [glyph.g, glyph.ax, glyph.dx, glyph.dy]);
          if (JSON.stringify(ours) !== JSON.stringify(theirs)) differ.push(`${script}: ${word}`);
        });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    // fontkit's subscript ta (tasubscripttelu) where HarfBuzz takes its narrow form: one glyph, the same place.
    expect(differ).toEqual(['telugu: వర్తింపవలయును.']);
  });

  it('would throw on a null anchor without the mend (foliojs/fontkit#367), and sets a Bengali vowel sign E in its initial form only at a word’s start', async () => {
    const fontkit = await import('fontkit');
    const malayalam = readFileSync(join(projectRoot, 'node_modules', theme.fonts.malayalam!.regular));
    const plain = fontkit.create(malayalam) as unknown as { layout(text: string): unknown };
    expect(() => plain.layout('ലോകത്തില്')).toThrow(/xCoordinate/);
    const bengali = readFileSync(join(projectRoot, 'node_modules', theme.fonts.bengali!.regular));
    const face = fontkit.create(bengali) as unknown as { layout(text: string): { glyphs: { id: number; name: string }[] } };
    skipNullAnchors(face);
    bengaliInitAtWordStart(face);
    const names = (text: string) => face.layout(text).glyphs.map((glyph) => glyph.name);
    expect(names('একে')).toContain('uni09C7');
    expect(names('একে')).not.toContain('uni09C7.init');
    expect(names('বেশি')[0]).toBe('uni09C7.init');
  });
});

describe('line breaks without spaces', () => {
  it('finds Lao, Khmer and Myanmar words in ICU’s dictionaries, with their punctuation', () => {
    const tools = new ScriptTools();
    expect(tools.unspacedWords('ມະນຸດເກີດມາມີສິດ')).toEqual(['ມະນຸດ', 'ເກີດ', 'ມາ', 'ມີ', 'ສິດ']);
    expect(tools.unspacedWords('សិទ្ធិ។')).toEqual(['សិទ្ធិ។']);
    expect(tools.unspacedWords('လည်းကောင်း၊တူညီ')).toEqual(['လည်းကောင်း၊', 'တူညီ']);
    expect(tools.unspacedWords('ສັນຍະ(ຮູ້ດີ)ແລະ')).toEqual(['ສັນ', 'ຍະ', '(ຮູ້', 'ດີ)', 'ແລະ']);
  });
});
