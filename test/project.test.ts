import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, tempProject } from './helpers.ts';

const article = '---\ntitle: T\n---\n\nBody.\n';

describe('the root of a build', () => {
  it("an input outside the working folder builds with its own folder as root (as Typst does); --root still decides", () => {
    const base = tempProject({ 'work/.keep': '', 'other/doc.md': article, 'other/pic.png': '', 'secret.png': '' });
    const work = join(base, 'work');
    const built = runCli(['build', '../other/doc.md', '--format', 'html'], work);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    expect(readdirSync(join(work, 'dist'))).toEqual(['doc.html']);

    // Its folder is the root: a reference above it is refused.
    const escaping = tempProject({ 'work/.keep': '', 'other/doc.md': `${article}\n![x](../secret.png)\n`, 'secret.png': '' });
    const refused = runCli(['build', '../other/doc.md', '--format', 'html'], join(escaping, 'work'));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/doc\.md:7:1: error: "\.\.\/secret\.png" lies outside the project .*\[asset-outside\]/);
    expect(existsSync(join(escaping, 'work', 'dist'))).toBe(false);

    // An explicit --root that does not hold the input still refuses it.
    const explicit = runCli(['build', '../other/doc.md', '--format', 'html', '--root', '.'], work);
    expect(explicit.status).toBe(2);
    expect(explicit.stderr).toMatch(/lies outside the project root/);
  });
});
