import type { Root, RootContent } from 'mdast';
import type { Node } from 'unist';
import type { VFile } from 'vfile';
import { visit } from '../visit.ts';
import type { BookChapters } from '../read/book.ts';
import { earlyStage, lateStage, middleStage, newTransformState, type TransformOptions, trustsRawHtml, wholeFacts } from '../transforms/index.ts';
import { rawHtmlToMdast, reportDropped } from '../transforms/raw-html.ts';
import { numberNestedFigures } from '../transforms/figures.ts';
import { extractMetadata } from '../transforms/metadata.ts';
import { topSectionLevel } from '../transforms/headings.ts';
import type { DocumentMeta } from '../types.ts';
import { packChapter as pack, unpackChapter as unpack } from '../packed.ts';

/**
 * A book transformed a chapter at a time: no stage holds more than one chapter's tree. Each
 * chapter waits as bytes between the passes (packed.ts). The last pass runs as `parts` is
 * read: `meta` (its description) and the file's messages are complete only once it has been.
 */
export interface TransformedBook {
  meta: DocumentMeta;
  /** How many chapters. */
  count: number;
  /**
   * The book's top-level blocks as the joined tree has them, a part at a time: each chapter's
   * body (read from its bytes, which go, and put through the last pass), then the tail: each chapter's link definitions that raw
   * HTML had swallowed, then every note, in number order. Once only.
   */
  parts(): Generator<RootContent[]>;
  /** The whole book as one tree, as runTransforms gives it from the joined book (the same bytes); from `parts`, so once only. */
  join(): Root;
}

/**
 * The transforms of runTransforms, run over a book one chapter at a time, in three passes (the
 * state of each transform carried from one chapter to the next: transforms/index.ts
 * TransformState):
 * 1. raw HTML, the metadata (first chapter), notes, figures, the outline, and the ids the author
 *    wrote: a heading slugged later must step aside for a written id in any chapter; the joined
 *    book converts every chapter's raw HTML inside blocks before any between blocks, and reports
 *    each kind of dropped element once (raw-html.ts DroppedKinds);
 * 2. figures inside other blocks numbered after all the book's top-level ones (figures.ts),
 *    every heading's id, section numbers (the shallowest level of the book known), equations, and
 *    the labels cross-references read: a reference may point forward;
 * 3. links between chapters (every chapter's ids known), cross-references, the block-local
 *    transforms, the description: a chapter at a time as the caller reads `parts`.
 * Messages go to `file` in each transform's order within a chapter; the build sorts them.
 *
 * A book whose facts cross chapters in ways the passes do not carry (a bibliography, an abstract,
 * a note cited in a note or holding headings, ids or display math, a title the first chapter
 * does not give, nesting past the limit) is not transformed here: the messages and facts so far are
 * undone and undefined is returned, and the build transforms the joined book (runTransforms).
 */
export function transformBook(book: BookChapters, file: VFile, options: TransformOptions, depthOk: (tree: Root) => boolean): TransformedBook | undefined {
  const messages = file.messages.length;
  const data = { ...file.data };
  const undo = () => {
    file.messages.length = messages;
    for (const key of Object.keys(file.data)) delete (file.data as Record<string, unknown>)[key];
    Object.assign(file.data, data);
    return undefined;
  };
  const state = newTransformState(trustsRawHtml({ type: 'root', children: [book.yaml] }));
  state.dropped.deferred = new Map();
  const nested = { figure: 0, table: 0, ids: 0 };
  state.figures.nested = nested;
  const chapters: { bytes: Uint8Array; hoisted: number; notes: number }[] = [];
  let meta: DocumentMeta | undefined;

  // Pass 1.
  for (const [position, chapter] of book.list.entries()) {
    const first = position === 0;
    const tree: Root = { type: 'root', children: first ? [{ ...book.yaml }, ...chapter.load()] : chapter.load() };
    if (!depthOk(tree)) return undo();
    const hoisted = rawHtmlToMdast(tree, file, { trust: state.trust, dropped: state.dropped });
    if (first) {
      meta = extractMetadata(tree, file, options);
      if (meta.bibliography?.length || meta.abstract) return undo();
      // The title's warning names the book's first heading, wherever it is.
      if (!file.data.titleHeading && !tree.children.some((node) => node.type === 'heading')) return undo();
    }
    const notesBefore = state.footnotes.count;
    earlyStage(tree, file, meta!, options, state, first);
    if (!notesKeepToChapter(tree)) return undo();
    state.sections.top = Math.min(state.sections.top, topSectionLevel(tree));
    chapters.push({ bytes: pack(tree), hoisted, notes: state.footnotes.count - notesBefore });
  }
  if (!meta || nested.ids > 0) return undo();
  for (const chapter of book.list) chapter.release();
  reportDropped(state.dropped);

  // Pass 2.
  chapters.forEach((chapter, position) => {
    const tree = unpack(chapter.bytes) as Root;
    numberNestedFigures(tree, meta!, state.figures);
    middleStage(tree, file, meta!, state, position === 0);
    chapter.bytes = pack(tree);
  });
  wholeFacts(file, meta);

  // Pass 3, run as the parts are read (`parts`): each chapter goes from this pass to its reader
  // without being written as bytes and read back once more. Each chapter's link definitions that
  // raw HTML had swallowed and its notes follow every chapter's body in the joined tree: they
  // wait apart, in order, for the tail.
  const hoisted: Uint8Array[] = [];
  const notes: Uint8Array[] = [];
  // A tree read back from bytes has its own copy of each node's type name: keep one of each (as readBook does).
  const typeNames = new Map<string, string>();
  const read = (bytes: Uint8Array): RootContent[] => {
    const blocks = unpack(bytes) as RootContent[];
    for (const block of blocks) {
      visit(block, (node: Node) => {
        const type = typeNames.get(node.type);
        if (type === undefined) typeNames.set(node.type, node.type);
        else node.type = type;
      });
    }
    return blocks;
  };
  function* parts(): Generator<RootContent[]> {
    for (const chapter of chapters) {
      const tree = unpack(chapter.bytes) as Root;
      chapter.bytes = EMPTY_BYTES;
      lateStage(tree, file, meta!, options, state);
      const body = tree.children.length - chapter.hoisted - chapter.notes;
      hoisted.push(pack(tree.children.slice(body, body + chapter.hoisted)));
      notes.push(pack(tree.children.slice(body + chapter.hoisted)));
      tree.children.length = body;
      yield tree.children;
    }
    yield [...hoisted.flatMap(read), ...notes.flatMap(read)];
    hoisted.length = 0;
    notes.length = 0;
  }
  return {
    meta,
    count: chapters.length,
    parts,
    join: () => {
      const tree: Root = { type: 'root', children: [] };
      for (const part of parts()) for (const node of part) tree.children.push(node);
      return tree;
    },
  };
}

const EMPTY_BYTES = new Uint8Array(0);

/**
 * The joined book walks every note after every chapter's body: a note's own note, heading, id or
 * display equation would be numbered or slugged there, after the last chapter, not in its own.
 */
function notesKeepToChapter(tree: Root): boolean {
  let fits = true;
  visit(tree, 'footnoteDefinition', (definition) => {
    visit(definition, (node: Node) => {
      const id = (node.data as { hProperties?: { id?: unknown } } | undefined)?.hProperties?.id;
      if (node.type === 'footnoteReference' || node.type === 'heading' || node.type === 'anchor' || node.type === 'math' || id !== undefined) fits = false;
    });
  });
  return fits;
}
