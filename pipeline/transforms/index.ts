import type { Root } from 'mdast';
import type { VFile } from 'vfile';
import type { DocumentMeta, HighlightMemo, QuoteMemo } from '../types.ts';
import { plainText } from '../plain-text.ts';
import { insertAbstract } from './abstract.ts';
import { checkDefinitions } from './definitions.ts';
import { makeFigures } from './figures.ts';
import { numberFootnotes } from './footnotes.ts';
import { linkChapters, openChapters } from './book-links.ts';
import { numberSections, slugHeadings } from './headings.ts';
import { checkOutline } from './outline.ts';
import { rawHtmlToMdast } from './raw-html.ts';
import { titleAlerts } from './alerts.ts';
import { highlightCode } from './highlight.ts';
import { smartMetadata, smartPunctuation } from './smart-punctuation.ts';
import { describeDocument } from './description.ts';
import { inlineNotes } from './inline-notes.ts';
import { resolveCitations, type ReadData } from './citations.ts';
import { resolveCrossrefs } from './crossrefs.ts';
import { nameImageLinks } from './link-text.ts';
import { transformMath } from './math.ts';
import { extractMetadata, type MetadataOptions } from './metadata.ts';

export interface TransformOptions extends MetadataOptions {
  /** Reads a file the document names (its bibliography, its CSL style), inside the project. */
  readData?: ReadData;
  /** Reads a file of Colophon's own (the default citation style). */
  ownFile?: (path: string) => Uint8Array;
  /** Code highlighted in an earlier build of this watch session. */
  highlights?: HighlightMemo;
  /** Quotes paired in an earlier build of this watch session (see smart-punctuation.ts). */
  quotes?: QuoteMemo;
}

/**
 * Every transform, in order. Each is a pure function of (tree, file); this is the only place
 * that knows the order:
 * 0. raw HTML to typed nodes (see raw-html.ts);
 * 1. metadata: it removes the YAML node, and may lift the first heading into the title;
 *    the abstract then opens the body, so the transforms below treat it like the rest;
 * 2. inline notes before numbering, so `^[…]` notes join the same sequence;
 * 3. figures and table captions, then citations, before footnote numbering, so a note in a
 *    caption set above its table is numbered where it is read, and the notes of a note
 *    citation style join the same sequence;
 * 4. footnote numbering needs the metadata (author notes are cited first, from the byline);
 * 5. link definitions are only checked (the first of a label wins);
 * 6. the outline: a heading that skips levels is set one below the previous (after the title
 *    left); then heading ids and section numbers; in a book, every chapter gets an anchor at its
 *    start first, and links between chapters are rewritten to the ids last;
 * 7. math: display equations and their numbers, MathML for every formula (after the notes
 *    are in place, so a formula in a note is converted like any other);
 * 9. cross-references: they read the numbers of sections, equations and figures; then links
 *    named by their images' titles when they have no text (after the figures, whose captions
 *    come from alt text);
 * 10. smart punctuation follows the language from the metadata (math and code are not text),
 *    after cross-references, so text they copy is set the same way; the metadata lines the
 *    editions print are smartened there too, and a description the front matter does not give
 *    is read from the finished body after it;
 * 11. alert titles and code highlighting are facts of single nodes, in the document's language.
 */
export function runTransforms(tree: Root, file: VFile, options: TransformOptions = {}): DocumentMeta {
  // Raw HTML becomes typed nodes first, so a raw `<h1>` can be the title and raw ids are known
  // before headings are slugged. `raw-html: trust` also keeps it as written, for the HTML and EPUB.
  rawHtmlToMdast(tree, file, { trust: trustsRawHtml(tree) });
  const meta = extractMetadata(tree, file, options);
  insertAbstract(tree, meta);
  inlineNotes(tree);
  makeFigures(tree, file, meta);
  resolveCitations(tree, file, meta, options.readData, (path) => {
    try {
      const bytes = options.ownFile?.(path);
      return bytes ? new TextDecoder().decode(bytes) : undefined;
    } catch {
      return undefined;
    }
  });
  numberFootnotes(tree, file, meta);
  checkDefinitions(tree, file);
  checkOutline(tree, file);
  const chapters = file.data.bookChapters;
  if (chapters) openChapters(tree, chapters);
  const anchors = slugHeadings(tree, file, chapters, file.data.titleHeading);
  meta.titleId = file.data.titleHeading?.data?.id;
  if (chapters) linkChapters(tree, file, anchors, chapters);
  if (meta.numberSections) numberSections(tree);
  transformMath(tree, file);
  // A title taken from a heading with a formula reads as text ("On x²"), not as TeX.
  if (file.data.titleHeading && file.data.math?.count) meta.title = plainText(file.data.titleHeading).trim() || meta.title;
  resolveCrossrefs(tree, file, meta);
  nameImageLinks(tree, file);
  // As Pandoc does: the title, names and other lines of metadata are text the editions print, too.
  if (meta.smart !== false) smartMetadata(meta);
  transformBlocks(tree, meta, options);
  describeDocument(tree, meta);
  return meta;
}

/**
 * The last transforms, whose effect on a top-level block depends on that block and the
 * document's settings alone (its language, `smart`), never on other blocks: smart punctuation
 * (quotes are paired across blocks, but a quote's shape depends only on the characters next to
 * it), alert titles, code highlighting. A watch session runs them on the few blocks an edit
 * touched (build/region-rebuild.ts); a transform added here must keep to that.
 */
export function transformBlocks(tree: Root, meta: Pick<DocumentMeta, 'lang' | 'smart'>, options: Pick<TransformOptions, 'highlights' | 'quotes'> = {}): void {
  if (meta.smart !== false) smartPunctuation(tree, meta.lang, options.quotes);
  titleAlerts(tree, meta.lang);
  highlightCode(tree, options.highlights);
}

/**
 * Every transform as one unified plugin, for users who compose their own processor (after
 * remark-parse, remark-gfm and remark-frontmatter with 'yaml'). The metadata lands on
 * `file.data.meta`, the footnote facts on `file.data.footnotes`, problems on `file.messages`.
 */
export function remarkColophon(options: TransformOptions = {}) {
  return (tree: Root, file: VFile) => {
    runTransforms(tree, file, options);
  };
}

/**
 * Colophon's front matter alone: validated and normalised onto `file.data.meta`, problems with positions.
 * Metadata only: no smart punctuation, and `description` only when the front matter gives one
 * (runTransforms derives one from the finished body).
 */
export function remarkColophonMetadata(options: MetadataOptions = {}) {
  return (tree: Root, file: VFile) => {
    extractMetadata(tree, file, options);
  };
}

/**
 * Colophon's footnote handling alone: `^[inline]` notes join the numbered sequence, notes are
 * numbered in order of first citation, and undefined, unused and duplicate notes are reported.
 * Use it after remarkColophonMetadata (author notes and `footnote-numbering` come from there).
 */
export function remarkColophonFootnotes() {
  return (tree: Root, file: VFile) => {
    inlineNotes(tree);
    numberFootnotes(tree, file, file.data.meta ?? { authors: [], footnoteNumbering: 'document' });
  };
}

/** `raw-html: trust` in the front matter (read before the metadata transform, which runs after). */
function trustsRawHtml(tree: Root): boolean {
  const yaml = tree.children[0]?.type === 'yaml' ? tree.children[0].value : '';
  return /^raw-html:\s*["']?trust["']?\s*(#.*)?$/m.test(yaml);
}
