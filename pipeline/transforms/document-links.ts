import type { Definition, Link, Root } from 'mdast';
import { posix } from 'node:path';
import { visit } from '../visit.ts';
import { safeDecode } from '../url.ts';

/**
 * A folder of documents built in one run links between its documents as files, the way GitHub
 * and every Markdown editor read them (`docs/setup.md#install`). Left as written, such a link
 * points at a Markdown file the output folder does not hold. Here each one is marked with its
 * target's output name, relative to this document's: every edition then links to the same
 * edition of the other document (`docs/setup.html#install` in the HTML, `docs/setup.pdf#install`
 * in the PDF). The EPUB, a file on its own, cannot follow it and says so (writers/epub/links.ts).
 */
export interface RunDocuments {
  /** This document's path relative to the project root, with forward slashes. */
  self: string;
  /**
   * The output name (no extension) of a Markdown document of the run, by its path relative to
   * the root (forward slashes); undefined for a path that is none of them. The build records
   * what was asked, so that a cached edition is kept when documents are added elsewhere.
   */
  outputOf(path: string): string | undefined;
}

/** Mark every link and definition whose URL is a relative path to another document of the run. */
export function linkDocuments(tree: Root, documents: RunDocuments): void {
  const selfName = documents.outputOf(documents.self);
  if (selfName === undefined) return;
  const folder = posix.dirname(documents.self);
  const outputFolder = posix.dirname(selfName);
  visit(tree, (node) => {
    if (node.type !== 'link' && node.type !== 'definition') return;
    const target = node as Link | Definition;
    // A scheme (`https:`), a protocol-relative or root-relative URL, or a fragment: not a file of the run.
    if (/^([a-z][a-z\d+.-]*:|\/|#)/i.test(target.url)) return;
    const cut = target.url.search(/[?#]/);
    const path = safeDecode(cut === -1 ? target.url : target.url.slice(0, cut));
    const name = documents.outputOf(posix.normalize(posix.join(folder, path)));
    if (name === undefined) return;
    // Output names keep letters, digits, `.`, `_` and `-` (build.ts outputName): only non-ASCII letters need escaping.
    target.data = { ...target.data, documentLink: { path: encodeURI(posix.relative(outputFolder, name) || posix.basename(name)), after: cut === -1 ? '' : target.url.slice(cut) } };
  });
}
