import type { RootContent } from 'mdast';
import type { Box } from '../boxes.ts';
import type { Context, State } from '../state.ts';
import { abstract } from './abstract.ts';
import { anchor } from './anchor.ts';
import { alert } from './alert.ts';
import { blockquote } from './blockquote.ts';
import { defList, defListDescription, defListTerm } from './definition-list.ts';
import { code } from './code.ts';
import { caption, figure } from './figure.ts';
import { heading } from './heading.ts';
import { html } from './html.ts';
import { htmlBlock } from './html-block.ts';
import { list, listItem } from './list.ts';
import { math } from './math.ts';
import { paragraph, phrasing } from './paragraph.ts';
import { table, tableCell, tableRow } from './table.ts';
import { thematicBreak } from './thematic-break.ts';

export type Handler<T> = (state: State, node: T, context: Context) => Box[];

type HandlerTable = { [K in RootContent['type']]: Handler<Extract<RootContent, { type: K }>> | null };

/**
 * Every mdast node type and how the PDF sets it, in one table (after mdast-util-to-hast's
 * handlers/index.js). `null` marks the types deliberately set nowhere in the flow: link
 * definitions are looked up by references, footnote definitions go to the note area,
 * front matter is metadata. Phrasing content met at block level is set as a paragraph.
 */
export const handlers = {
  abstract,
  anchor,
  alert,
  blockquote,
  code,
  defList,
  defListTerm,
  defListDescription: (state, node, context) => defListDescription(state, node, context),
  figure,
  caption,
  heading,
  html,
  htmlBlock,
  htmlInline: phrasing,
  // Trusted raw HTML prints its meaning in the subset, as untrusted raw HTML does.
  trustedHtml: (state, node, context) => state.all(node.children, context),
  trustedHtmlInline: phrasing,
  subscript: phrasing,
  superscript: phrasing,
  list,
  listItem,
  math,
  paragraph,
  table,
  tableRow,
  tableCell,
  thematicBreak,
  definition: null,
  footnoteDefinition: null,
  yaml: null,
  // Metadata, taken out of the tree by transforms/metadata.ts, as the front matter is.
  pandocTitleBlock: null,
  text: phrasing,
  emphasis: phrasing,
  strong: phrasing,
  delete: phrasing,
  inlineCode: phrasing,
  break: phrasing,
  link: phrasing,
  linkReference: phrasing,
  image: phrasing,
  imageReference: phrasing,
  footnoteReference: phrasing,
  inlineMath: phrasing,
} satisfies HandlerTable;

export function handle(state: State, node: RootContent, context: Context): Box[] {
  const handler = handlers[node.type] as Handler<RootContent> | null;
  return handler ? handler(state, node, context) : [];
}
