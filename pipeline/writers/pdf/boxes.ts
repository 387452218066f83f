import type { Position } from 'unist';
import type { FontStyle } from './fonts.ts';
import type { VectorOutlines } from './math-outlines.ts';

/**
 * The layout model. Handlers turn mdast into Boxes: slices of the page's height (a line,
 * a table row, an image, some space) with drawing operations relative to the box's top left
 * corner in the text column. The paginator only ever sees boxes.
 */

/**
 * Where a link goes: a URL, a destination of this PDF, or another PDF of the same run (a relative
 * path, and a named destination in it), which a viewer opens itself (a GoToR action, as LaTeX's
 * hyperref makes for `file.pdf#name`), where a relative URL would be left to a browser.
 */
export type Link = { kind: 'uri'; url: string } | { kind: 'internal'; name: string } | { kind: 'file'; path: string; destination?: string };

/** A node of the logical structure (tagged PDF), made during layout, realised while drawing. */
export interface StructNode {
  tag: string;
  parent?: StructNode;
  alt?: string;
  lang?: string;
  scope?: 'Row' | 'Column';
  /** A table cell's `/ColSpan` and `/RowSpan`, when above 1. */
  colSpan?: number;
  rowSpan?: number;
  /** An abbreviation's expansion (`/E`), read by assistive technology in its place. */
  expanded?: string;
}

export function struct(tag: string, parent: StructNode | undefined, extra: Omit<StructNode, 'tag' | 'parent'> = {}): StructNode {
  return { tag, parent, ...extra };
}

export interface TextOp {
  op: 'text';
  x: number;
  /** Baseline, relative to the box top. */
  y: number;
  text: string;
  face: string;
  size: number;
  color: string;
  /** Added to each space character (justification). */
  extra: number;
  /** Drawn width, for link rectangles and strike-through. */
  width: number;
  link?: Link;
  strike?: boolean;
  /** A tint drawn behind the text (raw `<mark>`). */
  highlight?: string;
  /** Overrides the box's structure element (labels, links). */
  struct?: StructNode;
  /** Right to left: the text is in logical order, its words drawn from the right. */
  rtl?: boolean;
}

export interface RectOp {
  op: 'rect';
  x: number;
  y: number;
  w: number;
  h: number;
  color: string;
  /** Stroke width; absent means filled. */
  stroke?: number;
}

export interface LineOp {
  op: 'line';
  points: [number, number][];
  width: number;
  color: string;
}

export interface ImageOp {
  op: 'image';
  x: number;
  y: number;
  w: number;
  h: number;
  bytes?: Uint8Array;
  svg?: string;
  /** Filled outlines (a typeset formula), drawn scaled into the op's box. */
  outlines?: VectorOutlines;
  /** Overrides the box's structure element (a formula or a picture in a line of text). */
  struct?: StructNode;
  /** A picture in a line of text that is (part of) a link: the link's area is the picture's. */
  link?: Link;
}

export type Op = TextOp | RectOp | LineOp | ImageOp;

export interface Box {
  height: number;
  ops: Op[];
  /** Footnotes cited in this box (first citations decide where notes go). */
  notes: string[];
  /** No page break may follow this box. */
  keep: boolean;
  /** The boxes of one floating figure or table share this key: the paginator may move them to the next page's top. */
  float?: string;
  /** A line of text that ends in a hyphen (a page never ends with it). */
  hyphenated?: boolean;
  /** Vertical space, dropped at the top of a page. */
  space?: boolean;
  /** A page ends before this box (a book's chapter opens a page, as LaTeX's \\chapter does). */
  breakBefore?: boolean;
  struct?: StructNode;
  /** Named destinations placed at the top of the box. */
  dests?: string[];
  /** A heading: becomes a bookmark. */
  outline?: { title: string; depth: number };
  /** Table rows: the header row to repeat when this row starts a page. */
  header?: Box;
  /** Draw everything as an artifact (a repeated table header). */
  artifact?: boolean;
}

/** A styled stretch of inline content before line breaking. */
export interface Run {
  text: string;
  style: FontStyle;
  size: number;
  color: string;
  /** Baseline shift upwards, in points (superscripts). */
  rise: number;
  link?: Link;
  strike?: boolean;
  /** A tint drawn behind the text (raw `<mark>`). */
  highlight?: string;
  /** A footnote reference: its note number. */
  note?: string;
  /** Long tokens (URLs, code) may break after punctuation. */
  breakAnywhere?: boolean;
  /** A destination to set at this run (first citation of a note). */
  dest?: string;
  /** Raw HTML anchors that stand just before this run. */
  anchors?: string[];
  place?: Position;
  /** A forced line break. */
  hardBreak?: boolean;
  struct?: StructNode;
  /** Something drawn in the line instead of text (a formula); `text` is then empty. */
  object?: InlineObject;
}

/** A drawing set in a line of text like a glyph: its width, and its extent above and below the baseline. */
export interface InlineObject {
  bytes?: Uint8Array;
  svg?: string;
  outlines?: VectorOutlines;
  width: number;
  ascent: number;
  descent: number;
  /** A picture (not a formula): scaled down, keeping its aspect, to fit the measure and the page. */
  picture?: boolean;
}

export function shift(boxes: Box[], dx: number): Box[] {
  if (dx === 0) return boxes;
  for (const box of boxes) {
    for (const op of box.ops) {
      if (op.op === 'line') op.points = op.points.map(([x, y]) => [x + dx, y]);
      else op.x += dx;
    }
  }
  return boxes;
}

/** The op drawn `dy` lower, as a new op (an op may be shared with the layout memo). */
export function moveDown(op: Op, dy: number): Op {
  if (dy === 0) return op;
  if (op.op === 'line') return { ...op, points: op.points.map(([x, y]) => [x, y + dy] as [number, number]) };
  return { ...op, y: op.y + dy };
}

export function space(height: number, keep = false): Box {
  return { height, ops: [], notes: [], keep, space: true };
}

/** Where a page must end: a space of no height, dropped at the top of the page that follows. */
export function pageBreak(): Box {
  return { height: 0, ops: [], notes: [], keep: false, space: true, breakBefore: true };
}
