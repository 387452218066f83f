import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureWords } from './helpers.ts';
import { bengaliInitAtWordStart, skipNullAnchors } from '../pipeline/writers/pdf/fontkit-fixes.ts';
import { indexLookupTables } from '../pipeline/writers/pdf/fontkit-lazy.ts';

/** What a shaped run is made of: each glyph's id and code points, and its position. */
interface Run {
  glyphs: { id: number; codePoints: number[] }[];
  positions: { xAdvance: number; yAdvance: number; xOffset: number; yOffset: number }[];
  features: Record<string, boolean>;
}
interface Face {
  layout(text: string, features?: unknown, script?: unknown, language?: unknown, direction?: string): Run;
}

const root = join(import.meta.dirname, '..');

/** Words of every script the fixtures hold, with and without their space, as the PDF writer shapes them. */
function words(): string[] {
  const out = new Set<string>();
  for (const word of fixtureWords(['world-scripts/input.md', 'pdf-intl/intl.md', 'pdf-scripts/scripts.md', 'seed/input.md', 'pandoc-fr/input.md', 'pandoc-de/input.md'])) {
    out.add(word);
    out.add(`${word} `);
  }
  return [...out];
}

describe('fontkit shaping, with the lookups narrowed per glyph (fontkit-lookups.ts)', () => {
  it('gives the glyphs, code points and positions fontkit gives, in every face of the theme, left to right and right to left', async () => {
    const fontkit = await import('fontkit');
    const theme = JSON.parse(readFileSync(join(root, 'templates', 'pdf', 'theme.json'), 'utf8')) as { fonts: Record<string, Record<string, string>> };
    const paths = [...new Set(Object.values(theme.fonts).flatMap((faces) => Object.values(faces)))];
    const list = words();
    expect(list.length).toBeGreaterThan(500);
    for (const path of paths) {
      const bytes = readFileSync(join(root, 'node_modules', path));
      const plain = fontkit.create(bytes) as unknown as Face;
      const narrowed = fontkit.create(bytes) as unknown as Face;
      indexLookupTables(narrowed);
      // fontkit's own bugs are mended on both (fontkit-fixes.ts): what is compared is the narrowing.
      for (const face of [plain, narrowed]) {
        skipNullAnchors(face);
        bengaliInitAtWordStart(face);
      }
      for (const direction of [undefined, 'rtl']) {
        for (const word of list) {
          const a = plain.layout(word, undefined, undefined, undefined, direction);
          const b = narrowed.layout(word, undefined, undefined, undefined, direction);
          const shape = (run: Run) => ({
            glyphs: run.glyphs.map((glyph) => [glyph.id, ...glyph.codePoints]),
            positions: run.positions.map((p) => [p.xAdvance, p.yAdvance, p.xOffset, p.yOffset]),
            features: Object.keys(run.features).sort(),
          });
          expect(shape(b), `${path}: ${word}`).toEqual(shape(a));
        }
      }
    }
  });
});
