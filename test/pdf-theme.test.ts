import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { requireTool, runCli, sh, tempProject } from './helpers.ts';

const body = 'Every word of this paragraph is set in the body face, so its size and its left edge show the theme at work.';
const doc = (frontMatter: string) => `---\ntitle: Themed\ndate: 2024-01-01\n${frontMatter}---\n\n${body}\n`;

/** The first body word's box on page 1, from poppler's text layer. */
function firstWord(pdf: string): { x: number; height: number } {
  requireTool('pdftotext', 'apt-get install poppler-utils');
  const html = sh('pdftotext', ['-bbox', '-f', '1', '-l', '1', pdf, '-']);
  const match = /<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">Every<\/word>/.exec(html);
  if (!match) throw new Error(`no "Every" on page 1 of ${pdf}`);
  return { x: Number(match[1]), height: Number(match[3]) - Number(match[2]) };
}

describe('PDF theme overrides', () => {
  it('takes values from front matter and from a JSON file, and rebuilds when the file changes', () => {
    const root = tempProject({
      'plain.md': doc(''),
      'inline.md': doc('pdf-theme:\n  body: { size: 14, leading: 19 }\n'),
      'file.md': doc('pdf-theme: themes/handout.json\n'),
      'themes/handout.json': JSON.stringify({ page: { margins: { a4: { inner: 144 } } } }),
    });
    const run = runCli(['build', 'plain.md', 'inline.md', 'file.md', '--format', 'pdf'], root);
    expect(run.stderr).not.toMatch(/error|warning/);
    expect(run.status).toBe(0);
    const plain = firstWord(join(root, 'dist', 'plain.pdf'));
    const inline = firstWord(join(root, 'dist', 'inline.pdf'));
    const file = firstWord(join(root, 'dist', 'file.pdf'));
    expect(inline.height / plain.height).toBeCloseTo(14 / 11, 1);
    expect(plain.x).toBeCloseTo(122, 0);
    expect(file.x).toBeCloseTo(144, 0);

    writeFileSync(join(root, 'themes', 'handout.json'), JSON.stringify({ page: { margins: { a4: { inner: 100 } } } }));
    const again = runCli(['build', 'file.md', '--format', 'pdf'], root);
    expect(again.stdout).toMatch(/^wrote dist\/file\.pdf/m);
    expect(firstWord(join(root, 'dist', 'file.pdf')).x).toBeCloseTo(100, 0);
  });

  it('reports an unknown key, a wrong value and a climbing font path at their line and column', () => {
    const root = tempProject({
      'doc.md': doc('pdf-theme:\n  bdy: { size: 3 }\n  body:\n    size: big\n  fonts:\n    serif: { regular: ../../../etc/passwd.ttf }\n'),
    });
    const run = runCli(['build', 'doc.md', '--format', 'pdf'], root);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('doc.md:5:8: error: front matter `pdf-theme.bdy` is not a theme key');
    expect(run.stderr).toContain('doc.md:7:11: error: front matter `pdf-theme.body.size` must be a number');
    expect(run.stderr).toContain('doc.md:9:23: error: front matter `pdf-theme.fonts.serif.regular` must not contain ".."');
  });

  it('reports a theme file that is missing, outside the project, or not valid JSON, at the pdf-theme key', () => {
    // The project is a folder inside the temporary one, so that "../outside.json" stays in the test's own folder.
    const folder = tempProject({
      'outside.json': '{}',
      'project/missing.md': doc('pdf-theme: nowhere.json\n'),
      'project/outside.md': doc('pdf-theme: ../outside.json\n'),
      'project/broken.md': doc('pdf-theme: broken.json\n'),
      'project/wrong.md': doc('pdf-theme: wrong.json\n'),
      'project/broken.json': '{\n  "body": { "size": 12, }\n}\n',
      'project/wrong.json': '{ "linkColor": "blue" }',
    });
    const root = join(folder, 'project');
    const run = (name: string) => runCli(['build', `${name}.md`, '--format', 'pdf'], root);
    expect(run('missing').stderr).toContain('missing.md:4:12: error: file not found: "nowhere.json" [asset-missing]');
    expect(run('outside').stderr).toContain('outside.md:4:12: error: "../outside.json" lies outside the project');
    const broken = run('broken');
    expect(broken.status).toBe(1);
    expect(broken.stderr).toContain('broken.md:4:12: error: broken.json:2:25: not valid JSON');
    expect(run('wrong').stderr).toContain('wrong.md:4:12: error: wrong.json: `linkColor` must be a colour such as #1a1a1a [pdf-theme]');
  });
});
