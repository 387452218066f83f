import { inflateSync } from 'node:zlib';

/** What png-js (pdfkit's PNG reader) holds of an opened PNG that decoding its pixels reads. */
export interface PngFacts {
  imgData: Uint8Array;
  width: number;
  height: number;
  pixelBitlength: number;
  interlaceMethod: number;
}

/**
 * The pixels png-js gives for the same PNG, byte for byte: its image data inflated and
 * unfiltered, each row's bytes one after the other (interlaced passes put in place), at the
 * file's own bit depth.
 */
export function pngPixels(png: PngFacts): Uint8Array {
  const data = inflateSync(png.imgData);
  const { width, height } = png;
  // Fractional below 8 bits per pixel, as png-js has it (its unfiltering is kept as it is).
  const pixelBytes = png.pixelBitlength / 8;
  const pixels = new Uint8Array(width * height * pixelBytes);
  let at = 0;
  /** One pass: its rows unfiltered into `pixels` directly, or into a buffer and then spread out. */
  const pass = (x0: number, y0: number, dx: number, dy: number, whole: boolean) => {
    const columns = Math.ceil((width - x0) / dx);
    const rows = Math.ceil((height - y0) / dy);
    const rowLength = pixelBytes * columns;
    const buffer = whole ? pixels : new Uint8Array(rowLength * rows);
    let out = 0;
    for (let row = 0; row < rows && at < data.length; row++) {
      const filter = data[at++];
      const above = (i: number) => (row === 0 ? 0 : buffer[(row - 1) * rowLength + ((i - (i % pixelBytes)) / pixelBytes) * pixelBytes + (i % pixelBytes)]!);
      const aboveLeft = (i: number) => {
        const column = (i - (i % pixelBytes)) / pixelBytes;
        return row === 0 || column === 0 ? 0 : buffer[(row - 1) * rowLength + (column - 1) * pixelBytes + (i % pixelBytes)]!;
      };
      for (let i = 0; i < rowLength; i++) {
        const byte = data[at++]!;
        const left = i < pixelBytes ? 0 : buffer[out - pixelBytes]!;
        let predicted: number;
        switch (filter) {
          case 0:
            predicted = 0;
            break;
          case 1:
            predicted = left;
            break;
          case 2:
            predicted = above(i);
            break;
          case 3:
            predicted = Math.floor((left + above(i)) / 2);
            break;
          case 4: {
            const upper = above(i);
            const upperLeft = aboveLeft(i);
            const estimate = left + upper - upperLeft;
            const [pa, pb, pc] = [Math.abs(estimate - left), Math.abs(estimate - upper), Math.abs(estimate - upperLeft)];
            predicted = pa <= pb && pa <= pc ? left : pb <= pc ? upper : upperLeft;
            break;
          }
          default:
            throw new Error(`Invalid filter algorithm: ${filter}`);
        }
        buffer[out++] = (byte + predicted) % 256;
      }
      if (!whole) {
        let to = ((y0 + row * dy) * width + x0) * pixelBytes;
        let from = row * rowLength;
        for (let column = 0; column < columns; column++) {
          for (let j = 0; j < pixelBytes; j++) pixels[to++] = buffer[from++]!;
          to += (dx - 1) * pixelBytes;
        }
      }
    }
  };
  if (png.interlaceMethod === 1) {
    // Adam7's seven passes.
    for (const [x0, y0, dx, dy] of [
      [0, 0, 8, 8],
      [4, 0, 8, 8],
      [0, 4, 4, 8],
      [2, 0, 4, 4],
      [0, 2, 2, 4],
      [1, 0, 2, 2],
      [0, 1, 1, 2],
    ] as const)
      pass(x0, y0, dx, dy, false);
  } else pass(0, 0, 1, 1, true);
  return pixels;
}
