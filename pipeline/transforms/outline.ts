import type { Heading, Root } from 'mdast';
import { visit } from '../visit.ts';
import type { VFile } from 'vfile';
import { report } from '../messages.ts';
// Brings mdast's `data.hProperties` into scope.
import type {} from 'mdast-util-to-hast';

/**
 * Every edition has a valid outline: the title is the one level-1 heading, and a heading may go
 * at most one level deeper than the heading before it (markdownlint's MD001). A heading that
 * skips levels is reported and set one level below the previous one; the level its author wrote
 * stays as a class (`level-N`), so a style sheet can still size it as written.
 */
export function checkOutline(tree: Root, file: VFile, state = { previous: 1 }): void {
  // The title block's h1 comes first (in a book, the previous chapter's last heading).
  let { previous } = state;
  visit(tree, 'heading', (node: Heading) => {
    const written = node.depth;
    if (written > previous + 1) {
      const allowed = (previous + 1) as Heading['depth'];
      report(file, 'warning', `heading level ${written} follows level ${previous}: it skips ${written - previous - 1 === 1 ? 'a level' : 'levels'}, so it is set as level ${allowed}`, node, 'heading-skip');
      node.depth = allowed;
      const properties = node.data?.hProperties ?? {};
      const classes = Array.isArray(properties.className) ? properties.className : [];
      node.data = { ...node.data, hProperties: { ...properties, className: [...classes, `level-${written}`] } };
    }
    previous = node.depth;
  });
  state.previous = previous;
}
