import type { Alert } from 'mdast';
import { ALERT_COLORS } from '../../shared/alerts.ts';
import { shift, space, struct, type Box } from '../boxes.ts';
import { nestedIndent, type Context, type State } from '../state.ts';
import { setText } from '../typeset.ts';

/**
 * A GitHub alert: a box with a coloured rule down its side and its localised title in that
 * colour, kept with the text that follows it. An alert short enough (under a third of the
 * page) is kept whole on one page, as a figure would be.
 */
export function alert(state: State, node: Alert, context: Context): Box[] {
  const color = ALERT_COLORS[node.kind];
  const indent = nestedIndent(context, state.theme.blockquote.indent);
  const element = struct('Div', context.struct);
  const inner: Context = { ...context, width: context.width - indent, struct: element, indentFirst: false, indentParagraphs: false };
  const title = setText(state, [{ text: node.data?.title ?? node.kind, style: 'bold', size: context.size, color, rise: 0 }], {
    width: inner.width,
    leading: context.leading,
    size: context.size,
    align: 'left',
    struct: struct('P', element),
  });
  const boxes = shift([...title, space(context.blockSpace * 0.4, true), ...state.all(node.children, inner)], indent);
  for (const box of title) box.keep = true;
  const height = boxes.reduce((sum, box) => sum + box.height, 0);
  if (height < context.maxHeight / 3) boxes.slice(0, -1).forEach((box) => (box.keep = true));
  for (const box of boxes) {
    box.ops.push({ op: 'line', points: [[indent * 0.35, 0], [indent * 0.35, box.height]], width: 2.2, color });
    // A space box at a page's top is dropped with its rule; the rule is the box's edge, not content.
    box.struct ??= element;
  }
  return boxes;
}
