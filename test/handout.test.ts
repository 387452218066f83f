import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../pipeline/build/build.ts';
import { PAPER } from '../pipeline/writers/pdf/theme.ts';
import { epubcheck, fixturesDir, nuCheck, pageEnds, projectRoot, requireTool } from './helpers.ts';

/**
 * Issue 13's handout, as a new user writes one: a title block with authors and an abstract,
 * sections, footnotes, a wide figure early and a captioned table. Its pages are looked at as
 * pixels: no page but the last leaves a tall white band inside its printed area.
 */

const root = join(fixturesDir, 'handout');
let out: string;
let result: BuildResult;
const dpi = 40;

let floats: string;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'colophon-handout-'));
  result = await build({ root, paths: ['input.md'], out, formats: ['html', 'pdf', 'epub'], cache: false });
  const built = await build({ root: join(fixturesDir, 'pdf-floats'), paths: ['input.md'], out: join(out, 'floats'), formats: ['pdf'], cache: false });
  expect(built.documents[0]?.file.messages.map(String)).toEqual([]);
  floats = join(out, 'floats', 'input.pdf');
  return () => rmSync(out, { recursive: true, force: true });
});

/** A greyscale page from pdftoppm: width, height and one byte a pixel. */
function pages(pdf: string): { width: number; height: number; pixels: Buffer }[] {
  requireTool('pdftoppm', 'apt-get install poppler-utils');
  const count = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdf], { encoding: 'utf8' }))![1]);
  const found = [];
  for (let page = 1; page <= count; page++) {
    const pgm = execFileSync('pdftoppm', ['-gray', '-r', String(dpi), '-f', String(page), '-l', String(page), pdf], { maxBuffer: 64 * 1024 * 1024 });
    // P5 header: magic, width, height, maxval, each followed by whitespace.
    const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 64).toString('latin1'))!;
    found.push({ width: Number(header[1]), height: Number(header[2]), pixels: pgm.subarray(header[0].length) });
  }
  return found;
}

/** The tallest run of blank rows between the top and bottom margins, as a share of that height. */
function tallestWhiteBand(page: { width: number; height: number; pixels: Buffer }, margins: { top: number; bottom: number; inner: number; outer: number }): number {
  const scale = dpi / 72;
  const top = Math.round(margins.top * scale);
  const bottom = page.height - Math.round(margins.bottom * scale);
  const left = Math.round(margins.inner * scale);
  const right = page.width - Math.round(margins.outer * scale);
  let tallest = 0;
  let run = 0;
  for (let y = top; y < bottom; y++) {
    let blank = true;
    for (let x = left; x < right && blank; x++) if (page.pixels[y * page.width + x]! < 235) blank = false;
    run = blank ? run + 1 : 0;
    tallest = Math.max(tallest, run);
  }
  return tallest / (bottom - top);
}

