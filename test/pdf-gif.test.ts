import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../pipeline/build/build.ts';
import { gifFirstFrame, MAX_GIF_PIXELS } from '../pipeline/writers/pdf/gif.ts';
import { fixturesDir, projectRoot, tempProject, tool } from './helpers.ts';

/**
 * GIF images in the PDF: pdfkit draws no GIF, so the first frame is decoded and embedded as a
 * PNG, its transparent colour kept as a soft mask, as Typst draws a GIF's first frame. Checked
 * with qpdf and poppler: the images embedded, and the page rendered and read pixel by pixel.
 */

const FIXTURE = 'test/fixtures/pdf-gif/input.md';
const DPI = 192; // two device pixels to a GIF pixel (GIF pixels are CSS pixels, 96 to the inch)

let out: string;
let result: BuildResult;
const pdf = () => join(out, 'first', 'input.pdf');

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'colophon-gif-'));
  result = await build({ root: projectRoot, paths: [FIXTURE], out: join(out, 'first'), formats: ['pdf'], cache: false });
  return () => rmSync(out, { recursive: true, force: true });
});

/** The first page rendered by poppler, as RGBA. */
function renderedPage(): PNG {
  tool('pdftoppm', ['-png', '-r', String(DPI), '-f', '1', '-l', '1', '-singlefile', pdf(), join(out, 'page')]);
  return PNG.sync.read(readFileSync(join(out, 'page.png')));
}

type Colour = 'red' | 'blue' | 'yellow' | 'green' | 'magenta';
const isColour: Record<Colour, (r: number, g: number, b: number) => boolean> = {
  red: (r, g, b) => r > 180 && g < 80 && b < 80,
  blue: (r, g, b) => b > 150 && r < 80 && g < 100,
  yellow: (r, g, b) => r > 200 && g > 200 && b < 100,
  green: (r, g, b) => g > 120 && r < 60 && b < 110,
  magenta: (r, g, b) => r > 150 && b > 150 && g < 60,
};

/** The bounding box of a colour's pixels between two rows (device pixels), and how many there are. */
function boxOf(page: PNG, colour: Colour, fromY = 0, toY = page.height): { left: number; top: number; right: number; bottom: number; count: number } {
  const box = { left: Infinity, top: Infinity, right: -Infinity, bottom: -Infinity, count: 0 };
  for (let y = fromY; y < toY; y++) {
    for (let x = 0; x < page.width; x++) {
      const at = (y * page.width + x) * 4;
      if (!isColour[colour](page.data[at]!, page.data[at + 1]!, page.data[at + 2]!)) continue;
      box.count++;
      box.left = Math.min(box.left, x);
      box.right = Math.max(box.right, x + 1);
      box.top = Math.min(box.top, y);
      box.bottom = Math.max(box.bottom, y + 1);
    }
  }
  return box;
}

