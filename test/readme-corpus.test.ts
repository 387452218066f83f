import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { fixturesDir, nuCheck } from './helpers.ts';

/**
 * Real documents no one here wrote: READMEs copied from node_modules (raw HTML, badges, skipped
 * heading levels, anchors beside headings, GitHub's conventions), local image references taken
 * out as bench/corpus.ts does. The second half was chosen from the bench corpus (every README
 * under node_modules) for the most raw HTML, `<a name>` anchors and skipped levels. Each is built
 * as its own document, and every HTML page must pass the Nu checker with no error and no
 * warning. One Nu run checks them all (a JVM start per file would dominate the time).
 */
const corpus = join(fixturesDir, 'readme-corpus');
const out = mkdtempSync(join(tmpdir(), 'colophon-corpus-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('the README corpus', () => {
  it('builds every README, and the Nu checker finds 0 errors and 0 warnings in any page', async () => {
    const names = readdirSync(corpus).filter((name) => name.endsWith('.md')).sort();
    expect(names.length).toBeGreaterThanOrEqual(100);
    const result = await build({ root: corpus, paths: names, out, formats: ['html'], cache: false, jobs: 1 });
    const errors = result.documents.flatMap((document) => document.file.messages.filter((message) => message.fatal === true).map((message) => `${message.file}:${message.line}: ${message.reason}`));
    expect(errors).toEqual([]);
    expect(result.ok).toBe(true);
    const pages = names.map((name) => join(out, name.replace(/\.md$/, '.html')));
    const problems = nuCheck(pages).map((message) => `${message.url.split('/').pop()}:${message.line}: ${message.type}: ${message.message}`);
    expect(problems).toEqual([]);
  });
});
