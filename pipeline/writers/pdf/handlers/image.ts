import type { Image, ImageReference } from 'mdast';
import { quoted, report } from '../../../messages.ts';
import { checkImage } from '../../../read/image-check.ts';
import { struct, type Box, type Op, type StructNode } from '../boxes.ts';
import type { Context, State } from '../state.ts';
import { pngTransparency, svgTransparency } from '../pdfa.ts';
import { setText } from '../typeset.ts';

/**
 * An image set on its own: scaled to the column (and to a page), alt text in the structure, and
 * the caption's lines (made by `caption` inside the Figure element) kept under it.
 */
export function figure(state: State, node: Image | ImageReference, url: string, context: Context, caption?: (figure: StructNode) => Box[]): Box[] {
  const alt = node.alt ?? '';
  const element = struct('Figure', context.struct, { alt: alt || 'image' });
  const picture = loadPicture(state, node, url);
  if (!picture) return withCaption(altText(state, alt, context, element), element, context, caption);
  // Never wider than the column or taller than a page.
  const scale = Math.min(1, context.width / picture.width, tallestPicture(context) / picture.height);
  const width = picture.width * scale;
  const height = picture.height * scale;
  const op: Op = { op: 'image', x: (context.width - width) / 2, y: 0, w: width, h: height, ...picture.source };
  const boxes: Box[] = [{ height, ops: [op], notes: [], keep: false, struct: element }];
  return withCaption(boxes, element, context, caption);
}

/** The tallest a picture may be drawn, on its own or in a line: most of a page, room left for its caption. */
export function tallestPicture(context: Context): number {
  return context.maxHeight * 0.85;
}

/** An image the PDF can draw: its bytes (PNG, JPEG, a GIF's first frame as PNG) or its SVG, and its size in points. */
export interface Picture {
  source: { bytes: Uint8Array } | { svg: string };
  width: number;
  height: number;
}

/**
 * The image at `url`, read for the PDF (on its own or in a line of text), at 96 dpi (CSS
 * pixels), raw HTML's width and height winning over its intrinsic size. None, with a message at
 * the image's place, when it cannot be drawn: a remote one not fetched, a missing or unreadable
 * file, a type the PDF cannot embed, a corrupt or oversized GIF. Its alt text is then shown instead.
 */
export function loadPicture(state: State, node: Image | ImageReference, url: string): Picture | undefined {
  const remote = /^https?:/i.test(url);
  // A remote image is used only when the build fetched it beforehand (--allow-remote).
  const fetched = remote ? state.assets.remote(url) : undefined;
  if (remote && !fetched) {
    report(state.file, 'warning', `remote image "${quoted(url)}" is not embedded in the PDF (remote files are fetched only with --allow-remote); its alt text is shown instead`, node, 'pdf-image-remote');
    return undefined;
  }
  const found = fetched ?? state.assets.document(url, node);
  if (!found) return undefined;
  // The bytes say what the image is (a JPEG named .png is drawn as a JPEG). A GIF is checked
  // further as its first frame is decoded (gif.ts), and a type the PDF cannot draw is said as
  // such below; any other corrupt image shows its alt text.
  const checked = checkImage(found);
  if (checked.problem && DRAWN_HERE.has(checked.mediaType)) {
    report(state.file, 'warning', `${quoted(found.path)}: ${checked.problem}; its alt text is shown in the PDF instead`, node, 'pdf-image-invalid');
    return undefined;
  }
  const asset = { ...found, mediaType: checked.mediaType };
  let size: { width: number; height: number };
  let source: Picture['source'];
  try {
    if (asset.mediaType === 'image/svg+xml') {
      const svg = new TextDecoder().decode(asset.bytes);
      size = svgSize(svg);
      source = { svg };
    } else if (asset.mediaType === 'image/png' || asset.mediaType === 'image/jpeg') {
      size = state.pdf.imageSize(asset.bytes);
      source = { bytes: asset.bytes };
    } else if (asset.mediaType === 'image/gif') {
      // Its first frame, as Typst draws it; the HTML and EPUB carry the GIF itself.
      const frame = state.gifFrame(asset);
      if ('problem' in frame) {
        report(state.file, 'warning', `${asset.path}: ${frame.problem}; its alt text is shown in the PDF instead`, node, frame.ruleId);
        return undefined;
      }
      if (frame.truncated) report(state.file, 'warning', `${asset.path}: the GIF ends inside its first image (a truncated file); the PDF draws the pixels it holds`, node, 'pdf-gif-truncated');
      size = { width: frame.width, height: frame.height };
      source = { bytes: frame.png };
    } else {
      report(state.file, 'warning', `${asset.path}: ${asset.mediaType} images cannot be embedded in the PDF (PNG, JPEG, GIF and SVG can); its alt text is shown instead`, node, 'pdf-image-type');
      return undefined;
    }
    if (state.pdf.pdfa) {
      // No PDF/A validator runs here: what its transparency would need is not vouched for.
      const transparency = 'svg' in source ? svgTransparency(source.svg) : asset.mediaType === 'image/png' ? pngTransparency(asset.bytes) : asset.mediaType === 'image/gif' ? gifTransparency(source.bytes) : undefined;
      if (transparency) report(state.file, 'error', `${asset.path} has ${transparency}, and a PDF/A (pdfa: true) made here carries no transparency: flatten the image onto white; no PDF is written`, node, 'pdfa-transparency');
    }
  } catch (error) {
    report(state.file, 'error', `${asset.path}: cannot read the image: ${(error as Error).message}`, node, 'pdf-image-invalid');
    return undefined;
  }
  // Raw HTML's width and height (CSS pixels) win over the intrinsic size; one of them keeps the aspect.
  const asked = node.data?.hProperties as { width?: unknown; height?: unknown } | undefined;
  const askedWidth = typeof asked?.width === 'number' ? asked.width : undefined;
  const askedHeight = typeof asked?.height === 'number' ? asked.height : undefined;
  if (askedWidth || askedHeight) {
    const ratio = size.height / size.width || 1;
    size = { width: askedWidth ?? (askedHeight as number) / ratio, height: askedHeight ?? (askedWidth as number) * ratio };
  }
  return { source, width: (size.width * 72) / 96, height: (size.height * 72) / 96 };
}

