import type { Root } from 'mdast';
import type { VFile } from 'vfile';
import type { DocumentMeta } from '../types.ts';
import { insertAbstract } from './abstract.ts';
import { checkDefinitions } from './definitions.ts';
import { makeFigures } from './figures.ts';
import { numberFootnotes } from './footnotes.ts';
import { numberSections, slugHeadings } from './headings.ts';
import { inlineNotes } from './inline-notes.ts';
import { resolveCitations, type ReadData } from './citations.ts';
import { resolveCrossrefs } from './crossrefs.ts';
import { transformMath } from './math.ts';
import { extractMetadata, type MetadataOptions } from './metadata.ts';

export interface TransformOptions extends MetadataOptions {
  /** Reads a file the document names (its bibliography, its CSL style), inside the project. */
  readData?: ReadData;
  /** Reads a file of Colophon's own (the default citation style). */
  ownFile?: (path: string) => Uint8Array;
}

/**
 * Every transform, in order. Each is a pure function of (tree, file); this is the only place
 * that knows the order:
 * 1. metadata first: it removes the YAML node, and may lift the first heading into the title;
 *    the abstract then opens the body, so the transforms below treat it like the rest;
 * 2. inline notes before numbering, so `^[…]` notes join the same sequence;
 * 3. figures and table captions, then citations, before footnote numbering, so a note in a
 *    caption set above its table is numbered where it is read, and the notes of a note
 *    citation style join the same sequence;
 * 4. footnote numbering needs the metadata (author notes are cited first, from the byline);
 * 5. link definitions are only checked (the first of a label wins);
 * 6. heading ids and section numbers, after the title heading may have left the body;
 * 7. math: display equations and their numbers, MathML for every formula (after the notes
 *    are in place, so a formula in a note is converted like any other);
 * 8. cross-references last: they read the numbers of sections, equations and figures.
 */
export function runTransforms(tree: Root, file: VFile, options: TransformOptions = {}): DocumentMeta {
  const meta = extractMetadata(tree, file, options);
  insertAbstract(tree, meta);
  inlineNotes(tree);
  makeFigures(tree, file, meta);
  resolveCitations(tree, file, meta, options.readData, () => new TextDecoder().decode(options.ownFile?.('templates/csl/chicago-author-date.csl') ?? new Uint8Array()));
  numberFootnotes(tree, file, meta);
  checkDefinitions(tree, file);
  slugHeadings(tree, file);
  if (meta.numberSections) numberSections(tree);
  transformMath(tree, file);
  resolveCrossrefs(tree, file, meta);
  return meta;
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

/** Colophon's front matter alone: validated and normalised onto `file.data.meta`, problems with positions. */
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
