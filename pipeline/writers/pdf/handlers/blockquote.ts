import type { Blockquote } from 'mdast';
import { shift, struct, type Box } from '../boxes.ts';
import { nestedIndent, type Context, type State } from '../state.ts';

/** Indented, with a rule in the margin on every slice (so a quote split across pages keeps it). */
export function blockquote(state: State, node: Blockquote, context: Context): Box[] {
  const { ruleColor, ruleWidth } = state.theme.blockquote;
  const indent = nestedIndent(context, state.theme.blockquote.indent);
  const element = struct('BlockQuote', context.struct);
  const boxes = shift(state.all(node.children, { ...context, width: context.width - indent, struct: element }), indent);
  for (const box of boxes) {
    box.ops.push({ op: 'line', points: [[indent * 0.35, 0], [indent * 0.35, box.height]], width: ruleWidth, color: ruleColor });
  }
  return boxes;
}
