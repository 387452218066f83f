import type { Caption as CaptionNode, Figure } from '../../../types.ts';
import { term } from '../../../terms.ts';
import { toRuns } from '../inline.ts';
import { struct, type Box, type StructNode } from '../boxes.ts';
import type { Context, State } from '../state.ts';
import { setParagraph } from './paragraph.ts';
import { setText } from '../typeset.ts';
import { figure as image } from './image.ts';
import { table } from './table.ts';

/**
 * A numbered figure or table: the image with its caption under it, or the table with its caption
 * above. The caption is a `Caption` element inside the Figure or Table element; a short caption
 * is centred, a longer one justified. The figure's id is a destination for cross-references.
 */
export function figure(state: State, node: Figure, context: Context): Box[] {
  const caption = node.children.find((child): child is CaptionNode => child.type === 'caption');
  const captionLines = (parent: StructNode, width: number) => captionBoxes(state, node, caption, parent, width, context);
  let boxes: Box[] = [];
  for (const child of node.children) {
    if (child.type === 'table') boxes = table(state, child, context, captionLines);
    else if (child.type === 'image' || child.type === 'imageReference') {
      const url = child.type === 'image' ? child.url : state.definitions(child.identifier)?.url;
      boxes = url !== undefined ? image(state, child, url, context, (parent) => captionLines(parent, context.width)) : [];
    }
  }
  if (boxes.length > 0 && node.identifier) boxes[0]!.dests = [...(boxes[0]!.dests ?? []), node.identifier];
  // A float that fits on a page may move to the top of the next one (the paginator decides).
  const height = boxes.reduce((sum, box) => sum + box.height, 0);
  // It moves whole: no page break inside it.
  if (node.float && height <= context.maxHeight * 0.9) {
    boxes.forEach((box, index) => {
      box.float = `${node.kind}-${node.number}`;
      box.keep = index < boxes.length - 1;
    });
  }
  return boxes;
}

function captionBoxes(state: State, node: Figure, caption: CaptionNode | undefined, parent: StructNode, width: number, context: Context): Box[] {
  const size = context.size * 0.9;
  const leading = context.leading * 0.9;
  const element = struct('Caption', parent);
  const color = state.theme.body.color;
  const runs = [
    { text: `${node.label}${caption && caption.children.length > 0 ? term(state.lang, 'captionSeparator') : ''}`, style: 'bold' as const, size, color, rise: 0 },
    ...(caption ? toRuns(state, caption.children, { style: 'regular', size, color }, element) : []),
  ];
  const set = (align: 'justify' | 'center') => setText(state, runs, { width, leading, size, align, struct: element, hyphenator: state.hyphenator });
  const lines = set('justify');
  // A one-line caption is centred under (or over) what it captions, as LaTeX does.
  return lines.length === 1 ? set('center') : lines;
}

/** A caption met on its own (never made by the transform): set as a caption paragraph. */
export function caption(state: State, node: CaptionNode, context: Context): Box[] {
  return setParagraph(state, node.children, context, 'Caption');
}
