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
    for (const name of htmlCases()) {
      const result = await build({ root: join(fixturesDir, name), paths: ['input.md'], out: join(out, name), formats: ['html'], cache: false });
      if (result.ok) files.push(join(out, name, 'input.html'));
    }
    expect(files.length).toBeGreaterThan(5);
    const problems = nuCheck(files).filter((message) => message.type !== 'info');
    expect(problems).toEqual([]);
  });
});
