import type { Root, RootContent } from 'mdast';
import { plainText } from '../plain-text.ts';
import type { DocumentMeta } from '../types.ts';

/**
 * The description stores and search engines show (HTML meta, EPUB dc:description, PDF Subject)
 * when the front matter gives none: the abstract, else the subtitle, else the opening sentences.
 * Read from the finished tree, after smart punctuation, so it has the body's quotes, dashes and
 * spacing, its rendered citations and cross-references, and no note calls.
 */
export function describeDocument(tree: Root, meta: DocumentMeta): void {
  if (meta.description !== undefined) return;
  const abstract = tree.children.find((node) => node.type === 'abstract');
  const abstractText = abstract ? oneLine(abstract.children.map((node) => plainText(node, { includeImageAlt: false })).join(' ')) : '';
  meta.description = abstractText || meta.subtitle || openingSentences(tree);
}

/** The opening sentences of the first paragraph, about 200 characters. */
function openingSentences(tree: Root): string | undefined {
  const paragraph = tree.children.find((node): node is RootContent & { type: 'paragraph' } => node.type === 'paragraph');
  if (!paragraph) return undefined;
  // Only the start matters; slicing first also keeps the sentence match linear on a huge line.
  const words = oneLine(plainText(paragraph, { includeImageAlt: false }).slice(0, 1000));
  if (words.length <= 200) return words || undefined;
  const sentences = words.match(/[^.!?]+[.!?]+(\s|$)/g) ?? [];
  let result = '';
  for (const sentence of sentences) {
    if ((result + sentence).length > 200) break;
    result += sentence;
  }
  return (result || `${words.slice(0, 197)}…`).trim();
}

/** White space collapsed, but a no-break space (French punctuation, a unit) is kept. */
function oneLine(text: string): string {
  return text.replace(/[ \t\r\n]+/g, ' ').trim();
}
