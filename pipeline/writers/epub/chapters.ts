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
  const notes = tree.children.filter((node): node is FootnoteDefinition => node.type === 'footnoteDefinition');
  return [...eachPart(blocks, partPlan(tree.children, blocks, meta), notes, meta, authorNotes)];
}

/** Where parts begin (`level`: a heading of this depth or less opens one; none: one part) and how many there are. */
export interface PartPlan {
  level: number | undefined;
  count: number;
}

/** The plan of a whole tree's parts (`blocks`: its top-level blocks but the notes). */
export function partPlan(children: RootContent[], blocks: RootContent[], meta: DocumentMeta): PartPlan {
  const depths = children.flatMap((node) => (node.type === 'heading' ? [node.depth] : []));
  return planFor(meta, toString({ type: 'root', children: blocks }).length, depths);
}

/**
 * The plan from the facts it rests on: the length of the body's text (notes left out), and the
 * depth of every top-level heading, in order.
 */
export function planFor(meta: DocumentMeta, textLength: number, depths: number[]): PartPlan {
  const level = chapterLevel(meta, textLength, depths);
  return { level, count: 1 + (level === undefined ? 0 : depths.filter((depth) => depth <= level).length) };
}

/**
 * The parts of `blocks` (the body's top-level blocks but the notes, which may be read one
 * chapter of a book at a time), each handed over once its last block is read.
 */
export function* eachPart(blocks: Iterable<RootContent>, plan: PartPlan, notes: FootnoteDefinition[], meta: DocumentMeta, authorNotes: string[]): Generator<ChapterPart> {
  const definitions = new Map<string, FootnoteDefinition>();
  for (const node of notes) definitions.set(node.identifier, node);
  const width = Math.max(String(plan.count).length, 2);
  let run: { heading?: Heading; blocks: RootContent[] } = { blocks: [] };
  let index = 0;
  const part = (): ChapterPart => {
    const cited = citedNotes(run.blocks, definitions, index === 0 ? authorNotes : []);
    return {
      index,
      filename: `chapter-${String(index + 1).padStart(width, '0')}.xhtml`,
      title: run.heading ? headingText(run.heading) || meta.title : meta.title,
      heading: run.heading,
      blocks: run.blocks,
      notes: cited,
    };
  };
  for (const node of blocks) {
    // The first part holds the title block and whatever precedes the first chapter heading;
    // when nothing does, it is a title page of its own.
    if (plan.level !== undefined && node.type === 'heading' && node.depth <= plan.level) {
      yield part();
      index++;
      run = { heading: node, blocks: [] };
    }
    run.blocks.push(node);
  }
  yield part();
}

/**
 * The heading depth that starts a new file: `chapter-level` from the front matter, else the
 * highest level used more than once; a short article (or one without a repeated level) is
 * one file.
 */
function chapterLevel(meta: DocumentMeta, textLength: number, depths: number[]): number | undefined {
  if (meta.chapterLevel !== undefined) return meta.chapterLevel;
  if (textLength < SHORT_ARTICLE_CHARACTERS) return undefined;
  const counts = new Map<number, number>();
  for (const depth of depths) counts.set(depth, (counts.get(depth) ?? 0) + 1);
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
