import type { List, ListItem } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { textDirection } from '../../shared/direction.ts';
import { shift, space, struct, type Box, type TextOp } from '../boxes.ts';
import { nestedIndent, type Context, type State } from '../state.ts';

/** Ordered lists keep their start number; nested lists indent; task items get a drawn box. */
export function list(state: State, node: List, context: Context): Box[] {
  const element = struct('L', context.struct);
  const indent = state.theme.list.indent * (context.size / state.theme.body.size);
  const start = node.start ?? 1;
  const tight = node.spread !== true && !node.children.some((item) => item.spread);
  const depth = listDepth(context.struct);
  const widestLabel = node.ordered ? state.fonts.width(state.fonts.face('regular'), `${start + node.children.length - 1}.`, context.size) + context.size * 0.5 : context.size;
  // Deep nesting stops indenting rather than squeezing the text; the label then hangs into the
  // parent's label column, which is empty beside a nested item.
  const labelWidth = nestedIndent(context, Math.max(indent, widestLabel));
  const boxes: Box[] = [];
  node.children.forEach((item, index) => {
    if (index > 0) boxes.push(space(tight ? state.theme.list.itemSpace * (context.size / state.theme.body.size) : context.blockSpace));
    const label = node.ordered ? `${start + index}.` : depth % 2 === 0 ? '•' : '–';
    boxes.push(...itemBoxes(state, item, { ...context, struct: element, tight }, labelWidth, label));
  });
  return boxes;
}

function listDepth(node: Context['struct'] | undefined): number {
  let depth = 0;
  for (let current = node; current; current = current.parent) if (current.tag === 'L') depth++;
  return depth;
}

function itemBoxes(state: State, item: ListItem, context: Context, labelWidth: number, label: string): Box[] {
  const element = struct('LI', context.struct);
  const body = struct('LBody', element);
  const inner: Context = { ...context, width: context.width - labelWidth, struct: body, indentFirst: false, indentParagraphs: false };
  // A right-to-left item hangs its label on the right, as its text starts there.
  const rtl = textDirection(toString(item)) === 'rtl';
  const boxes = shift(state.all(item.children, inner), rtl ? 0 : labelWidth);
  const labelAt = (width: number, gap: number) => (rtl ? context.width - labelWidth + gap : labelWidth - width - gap);
  const first = boxes.find((box) => box.ops.some((op) => op.op === 'text'));
  // The label goes beside the first line of text, else on the first box, else on an empty line.
  let target = first ?? boxes[0];
  if (!target) {
    target = { height: context.leading, ops: [], notes: [], keep: false, struct: body };
    boxes.push(target);
  }
  const firstText = target.ops.find((op): op is TextOp => op.op === 'text');
  const baseline = firstText ? firstText.y : context.leading * 0.72;
  const lbl = struct('Lbl', element);
  if (item.checked === true || item.checked === false) {
    // A drawn box: no font in the chain has U+2610/2611, and a glyph would pollute the text.
    const side = context.size * 0.72;
    const x = labelAt(side, context.size * 0.45);
    const top = baseline - side;
    target.ops.push({ op: 'rect', x, y: top, w: side, h: side, color: state.theme.body.color, stroke: 0.6 });
    if (item.checked) {
      target.ops.push({ op: 'line', points: [[x + side * 0.2, top + side * 0.55], [x + side * 0.42, top + side * 0.8], [x + side * 0.82, top + side * 0.18]], width: 0.9, color: state.theme.body.color });
    }
  } else {
    const face = state.fonts.face('regular');
    const width = state.fonts.width(face, label, context.size);
    // First in the box, so the label comes before the body in the structure (Lbl, LBody).
    target.ops.unshift({ op: 'text', x: labelAt(width, context.size * 0.45), y: baseline, text: label, face: face.name, size: context.size, color: state.theme.body.color, extra: 0, width, struct: lbl });
  }
  return boxes;
}

export function listItem(state: State, node: ListItem, context: Context): Box[] {
  return itemBoxes(state, node, context, state.theme.list.indent, '•');
}
