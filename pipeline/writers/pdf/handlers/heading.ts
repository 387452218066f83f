import type { Heading } from 'mdast';
import { headingText } from '../../shared/format.ts';
import { toRuns } from '../inline.ts';
import { struct, type Box } from '../boxes.ts';
import type { Context, State } from '../state.ts';
import { setText } from '../typeset.ts';

/** Bold, ragged, never hyphenated, kept with what follows; a bookmark and a link target. */
export function heading(state: State, node: Heading, context: Context): Box[] {
  const spec = state.theme.headings[node.depth - 1]!;
  const inNote = context.size < state.theme.body.size;
  const size = inNote ? context.size : spec.size;
  const leading = inNote ? context.leading : spec.leading;
  const element = struct(`H${node.depth}`, context.struct);
  const style = node.depth >= 4 ? 'boldItalic' : 'bold';
  const runs = toRuns(state, node.children, { style, size, color: state.theme.body.color }, element);
  const number = node.data?.sectionNumber;
  if (number) runs.unshift({ text: `${number} `, style, size, color: state.theme.body.color, rise: 0, struct: element });
  const lines = setText(state, runs, { width: context.width, leading, size, align: 'left', struct: element });
  for (const line of lines) line.keep = true;
  const id = node.data?.id;
  if (lines[0] && id && !inNote) {
    lines[0].dests = [...(lines[0].dests ?? []), id];
    lines[0].outline = { title: headingText(node), depth: node.depth };
  }
  return lines;
}
