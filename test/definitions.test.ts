import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { runCli, tempProject } from './helpers.ts';

// Concatenated READMEs reuse labels such as [build-badge]: in one document the first definition wins.
const doc = `---\ntitle: Two parts\nchapter-level: 1\n---\n\n# One\n\nSee [site].\n\n[site]: https://first.example/\n\n# Two\n\nSee [site] again.\n\n[site]: https://second.example/\n`;

describe('link reference definitions', () => {
  it('resolve to the first definition of a label in every edition, as CommonMark says, and a second one is reported', async () => {
    const root = tempProject({ 'doc.md': doc });
    const run = runCli(['build', 'doc.md'], root);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('doc.md:16:1: warning: link label "site" is defined twice; the first definition is used [definition-duplicate]');
    const html = readFileSync(join(root, 'dist', 'doc.html'), 'utf8');
    expect(html).toContain('href="https://first.example/"');
    expect(html).not.toContain('second.example');
    const zip = await JSZip.loadAsync(readFileSync(join(root, 'dist', 'doc.epub')));
    const chapters = await Promise.all(Object.keys(zip.files).filter((name) => /chapter-\d+\.xhtml$/.test(name)).sort().map((name) => zip.file(name)!.async('string')));
    expect(chapters.length).toBeGreaterThan(1);
    for (const chapter of chapters) expect(chapter).not.toContain('second.example');
    expect(chapters.at(-1)).toContain('href="https://first.example/"');
    const pdf = readFileSync(join(root, 'dist', 'doc.pdf')).toString('latin1');
    expect(pdf).toContain('(https://first.example/)');
    expect(pdf).not.toContain('second.example');
  });
});
