import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureWords } from './helpers.ts';
import { rememberCharacterGlyphs } from '../pipeline/writers/pdf/fontkit-lazy.ts';
import type { FontkitFont, PdfFont } from '../pipeline/writers/pdf/pdfkit-api.ts';
import { spaceStandsAlone } from '../pipeline/writers/pdf/space-alone.ts';
import { WordShapes } from '../pipeline/writers/pdf/word-shapes.ts';

const root = join(import.meta.dirname, '..');

/** Every word of fixtures in many scripts, and words that test the join's edges, each with its space after it. */
function wordsWithSpace(): string[] {
  const texts = fixtureWords(['world-scripts/input.md', 'pdf-intl/intl.md', 'seed/input.md', 'pandoc-fr/input.md', 'pandoc-de/input.md', 'pdf-features/features.md']);
  const edges = ['office', 'ﬁnal', 'AVA', 'T.', 'Ty', 'f)', '10\u00a0km', 'soft\u00adhyphen', 'e\u0301', 'a\u200db', '«\u202fOui\u202f»', 'Ελληνικά', 'Кириллица', '“quoted”', '1/2', '2,000', '€5', 'x', '-'];
  return [...new Set([...texts, ...edges].map((word) => `${word} `))];
}

describe('words shaped with their space (word-shapes.ts, space-alone.ts)', () => {
  it('joins "word" and " " into exactly what shaping "word " whole gives, in every face of the theme', async () => {
    const fontkit = await import('fontkit');
    const theme = JSON.parse(readFileSync(join(root, 'templates', 'pdf', 'theme.json'), 'utf8')) as { fonts: Record<string, Record<string, string>> };
    const paths = [...new Set(Object.values(theme.fonts).flatMap((faces) => Object.values(faces)))];
    const words = wordsWithSpace();
    expect(words.length).toBeGreaterThan(500);
    let joinedFaces = 0;
    for (const path of paths) {
      const bytes = readFileSync(join(root, 'node_modules', path));
      const pdfFont = (face: FontkitFont) => ({ font: face, scale: 1000 / (face as unknown as { unitsPerEm: number }).unitsPerEm }) as unknown as PdfFont;
      const joinedFace = fontkit.create(bytes) as unknown as FontkitFont;
      const wholeFace = fontkit.create(bytes) as unknown as FontkitFont;
      if (spaceStandsAlone(joinedFace)) joinedFaces++;
      const joined = new WordShapes();
      const whole = new WordShapes({ joinSpaces: false });
      for (const word of words) {
        // The word alone first, as the PDF measures it before drawing it with its space.
        joined.shape(pdfFont(joinedFace), word.slice(0, -1));
        expect(joined.shape(pdfFont(joinedFace), word), `${path}: "${word}"`).toEqual(whole.shape(pdfFont(wholeFace), word));
      }
    }
    // The serif and mono faces at least: the join is what the seed's PDF uses.
    expect(joinedFaces).toBeGreaterThanOrEqual(6);
  });

  it('says no when the space takes part in a lookup, or the bytes are not an OpenType layout', () => {
    // A GSUB whose one lookup is a single substitution covering the space (glyph 3).
    const gsub = [0, 1, 0, 0, 0, 10, 0, 10, 0, 10, /* lookup list */ 0, 1, 0, 4, /* lookup */ 0, 1, 0, 0, 0, 1, 0, 8, /* subtable */ 0, 1, 0, 6, 0, 1, /* coverage */ 0, 1, 0, 1, 0, 3];
    const face = (table: number[]) => ({ directory: { tables: { GSUB: { offset: 0 } } }, stream: { buffer: Uint8Array.from(table) }, _cmapProcessor: { lookup: () => 3 } });
    expect(spaceStandsAlone(face(gsub))).toBe(false);
    // The same coverage holding glyph 4 instead: the space is left alone.
    expect(spaceStandsAlone(face([...gsub.slice(0, -1), 4]))).toBe(true);
    // Cut short: an offset outside the bytes.
    expect(spaceStandsAlone(face(gsub.slice(0, 20)))).toBe(false);
    // A legacy kern table.
    expect(spaceStandsAlone({ ...face(gsub), directory: { tables: { kern: { offset: 0 } } } })).toBe(false);
  });

  it("answers a face's character lookups as fontkit does, with a variation selector too (fontkit-lazy.ts rememberCharacterGlyphs)", async () => {
    const fontkit = await import('fontkit');
    const bytes = readFileSync(join(root, 'node_modules', '@expo-google-fonts/noto-emoji/400Regular/NotoEmoji_400Regular.ttf'));
    type Cmap = { _cmapProcessor: { lookup(codePoint: number, variationSelector?: number): number } };
    const plain = fontkit.create(bytes) as unknown as Cmap;
    const remembered = fontkit.create(bytes) as unknown as Cmap;
    rememberCharacterGlyphs(remembered);
    const codePoints = [0x20, 0x41, 0xe9, 0x2764, 0x26a1, 0x1f600, 0x1f44d, 0x10ffff, 0x41, 0x2764];
    for (const codePoint of codePoints) {
      expect(remembered._cmapProcessor.lookup(codePoint), codePoint.toString(16)).toBe(plain._cmapProcessor.lookup(codePoint));
      expect(remembered._cmapProcessor.lookup(codePoint, 0xfe0f)).toBe(plain._cmapProcessor.lookup(codePoint, 0xfe0f));
    }
    expect(codePoints.some((codePoint) => plain._cmapProcessor.lookup(codePoint) !== 0)).toBe(true);
  });
});
