import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { fixturesDir, projectRoot, requireTool } from './helpers.ts';

/**
 * Ace by DAISY, the accessibility checker publishers use, on the EPUBs of the seed and of the
 * fixtures: no critical, serious or moderate violation. Ace drives Debian's Chromium through
 * puppeteer (installed with PUPPETEER_SKIP_DOWNLOAD=1, so no browser is downloaded).
 */
const ace = join(projectRoot, 'node_modules', '.bin', 'ace-cli');
const out = mkdtempSync(join(tmpdir(), 'colophon-ace-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

const books = {
  seed: { root: projectRoot, path: 'source/sco-blueprint.md' },
  features: { root: join(fixturesDir, 'epub-features'), path: 'input.md' },
  multilingual: { root: join(fixturesDir, 'epub-multilingual'), path: 'input.md' },
  notes: { root: join(fixturesDir, 'epub-notes'), path: 'input.md' },
  'book-figures': { root: join(fixturesDir, 'book-figures'), path: '.' },
  // Issue 14's Pandoc extensions: alerts, definition lists (also inside list items), highlighted code.
  'pandoc-features': { root: join(fixturesDir, 'pandoc-features'), path: 'input.md' },
  // A paragraph in each of fourteen scripts, each with its lang.
  scripts: { root: join(fixturesDir, 'pdf-scripts'), path: 'scripts.md' },
  // Corrupt images replaced by their alt text, a JPEG named .png packaged as a JPEG.
  'image-invalid': { root: join(fixturesDir, 'image-invalid'), path: 'input.md' },
};

interface Violation {
  impact: string;
  title: string;
  file: string;
}

function runAce(epub: string, report: string): Promise<Violation[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(ace, ['--force', '--silent', '--outdir', report, epub], {
      env: { ...process.env, PUPPETEER_EXECUTABLE_PATH: process.env.PUPPETEER_EXECUTABLE_PATH ?? '/usr/bin/chromium' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let errors = '';
    child.stderr.on('data', (chunk) => (errors += chunk));
    child.on('error', reject);
    child.on('close', () => {
      const path = join(report, 'report.json');
      if (!existsSync(path)) return reject(new Error(`Ace wrote no report for ${epub}: ${errors}`));
      const data = JSON.parse(readFileSync(path, 'utf8')) as { assertions?: { 'earl:testSubject': { url: string }; assertions?: { 'earl:test': { 'earl:impact': string; 'dct:title': string } }[] }[] };
      // Ace lists every content document it checked, clean or not: a report without a chapter checked none (no verdict, not a pass).
      if (!(data.assertions ?? []).some((subject) => /chapter-\d+\.xhtml$/.test(subject['earl:testSubject'].url))) return reject(new Error(`Ace checked no chapter of ${epub}: ${errors}`));
      resolve(
        (data.assertions ?? []).flatMap((subject) =>
          (subject.assertions ?? []).map((assertion) => ({ impact: assertion['earl:test']['earl:impact'], title: assertion['earl:test']['dct:title'], file: subject['earl:testSubject'].url })),
        ),
      );
    });
  });
}

describe('Ace by DAISY', () => {
  it('finds no critical, serious or moderate violation in the EPUBs of the seed and the fixtures', async () => {
    requireTool('chromium', 'apt-get install chromium');
    expect(existsSync(ace), 'npm ci installs @daisy/ace-cli (with PUPPETEER_SKIP_DOWNLOAD=1)').toBe(true);
    const epubs: [string, string][] = [];
    for (const [name, { root, path }] of Object.entries(books)) {
      const result = await build({ root, paths: [path], out: join(out, name), formats: ['epub'], cache: false });
      const edition = result.documents[0]!.editions[0]!;
      expect(result.ok, name).toBe(true);
      epubs.push([name, resolve(root, edition.path)]);
    }
    const found: string[] = [];
    // Two at a time: each run starts a Chromium.
    for (let index = 0; index < epubs.length; index += 2) {
      const reports = await Promise.all(epubs.slice(index, index + 2).map(([name, epub]) => runAce(epub, join(out, `${name}-ace`)).then((violations) => [name, violations] as const)));
      for (const [name, violations] of reports) {
        for (const violation of violations) if (['critical', 'serious', 'moderate'].includes(violation.impact)) found.push(`${name}: ${violation.file}: ${violation.impact}: ${violation.title}`);
      }
    }
    expect(found).toEqual([]);
  }, 1_800_000);
});