describe('GIF images in the PDF', () => {
  it('draws a GIF, warns at a truncated, a corrupt and an oversized one, and passes qpdf', () => {
    const messages = result.documents[0]!.file.messages;
    expect(messages.map((message) => `${message.line}:${message.column} ${message.fatal === false ? 'warning' : message.fatal} ${message.ruleId}`)).toEqual([
      '15:1 warning pdf-gif-truncated',
      '17:35 warning pdf-gif-invalid',
      '19:73 warning pdf-gif-too-large',
    ]);
    expect(String(messages[2]!.reason)).toContain('65535 × 65535 pixels');
    expect(tool('qpdf', ['--check', pdf()])).toContain('No syntax or stream encoding errors');
  });

  it('embeds each drawable GIF at its pixel size, the transparent ones with a soft mask', () => {
    const rows = tool('pdfimages', ['-list', pdf()])
      .split('\n')
      .slice(2)
      .filter((line) => line.trim() !== '')
      .map((line) => line.trim().split(/\s+/).slice(2, 6).join(' '));
    // The transparent box, the animated square (opaque: no mask), the truncated box.
    expect(rows).toEqual(['image 48 32 rgb', 'smask 48 32 gray', 'image 40 24 rgb', 'image 48 32 rgb', 'smask 48 32 gray']);
  });

  it('shows the alt text of the GIFs it cannot draw, and only theirs', () => {
    const text = tool('pdftotext', [pdf(), '-']);
    expect(text).toContain('[the corrupt one]');
    expect(text).toContain('[the huge one]');
    expect(text).not.toContain('[a green square]');
    expect(text).not.toContain('[A red box');
  });

  it('renders the first frame with its transparent pixels clear, at 96 pixels to the inch', () => {
    const page = renderedPage();
    const green = boxOf(page, 'green');
    // The animated GIF: its first frame (green) at 40 × 24 GIF pixels; its second (magenta) nowhere.
    expect(green.right - green.left).toBeCloseTo(80, -1);
    expect(green.bottom - green.top).toBeCloseTo(48, -1);
    expect(green.count).toBeGreaterThan(80 * 48 * 0.9);
    expect(boxOf(page, 'magenta').count).toBe(0);
    // The transparent GIF, above it: the blue bar is 8 × 32 GIF pixels, the red box 32 × 24.
    const bar = boxOf(page, 'blue', 0, green.top);
    const box = boxOf(page, 'red', 0, green.top);
    // Within a device pixel: the figure's place in points need not fall on a pixel's edge.
    const near = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1);
    near(bar.right - bar.left, 16);
    near(bar.bottom - bar.top, 64);
    near(box.right - box.left, 64);
    near(box.bottom - box.top, 48);
    near(box.top - bar.top, 8);
    // Its transparent colour is yellow in the palette: nowhere drawn; the page shows through.
    expect(boxOf(page, 'yellow').count).toBe(0);
    for (const [x, y] of [
      [box.left + 2, bar.top + 2],
      [box.right - 3, bar.bottom - 3],
      [box.left - 6, box.top + 10],
    ] as const) {
      const at = (y * page.width + x) * 4;
      expect([page.data[at], page.data[at + 1], page.data[at + 2]]).toEqual([255, 255, 255]);
    }
  });

  it('is byte-reproducible, and embeds a GIF used twice once', async () => {
    const again = await build({ root: projectRoot, paths: [FIXTURE], out: join(out, 'again'), formats: ['pdf'], cache: false });
    expect(again.documents[0]!.file.messages.length).toBe(3);
    expect(readFileSync(join(out, 'again', 'input.pdf')).equals(readFileSync(pdf()))).toBe(true);

    const gif = readFileSync(join(fixturesDir, 'pdf-gif', 'transparent.gif'));
    const root = tempProject({ 'doc.md': '---\ntitle: Twice\n---\n\n![One](box.gif)\n\nAnd ![again](box.gif) in a line.\n', 'box.gif': gif });
    try {
      const twice = await build({ root, paths: ['doc.md'], out: join(root, 'dist'), formats: ['pdf'], cache: false });
      expect(twice.documents[0]!.file.messages).toEqual([]);
      const objects = tool('pdfimages', ['-list', join(root, 'dist', 'doc.pdf')])
        .split('\n')
        .slice(2)
        .map((line) => line.trim().split(/\s+/))
        .filter((columns) => columns[2] === 'image')
        .map((columns) => columns[10]);
      expect(objects.length).toBe(2);
      expect(new Set(objects).size).toBe(1);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('a GIF in a PDF/A', () => {
  it('is an error at the image when its first frame has a transparent colour, as a PNG with alpha is', async () => {
    const gif = readFileSync(join(fixturesDir, 'pdf-gif', 'transparent.gif'));
    const root = tempProject({ 'doc.md': '---\ntitle: Archive\npdfa: true\n---\n\n![A box](box.gif)\n', 'box.gif': gif });
    try {
      const archived = await build({ root, paths: ['doc.md'], out: join(root, 'dist'), formats: ['pdf'], cache: false });
      expect(archived.documents[0]!.file.messages.map((message) => `${message.line}:${message.column} ${message.ruleId}`)).toEqual(['6:1 pdfa-transparency']);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('gifFirstFrame', () => {
  /** A GIF of one `width` × `height` image on a screen of the same size, its LZW data `data`. */
  const gif = (width: number, height: number, minCodeSize: number, data: number[]) =>
    Uint8Array.from([
      ...Buffer.from('GIF89a'),
      width & 0xff, width >> 8, height & 0xff, height >> 8, 0x80, 0, 0,
      0, 0, 0, 255, 255, 255,
      0x2c, 0, 0, 0, 0, width & 0xff, width >> 8, height & 0xff, height >> 8, 0,
      minCodeSize, data.length, ...data, 0, 0x3b,
    ]);

  it('refuses a canvas over the limit before decoding a pixel (a decompression bomb)', () => {
    const frame = gifFirstFrame(gif(4097, 4097, 2, [0x4c, 0x01]));
    expect(frame).toMatchObject({ ruleId: 'pdf-gif-too-large' });
    expect(4097 * 4097).toBeGreaterThan(MAX_GIF_PIXELS);
  });

  it('refuses an LZW code size that would make the decoder run for billions of codes', () => {
    expect(gifFirstFrame(gif(2, 2, 30, [0xff]))).toMatchObject({ ruleId: 'pdf-gif-invalid' });
  });

  it('decodes a one-pixel GIF, and says what is wrong with bytes that are no GIF', () => {
    const frame = gifFirstFrame(gif(1, 1, 2, [0x4c, 0x01]));
    expect(frame).toMatchObject({ width: 1, height: 1, transparent: false });
    expect(gifFirstFrame(Buffer.from('\x89PNG\r\n'))).toMatchObject({ ruleId: 'pdf-gif-invalid' });
    expect(gifFirstFrame(Uint8Array.from(Buffer.from('GIF89a')))).toMatchObject({ ruleId: 'pdf-gif-invalid' });
  });
});
