import { decompressFrame, parseGIF, type ParsedGif } from 'gifuct-js';
import { PNG } from 'pngjs';

/**
 * A GIF for the PDF: pdfkit embeds only PNG and JPEG, so the GIF's first frame is decoded
 * (gifuct-js) and written as a PNG (pngjs), as Typst draws a GIF's first frame. An animated GIF
 * gives its first frame and no message: a printed page cannot move, and Typst says nothing either.
 */

/**
 * Most pixels a GIF's canvas may have: 4096 × 4096. Measured here, a 4000 × 4000 GIF's PDF build
 * peaks at about 420 MB (a small document's: 90 MB) and takes about 3 s. A GIF's header may
 * declare 65,535 × 65,535 in ten bytes, and its LZW data expands about a thousandfold: the
 * declared sizes are checked before any pixel is decoded, so no GIF, whatever its data, makes more.
 */
export const MAX_GIF_PIXELS = 4096 * 4096;

/** The first frame as a PNG, its size in pixels, and what a reader should know about it. */
export interface GifFrame {
  png: Uint8Array;
  width: number;
  height: number;
  /** Some pixels are transparent (the GIF's transparent index, or the canvas outside the frame). */
  transparent: boolean;
  /** The file ends inside its first image (a truncated file): drawn as decoded, the rest in its first colour. */
  truncated?: boolean;
}

/** Why a GIF cannot be drawn, said to the writer of the document. */
export interface GifProblem {
  problem: string;
  ruleId: 'pdf-gif-invalid' | 'pdf-gif-too-large';
}

/**
 * The GIF's first frame composed on its canvas (the logical screen, grown to hold the frame as
 * browsers grow it for a first frame that overflows it), transparent where the frame's
 * transparent index is and outside the frame. Pure and deterministic: the same bytes give the
 * same PNG. A corrupt or oversized GIF gives a problem, never an exception.
 */
export function gifFirstFrame(bytes: Uint8Array): GifFrame | GifProblem {
  if (Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(4, bytes.byteLength)).toString('latin1') !== 'GIF8') return { problem: 'the file is not a GIF (no GIF8 signature)', ruleId: 'pdf-gif-invalid' };
  let gif: ParsedGif;
  try {
    gif = parseGIF(Uint8Array.from(bytes).buffer);
  } catch (error) {
    return invalid(error);
  }
  // The first image, and the graphic control (transparency) that comes before it.
  let control: GifControl | undefined;
  let first: GifImageFrame | undefined;
  let index = 0;
  for (; index < gif.frames.length; index++) {
    const frame = gif.frames[index]!;
    if ('gce' in frame && frame.gce) control = frame.gce;
    if ('image' in frame && frame.image) {
      first = frame;
      break;
    }
  }
  if (!first) return { problem: 'the GIF holds no image', ruleId: 'pdf-gif-invalid' };
  const { left, top, width: frameWidth, height: frameHeight } = first.image.descriptor;
  const palette = first.image.descriptor.lct.exists ? first.image.lct : gif.lsd.gct.exists ? gif.gct : undefined;
  if (!palette || palette.length === 0) return { problem: 'the GIF has no colour table for its first image', ruleId: 'pdf-gif-invalid' };
  const minCodeSize = first.image.data.minCodeSize;
  // Codes are at most 12 bits (GIF89a, appendix F); a larger start would make the decoder loop for billions of codes.
  if (!(minCodeSize >= 1 && minCodeSize <= 11)) return { problem: `the GIF's first image has an invalid LZW code size (${minCodeSize})`, ruleId: 'pdf-gif-invalid' };
  if (![left, top, frameWidth, frameHeight].every(Number.isInteger)) return { problem: 'the GIF ends inside its first image descriptor', ruleId: 'pdf-gif-invalid' };
  // The canvas is the logical screen, grown to hold a first image that overflows it, as browsers grow it.
  const width = Math.max(gif.lsd.width, left + frameWidth);
  const height = Math.max(gif.lsd.height, top + frameHeight);
  if (width === 0 || height === 0 || frameWidth === 0 || frameHeight === 0) return { problem: 'the GIF\'s first image has no pixels', ruleId: 'pdf-gif-invalid' };
  if (width * height > MAX_GIF_PIXELS) {
    return { problem: `the GIF is ${width} × ${height} pixels, more than the ${MAX_GIF_PIXELS.toLocaleString('en')} pixels Colophon decodes`, ruleId: 'pdf-gif-too-large' };
  }
  // Called only for a frame with an image: gifuct-js warns on the console for one without.
  let indices: ArrayLike<number>;
  try {
    indices = decompressFrame(first as Parameters<typeof decompressFrame>[0], gif.gct, false).pixels;
  } catch (error) {
    return invalid(error);
  }
  const transparentIndex = control?.extras.transparentColorGiven ? control.transparentColorIndex : -1;
  // Zeros are transparent black: the canvas outside the frame, the transparent index, and an
  // index past the colour table (which browsers leave transparent too).
  const rgba = Buffer.alloc(width * height * 4);
  let transparent = frameWidth !== width || frameHeight !== height;
  for (let y = 0; y < frameHeight; y++) {
    let out = ((top + y) * width + left) * 4;
    for (let x = 0, at = y * frameWidth; x < frameWidth; x++, at++, out += 4) {
      const colour = indices[at]!;
      const rgb = colour === transparentIndex ? undefined : palette[colour];
      if (!rgb) {
        transparent = true;
        continue;
      }
      rgba[out] = rgb[0];
      rgba[out + 1] = rgb[1];
      rgba[out + 2] = rgb[2];
      rgba[out + 3] = 255;
    }
  }
  // An opaque frame is written as RGB: pdfkit then embeds its compressed data as it is, without
  // decoding it again. zlib's own defaults, not pngjs's (level 9, run-length only): pyenv's
  // terminal GIF is 12 KB so, 199 KB with pngjs's, and its photographs are no larger.
  const png = PNG.sync.write({ width, height, data: rgba } as PNG, { colorType: transparent ? 6 : 2, inputColorType: 6, inputHasAlpha: true, deflateLevel: 6, deflateStrategy: 0 });
  // The parser stops at the end of the file: a first image that is the last thing parsed, with no trailer after it, was cut short.
  const truncated = index === gif.frames.length - 1 && bytes[bytes.length - 1] !== 0x3b;
  return { png, width, height, transparent, ...(truncated ? { truncated } : {}) };
}

type GifControl = Extract<ParsedGif['frames'][number], { gce: unknown }>['gce'];
type GifImageFrame = Extract<ParsedGif['frames'][number], { image: unknown }> & { image: { lct?: [number, number, number][] } };

function invalid(error: unknown): GifProblem {
  const reason = error instanceof Error ? error.message : String(error);
  return { problem: `the GIF cannot be decoded (${reason.replace(/\.$/, '')})`, ruleId: 'pdf-gif-invalid' };
}
