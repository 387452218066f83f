import type { Root } from 'mdast';
import { visit } from '../visit.ts';
import { term } from '../terms.ts';

/** Each alert's title in the document's language, set once so every edition prints the same word. */
export function titleAlerts(tree: Root, lang: string): void {
  visit(tree, 'alert', (node) => {
    node.data = { ...node.data, title: term(lang, node.kind) };
  });
}
