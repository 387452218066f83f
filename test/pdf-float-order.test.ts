import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { fixturesDir, runTool, tool } from './helpers.ts';

/**
 * Floats keep their order, as in LaTeX and Typst: a figure that waits for room (at the top of the
 * next page, or at the top of its own page) never lets a later figure pass it. Fixture
 * pdf-float-order, four captioned pictures of different heights with text between some of them:
 * - same-page.md: figure 1 fits on page 1, figures 2 and 3 follow it with nothing between and do
 *   not fit below it (figure 2 was set at the top of page 1, above figure 1);
 * - waiting.md: figure 2 waits at the top of page 2 and figure 3, followed at once by figure 4,
 *   does not fit at that page's foot (figure 3 was set at the top of page 2, above figure 2).
 */

let out: string;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'colophon-float-order-'));
  const built = await build({ root: join(fixturesDir, 'pdf-float-order'), paths: ['same-page.md', 'waiting.md'], out, formats: ['pdf'], cache: false });
  expect(built.documents.flatMap((document) => document.file.messages.map(String))).toEqual([]);
  return () => rmSync(out, { recursive: true, force: true });
});

/** The figure numbers of each page's captions, top to bottom (pdftotext keeps the reading order of a single column). */
function captionsByPage(pdf: string): number[][] {
  return tool('pdftotext', ['-layout', pdf, '-'])
    .split('\f')
    .slice(0, -1)
    .map((page) => [...page.matchAll(/^\s*Figure (\d+):/gm)].map((match) => Number(match[1])));
}

describe.each([
  ['same-page', [[1], [2, 3], [4], []]],
  ['waiting', [[1], [2, 3], [4], []]],
])('figures of %s.pdf', (name, expected) => {
  const pdf = () => join(out, `${name}.pdf`);

  it('read 1, 2, 3, 4 down the pages', () => {
    expect(captionsByPage(pdf()).flat()).toEqual([1, 2, 3, 4]);
  });

  it('wait together at the top of the next page, the text flowing past them', () => {
    expect(captionsByPage(pdf())).toEqual(expected);
  });

  it('make a PDF qpdf finds nothing wrong with', () => {
    const check = runTool('qpdf', ['--check', pdf()]);
    expect(check.stdout + check.stderr).toContain('No syntax or stream encoding errors found');
    expect(check.status).toBe(0);
  });
});
