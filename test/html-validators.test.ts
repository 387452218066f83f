import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { fixturesDir, htmlCases, nuCheck } from './helpers.ts';

/**
 * The HTML fixtures through the Nu HTML checker, all in one Java run. Their goldens are in
 * html.test.ts, which needs no Java and so runs in `npm run test:unit` too.
 */
describe('every built page', () => {
  it('passes the Nu HTML checker with no errors and no warnings', async () => {
    const out = mkdtempSync(join(tmpdir(), 'colophon-nu-'));
    const files: string[] = [];
    const documents = [...htmlCases().map((name) => ({ name, source: 'input.md' })), { name: 'pdf-intl', source: 'intl.md' }];
    for (const { name, source } of documents) {
      const result = await build({ root: join(fixturesDir, name), paths: [source], out: join(out, name), formats: ['html'], cache: false });
      if (result.ok) files.push(join(out, name, source.replace(/\.md$/, '.html')));
    }
    // Right-to-left blocks with dir="rtl" in a left-to-right page (pdf-intl) are checked too.
    expect(files.length).toBeGreaterThan(5);
    const problems = nuCheck(files).filter((message) => message.type !== 'info');
    expect(problems).toEqual([]);
  });
});
