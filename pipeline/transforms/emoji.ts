import type { Parent, Root } from 'mdast';
import remarkGemoji from 'remark-gemoji';
import { visit } from '../visit.ts';

const replaceShortcodes = remarkGemoji();
const SHORTCODE = /:(\+1|[-\w]+):/;

/**
 * GitHub's emoji shortcodes (`:tada:`, `:+1:`) as the characters they name, in text only (not
 * in code), as GitHub shows them and Pandoc's gfm reader reads them. An unknown name stays as
 * written. `emoji: false` in the front matter keeps every shortcode as written.
 */
export function emojiShortcodes(tree: Root): void {
  // remark-gemoji walks the whole tree with a closure per node (about 0.1 s per MB of text):
  // it is given only the parents of text that looks like a shortcode.
  const parents = new Set<Parent>();
  visit(tree, 'text', (node, _index, parent) => {
    if (parent && node.value.includes(':') && SHORTCODE.test(node.value)) parents.add(parent);
  });
  for (const parent of parents) replaceShortcodes(parent as Root);
}
