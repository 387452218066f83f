import type { Node, Root, TitleBlockField } from 'mdast';
import type { Point } from 'unist';

/**
 * Pandoc's pandoc_title_block: `%` lines at the very start of a document give its title, its
 * authors and its date, in that order (Rust's release notes open with `% Rust Release Notes`).
 *
 *     % A title, which may go on
 *       on lines that begin with a space
 *     % Ada Lovelace; Charles Babbage
 *     % 2024-05-01
 *
 * A field may be left empty (`%` alone); authors are separated by `;` or put on continuation
 * lines; the date is one line. Why after the parse, not a micromark extension: the block can only
 * open the document, where micromark has read it as the first paragraph, so this step checks that
 * paragraph's source lines (one pass over them) and replaces it with a `pandocTitleBlock` node,
 * which the metadata transform turns into the title, authors and date. Anything else that opens
 * with `%` (a fourth `%` line, a continuation of the date) stays the paragraph it was, as in Pandoc.
 */

declare module 'mdast' {
  interface PandocTitleBlock extends Node {
    type: 'pandocTitleBlock';
    /** Each field as plain text (its inline Markdown read), with where its text starts. */
    title?: TitleBlockField;
    authors: TitleBlockField[];
    date?: TitleBlockField;
  }
  interface TitleBlockField {
    value: string;
    place: Point;
  }
  interface RootContentMap {
    pandocTitleBlock: PandocTitleBlock;
  }
}

interface Line {
  text: string;
  line: number;
  column: number;
}

/** Replace a first paragraph that is a title block; `plain` reads a field's inline Markdown as text. */
export function pandocTitleBlock(tree: Root, source: string, plain: (markdown: string) => string): void {
  const first = tree.children[0];
  if (first?.type !== 'paragraph' || first.position?.start.offset !== 0 || source[0] !== '%') return;
  const end = first.position.end.offset ?? 0;
  // One field per `%` line, with its continuation lines (a leading space or tab).
  const fields: Line[][] = [];
  source
    .slice(0, end)
    .split(/\r?\n/)
    .forEach((text, index) => {
      if (text.startsWith('%')) {
        const value = text.slice(1);
        const lead = value.length - value.trimStart().length;
        fields.push([{ text: value.trim(), line: index + 1, column: 2 + lead }]);
      } else {
        const lead = text.length - text.trimStart().length;
        fields.at(-1)?.push({ text: text.trim(), line: index + 1, column: 1 + lead });
      }
    });
  const [title, authors, date] = fields;
  if (fields.length > 3 || (date && date.length > 1)) return;
  const field = (lines: Line[]): TitleBlockField | undefined => {
    const parts = lines.filter((line) => line.text !== '');
    if (parts.length === 0) return undefined;
    const value = plain(parts.map((line) => line.text).join('\n')).replace(/\s+/g, ' ').trim();
    return value === '' ? undefined : { value, place: { line: parts[0]!.line, column: parts[0]!.column } };
  };
  const authorFields = (authors ?? []).flatMap((line) => {
    let column = line.column;
    return line.text.split(';').flatMap((name) => {
      const at = column + (name.length - name.trimStart().length);
      column += name.length + 1;
      const one = field([{ text: name.trim(), line: line.line, column: at }]);
      return one ? [one] : [];
    });
  });
  tree.children[0] = {
    type: 'pandocTitleBlock',
    title: title && field(title),
    authors: authorFields,
    date: date && field(date),
    position: first.position,
  };
}
