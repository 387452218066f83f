import type { Nodes } from 'mdast';
import { toString } from 'mdast-util-to-string';

/**
 * The text of a node where only text can go (PDF bookmarks, the EPUB navigation, the HTML
 * title and description, tables of contents): mdast-util-to-string, except that a formula
 * gives the plain text the math transform made of it ("E = mc²"), not its TeX source. (A
 * top-level module, like terms.ts, so transforms and writers share it.)
 */
export function plainText(node: Nodes | Nodes[], options: { includeImageAlt?: boolean } = {}): string {
  if (Array.isArray(node)) return node.map((child) => plainText(child, options)).join('');
  if (node.type === 'inlineMath' || node.type === 'math') return node.data?.text ?? node.value;
  if ('children' in node) return node.children.map((child) => plainText(child, options)).join('');
  return toString(node, options);
}

declare module 'mdast-util-math' {
  interface MathData {
    /** The formula as plain Unicode text ("E = mc²"), for places that hold only text. */
    text?: string;
  }
  interface InlineMathData {
    text?: string;
  }
}