describe('the handout', () => {
  it('builds all three editions without a problem', () => {
    const document = result.documents[0]!;
    expect(document.file.messages.map(String)).toEqual([]);
    expect(document.ok).toBe(true);
  });

  it('leaves no page of the PDF but the last more than 12% empty inside its printed area', () => {
    const theme = JSON.parse(readFileSync(join(projectRoot, 'templates/pdf/theme.json'), 'utf8'));
    const rendered = pages(join(out, 'input.pdf'));
    expect(rendered.length).toBeGreaterThan(1);
    const [width] = PAPER.a4;
    expect(Math.abs(rendered[0]!.width - (width * dpi) / 72)).toBeLessThan(2);
    const bands = rendered.slice(0, -1).map((page) => tallestWhiteBand(page, theme.page.margins.a4));
    for (const [index, band] of bands.entries()) expect(band, `page ${index + 1}`).toBeLessThanOrEqual(0.12);
  });

  it('ends no page with a hyphenated word (TeX\u2019s \\brokenpenalty), in the body or in a note continuing overleaf', () => {
    const ends = pageEnds(join(out, 'input.pdf'));
    for (const [index, end] of ends.slice(0, -1).entries()) {
      expect(end.body, `body of page ${index + 1}`).not.toMatch(/[-\u2010]$/);
      expect(end.last, `foot of page ${index + 1}`).not.toMatch(/[-\u2010]$/);
    }
  });

  it('prints the abstract, the figure caption and the table caption in every edition, and no literal "Table:"', async () => {
    const pdfText = execFileSync('pdftotext', [join(out, 'input.pdf'), '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    const html = readFileSync(join(out, 'input.html'), 'utf8');
    const zip = await JSZip.loadAsync(readFileSync(join(out, 'input.epub')));
    const xhtml = (await Promise.all(Object.keys(zip.files).filter((name) => name.endsWith('.xhtml')).map((name) => zip.file(name)!.async('string')))).join('\n');
    const opf = await zip.file('OEBPS/content.opf')!.async('string');

    expect(pdfText).toContain('Abstract We counted visitors in the reading rooms');
    expect(pdfText).toContain('Figure 1: Share of reading-room seats taken');
    expect(pdfText).toContain('Table 1: Who read in the evening');
    for (const markup of [html, xhtml]) {
      expect(markup).toMatch(/<section class="abstract" id="abstract" aria-labelledby="abstract-title"[^>]*><h2 id="abstract-title">Abstract<\/h2>\s*<p>We counted visitors/);
      expect(markup).toMatch(/<figure class="figure"><img [^>]*><figcaption><span class="caption-label">Figure\u00a01<\/span>: Share of reading-room seats/);
      expect(markup).toMatch(/<table id="tbl:readers"><caption><span class="caption-label">Table\u00a01<\/span>: Who read in the evening/);
    }
    expect(xhtml).toContain('epub:type="abstract"');
    expect(html).toMatch(/<meta name="description" content="We counted visitors in the reading rooms/);
    expect(opf).toMatch(/<dc:description>We counted visitors in the reading rooms/);
    for (const text of [pdfText, html, xhtml]) expect(text).not.toMatch(/Table:/);
  });

  it('passes the Nu HTML checker and epubcheck', async () => {
    expect(nuCheck([join(out, 'input.html')])).toEqual([]);
    const report = await epubcheck(join(out, 'input.epub'));
    expect(report.stdout).toMatch(/No errors or warnings detected/);
  });
});

/** Text of one page, its lines joined (pdftotext -layout may break a sentence anywhere). */
function pageText(pdf: string, page: number): string {
  return execFileSync('pdftotext', ['-f', String(page), '-l', String(page), pdf, '-'], { encoding: 'utf8', env: { ...process.env, LANG: 'C.UTF-8' } }).replace(/\s+/g, ' ');
}

describe('floats at the edges of sections (fixture floats)', () => {
  it('leaves no page but the last more than 12% empty, though figure 1 ends its section and does not fit below its text', () => {
    const theme = JSON.parse(readFileSync(join(projectRoot, 'templates/pdf/theme.json'), 'utf8'));
    const rendered = pages(floats);
    expect(rendered.length).toBe(3);
    for (const [index, page] of rendered.slice(0, -1).entries()) expect(tallestWhiteBand(page, theme.page.margins.a4), `page ${index + 1}`).toBeLessThanOrEqual(0.12);
  });

  it('sets figure 1 at the top of its own page, below its section’s heading and before the next section', () => {
    const first = pageText(floats, 1);
    const heading = first.indexOf('Lamps on the long tables');
    const caption = first.indexOf('Figure 1: Share of seats taken');
    expect(heading).toBeGreaterThanOrEqual(0);
    expect(caption).toBeGreaterThan(heading);
    expect(first.indexOf('The reading room of the old town library')).toBeGreaterThan(caption);
    expect(first).not.toContain('Notes on the working table');
  });

  it('moves the text after figure 2 above it, and the notes that text cites stay on its page', () => {
    const second = pageText(floats, 2);
    const third = pageText(floats, 3);
    // Figure 2 did not fit at the foot of page 2: the text after it fills that page…
    expect(second).not.toContain('Figure 2:');
    expect(second).toContain('came for the newspapers first.');
    expect(third.indexOf('Figure 2: Readers at the working table')).toBeGreaterThanOrEqual(0);
    // …and note 1, cited there, is at the foot of page 2, not with the figure on page 3.
    const notes: [string, string][] = [
      ['came for the newspapers first.1', '1 Counted from the slips readers left'],
      ['holds a session there once a week.2', '2 The session began in the third month'],
      ['did not want to risk it.3', '3 Eleven of the twenty-three regular readers'],
    ];
    const all = [1, 2, 3].map((page) => pageText(floats, page));
    for (const [citation, note] of notes) {
      const citing = all.findIndex((text) => text.includes(citation));
      expect(citing, citation).toBeGreaterThanOrEqual(0);
      expect(all[citing], `${note} on page ${citing + 1}`).toContain(note);
    }
    expect(second).toContain('1 Counted from the slips readers left');
  });
});
