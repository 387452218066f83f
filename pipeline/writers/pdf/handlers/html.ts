import { fromHtml } from 'hast-util-from-html';
import { sanitize } from 'hast-util-sanitize';
import { toString } from 'hast-util-to-string';
import type { Html } from 'mdast';
import type { Box } from '../boxes.ts';
import type { Context, State } from '../state.ts';

/**
 * Raw HTML prints as its text, never its markup: parsed, sanitised (so a script's source is not
 * text), then set as a paragraph. Comments and empty markup leave nothing.
 */
export function html(state: State, node: Html, context: Context): Box[] {
  const text = toString(sanitize(fromHtml(node.value, { fragment: true }))).replace(/\s+/g, ' ').trim();
  if (!text) return [];
  return state.all([{ type: 'paragraph', children: [{ type: 'text', value: text, position: node.position }], position: node.position }], context);
}