/** Types whose corruption is found by checkImage (read/image-check.ts) before drawing: a GIF's is found as it is decoded. */
const DRAWN_HERE = new Set(['image/png', 'image/jpeg', 'image/svg+xml']);

/** The caption under what was set, kept with it. */
function withCaption(boxes: Box[], element: StructNode, context: Context, caption: ((figure: StructNode) => Box[]) | undefined): Box[] {
  if (!caption) return boxes;
  const lines = caption(element);
  if (lines.length === 0) return boxes;
  boxes.forEach((box) => (box.keep = true));
  return [...boxes, { height: context.leading * 0.4, ops: [], notes: [], keep: true }, ...lines];
}

function altText(state: State, alt: string, context: Context, element: ReturnType<typeof struct>): Box[] {
  if (!alt) return [];
  return setText(state, [{ text: `[${alt}]`, style: 'italic', size: context.size, color: state.theme.body.color, rise: 0 }], {
    width: context.width,
    leading: context.leading,
    size: context.size,
    align: 'center',
    struct: element,
  });
}

/** Intrinsic size of an SVG from width/height, else its viewBox, else 300×150 (the CSS default). */
export function svgSize(svg: string): { width: number; height: number } {
  const root = /<svg\b[^>]*>/i.exec(svg)?.[0] ?? '';
  const attribute = (name: string) => new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, 'i').exec(root)?.[1];
  const length = (value: string | undefined) => {
    const match = value ? /^\s*([\d.]+)\s*(px|pt|mm|cm|in)?\s*$/.exec(value) : null;
    if (!match) return undefined;
    const factor = { px: 1, pt: 96 / 72, mm: 96 / 25.4, cm: 96 / 2.54, in: 96 }[match[2] ?? 'px'] ?? 1;
    return Number(match[1]) * factor;
  };
  const viewBox = attribute('viewBox')?.trim().split(/[\s,]+/).map(Number);
  let width = length(attribute('width'));
  let height = length(attribute('height'));
  if (viewBox && viewBox.length === 4 && viewBox[2]! > 0 && viewBox[3]! > 0) {
    if (width === undefined && height === undefined) [width, height] = [viewBox[2]!, viewBox[3]!];
    else if (width === undefined) width = (height! * viewBox[2]!) / viewBox[3]!;
    else if (height === undefined) height = (width * viewBox[3]!) / viewBox[2]!;
  }
  return { width: width ?? 300, height: height ?? 150 };
}

/** A GIF's transparency, as its first frame (written as PNG) carries it. */
function gifTransparency(png: Uint8Array): string | undefined {
  return pngTransparency(png) ? 'a transparent colour' : undefined;
}
