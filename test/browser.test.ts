import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { fixturesDir, launchChromium, openPage, projectRoot, tempProject, tool } from './helpers.ts';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const out = mkdtempSync(join(tmpdir(), 'colophon-browser-'));
const pages = ['seed', 'gfm', 'notes', 'toc', 'images', 'world-scripts', 'pandoc-features', 'handout'];
let browser: Browser;

beforeAll(async () => {
  for (const name of pages) {
    const result = await build({ root: join(fixturesDir, name), paths: ['input.md'], out: join(out, name), formats: ['html'] });
    expect(result.ok).toBe(true);
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

describe.each(pages)('%s in Chromium', (name) => {
  it('renders without console errors and with no axe-core violations', async () => {
    const page = await openPage(browser);
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`file://${join(out, name, 'input.html')}`);
    await page.addScriptTag({ content: axeSource });
    const violations = await page.evaluate(async () => {
      const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }).axe;
      const result = await axe.run(document, { resultTypes: ['violations'] });
      return result.violations.map((violation) => `${violation.id} (${violation.nodes.length})`);
    });
    expect(violations).toEqual([]);
    expect(problems).toEqual([]);
    await page.close();
  });

  it('prints to a clean handout: nothing overflows, title block and notes present', async () => {
    const page = await openPage(browser);
    await page.goto(`file://${join(out, name, 'input.html')}`);
    await page.emulateMedia({ media: 'print' });
    const overflowing = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      return [...document.querySelectorAll('main *')]
        .filter((element) => element.getBoundingClientRect().right > width + 1)
        .map((element) => element.tagName.toLowerCase() + (element.className ? `.${element.className}` : ''));
    });
    expect(overflowing).toEqual([]);
    const pdfPath = join(out, `${name}.print.pdf`);
    writeFileSync(pdfPath, await page.pdf({ format: 'A4', printBackground: false, preferCSSPageSize: true }));
    await page.close();

    const text = tool('pdftotext', ['-layout', pdfPath, '-']);
    const html = readFileSync(join(out, name, 'input.html'), 'utf8');
    const title = /<h1 class="title">([^<]+)<\/h1>/.exec(html)![1]!;
    expect(text).toContain(title.split(' ').slice(0, 3).join(' '));
    // The notes' title, in the document's language (the print style may set it in capitals).
    const notesTitle = /<h2[^>]*id="footnote-label"[^>]*>([^<]+)<\/h2>/.exec(html)?.[1];
    if (html.includes('class="footnotes"')) expect(text.toLowerCase()).toContain(notesTitle?.toLowerCase());
    if (name === 'seed') {
      expect(text).toContain('Tang Aijun, associate professor of Party School');
      expect(text).toContain('Editor: Cai Hairuo');
      expect(text).toMatch(/\b1 ?\/ ?\d\b/);
    }
  });
});

it('the seed page screenshot shows the title and the text as ink on a light page', async () => {
  const page = await openPage(browser, { viewport: { width: 1200, height: 1600 } });
  await page.goto(`file://${join(out, 'seed', 'input.html')}`);
  const boxes = await page.evaluate(() => {
    const box = (element: Element | null) => {
      const rect = element!.getBoundingClientRect();
      return { x: Math.round(rect.left), y: Math.round(rect.top), width: Math.round(rect.width), height: Math.round(rect.height) };
    };
    return { title: box(document.querySelector('h1.title')), paragraph: box(document.querySelector('main p')), main: box(document.querySelector('main')) };
  });
  const shot = await page.screenshot({ fullPage: false });
  writeFileSync(join(projectRoot, 'test', '.output-seed.png'), shot);
  await page.close();

  const png = PNG.sync.read(shot);
  expect([png.width, png.height]).toEqual([1200, 1600]);
  const luminance = (x: number, y: number) => {
    const index = (y * png.width + x) * 4;
    return 0.2126 * png.data[index]! + 0.7152 * png.data[index + 1]! + 0.0722 * png.data[index + 2]!;
  };
  /** The share of dark pixels (text) in a box of the screenshot. */
  const ink = (box: { x: number; y: number; width: number; height: number }) => {
    let dark = 0;
    let all = 0;
    for (let y = Math.max(0, box.y); y < Math.min(png.height, box.y + box.height); y++) {
      for (let x = Math.max(0, box.x); x < Math.min(png.width, box.x + box.width); x++) {
        all++;
        if (luminance(x, y) < 128) dark++;
      }
    }
    return all === 0 ? 0 : dark / all;
  };
  // A light page: the corners are background.
  for (const [x, y] of [[2, 2], [1197, 2], [2, 1597], [1197, 1597]] as const) expect(luminance(x, y), `pixel ${x},${y}`).toBeGreaterThan(200);
  // The title and the first paragraph are on screen and drawn as text: some ink, far from a filled box.
  for (const [name, box] of [['title', boxes.title], ['paragraph', boxes.paragraph]] as const) {
    expect(box.y + box.height, `${name} is on screen`).toBeLessThan(1600);
    expect(box.height, `${name} has a height`).toBeGreaterThan(10);
    expect(ink(box), `${name} ink`).toBeGreaterThan(0.02);
    expect(ink(box), `${name} ink`).toBeLessThan(0.6);
  }
  // Nothing is drawn right of the text column: the measure holds.
  expect(ink({ x: boxes.main.x + boxes.main.width + 4, y: 0, width: 1200, height: 1600 })).toBe(0);
});

it('a README\'s <div align="center"> centres its text, not the lines of a code block inside it; <p align="justify"> justifies', async () => {
  // chalk's README: an indented code block inside its centred sponsors <div> was set with every line centred.
  const root = tempProject({
    'doc.md': '# Aligned\n\n<div align="center">\n\nCentred words.\n\n    const code = 1;\n    keeps(its, lines);\n\n</div>\n\n<p align="justify">A justified paragraph of words.</p>\n',
  });
  const result = await build({ root, paths: ['doc.md'], out: join(root, 'out'), formats: ['html'] });
  expect(result.ok).toBe(true);
  const page = await openPage(browser);
  await page.goto(`file://${join(root, 'out', 'doc.html')}`);
  const aligns = await page.evaluate(() => {
    const align = (selector: string) => getComputedStyle(document.querySelector(selector)!).textAlign;
    return { paragraph: align('.align-center p'), code: align('.align-center pre'), justified: align('p.align-justify') };
  });
  await page.close();
  expect(aligns).toEqual({ paragraph: 'center', code: 'left', justified: 'justify' });
});
