import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { fixturesDir, projectRoot, requireTool } from './helpers.ts';

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const out = mkdtempSync(join(tmpdir(), 'colophon-browser-'));
const pages = ['seed', 'gfm', 'notes', 'toc', 'images', 'world-scripts'];
let browser: Browser;

beforeAll(async () => {
  const executablePath = requireTool('chromium', 'apt-get install chromium');
  for (const name of pages) {
    const result = await build({ root: join(fixturesDir, name), paths: ['input.md'], out: join(out, name), formats: ['html'] });
    expect(result.ok).toBe(true);
  }
  // Flags from env's machines/node.md: the closed network refuses Chromium's background traffic.
  browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

afterAll(async () => {
  await browser?.close();
});

describe.each(pages)('%s in Chromium', (name) => {
  it('renders without console errors and with no axe-core violations', async () => {
    const page = await browser.newPage();
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
    const page = await browser.newPage();
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

    requireTool('pdftotext', 'apt-get install poppler-utils');
    const text = spawnSync('pdftotext', ['-layout', pdfPath, '-'], { encoding: 'utf8' }).stdout;
    const html = readFileSync(join(out, name, 'input.html'), 'utf8');
    const title = /<h1 class="title">([^<]+)<\/h1>/.exec(html)![1]!;
    expect(text).toContain(title.split(' ').slice(0, 3).join(' '));
    if (html.includes('class="footnotes"')) expect(text).toMatch(/NOTES|Notes/);
    if (name === 'seed') {
      expect(text).toContain('Tang Aijun, associate professor of Party School');
      expect(text).toContain('Editor: Cai Hairuo');
      expect(text).toMatch(/\b1 ?\/ ?\d\b/);
    }
  });
});

it('the seed page screenshot is produced for reviewers', async () => {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1600 } });
  await page.goto(`file://${join(out, 'seed', 'input.html')}`);
  const shot = await page.screenshot({ fullPage: false });
  expect(shot.length).toBeGreaterThan(10_000);
  writeFileSync(join(projectRoot, 'test', '.output-seed.png'), shot);
  await page.close();
});
