import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build3, checkEditions, checkEpub, checkHtml, checkPdf, distFiles, EDITIONS, fixtureInput, golden, hostileKit, outcomeOf, pdfText } from './hostile-kit.ts';

/**
 * Hostile input (issue 6), the huge inputs that must build, in all three editions, whole: each
 * takes tens of seconds of CPU, so they run in a file of their own beside hostile.test.ts.
 */
const { project, record, buildFixture } = hostileKit('hostile input, large');

describe('hostile input: huge inputs build, whole, in every edition', () => {
  it('long-line: a 2 MB line with no break builds all three editions', async () => {
    const input = await fixtureInput('hostile-long-line');
    const root = project({ 'input.md': input });
    const run = await build3(root, ['input.md']);
    record('long-line', run, outcomeOf(run));
    golden('long-line', run, root);
    expect(run.status).toBe(0);
    const editions = await checkEditions(root, 'input', { epubcheck: false });
    expect(editions.html).toContain('alpha beta gamma delta epsilon zeta eta theta alpha');
    expect(pdfText(editions.pdf)).toContain('alpha beta gamma');
    expect([...editions.epub.values()].join('')).toContain('alpha beta gamma delta epsilon zeta eta theta alpha');
  });

  it('emphasis-spread: 50,000 emphasis markers over many paragraphs build all three editions', async () => {
    const { root, run } = await buildFixture('emphasis-spread');
    expect(run.status).toBe(0);
    const editions = await checkEditions(root, 'input', { epubcheck: false });
    // Unmatched markers stay literal text: no emphasis is invented.
    expect(editions.html).not.toMatch(/<em>/);
    expect(editions.html).toContain('*a *b *c *d *e *f *g *h *i *j');
    expect(pdfText(editions.pdf)).toContain('*a *b *c *d *e *f *g *h *i *j');
    expect([...editions.epub.values()].join('')).toContain('*a *b *c *d *e *f *g *h *i *j');
  });

  // One build of all three editions: the source is read, parsed and numbered once, as a user's build would.
  it('footnotes: 20,000 notes spread over paragraphs build all three editions', async () => {
    const { root, run } = await buildFixture('footnotes');
    expect(run.status).toBe(0);
    expect(distFiles(root)).toEqual(EDITIONS.map((edition) => `input.${edition}`).sort());
    const html = checkHtml(join(root, 'dist', 'input.html'));
    expect(html.match(/data-footnote-ref/g)?.length).toBe(20_000);
    expect(html.match(/<li id="fn-\d+"/g)?.length).toBe(20_000);
    const pdf = join(root, 'dist', 'input.pdf');
    checkPdf(pdf);
    // The last note sits at the foot of the page that cites it, near the end.
    const text = pdfText(pdf, 2);
    expect(text).toContain('Claim 20000');
    expect(text).toMatch(/^20000\s+Note 20000\.$/m);
    const xhtml = [...(await checkEpub(join(root, 'dist', 'input.epub'), false)).values()].join('');
    expect(xhtml.match(/epub:type="noteref"/g)?.length).toBe(20_000);
    expect(xhtml.match(/<aside [^>]*epub:type="footnote"/g)?.length).toBe(20_000);
  });

  it('a 2 MB word with no break point is cut into lines, whole, in every edition', async () => {
    const root = project({ 'input.md': `---\ntitle: Word\n---\n\nBefore ${'x'.repeat(2_000_000)} after.\n` });
    const run = await build3(root, ['input.md']);
    record('2 MB word', run, outcomeOf(run));
    expect(run.status).toBe(0);
    const editions = await checkEditions(root, 'input', { epubcheck: false });
    // Every x is there (page heads and numbers come between the pages' pieces).
    expect(pdfText(editions.pdf).replace(/[^x]/g, '').length).toBe(2_000_000);
    expect(editions.html.replace(/[^x]/g, '').length).toBeGreaterThanOrEqual(2_000_000);
  });

});
