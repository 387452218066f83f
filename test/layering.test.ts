import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import JSZip from 'jszip';
import { VFile } from 'vfile';
import { describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { parse } from '../pipeline/parse/parse.ts';
import { createAssetResolver } from '../pipeline/read/assets.ts';
import { runTransforms } from '../pipeline/transforms/index.ts';
import { EDITIONS } from '../pipeline/types.ts';
import { loadWriter } from '../pipeline/writers/index.ts';
import { fixturesDir, tempProject } from './helpers.ts';

const red = readFileSync(join(fixturesDir, 'epub-features', 'images', 'red.png'));
const dot = readFileSync(join(fixturesDir, 'images', 'dot.png'));
const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

// A label defined twice: CommonMark (and every edition) uses the first definition.
const twoPictures = `---\ntitle: Two pictures\n---\n\n![a red square][pic]\n\nAgain:\n\n![the same red square][pic]\n\n[pic]: red.png\n[pic]: dot.png\n`;

describe('link definitions: one lookup, the first definition wins', () => {
  it('embeds the first definition of an image reference in the standalone HTML, and packages it in the EPUB', async () => {
    const root = tempProject({ 'doc.md': twoPictures, 'red.png': red, 'dot.png': dot });
    const result = await build({ root, paths: ['doc.md'], formats: ['html', 'epub', 'pdf'], cache: false });
    const messages = result.documents[0]!.file.messages.map((message) => `${message.line}:${message.column} ${message.reason}`);
    expect(messages).toEqual(['12:1 link label "pic" is defined twice; the first definition is used']);
    expect(result.ok).toBe(true);

    const html = readFileSync(join(root, 'dist', 'doc.html'), 'utf8');
    const sources = [...html.matchAll(/<img src="([^"]*)"/g)].map((match) => match[1]);
    // Both references show the first file, inlined: the page stands alone.
    expect(sources).toEqual([`data:image/png;base64,${base64(red)}`, `data:image/png;base64,${base64(red)}`]);
    expect(html).not.toContain(base64(dot));

    const zip = await JSZip.loadAsync(readFileSync(join(root, 'dist', 'doc.epub')));
    const images = Object.keys(zip.files).filter((name) => /\/images\/\d+-/.test(name));
    expect(images).toHaveLength(1);
    expect(Buffer.from(await zip.file(images[0]!)!.async('uint8array')).equals(red)).toBe(true);
  });
});

describe('writers', () => {
  it('never change the tree they are given: every edition reads the same tree', async () => {
    const root = tempProject({ 'doc.md': `${twoPictures}\nA note.[^n] A link to [the site][site].\n\n[^n]: With ![a dot](dot.png) in it.\n\n[site]: https://example.org/\n`, 'red.png': red, 'dot.png': dot });
    const path = join(root, 'doc.md');
    const file = new VFile({ path, value: readFileSync(path, 'utf8') });
    const tree = parse(file);
    const meta = runTransforms(tree, file);
    const assets = createAssetResolver({ root, documentDir: root, file, cache: new Map() });
    const before = JSON.stringify(tree);
    for (const edition of EDITIONS) {
      const writer = await loadWriter(edition);
      const bytes = await writer.render({ tree, meta, file, assets, epoch: 0 });
      expect(bytes.length).toBeGreaterThan(0);
      expect(JSON.stringify(tree), `the ${edition} writer changed its input`).toBe(before);
    }
  });
});
