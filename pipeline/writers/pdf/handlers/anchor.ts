import type { Anchor } from 'mdast';
import type { Box } from '../boxes.ts';
import type { Context, State } from '../state.ts';

/** A link target between blocks: no height, kept with what follows, a named destination. */
export function anchor(_state: State, node: Anchor, _context: Context): Box[] {
  return node.id ? [{ height: 0, ops: [], notes: [], keep: true, dests: [node.id] }] : [];
}
