import type { Heading, Root } from 'mdast';
import { visit } from '../visit.ts';
import type { VFile } from 'vfile';
import { report } from '../messages.ts';
// Brings mdast's `data.hProperties` into scope.
import type {} from 'mdast-util-to-hast';

/** A heading whose section is still open: the level its author wrote, the level it is set at, and the deeper level already reported as skipped below it. */
interface OpenSection {
  written: number;
  depth: number;
  reported?: number;
}

/**
 * The sections open so far (in a book, at the end of the previous chapter), the title block's h1
 * at the bottom: written at the level of the heading the title was taken from, if it was.
 */
export interface OutlineState {
  open: OpenSection[];
}

export function newOutlineState(): OutlineState {
  return { open: [] };
}

/**
 * Every edition has a valid outline: the title is the one level-1 heading, and a heading may go
 * at most one level deeper than the section it opens in (markdownlint's MD001). A heading that
 * is deeper is set one level below that section's heading, and so are its siblings, written at
 * the same level: a document whose sections are all `###` under a `##` title keeps them side by
 * side. Where the author skipped a level, the first of them is reported; the level its author
 * wrote stays as a class (`level-N`), so a style sheet can still size it as written.
 */
export function checkOutline(tree: Root, file: VFile, state: OutlineState = newOutlineState()): void {
  const { open } = state;
  // A title taken from a `##` heading leaves `###` sections: they are its sections, not a skip.
  if (open.length === 0) open.push({ written: file.data.titleHeading?.depth ?? 1, depth: 1 });
  visit(tree, 'heading', (node: Heading) => {
    const written = node.depth;
    // The section this heading opens in: the nearest open one its author wrote shallower.
    while (open.length > 1 && open.at(-1)!.written >= written) open.pop();
    const parent = open.at(-1)!;
    if (written > parent.depth + 1) {
      const allowed = (parent.depth + 1) as Heading['depth'];
      // Reported where the author skipped a level, once for the siblings that share the skip.
      if (written > parent.written + 1 && parent.reported !== written) {
        parent.reported = written;
        report(file, 'warning', `heading level ${written} follows level ${parent.written}: it skips ${written - parent.written - 1 === 1 ? 'a level' : 'levels'}, so it is set as level ${allowed}`, node, 'heading-skip');
      }
      node.depth = allowed;
      const properties = node.data?.hProperties ?? {};
      const classes = Array.isArray(properties.className) ? properties.className : [];
      node.data = { ...node.data, hProperties: { ...properties, className: [...classes, `level-${written}`] } };
    }
    open.push({ written, depth: node.depth });
  });
}
