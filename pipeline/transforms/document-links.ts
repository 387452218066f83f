import type { Definition, Link, Root } from 'mdast';
import { posix } from 'node:path';
import type { VFile } from 'vfile';
import { visit } from '../visit.ts';
import { report } from '../messages.ts';
import { safeDecode } from '../url.ts';
import { anchorFor, isReservedId, type AnchorTable } from './headings.ts';

/**
 * A folder of documents built in one run links between its documents as files, the way GitHub
 * and every Markdown editor read them (`docs/setup.md#install`), or as the routes a
 * documentation site serves them at (`/docs/setup#install`, `setup`). Left as written, such a link
 * points at a Markdown file the output folder does not hold. Here each one is marked with its
 * target's output name, relative to this document's: every edition then links to the same
 * edition of the other document (`docs/setup.html#install` in the HTML, `docs/setup.pdf#install`
 * in the PDF). The EPUB, a file on its own, cannot follow it and says so (writers/epub/links.ts).
 *
 * The fragment is matched against the other document's anchors as a link inside one document is
 * (fragment-links.ts): `setup.md#Install` goes to the heading slugged `install`. One that names
 * no anchor there stays as written, with a warning.
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
  /**
   * The id a fragment names in another document of the run (by its path, as above): see
   * `fragmentTarget`; undefined when that document's anchors cannot be read (it does not decode:
   * its own build reports why). The build records each answer, so that a cached edition is
   * rebuilt when the anchors it linked to change.
   */
  fragmentIn?(path: string, fragment: string): string | null | undefined;
}

/** The anchors a document's fragments can name, as its headings transform gave them (transforms/index.ts documentAnchors). */
export interface DocumentAnchors {
  table: AnchorTable;
  /** Ids of other kinds, as written: figures and tables, labelled equations. */
  others: ReadonlySet<string>;
  /** anchorFor's case-folded names, made when first needed. */
  folded: Map<number, Map<string, string | null>>;
}

export function documentAnchorsOf(table: AnchorTable, others: Iterable<string>): DocumentAnchors {
  return { table, others: new Set(others), folded: new Map() };
}

/**
 * Ids the writers make that the anchors above do not hold, left unchecked: notes (`fn-1`,
 * `fnref-1`), bibliography entries (`ref-knuth84`), and equations labelled inside a paragraph
 * (`eq:`), which only the full transforms find.
 */
const UNCHECKED = /^(fn|fnref|ref)-|^eq:/;

/**
 * The id a fragment names among a document's anchors: the anchor written so, or in another case
 * alone (anchorFor, as inside one document); an id of another kind as written; null for none.
 */
export function fragmentTarget(anchors: DocumentAnchors, fragment: string): string | null {
  const id = anchorFor(anchors.table, 0, fragment, anchors.folded);
  if (id !== undefined) return id;
  return anchors.others.has(fragment) || isReservedId(fragment) || UNCHECKED.test(fragment) ? fragment : null;
}

/**
 * Mark every link and definition whose URL is a relative path to another document of the run,
 * its fragment pointed at the anchor it names there. `own`: this document's anchors, for a link
 * to itself by its file name.
 */
export function linkDocuments(tree: Root, file: VFile, documents: RunDocuments, own: DocumentAnchors): void {
  const selfName = documents.outputOf(documents.self);
  if (selfName === undefined) return;
  const folder = posix.dirname(documents.self);
  const outputFolder = posix.dirname(selfName);
  visit(tree, (node) => {
    if (node.type !== 'link' && node.type !== 'definition') return;
    const target = node as Link | Definition;
    // A scheme (`https:`), a protocol-relative URL, or a fragment: not a file of the run.
    if (/^([a-z][a-z\d+.-]*:|\/\/|#)/i.test(target.url)) return;
    const cut = target.url.search(/[?#]/);
    const written = safeDecode(cut === -1 ? target.url : target.url.slice(0, cut));
    // A path from `/` starts at the project root, as GitHub and a site served from the root read
    // it (read/assets.ts reads images so); `/` alone is the site's home, no document.
    if (written === '/' || written === '') return;
    const asWritten = written.startsWith('/') ? posix.normalize(written.slice(1)) : posix.normalize(posix.join(folder, written));
    // The file itself, or the route a documentation site serves it as (`commands/npm-install`).
    const path = documents.outputOf(asWritten) !== undefined || /\.[a-z\d]+$/i.test(asWritten) ? asWritten : `${asWritten}.md`;
    const name = documents.outputOf(path);
    if (name === undefined) return;
    let after = cut === -1 ? '' : target.url.slice(cut);
    const hash = after.indexOf('#');
    if (hash !== -1 && hash < after.length - 1) {
      const fragment = safeDecode(after.slice(hash + 1));
      const id = path === documents.self ? fragmentTarget(own, fragment) : documents.fragmentIn?.(path, fragment);
      if (id === null) report(file, 'warning', `link to "${target.url}": ${path} has no heading or anchor "${fragment}"; the link goes to the document, its fragment as written`, target, 'document-link-anchor');
      else if (id !== undefined && id !== fragment) {
        after = `${after.slice(0, hash)}#${id}`;
        // As written elsewhere too: the EPUB follows a link to its own file by its URL (writers/epub/links.ts).
        target.url = target.url.slice(0, cut) + after;
      }
    }
    // Output names keep letters, digits, `.`, `_` and `-` (build.ts outputName): only non-ASCII letters need escaping.
    target.data = { ...target.data, documentLink: { path: encodeURI(posix.relative(outputFolder, name) || posix.basename(name)), after } };
  });
}
