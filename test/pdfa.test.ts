import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { VFile } from 'vfile';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from '../pipeline/parse/parse.ts';
import { createAssetResolver } from '../pipeline/read/assets.ts';
import { runTransforms } from '../pipeline/transforms/index.ts';
import { pdfWriter } from '../pipeline/writers/pdf/index.ts';
import { fontEmbeddingRefusal, pngTransparency, svgTransparency } from '../pipeline/writers/pdf/pdfa.ts';
import { projectRoot, runCli, tempProject } from './helpers.ts';

/** A 2×2 PNG: colour type 2 (RGB) or 6 (RGBA), optionally with a tRNS chunk. */
function png(colourType: 2 | 6, tRNS = false): Uint8Array {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff;
    for (const byte of bytes) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header.set([8, colourType, 0, 0, 0], 8);
  const pixel = colourType === 6 ? [200, 30, 30, 128] : [200, 30, 30];
  const rows = Buffer.from([0, ...pixel, ...pixel, 0, ...pixel, ...pixel]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    ...(tRNS ? [chunk('tRNS', Buffer.from([0, 200, 0, 30, 0, 30]))] : []),
    chunk('IDAT', deflateSync(rows)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('what a PDF/A may not carry', () => {
  it('finds transparency in PNGs: an alpha channel or a tRNS chunk', () => {
    expect(pngTransparency(png(6))).toBe('an alpha channel');
    expect(pngTransparency(png(2, true))).toBe('a transparent colour (tRNS)');
    expect(pngTransparency(png(2))).toBeUndefined();
  });
  it('finds transparency written in SVG markup', () => {
    const svg = (body: string) => `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">${body}</svg>`;
    expect(svgTransparency(svg('<rect width="10" height="10" opacity="0.5"/>'))).toBe('opacity 0.5');
    expect(svgTransparency(svg('<rect style="fill:red;fill-opacity:.3"/>'))).toBe('fill-opacity .3');
    expect(svgTransparency(svg('<rect fill="rgba(0, 0, 0, 0.2)"/>'))).toMatch(/^a colour with alpha/);
    expect(svgTransparency(svg('<rect fill="#ff000080"/>'))).toBe('a colour with alpha (#ff000080)');
    expect(svgTransparency(svg('<mask id="m"/><rect mask="url(#m)"/>'))).toBe('a mask');
    expect(svgTransparency(svg('<rect fill="#ff0000" opacity="1" stroke="rgba(0,0,0,1)"/>'))).toBeUndefined();
  });
  it('reads a font’s embedding permission from OS/2 fsType', () => {
    expect(fontEmbeddingRefusal({ noEmbedding: true })).toMatch(/restricted licence/);
    expect(fontEmbeddingRefusal({ bitmapOnly: true })).toMatch(/bitmap/);
    expect(fontEmbeddingRefusal({})).toBeUndefined();
    expect(fontEmbeddingRefusal(undefined)).toBeUndefined();
  });
});

describe('pdfa: true through the command line', () => {
  const root = tempProject({
    'glyph.md': '---\ntitle: A missing glyph\npdfa: true\n---\n\nAn ancient sign, \u{13000}, that no font here has.\n',
    'alpha.md': '---\ntitle: A transparent image\npdfa: true\n---\n\nA logo:\n\n![The logo](logo.png)\n',
    'opaque.md': '---\ntitle: An opaque image\npdfa: true\n---\n\n![A red square](red.png)\n',
    'logo.png': png(6),
    'red.png': png(2),
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('exits 1 naming file:line:column of a missing glyph and of a transparent image, and leaves no PDF; an opaque image builds', () => {
    const run = runCli(['build', 'glyph.md', 'alpha.md', 'opaque.md', '--format', 'pdf', '--jobs', '1'], root);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('glyph.md:6:18: error: no font has a glyph for U+13000 "\u{13000}", and a PDF/A (pdfa: true) may not show a blank box; no PDF is written [pdfa-missing-glyph]');
    expect(run.stderr).toContain('alpha.md:8:1: error: logo.png has an alpha channel, and a PDF/A (pdfa: true) made here carries no transparency: flatten the image onto white; no PDF is written [pdfa-transparency]');
    expect(existsSync(join(root, 'dist', 'glyph.pdf'))).toBe(false);
    expect(existsSync(join(root, 'dist', 'alpha.pdf'))).toBe(false);
    expect(existsSync(join(root, 'dist', 'opaque.pdf'))).toBe(true);
  });
});

/** The font file with its OS/2 fsType set to 0x0002 (restricted licence: no embedding). */
function restricted(font: Uint8Array): Uint8Array {
  const bytes = new Uint8Array(font);
  const view = new DataView(bytes.buffer);
  const tables = view.getUint16(4);
  for (let index = 0; index < tables; index++) {
    const record = 12 + index * 16;
    if (String.fromCharCode(...bytes.subarray(record, record + 4)) === 'OS/2') {
      view.setUint16(view.getUint32(record + 8) + 8, 0x0002);
      return bytes;
    }
  }
  throw new Error('no OS/2 table');
}

describe('a font that may not be embedded', () => {
  it('is an error at the first text that uses it when pdfa: true, and only then', async () => {
    const render = async (pdfa: boolean) => {
      const path = join(projectRoot, 'doc.md');
      const file = new VFile({ path, value: `---\ntitle: Fonts\npdfa: ${pdfa}\n---\n\nBody text in the regular face.\n` });
      const tree = parse(file);
      const meta = runTransforms(tree, file);
      const own = createAssetResolver({ root: projectRoot, documentDir: projectRoot, file, cache: new Map() });
      const theme = JSON.parse(new TextDecoder().decode(own.own('templates/pdf/theme.json'))) as { fonts: { serif: { regular: string } } };
      const assets = { ...own, own: (asset: string) => (asset === theme.fonts.serif.regular ? restricted(own.own(asset)) : own.own(asset)) };
      await pdfWriter.render({ tree, meta, file, assets, epoch: 0 });
      return file.messages.map((message) => `${message.line}:${message.column} ${message.fatal ? 'error' : 'warning'} [${message.ruleId}]`);
    };
    expect(await render(true)).toEqual(['6:1 error [pdfa-font-embedding]']);
    expect(await render(false)).toEqual([]);
  });
});
