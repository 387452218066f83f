import type { Asset } from '../types.ts';
import { sniffImageType } from './assets.ts';

/**
 * What an image file really is, read from its bytes: its media type (the bytes win over the
 * file's name: a JPEG named .png is a JPEG) and, when no reader could show it, why.
 */
export interface ImageCheck {
  mediaType: string;
  /** Why the file is not a usable image (a sentence fragment, to follow the file's path), or none. */
  problem?: string;
}

/**
 * Check an image as far as a reader must parse it to place it: its signature, its header and its
 * size, and for PNG and JPEG that the file is not cut short. This is the depth at which epubcheck
 * calls an image corrupt (PKG-021: Java's ImageIO must read the header and the first image's
 * width and height; OPF-029: the signature must match the media type) and a little more: a PNG
 * cut before its IEND chunk (which pdfkit refuses) and a JPEG with no end marker after its scan.
 * No pixel is decoded: a walk over a PNG's chunks or a JPEG's segments, a GIF's blocks up to its
 * first image. A GIF cut inside its first image passes (browsers and the PDF draw what it holds).
 * An SVG has been parsed and written back already (read/svg.ts): one with no `<svg>` element
 * (text, an HTML page) is what fails here.
 */
export function checkImage(asset: Asset): ImageCheck {
  const bytes = asset.bytes;
  const sniffed = sniffImageType(bytes);
  if (!sniffed) return { mediaType: asset.mediaType, problem: notAnImage(asset.mediaType, bytes) };
  const problem = PROBLEMS[sniffed]?.(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  return problem ? { mediaType: sniffed, problem } : { mediaType: sniffed };
}

/** What a file of each type is called in a message, with its article. */
const NAMES: Record<string, string> = {
  'image/png': 'a PNG image',
  'image/jpeg': 'a JPEG image',
  'image/gif': 'a GIF image',
  'image/svg+xml': 'an SVG image',
  'image/webp': 'a WebP image',
};

function notAnImage(mediaType: string, bytes: Uint8Array): string {
  const name = NAMES[mediaType] ?? 'an image';
  if (bytes.length === 0) return `the file is empty, not ${name}`;
  if (mediaType === 'image/svg+xml') return 'the file is not an SVG image (it holds no <svg> element)';
  return `the file is not ${name} (it does not begin with the signature of any image type)`;
}

const PROBLEMS: Record<string, (bytes: Buffer) => string | undefined> = {
  'image/png': pngProblem,
  'image/jpeg': jpegProblem,
  'image/gif': gifProblem,
  'image/webp': webpProblem,
};

/** PNG: the IHDR chunk first and valid (as ImageIO checks it), a palette for a palette image, image data, then IEND. */
function pngProblem(bytes: Buffer): string | undefined {
  if (bytes.length < 33 || bytes.readUInt32BE(8) !== 13 || bytes.toString('latin1', 12, 16) !== 'IHDR') return 'the PNG has no valid header (IHDR chunk)';
  const width = bytes.readUInt32BE(16);
  const height = bytes.readUInt32BE(20);
  const [depth, colour, compression, filter, interlace] = [bytes[24]!, bytes[25]!, bytes[26]!, bytes[27]!, bytes[28]!];
  if (width === 0 || height === 0 || width > 0x7fffffff || height > 0x7fffffff) return `the PNG's header gives an impossible size (${width} × ${height})`;
  const depths: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
  if (!depths[colour]?.includes(depth) || compression !== 0 || filter !== 0 || interlace > 1) return 'the PNG\'s header is invalid (its bit depth, colour type or methods)';
  let palette = false;
  let data = false;
  for (let at = 8; ; ) {
    if (at + 12 > bytes.length) return 'the PNG ends before its IEND chunk (a truncated file)';
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    if (!/^[A-Za-z]{4}$/.test(type) || length > 0x7fffffff) return `the PNG is corrupt at byte ${at} (not a chunk)`;
    if (at + 12 + length > bytes.length) return `the PNG ends inside its ${type} chunk (a truncated file)`;
    if (type === 'PLTE') palette = true;
    else if (type === 'IDAT') {
      if (colour === 3 && !palette) return 'the PNG is a palette image without a palette (PLTE chunk)';
      data = true;
    } else if (type === 'IEND') return data ? undefined : 'the PNG holds no image data (IDAT chunk)';
    at += 12 + length;
  }
}

/** JPEG: segments up to the first scan, a frame header with a size before it, and an end marker after it. */
function jpegProblem(bytes: Buffer): string | undefined {
  let size: { width: number; height: number } | undefined;
  for (let at = 2; ; ) {
    if (at + 2 > bytes.length) return 'the JPEG ends before its image data (a truncated file)';
    if (bytes[at] !== 0xff) return `the JPEG is corrupt at byte ${at} (not a marker)`;
    while (bytes[at + 1] === 0xff && at + 2 < bytes.length) at++; // fill bytes
    const marker = bytes[at + 1]!;
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xd8 || marker === 0x00 || marker === 0xff) return `the JPEG is corrupt at byte ${at} (an unexpected marker)`;
    if (at + 4 > bytes.length) return 'the JPEG ends before its image data (a truncated file)';
    const length = bytes.readUInt16BE(at + 2);
    if (length < 2) return `the JPEG is corrupt at byte ${at} (a segment of length ${length})`;
    if (at + 2 + length > bytes.length) return 'the JPEG ends inside a header segment (a truncated file)';
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (length < 8) return 'the JPEG\'s frame header is too short';
      size = { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
      if (size.width === 0 || size.height === 0 || bytes[at + 9] === 0) return `the JPEG's frame header gives an impossible size (${size.width} × ${size.height})`;
    }
    if (marker === 0xda) {
      if (!size) return 'the JPEG has no frame header (no size) before its image data';
      // The end marker: scanning back from the end finds it at once, past any bytes after it.
      return bytes.lastIndexOf(END_OF_IMAGE) > at + 2 + length ? undefined : 'the JPEG ends inside its image data, with no end marker (a truncated file)';
    }
    at += 2 + length;
  }
}

