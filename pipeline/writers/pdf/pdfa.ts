/**
 * What a PDF that claims PDF/A (`pdfa: true`) may not carry, found in the bytes Colophon is
 * about to embed. Each finding is an error at the node that uses it, and no PDF is written:
 * Colophon cannot check its output with a PDF/A validator here, so it refuses what it cannot
 * vouch for rather than flatten or drop it silently.
 */

/** Why a PNG is not opaque: an alpha channel (colour types 4 and 6) or a tRNS chunk; undefined when opaque. */
export function pngTransparency(bytes: Uint8Array): string | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 33) return undefined;
  const colourType = bytes[25];
  if (colourType === 4 || colourType === 6) return 'an alpha channel';
  // Chunks after the 8-byte signature: length, type, data, CRC. tRNS comes before the image data.
  for (let offset = 8; offset + 8 <= bytes.length; ) {
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    if (type === 'tRNS') return 'a transparent colour (tRNS)';
    if (type === 'IDAT' || type === 'IEND') return undefined;
    offset += 12 + length;
  }
  return undefined;
}

/**
 * Why an SVG is not opaque, as far as its markup says: an opacity below 1 (opacity,
 * fill-opacity, stroke-opacity, stop-opacity, as attributes or in styles), a colour with an
 * alpha below 1 (rgba(), hsla(), #rrggbbaa), or a mask. Undefined when none is written.
 */
export function svgTransparency(svg: string): string | undefined {
  for (const match of svg.matchAll(/\b((?:fill-|stroke-|stop-)?opacity)\s*(?:=\s*["']|:)\s*([\d.]+)(%?)/gi)) {
    const value = Number(match[2]) / (match[3] ? 100 : 1);
    if (Number.isFinite(value) && value < 1) return `${match[1]!.toLowerCase()} ${match[2]}${match[3]}`;
  }
  for (const match of svg.matchAll(/\b(?:rgba|hsla)\(([^)]*)\)/gi)) {
    const alpha = match[1]!.split(/[\s,/]+/).filter(Boolean)[3];
    const value = alpha === undefined ? 1 : alpha.endsWith('%') ? Number(alpha.slice(0, -1)) / 100 : Number(alpha);
    if (value < 1) return `a colour with alpha (${match[0]})`;
  }
  const hex = /(?:fill|stroke|stop-color|color)\s*(?:=\s*["']|:)\s*#([\da-f]{8}|[\da-f]{4})\b/i.exec(svg);
  if (hex && !/^(ff|f)$/i.test(hex[1]!.slice(hex[1]!.length === 8 ? 6 : 3))) return `a colour with alpha (#${hex[1]})`;
  if (/<mask\b/i.test(svg)) return 'a mask';
  return undefined;
}

/** The OS/2 table's embedding permissions, as fontkit reads them. */
export interface EmbeddingPermissions {
  noEmbedding?: boolean;
  bitmapOnly?: boolean;
}

/** Why a font may not be embedded as outlines (OS/2 fsType): undefined when it may. */
export function fontEmbeddingRefusal(fsType: EmbeddingPermissions | undefined): string | undefined {
  if (fsType?.noEmbedding) return 'its licence forbids embedding (OS/2 fsType: restricted licence)';
  if (fsType?.bitmapOnly) return 'its licence allows only bitmap embedding (OS/2 fsType)';
  return undefined;
}
