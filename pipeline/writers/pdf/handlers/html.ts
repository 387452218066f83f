import type { Html } from 'mdast';
import { report } from '../../../messages.ts';
import type { Box } from '../model.ts';
import type { Context, State } from '../state.ts';

/** Raw HTML has no print rendering. Comments vanish silently; anything else is reported. */
export function html(state: State, node: Html, _context: Context): Box[] {
  if (!/^\s*<!--[\s\S]*-->\s*$/.test(node.value)) {
    report(state.file, 'info', 'raw HTML is left out of the PDF edition', node, 'pdf-raw-html');
  }
  return [];
}