const END_OF_IMAGE = Buffer.from([0xff, 0xd9]);

/** GIF: the version, the logical screen, then blocks up to a first image with a size (what ImageIO reads for its width). */
function gifProblem(bytes: Buffer): string | undefined {
  const version = bytes.toString('latin1', 0, 6);
  if (version !== 'GIF87a' && version !== 'GIF89a') return 'the GIF\'s header is invalid (neither GIF87a nor GIF89a)';
  if (bytes.length < 13) return 'the GIF ends inside its header (a truncated file)';
  const flags = bytes[10]!;
  let at = 13 + (flags & 0x80 ? 3 << ((flags & 7) + 1) : 0);
  for (;;) {
    if (at >= bytes.length) return 'the GIF ends before its first image (a truncated file)';
    const block = bytes[at]!;
    if (block === 0x2c) {
      if (at + 10 > bytes.length) return 'the GIF ends inside its first image descriptor (a truncated file)';
      const width = bytes.readUInt16LE(at + 5);
      const height = bytes.readUInt16LE(at + 7);
      return width === 0 || height === 0 ? `the GIF's first image has an impossible size (${width} × ${height})` : undefined;
    }
    if (block === 0x3b) return 'the GIF holds no image';
    if (block !== 0x21) return `the GIF is corrupt at byte ${at} (not a block)`;
    // An extension: its label, then data sub-blocks until an empty one.
    at += 2;
    for (;;) {
      if (at >= bytes.length) return 'the GIF ends before its first image (a truncated file)';
      const size = bytes[at]!;
      at += 1 + size;
      if (size === 0) break;
    }
  }
}

/** WebP: the RIFF container whole, and a first chunk that is image data. */
function webpProblem(bytes: Buffer): string | undefined {
  if (bytes.length < 20) return 'the WebP ends inside its header (a truncated file)';
  if (bytes.readUInt32LE(4) + 8 > bytes.length) return 'the WebP is shorter than its header says (a truncated file)';
  const chunk = bytes.toString('latin1', 12, 16);
  return chunk === 'VP8 ' || chunk === 'VP8L' || chunk === 'VP8X' ? undefined : 'the WebP holds no image data (no VP8, VP8L or VP8X chunk)';
}
