import type { Root } from 'mdast';
import type { VFile } from 'vfile';
import type { DocumentMeta } from '../types.ts';
import { checkDefinitions } from './definitions.ts';
import { numberFootnotes } from './footnotes.ts';
import { numberSections, slugHeadings } from './headings.ts';
import { inlineNotes } from './inline-notes.ts';
import { extractMetadata, type MetadataOptions } from './metadata.ts';

export type TransformOptions = MetadataOptions;

/**
 * Every transform, in order. Each is a pure function of (tree, file); this is the only place
 * that knows the order:
 * 1. metadata first: it removes the YAML node, and may lift the first heading into the title;
 * 2. inline notes before numbering, so `^[…]` notes join the same sequence;
 * 3. footnote numbering needs the metadata (author notes are cited first, from the byline);
 * 4. link definitions are only checked (the first of a label wins);
 * 5. heading ids and section numbers last, after the title heading may have left the body.
 */
export function runTransforms(tree: Root, file: VFile, options: TransformOptions = {}): DocumentMeta {
  const meta = extractMetadata(tree, file, options);
  inlineNotes(tree);
  numberFootnotes(tree, file, meta);
  checkDefinitions(tree, file);
  slugHeadings(tree, file);
  if (meta.numberSections) numberSections(tree);
  return meta;
}

/** The same transforms as unified plugins, for users who compose their own processor. */
export function remarkColophon(options: TransformOptions = {}) {
  return (tree: Root, file: VFile) => {
    runTransforms(tree, file, options);
  };
}
