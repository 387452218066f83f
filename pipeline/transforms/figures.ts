import type { Image, ImageReference, Paragraph, Parent, PhrasingContent, Root, RootContent, Table, TableRow, Text } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { SKIP, visit } from '../visit.ts';
import type { VFile } from 'vfile';
import { report } from '../messages.ts';
import { numberedLabel } from '../terms.ts';
import type { DocumentMeta, Figure, FigureContent } from '../types.ts';

/** `{#fig:x .nofloat width=50%}`: Pandoc attributes. */
interface Attributes {
  id?: string;
  classes: string[];
}

const ATTRIBUTES = /\{\s*([^{}]*?)\s*\}\s*$/;
const TABLE_CAPTION = /^(?:Table)?:\s+/;

/** A transform as a plugin, for users who compose their own processor. */
export function remarkFigures(meta: DocumentMeta) {
  return (tree: Root, file: VFile) => makeFigures(tree, file, meta);
}

/** What numbering figures carries from one chapter of a book to the next. */
export interface FigureState {
  counters: { figure: number; table: number };
  /** Ids taken. */
  seen: Set<string>;
  /**
   * A book transformed a chapter at a time: the joined book numbers its top-level figures before
   * any inside another block (a list, raw HTML), so those are counted here (and how many have an
   * id), and `numberNestedFigures` adds the book's top-level count once every chapter is counted.
   */
  nested?: { figure: number; table: number; ids: number };
}

/** A book's chapter: its figures inside other blocks follow the book's top-level ones (see FigureState.nested). */
export function numberNestedFigures(tree: Root, meta: DocumentMeta, state: FigureState): void {
  visit(tree, 'figure', (node: Figure, _index, parent) => {
    if (parent === tree) return;
    node.number += state.counters[node.kind];
    node.label = numberedLabel(meta.lang, node.kind, node.number);
  });
}

/**
 * Turn captioned images and tables into figure nodes and number them once. Footnote definitions
 * are left alone: an image in a note stays inline.
 */
export function makeFigures(tree: Root, file: VFile, meta: DocumentMeta, state: FigureState = { counters: { figure: 0, table: 0 }, seen: new Set() }): void {
  const { counters, seen, nested } = state;
  let inside = false;
  const make = (kind: Figure['kind'], children: FigureContent[], attributes: Attributes, node: RootContent): Figure => {
    // The tree's top-level figures are numbered first, then those inside other blocks.
    const number = inside && nested ? ++nested[kind] : ++counters[kind];
    if (inside && nested && attributes.id) nested.ids++;
    const figure: Figure = {
      type: 'figure',
      kind,
      children,
      number,
      label: numberedLabel(meta.lang, kind, number),
      float: meta.float !== false && !attributes.classes.includes('nofloat'),
      position: node.position,
    };
    if (attributes.id) {
      if (seen.has(attributes.id)) report(file, 'warning', `"${attributes.id}" labels two ${kind}s; links go to the first`, node, 'figure-duplicate-id');
      else figure.identifier = attributes.id;
      seen.add(attributes.id);
    }
    return figure;
  };

  visit(tree, (node) => {
    // Trusted raw HTML keeps its own markup in the HTML: numbering a figure in it would give the PDF a "Figure N" the HTML lacks.
    if (node.type === 'footnoteDefinition' || node.type === 'figure' || node.type === 'trustedHtml') return SKIP;
    if (!('children' in node) || node.type === 'paragraph' || node.type === 'table') return undefined;
    inside = node !== tree;
    const children = (node as Parent).children as RootContent[];
    for (let index = 0; index < children.length; index++) {
      const child = children[index]!;
      if (child.type === 'htmlBlock' && child.tagName === 'figure') {
        // A raw `<figure>` with one image: the same numbered figure, captioned by its `<figcaption>`.
        const caption = child.children.find((inner) => inner.type === 'htmlBlock' && inner.tagName === 'figcaption');
        const images = child.children.filter((inner) => inner !== caption);
        const image = images.length === 1 && images[0]!.type === 'paragraph' ? loneImage(images[0]!) : undefined;
        if (image) {
          const captionChildren = caption && caption.type === 'htmlBlock' ? (caption.children as PhrasingContent[]) : [{ type: 'text' as const, value: image.image.alt ?? '' }];
          children[index] = make('figure', [image.image, { type: 'caption', children: captionChildren }], { id: child.properties.id, classes: [] }, child);
        }
      } else if (child.type === 'paragraph') {
        const image = loneImage(child);
        if (image && !(image.image.type === 'image' && image.image.data?.fromHtml)) children[index] = make('figure', [image.image, { type: 'caption', children: [{ type: 'text', value: image.image.alt ?? '' }] }], image.attributes, child);
      } else if (child.type === 'table') {
        const table = child;
        let caption = trailingRowCaption(table);
        let from = index;
        let to = index + 1;
        if (!caption) {
          const before = children[index - 1];
          const after = children[index + 1];
          const captionBefore = before?.type === 'paragraph' ? captionOf(before) : undefined;
          // Pandoc reads a caption before the table first.
          caption = captionBefore ?? (after?.type === 'paragraph' ? captionOf(after) : undefined);
          if (captionBefore) from = index - 1;
          else if (caption) to = index + 2;
        }
        if (!caption) continue;
        const figure = make('table', [{ type: 'caption', children: caption.children, position: caption.position }, table], caption.attributes, table);
        children.splice(from, to - from, figure);
        index = from;
      }
    }
    return undefined;
  });
}

