import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { pngPixels } from '../pipeline/writers/pdf/png-pixels.ts';

/**
 * The PDF decodes a PNG's pixels (to split off its transparency, or to undo interlacing) at once,
 * where pdfkit's reader (png-js) did it on zlib's thread pool: the objects of two such images
 * were written in whichever order the pool finished, and corrupt data ended the process.
 */

/** png-js, pdfkit's own PNG reader: what the synchronous decoding must give, byte for byte. */
const PngJs = createRequire(createRequire(import.meta.url).resolve('pdfkit'))('png-js') as new (data: Uint8Array) => { decodePixels(done: (pixels: Uint8Array) => void): void };

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A deterministic byte stream (a linear congruential generator), so a failure can be replayed. */
function bytesFrom(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (state * 1103515245 + 12345) >>> 0;
    out[i] = state >>> 24;
  }
  return out;
}

/**
 * A PNG whose filtered data is noise (every byte stream is valid filtered data), each row's filter
 * byte cycling through the five filters, interlaced or not, with a palette and tRNS for colour type 3.
 */
function noisePng(width: number, height: number, colourType: number, depth: number, interlaced: boolean, seed: number): Buffer {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colourType]!;
  const rowBytes = (columns: number) => Math.ceil((columns * channels * depth) / 8);
  const passes = interlaced
    ? [
        [0, 0, 8, 8],
        [4, 0, 8, 8],
        [0, 4, 4, 8],
        [2, 0, 4, 4],
        [0, 2, 2, 4],
        [1, 0, 2, 2],
        [0, 1, 1, 2],
      ]
    : [[0, 0, 1, 1]];
  const rows: Uint8Array[] = [];
  let filter = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const columns = Math.ceil((width - x0!) / dx!);
    const count = Math.ceil((height - y0!) / dy!);
    if (columns <= 0 || count <= 0) continue;
    for (let row = 0; row < count; row++) rows.push(Uint8Array.of(filter++ % 5), bytesFrom(seed + rows.length, rowBytes(columns)));
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([depth, colourType, 0, 0, interlaced ? 1 : 0], 8);
  const palette = colourType === 3 ? [chunk('PLTE', bytesFrom(seed, 3 * 256)), chunk('tRNS', bytesFrom(seed + 1, 256))] : [];
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', header), ...palette, chunk('IDAT', deflateSync(Buffer.concat(rows))), chunk('IEND', new Uint8Array(0))]);
}

function pngJsPixels(png: Buffer): Promise<Uint8Array> {
  return new Promise((resolve) => new PngJs(png).decodePixels(resolve));
}

describe('pngPixels', () => {
  it('gives the pixels png-js gives, for every colour type, 8 and 16 bits, interlaced or not', async () => {
    let seed = 1;
    for (const [colourType, depth] of [
      [6, 8],
      [6, 16],
      [4, 8],
      [4, 16],
      [2, 8],
      [2, 16],
      [0, 8],
      [3, 8],
    ] as const) {
      for (const interlaced of [false, true]) {
        for (const [width, height] of [
          [1, 1],
          [7, 5],
          [33, 18],
        ] as const) {
          const png = noisePng(width, height, colourType, depth, interlaced, seed++);
          const reader = new PngJs(png) as unknown as Parameters<typeof pngPixels>[0];
          expect(Buffer.from(pngPixels(reader)).equals(Buffer.from(await pngJsPixels(png))), `colour type ${colourType}, ${depth} bits, ${width} × ${height}${interlaced ? ', interlaced' : ''}`).toBe(true);
        }
      }
    }
  });
});

