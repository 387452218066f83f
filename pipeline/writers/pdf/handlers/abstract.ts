import { term } from '../../../terms.ts';
import type { Abstract } from '../../../types.ts';
import { shift, space, struct, type Box } from '../boxes.ts';
import type { Context, State } from '../state.ts';
import { setText } from '../typeset.ts';

/**
 * The abstract, after the title block: a small centred heading in the document's language, then
 * the text a size smaller and in a narrower measure (indented an eighth of the column each side).
 */
export function abstract(state: State, node: Abstract, context: Context): Box[] {
  const element = struct('Sect', context.struct);
  const size = context.size * 0.92;
  const leading = context.leading * 0.92;
  const indent = Math.round(context.width / 8);
  const heading = setText(state, [{ text: term(state.lang, 'abstract'), style: 'bold', size, color: state.theme.body.color, rise: 0 }], {
    width: context.width,
    leading,
    size,
    align: 'center',
    struct: struct('H2', element),
  });
  heading.forEach((line) => (line.keep = true));
  const body = shift(state.all(node.children, { ...context, width: context.width - 2 * indent, size, leading, struct: element }), indent);
  return [...heading, space(leading * 0.3, true), ...body];
}