/** The image of a paragraph that holds only an image with alt text (and perhaps `{attributes}` after it). */
function loneImage(paragraph: Paragraph): { image: Image | ImageReference; attributes: Attributes } | undefined {
  const content = paragraph.children.filter((child) => !(child.type === 'text' && child.value.trim() === ''));
  const [image, rest, ...more] = content;
  if (!image || (image.type !== 'image' && image.type !== 'imageReference') || more.length > 0) return undefined;
  let attributes: Attributes = { classes: [] };
  if (rest) {
    const match = rest.type === 'text' ? /^\s*\{([^{}]*)\}\s*$/.exec(rest.value) : null;
    if (!match) return undefined;
    attributes = parseAttributes(match[1]!);
  }
  // Pandoc: only an image with a caption becomes a figure.
  if (!image.alt?.trim()) return undefined;
  return { image, attributes };
}

interface FoundCaption {
  children: PhrasingContent[];
  attributes: Attributes;
  position?: Paragraph['position'];
}

/** A `Table: …` or `: …` paragraph, its prefix and trailing `{#tbl:x}` taken off. */
function captionOf(paragraph: Paragraph): FoundCaption | undefined {
  const first = paragraph.children[0];
  if (first?.type !== 'text' || !TABLE_CAPTION.test(first.value)) return undefined;
  const children = structuredClone(paragraph.children);
  const head = children[0] as Text;
  head.value = head.value.replace(TABLE_CAPTION, '');
  if (head.value === '') children.shift();
  return { children: takeAttributes(children), attributes: trailingAttributes(paragraph.children), position: paragraph.position };
}

/**
 * `Table: …` written on the line right under a table is read by GFM as one more row whose first
 * cell is the caption: take it back out.
 */
function trailingRowCaption(table: Table): FoundCaption | undefined {
  const last: TableRow | undefined = table.children.at(-1);
  if (!last || table.children.length < 3) return undefined;
  const [cell, ...others] = last.children;
  if (!cell || others.some((other) => toString(other).trim() !== '')) return undefined;
  const paragraph: Paragraph = { type: 'paragraph', children: cell.children, position: cell.position };
  const caption = captionOf(paragraph);
  if (caption && TABLE_CAPTION.test(toString(cell))) {
    table.children.pop();
    return caption;
  }
  return undefined;
}

function trailingAttributes(children: PhrasingContent[]): Attributes {
  const last = children.at(-1);
  const match = last?.type === 'text' ? ATTRIBUTES.exec(last.value) : null;
  return match ? parseAttributes(match[1]!) : { classes: [] };
}

/** The caption without its trailing `{…}`. */
function takeAttributes(children: PhrasingContent[]): PhrasingContent[] {
  const last = children.at(-1);
  if (last?.type !== 'text' || !ATTRIBUTES.test(last.value)) return children;
  last.value = last.value.replace(ATTRIBUTES, '').trimEnd();
  if (last.value === '') children.pop();
  return children;
}

function parseAttributes(source: string): Attributes {
  const attributes: Attributes = { classes: [] };
  for (const token of source.trim().split(/\s+/)) {
    if (token.startsWith('#') && token.length > 1) attributes.id = token.slice(1);
    else if (token.startsWith('.') && token.length > 1) attributes.classes.push(token.slice(1));
  }
  return attributes;
}