describe('PNGs with transparency in the PDF', () => {
  it('make the same PDF every time, however many there are', async () => {
    const root = mkdtempSync(join(tmpdir(), 'colophon-png-order-'));
    try {
      // Large enough that inflating each takes a while; sizes differ, so the pool finishes them out of order.
      const sizes = [400, 24, 300, 16, 200, 12, 350, 8];
      sizes.forEach((size, index) => writeFileSync(join(root, `alpha-${index}.png`), noisePng(size, size, 6, 8, index % 2 === 1, 100 + index)));
      writeFileSync(join(root, 'doc.md'), `---\ntitle: Transparent pictures\ndate: 2024-01-01\n---\n\n${sizes.map((_, index) => `Picture ${index}: ![picture ${index}](alpha-${index}.png)\n`).join('\n')}`);
      const digests = new Set<string>();
      for (let run = 0; run < 4; run++) {
        const out = join(root, `out-${run}`);
        const result = await build({ root, paths: ['doc.md'], out, formats: ['pdf'], cache: false });
        expect(result.ok).toBe(true);
        digests.add(readFileSync(join(out, 'doc.pdf')).toString('base64'));
      }
      expect(digests.size).toBe(1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('fails the PDF writer (not the process) on an image whose compressed data is corrupt', async () => {
    const root = mkdtempSync(join(tmpdir(), 'colophon-png-corrupt-'));
    try {
      const png = noisePng(16, 16, 6, 8, false, 7);
      // Flip the bytes of the compressed data after its zlib header: the chunk's CRC is made anew, so only inflating finds it.
      const idat = png.indexOf('IDAT', 0, 'latin1');
      const length = png.readUInt32BE(idat - 4);
      for (let at = idat + 6; at < idat + 4 + length - 4; at++) png[at] = png[at]! ^ 0x5a;
      png.writeUInt32BE(crc32(png.subarray(idat, idat + 4 + length)) >>> 0, idat + 4 + length);
      writeFileSync(join(root, 'broken.png'), png);
      writeFileSync(join(root, 'doc.md'), '---\ntitle: Broken\n---\n\n![a broken picture](broken.png)\n');
      const result = await build({ root, paths: ['doc.md'], out: join(root, 'out'), formats: ['pdf'], cache: false });
      expect(result.ok).toBe(false);
      expect(result.documents[0]!.file.messages.map((message) => message.ruleId)).toContain('writer-crash');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** Each image XObject of a PDF that has a soft mask: its object number and its mask's. */
function maskedImages(pdf: string): { image: number; mask: number }[] {
  const found: { image: number; mask: number }[] = [];
  for (const match of pdf.matchAll(/(\d+) 0 obj\s*<<((?:(?!>>\s*stream)[\s\S])*?)>>\s*stream/g)) {
    const mask = /\/SMask (\d+) 0 R/.exec(match[2]!);
    if (/\/Subtype \/Image/.test(match[2]!) && mask) found.push({ image: Number(match[1]), mask: Number(mask[1]) });
  }
  return found;
}

describe('PNGs with transparency inside an SVG (svg-to-pdfkit opens them through the document)', () => {
  const svgOf = (pngs: Buffer[]) =>
    `<svg xmlns="http://www.w3.org/2000/svg" width="${40 * pngs.length}" height="40" viewBox="0 0 ${40 * pngs.length} 40">${pngs.map((png, index) => `<image x="${40 * index}" y="0" width="40" height="40" href="data:image/png;base64,${png.toString('base64')}"/>`).join('')}</svg>`;

  it('give each image its soft mask as the next object, made where the image is drawn, not when the thread pool is done', async () => {
    const root = mkdtempSync(join(tmpdir(), 'colophon-svg-png-order-'));
    try {
      const sizes = [300, 16, 200, 8];
      writeFileSync(join(root, 'pictures.svg'), svgOf(sizes.map((size, index) => noisePng(size, size, 6, 8, index % 2 === 1, 200 + index))));
      writeFileSync(join(root, 'doc.md'), '---\ntitle: Pictures in a drawing\ndate: 2024-01-01\n---\n\n![four transparent pictures](pictures.svg)\n');
      const result = await build({ root, paths: ['doc.md'], out: join(root, 'out'), formats: ['pdf'], cache: false });
      expect(result.ok).toBe(true);
      const masked = maskedImages(readFileSync(join(root, 'out', 'doc.pdf'), 'latin1'));
      expect(masked).toHaveLength(sizes.length);
      // Left to png-js's inflate, every mask came after the last page, in the order the pool finished.
      for (const { image, mask } of masked) expect(mask).toBe(image + 1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('fail the PDF writer (not the process) when one\'s compressed data is corrupt', async () => {
    const root = mkdtempSync(join(tmpdir(), 'colophon-svg-png-corrupt-'));
    try {
      const png = noisePng(16, 16, 6, 8, false, 9);
      const idat = png.indexOf('IDAT', 0, 'latin1');
      const length = png.readUInt32BE(idat - 4);
      for (let at = idat + 6; at < idat + 4 + length - 4; at++) png[at] = png[at]! ^ 0x5a;
      png.writeUInt32BE(crc32(png.subarray(idat, idat + 4 + length)) >>> 0, idat + 4 + length);
      writeFileSync(join(root, 'broken.svg'), svgOf([png]));
      writeFileSync(join(root, 'doc.md'), '---\ntitle: Broken drawing\n---\n\n![a drawing holding a broken picture](broken.svg)\n');
      const result = await build({ root, paths: ['doc.md'], out: join(root, 'out'), formats: ['pdf'], cache: false });
      expect(result.ok).toBe(false);
      expect(result.documents[0]!.file.messages.map((message) => message.ruleId)).toContain('writer-crash');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
