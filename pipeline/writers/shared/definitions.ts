import type { Definition, Root } from 'mdast';
import { visit } from 'unist-util-visit';

/**
 * The document's link/image reference definitions by identifier. The first of a label wins,
 * as CommonMark says and every edition follows (the definitions transform warns about the rest).
 */
export function linkDefinitions(tree: Root): Map<string, Definition> {
  const found = new Map<string, Definition>();
  visit(tree, 'definition', (node) => {
    if (!found.has(node.identifier)) found.set(node.identifier, node);
  });
  return found;
}
