import type { Definition, FootnoteDefinition, Heading, Root, RootContent } from 'mdast';
import type { GetDefinition } from 'mdast-util-definitions';
import { toString } from 'mdast-util-to-string';
import { visit } from '../../visit.ts';
import type { DocumentMeta } from '../../types.ts';
import { headingText } from '../shared/format.ts';

/** One XHTML file of the book: a run of top-level blocks plus the notes they cite. */
export interface ChapterPart {
  /** 0-based position in reading order. */
  index: number;
  filename: string;
  /** Title for `<title>`: the opening heading's text, or the book's title for the first part. */
  title: string;
  /** The heading that opens the part, if any (its id is the chapter's anchor). */
  heading?: Heading;
  /** Body blocks, in source order. */
  blocks: RootContent[];
  /** Note definitions cited from this part (directly or from its notes), in number order. */
  notes: FootnoteDefinition[];
}

/**
 * Below this much body text a document is "a short article" and stays one file unless its
 * front matter sets `chapter-level`: a page break before every section of a five-minute
 * read is a typographic defect in a reading system, not structure.
 */
export const SHORT_ARTICLE_CHARACTERS = 20_000;

/**
 * Split the transformed mdast into parts, before any conversion to hast: remark-rehype
 * gathers every note at the end of the tree it converts, so each part must be converted on
 * its own with exactly the notes it cites.
 */
export function splitChapters(tree: Root, meta: DocumentMeta, authorNotes: string[]): ChapterPart[] {
  const blocks = tree.children.filter((node) => node.type !== 'footnoteDefinition');
  const definitions = new Map<string, FootnoteDefinition>();
  for (const node of tree.children) if (node.type === 'footnoteDefinition') definitions.set(node.identifier, node);

  const level = chapterLevel(tree, blocks, meta);
  const runs: { heading?: Heading; blocks: RootContent[] }[] = [{ blocks: [] }];
  for (const node of blocks) {
    // The first part holds the title block and whatever precedes the first chapter heading;
    // when nothing does, it is a title page of its own.
    if (level !== undefined && node.type === 'heading' && node.depth <= level) runs.push({ heading: node, blocks: [] });
    runs.at(-1)!.blocks.push(node);
  }

  const width = Math.max(String(runs.length).length, 2);
  return runs.map((run, index) => {
    const cited = citedNotes(run.blocks, definitions, index === 0 ? authorNotes : []);
    return {
      index,
      filename: `chapter-${String(index + 1).padStart(width, '0')}.xhtml`,
      title: run.heading ? headingText(run.heading) || meta.title : meta.title,
      heading: run.heading,
      blocks: run.blocks,
      notes: cited,
    };
  });
}

/**
 * The heading depth that starts a new file: `chapter-level` from the front matter, else the
 * highest level used more than once; a short article (or one without a repeated level) is
 * one file.
 */
export function chapterLevel(tree: Root, blocks: RootContent[], meta: DocumentMeta): number | undefined {
  if (meta.chapterLevel !== undefined) return meta.chapterLevel;
  if (toString({ type: 'root', children: blocks }).length < SHORT_ARTICLE_CHARACTERS) return undefined;
  const counts = new Map<number, number>();
  for (const node of tree.children) if (node.type === 'heading') counts.set(node.depth, (counts.get(node.depth) ?? 0) + 1);
  for (let depth = 1; depth <= 6; depth++) if ((counts.get(depth) ?? 0) > 1) return depth;
  return undefined;
}

/** Notes a part needs: those cited in its blocks, then those cited inside those notes, in number order. */
function citedNotes(blocks: RootContent[], definitions: Map<string, FootnoteDefinition>, extra: string[]): FootnoteDefinition[] {
  const needed = new Set<string>(extra);
  const queue: string[] = [...extra];
  const collect = (nodes: RootContent[]) => {
    for (const block of nodes) {
      visit(block, 'footnoteReference', (reference) => {
        if (!needed.has(reference.identifier) && definitions.has(reference.identifier)) {
          needed.add(reference.identifier);
          queue.push(reference.identifier);
        }
      });
    }
  };
  collect(blocks);
  for (let done = 0; done < queue.length; done++) {
    const definition = definitions.get(queue[done]!);
    if (definition) collect(definition.children);
  }
  return [...needed]
    .map((id) => definitions.get(id))
    .filter((node): node is FootnoteDefinition => node !== undefined)
    .sort((a, b) => Number(a.identifier) - Number(b.identifier));
}

/**
 * The definitions a part's references use, wherever in the document they stand. A part gets
 * only these: handing every part all of a README collection's definitions made converting a
 * book grow with chapters × definitions.
 */
export function definitionsFor(nodes: RootContent[], definitions: GetDefinition): Definition[] {
  const used = new Map<string, Definition>();
  for (const node of nodes) {
    visit(node, (child) => {
      if (child.type !== 'linkReference' && child.type !== 'imageReference') return;
      const definition = definitions(child.identifier);
      if (definition) used.set(child.identifier, definition);
    });
  }
  return [...used.values()];
}
