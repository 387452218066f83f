import type { Element, Root as HastRoot } from 'hast';
import { posix } from 'node:path';
import { visit } from '../../visit.ts';
import type { VFile } from 'vfile';
import { quoted, report } from '../../messages.ts';
import { safeDecode } from '../../url.ts';

export interface LinkedPart {
  filename: string;
  root: HastRoot;
}

/** Schemes a reading system can hand to the system (browser, mail): everything else would be a dead or unsafe link. */
const EXTERNAL = new Set(['http', 'https', 'mailto', 'tel']);

/**
 * Where every id of the book lives, gathered one chapter at a time (`add`), so that a chapter's
 * hast can go before the next is converted: `rewrite` then needs only the chapter at hand.
 */
export interface IdIndex {
  /** This chapter's ids; a repeated one is removed from its element now, and warned about at `reportDuplicates`. */
  add(part: LinkedPart): void;
  /** The duplicate-id warnings, in the order found (all chapters' before any link warning, as one pass gave them). */
  reportDuplicates(): void;
  /** Point every link of chapter `index` (in the order added) at the file that now holds its target. */
  rewrite(part: LinkedPart, index: number): void;
}

/**
 * Point every link at the file that now holds its target. A link inside the document to a
 * heading in another chapter gets that chapter's file name; a link to a local file that is
 * not part of the book (`./docs/API.md`, `LICENSE`) or to an anchor that does not exist
 * cannot work in an EPUB and would fail epubcheck, so its text stays and the link goes, with
 * a warning at its position. `otherDocuments` names the EPUB of each href that is another
 * document of the run (transforms/document-links.ts), for that warning.
 */
export function createIdIndex(file: VFile, otherDocuments: ReadonlyMap<string, string> = new Map()): IdIndex {
  const owner = new Map<string, string>();
  const local: Set<string>[] = [];
  const duplicates: { id: string; position: Element['position'] }[] = [];
  let first: string | undefined;
  const self = file.path ? posix.basename(file.path.split('\\').join('/')) : undefined;
  // A book (book.yaml) joins several Markdown files: a link from one to a heading in another is
  // written as `other.md#heading`, and that heading is now in the book.
  const book = self === 'book.yaml';
  return {
    add(part) {
      first ??= part.filename;
      const ids = new Set<string>();
      visit(part.root, 'element', (node) => {
        const id = node.properties.id;
        if (typeof id !== 'string') return;
        if (ids.has(id)) {
          // An id from raw HTML that repeats a heading's or a note's: the first one wins.
          duplicates.push({ id, position: node.position });
          delete node.properties.id;
          return;
        }
        ids.add(id);
        if (!owner.has(id)) owner.set(id, part.filename);
      });
      local.push(ids);
    },
    reportDuplicates() {
      for (const { id, position } of duplicates.splice(0)) report(file, 'warning', `the id "${id}" is used twice; the EPUB keeps the first`, position, 'epub-duplicate-id');
    },
    rewrite(part, index) {
      const ids = local[index] ?? new Set<string>();
      visit(part.root, 'element', (node, position, parent) => {
        if (node.tagName !== 'a' || typeof node.properties.href !== 'string' || !parent || position === undefined) return undefined;
        const href = node.properties.href;
        const target = resolve(href, ids, owner, first ?? part.filename, self, book);
        if (target.href !== undefined) {
          node.properties.href = target.href;
          return undefined;
        }
        // A folder's documents are built together, but each EPUB is a file of its own.
        const other = target.rule === 'epub-link-outside' ? otherDocuments.get(href) : undefined;
        const problem = other === undefined ? target.problem : `link to "${quoted(href)}" points to another document of this build, whose EPUB is "${quoted(safeDecode(other))}", and one EPUB cannot open another`;
        report(file, 'warning', `${problem}: the EPUB keeps the text "${textOf(node)}" but drops the link`, node, target.rule);
        parent.children.splice(position, 1, ...node.children);
        return position;
      });
    },
  };
}

type Resolution = { href: string; problem?: undefined; rule?: undefined } | { href?: undefined; problem: string; rule: string };

function resolve(href: string, ids: Set<string>, owner: Map<string, string>, first: string, self: string | undefined, book: boolean): Resolution {
  const scheme = /^([a-z][a-z\d+.-]*):/i.exec(href)?.[1]?.toLowerCase();
  if (scheme) {
    return EXTERNAL.has(scheme) ? { href } : { problem: `link to "${quoted(href)}" uses the ${scheme}: scheme, which reading systems cannot open`, rule: 'epub-link-scheme' };
  }
  if (href.startsWith('//')) return { problem: `link to "${quoted(href)}" has no scheme (write https://…)`, rule: 'epub-link-scheme' };

  const hash = href.indexOf('#');
  const path = safeDecode(hash === -1 ? href : href.slice(0, hash)).replace(/^\.\//, '');
  const fragment = hash === -1 ? undefined : safeDecode(href.slice(hash + 1));
  const sibling = book && /\.(md|markdown)$/i.test(path) && fragment !== undefined && owner.has(fragment);
  if (path !== '' && path !== self && !sibling) {
    return { problem: `link to "${quoted(href)}" points to a local file that is not part of the book`, rule: 'epub-link-outside' };
  }
  if (!fragment) return { href: first };
  if (ids.has(fragment)) return { href: `#${fragment}` };
  const elsewhere = owner.get(fragment);
  if (elsewhere) return { href: `${elsewhere}#${fragment}` };
  return { problem: `link to "${quoted(href)}" points to an anchor that does not exist in the document`, rule: 'epub-link-anchor' };
}

function textOf(node: Element): string {
  let text = '';
  visit(node, 'text', (child) => {
    text += child.value;
  });
  return quoted(text.replace(/\s+/g, ' ').trim());
}
