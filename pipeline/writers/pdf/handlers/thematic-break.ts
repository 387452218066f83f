import type { ThematicBreak } from 'mdast';
import type { Box } from '../boxes.ts';
import type { Context, State } from '../state.ts';

/** A short centred rule. */
export function thematicBreak(state: State, _node: ThematicBreak, context: Context): Box[] {
  const height = context.leading * 1.5;
  const half = Math.min(context.width / 8, 48);
  return [
    {
      height,
      ops: [{ op: 'line', points: [[context.width / 2 - half, height / 2], [context.width / 2 + half, height / 2]], width: 0.6, color: state.theme.blockquote.ruleColor }],
      notes: [],
      keep: false,
    },
  ];
}
