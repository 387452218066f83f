import type { Paragraph, PhrasingContent } from 'mdast';
import { term } from '../../terms.ts';
import type { DocumentMeta, FootnoteInfo } from '../../types.ts';

/**
 * The byline as mdast, "By A¹, B², C" ("Par" in French, the names alone in Japanese; commas only, as newspapers print bylines and as the
 * seed article has it), so that its author notes pass through each edition's
 * own footnote machinery. It is set before the body, so its notes are the first numbers.
 */
export function bylineMdast(meta: DocumentMeta, footnotes: FootnoteInfo): Paragraph | undefined {
  if (meta.authors.length === 0) return undefined;
  const by = term(meta.lang, 'by');
  const children: PhrasingContent[] = by ? [{ type: 'text', value: `${by} ` }] : [];
  meta.authors.forEach((author, index) => {
    if (index > 0) children.push({ type: 'text', value: ', ' });
    children.push({ type: 'text', value: author.name });
    const note = footnotes.authorNotes[index];
    if (note) children.push({ type: 'footnoteReference', identifier: note, label: note });
  });
  return { type: 'paragraph', children, data: { hProperties: { className: ['byline'] } } };
}
