import type { FootnoteDefinition, FootnoteReference, Parent, Root } from 'mdast';
import { normalizeIdentifier } from 'micromark-util-normalize-identifier';
import { SKIP, visit } from '../visit.ts';
import type { VFile } from 'vfile';
import { report } from '../messages.ts';
import type { DocumentMeta, FootnoteInfo } from '../types.ts';

/**
 * Number footnotes 1..n in order of first citation, the byline's author notes first (the
 * byline precedes the body in every edition). Afterwards every reference and definition has
 * `identifier` = its number (unique in the document: anchors use it) and `label` = the number
 * shown, and the definitions stand, in number order, at the end of the tree. Every writer
 * relies on that, so all editions agree. The shown number equals the identifier, except in a
 * book with `footnote-numbering: chapter`, where it restarts in each chapter.
 */
export function numberFootnotes(tree: Root, file: VFile, meta: Pick<DocumentMeta, 'authors' | 'footnoteNumbering'>, state: NoteState = newNoteState()): FootnoteInfo {
  const definitions = new Map<string, FootnoteDefinition>();
  visit(tree, 'footnoteDefinition', (node) => {
    const id = normalizeIdentifier(node.identifier);
    if (definitions.has(id)) {
      report(file, 'warning', `footnote "${node.label ?? node.identifier}" is defined twice; the first definition is used`, node, 'footnote-duplicate');
      return;
    }
    definitions.set(id, node);
    return undefined;
  });

  const numbers = new Map<string, string>();
  const labels = new Map<string, string>();
  const { perChapter } = state;
  const citedIds: string[] = [];
  const restart = meta.footnoteNumbering === 'chapter';
  let chapter = 1;
  const numberOf = (id: string): string => {
    let number = numbers.get(id);
    if (!number) {
      number = String(state.numbered + numbers.size + 1);
      numbers.set(id, number);
      citedIds.push(id);
      const count = (perChapter.get(chapter) ?? 0) + 1;
      perChapter.set(chapter, count);
      labels.set(id, restart ? String(count) : number);
    }
    return number;
  };

  const authorNotes: Record<number, string> = {};
  meta.authors.forEach((author, index) => {
    if (!author.note) return;
    const id = normalizeIdentifier(author.note);
    if (definitions.has(id)) authorNotes[index] = numberOf(id);
    else report(file, 'error', `author note "${author.note}" of ${author.name} has no footnote definition`, undefined, 'footnote-undefined');
  });

  // Walk references in reading order: the body first, then notes cited from within notes.
  const order: FootnoteReference[] = [];
  const undefinedRefs: { node: FootnoteReference; index: number; parent: Parent }[] = [];
  const chapterOf = new Map<string, number>();
  const walk = (root: Root | FootnoteDefinition) =>
    visit(root, (node, index, parent) => {
      // A book marks each chapter's top-level nodes; notes cited within a note count in its chapter.
      if (parent === tree && node.data?.chapter) chapter = node.data.chapter;
      if (node.type === 'footnoteDefinition' && node !== root) return SKIP;
      if (node.type !== 'footnoteReference') return undefined;
      const id = normalizeIdentifier(node.identifier);
      if (definitions.has(id)) {
        if (!numbers.has(id)) chapterOf.set(id, chapter);
        numberOf(id);
        order.push(node);
      } else if (parent && index !== undefined) {
        undefinedRefs.push({ node, index, parent });
      }
      return undefined;
    });
  walk(tree);
  // citedIds grows while we walk: notes first cited inside notes are numbered after the body's.
  for (let done = 0; done < citedIds.length; done++) {
    chapter = chapterOf.get(citedIds[done]!) ?? 1;
    walk(definitions.get(citedIds[done]!)!);
  }

  for (const { node, index, parent } of undefinedRefs.reverse()) {
    report(file, 'error', `footnote "${node.label ?? node.identifier}" is cited but never defined`, node, 'footnote-undefined');
    // Keep the citation visible as written, so no edition silently loses it.
    parent.children.splice(index, 1, { type: 'text', value: `[^${node.label ?? node.identifier}]`, position: node.position });
  }
  reportUndefinedCitations(tree, file);

  for (const node of order) {
    const id = normalizeIdentifier(node.identifier);
    node.identifier = numbers.get(id)!;
    node.label = labels.get(id)!;
  }

  // Take every definition out of the flow (one filter per parent: splicing one by one is quadratic),
  // then put the cited ones back at the end, in order.
  const kept: FootnoteDefinition[] = [];
  visit(tree, (node) => {
    if (!('children' in node) || !node.children.some((child) => child.type === 'footnoteDefinition')) return;
    const parent = node as Parent;
    parent.children = parent.children.filter((child) => {
      if (child.type !== 'footnoteDefinition') return true;
      const definition = child as FootnoteDefinition;
      const id = normalizeIdentifier(definition.identifier);
      const number = numbers.get(id);
      if (definitions.get(id) !== definition) return false;
      if (number) {
        definition.identifier = number;
        definition.label = labels.get(id)!;
        kept.push(definition);
      } else {
        report(file, 'warning', `footnote "${definition.label ?? definition.identifier}" is defined but never cited`, definition, 'footnote-unused');
      }
      return false;
    });
  });
  kept.sort((a, b) => Number(a.identifier) - Number(b.identifier));
  tree.children.push(...kept);

  state.numbered += numbers.size;
  state.count += kept.length;
  Object.assign(state.authorNotes, authorNotes);
  const info: FootnoteInfo = { count: kept.length, authorNotes };
  file.data.footnotes = { count: state.count, authorNotes: state.authorNotes };
  return info;
}

/**
 * What numbering notes carries from one chapter of a book to the next (a chapter's labels are
 * its own, book.ts): how many are numbered, per chapter too, and the byline's notes.
 */
export interface NoteState {
  numbered: number;
  count: number;
  perChapter: Map<number, number>;
  authorNotes: Record<number, string>;
}

export function newNoteState(): NoteState {
  return { numbered: 0, count: 0, perChapter: new Map(), authorNotes: {} };
}

/**
 * micromark only makes a footnote call of `[^label]` when the label is defined; otherwise
 * the citation stays literal text. Find those in text nodes so they are errors, not silence.
 */
function reportUndefinedCitations(tree: Root, file: VFile): void {
  visit(tree, 'text', (node) => {
    const start = node.position?.start;
    // Lines are counted as the matches advance (one pass), and labels are bounded (999 is GFM's
    // own limit), so neither a long text nor `^[^[^[…` makes this quadratic.
    let line = 0;
    let lineStart = 0;
    let scanned = 0;
    for (const match of node.value.matchAll(/\[\^([^\]\s]{1,999})\]/g)) {
      for (; scanned < match.index; scanned++) {
        if (node.value.charCodeAt(scanned) === 10) {
          line++;
          lineStart = scanned + 1;
        }
      }
      const place = start ? (line === 0 ? { line: start.line, column: start.column + match.index } : { line: start.line + line, column: match.index - lineStart + 1 }) : undefined;
      report(file, 'error', `footnote "${match[1]}" is cited but never defined`, place, 'footnote-undefined');
    }
  });
}
