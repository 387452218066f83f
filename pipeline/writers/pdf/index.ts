import { closeSync, openSync } from 'node:fs';
import type { Definition, FootnoteDefinition, Root, RootContent } from 'mdast';
import { definitions as linkDefinitions } from 'mdast-util-definitions';
import { EXIT, visit } from '../../visit.ts';
import type { Asset, AssetResolver, ChapterStream, SharedResources, Writer, WriterInput } from '../../types.ts';
import { languageDirection } from '../shared/direction.ts';
import { DEFINES_MACROS } from '../shared/book-facts.ts';
import { authorNames } from '../shared/format.ts';
import { ScriptTools } from './bidi.ts';
import { Pdf } from './pdf-document.ts';
import { WordShapes } from './word-shapes.ts';
import { Fonts } from './fonts.ts';
import { gifFirstFrame, type GifFrame, type GifProblem } from './gif.ts';
import { handle, handlers } from './handlers/index.ts';
import { hyphenatorFor } from './hyphenate.ts';
import { pageBreak, shift, space, type Box, type StructNode } from './boxes.ts';
import { formulaTypesetter, typesetAhead, type Formulas } from './math.ts';
import { type BlockFacts, LayoutMemo, watchedFacts } from './layout-memo.ts';
import type { LayoutWatch } from './layout-watch.ts';
import { layoutNotes, lazyNotes } from './notes.ts';
import { pageStream, paginate, type Page } from './paginate.ts';
import { hasSvg, pageDrawer, type Frame, type Furniture, type SvgFonts, type SvgSupport } from './draw-pages.ts';
import type { Context, State } from './state.ts';
import { setText } from './typeset.ts';
import { loadTheme, PAPER } from './theme.ts';
import { colophonBlock, titleBlock } from './title-block.ts';
import { tableOfContents } from './toc.ts';

export const pdfWriter: Writer = {
  extension: 'pdf',
  mediaType: 'application/pdf',
  render: renderPdf,
  renderTo: renderPdfTo,
  // The formulas are typeset from the parsed tree while the transforms run (in a thread of their own).
  prepare: ({ formulas }, shared) => typesetAhead(formulas, FORMULA_COLOR, shared),
};

/** Session-wide values made from nothing (see `SharedResources.parsed`): the same empty bytes always match. */
const NO_BYTES = new Uint8Array(0);

/** The colour formulas are drawn in (the body text's). */
const FORMULA_COLOR = '#000000';

/**
 * mdast → boxes → pages → pdfkit. Pages are drawn as they are settled, and their boxes let go,
 * while the rest of the document is still being laid out (see `layoutPdf`).
 */
export async function renderPdf(input: WriterInput): Promise<Uint8Array> {
  return (await drawPdf(input)).finish();
}

/** The PDF written into the file at `path` as its blocks fill (see Writer.renderTo). */
export async function renderPdfTo(input: WriterInput, path: string): Promise<void> {
  const fd = openSync(path, 'w');
  try {
    await (await drawPdf(input, fd)).finishToFile();
  } finally {
    closeSync(fd);
  }
}

/** Every page drawn, the document not yet ended; with `output`, written into that file as it goes. */
async function drawPdf(input: WriterInput, output?: number): Promise<Pdf> {
  // MathJax is loaded only for a document with formulas (the math transform counted them).
  // A book rendered from its chapters has each chapter's typeset as the chapter is loaded (`bodyBlocks`), with one typesetter.
  const typeset = input.file.data.math?.count ? formulaTypesetter(input.file, FORMULA_COLOR, input.shared, input.chapters ? input.chapters.facts.macros || definesMacros(input.tree) : undefined) : undefined;
  const formulas = typeset?.(input.tree);
  const plan = layoutPdf(input, formulas, output, typeset);
  const svg: SvgSupport = { render: undefined, fonts: plan.svgFonts };
  const draw = pageDrawer(plan.pdf, plan.frame, plan.furniture, plan.root, true, svg, plan.memo?.pages);
  for (const page of plan.pages) {
    if (!svg.render && hasSvg(page)) svg.render = (await import('svg-to-pdfkit')).default;
    draw(page);
  }
  draw.finish();
  plan.memo?.pages.end(plan.pdf);
  plan.fonts.reportUnplacedRefusals();
  return plan.pdf;
}

export interface Plan {
  pdf: Pdf;
  pages: Page[];
  frame: Frame;
  furniture: Furniture;
  root: StructNode;
  svgFonts: SvgFonts;
  fonts: Fonts;
  /** The watch session's memo of laid-out blocks and drawn pages, when there is one. */
  memo?: LayoutMemo;
}

/** Everything up to drawing, every page laid out (tests inspect these for widows and orphans). */
export function planPdf(input: WriterInput, formulas: Formulas = new Map()): Plan {
  const plan = layoutPdf(input, formulas);
  return { ...plan, pages: [...plan.pages] };
}

/**
 * The document laid out, its pages to come: each page is settled, and its boxes laid out, as
 * the iteration reaches it (pageStream). With a table of contents (whose page numbers are
 * known only at the end) or notes that cite notes (whose first citations the notes see only
 * once the body is laid out), the body is laid out whole first.
 */
function layoutPdf({ tree, chapters, meta, file, assets, epoch, shared, lastReader }: WriterInput, formulas: Formulas = new Map(), output?: number, typeset?: (tree: Root) => Formulas): Omit<Plan, 'pages'> & { pages: Iterable<Page> } {
  // The build has read and checked a theme file the front matter names: here it is only applied.
  if (typeof meta.pdfTheme === 'string') throw new Error(`pdf-theme "${meta.pdfTheme}" reached the PDF writer unread: resolve it with resolvePdfTheme first`);
  const theme = loadTheme(assets, meta.pdfTheme);
  const size = PAPER[meta.papersize];
  const margins = theme.page.margins[meta.papersize];
  const frame: Frame = {
    size,
    top: margins.top,
    left: margins.inner,
    width: size[0] - margins.inner - margins.outer,
    height: size[1] - margins.top - margins.bottom,
    rtl: languageDirection(meta.lang) === 'rtl' || undefined,
  };
  // The document's date (or SOURCE_DATE_EPOCH), never the clock: two builds are byte-identical.
  const date = new Date(epoch * 1000);
  // A watch session keeps each document's laid-out blocks and deflated pages between its builds.
  const memo = shared?.writerMemo?.(`pdf-layout:${file.path ?? ''}`, () => new LayoutMemo());
  const pdf = new Pdf({
    size,
    lang: meta.lang,
    tagged: true,
    pdfa: theme.pdfa || meta.pdfa === true,
    info: {
      Title: meta.title,
      Author: authorNames(meta).join(', ') || undefined,
      Subject: meta.description,
      Keywords: meta.keywords.length > 0 ? meta.keywords.join(', ') : undefined,
      Creator: 'Colophon',
      Producer: 'Colophon with PDFKit',
      CreationDate: date,
      ModDate: date,
    },
    output,
  }, {
    shapes: shared ? shared.parsed('colophon:pdf-word-shapes', NO_BYTES, () => new WordShapes()) : undefined,
    deflated: memo?.streams,
    drawn: memo?.drawn,
    resumable: memo !== undefined,
    spareBlocks: memo?.pages.spareBlocks,
  });

  // A book rendered from its chapters (WriterInput.chapters) knows the other chapters' notes,
  // definitions, destinations and headings from its facts, gathered in the same order.
  const noteDefinitions = chapters ? chapters.facts.notes : tree.children.filter((node): node is FootnoteDefinition => node.type === 'footnoteDefinition');
  const destinations = new Set<string>(noteDefinitions.map((node) => `fn-${node.identifier}`));
  if (meta.titleId) destinations.add(meta.titleId);
  // The link definitions and the destinations, gathered block by block: a watch session keeps
  // each block's (by node). mdast-util-definitions then picks the first of each label.
  const definitionNodes: Definition[] = [];
  for (const node of tree.children) {
    const facts = memo ? memo.factsOf(node, blockFacts) : blockFacts(node);
    definitionNodes.push(...facts.definitions);
    for (const id of facts.destinations) destinations.add(id);
  }
  if (chapters) {
    definitionNodes.push(...chapters.facts.definitions);
    for (const id of chapters.facts.destinations) destinations.add(id);
  }
  const definitions = linkDefinitions({ type: 'root', children: definitionNodes });

  // A block that reads a file or a formula is laid out afresh in every build (layout-memo.ts).
  const taint = () => {
    if (state.watch) state.watch.tainted = true;
  };
  const state: State = {
    theme,
    fonts: undefined as unknown as Fonts,
    scripts: new ScriptTools(),
    file,
    assets: watchedAssets(assets, taint, () => state.watch),
    pdf,
    lang: meta.lang,
    hyphenator: theme.hyphenate ? hyphenatorFor(meta.lang) : undefined,
    ...watchedFacts({ destinations, definitions }, () => state.watch),
    citedNotes: new Set(),
    gifFrame: gifFrames(shared),
    formulas: {
      get: (node) => {
        taint();
        return formulas.get(node);
      },
    },
    one: (node, context) => handle(state, node, context),
    all: (nodes, context) => all(state, nodes, context),
  };
  state.fonts = new Fonts(pdf, theme, assets, file, shared, meta.lang);

  // Every top-level block's context is made from the theme and the frame.
  memo?.begin(JSON.stringify([theme, frame, meta.lang, pdf.pdfa]), state.fonts, { destinations, definitions, remote: (url) => assets.remote(url) !== undefined });
  const root: StructNode = memo?.root ?? { tag: 'Document', lang: meta.lang };
  if (memo) memo.root = root;
  const context: Context = {
    width: frame.width,
    size: theme.body.size,
    leading: theme.body.leading,
    blockSpace: theme.blockSpace,
    align: 'justify',
    struct: root,
    indentParagraphs: true,
    maxHeight: frame.height,
  };
  const footnotes = file.data.footnotes ?? { count: 0, authorNotes: {} };
  const contents = meta.toc ? tableOfContents(state, tree, chapters, context, meta.tocDepth, meta.tocTitle) : undefined;
  // The abstract belongs to the opening, before the table of contents.
  const opening = tree.children[0]?.type === 'abstract' ? tree.children.slice(0, 1) : [];
  const geometry = { height: frame.height, separator: theme.notes.separatorSpace, gap: theme.notes.gap, maxNoteFraction: theme.notes.maxFraction };
  function* blocks(): Generator<Box[]> {
    yield titleBlock(state, meta, footnotes, context);
    if (opening.length > 0) yield [...state.all(opening, context), space(theme.headings[1]!.spaceBefore)];
    if (contents) yield [...contents.boxes, space(theme.headings[1]!.spaceBefore)];
    // Every fact the layout needs from the whole tree (destinations, definitions, notes, the
    // contents) is gathered above: the body's blocks may go as they are laid out.
    const head = lastReader ? taken(tree.children, opening.length) : tree.children.slice(opening.length);
    const body = chapters ? bodyBlocks(head, chapters, (chapter) => {
      if (typeset) for (const [node, formula] of typeset(chapter)) formulas.set(node, formula);
    }) : head;
    // A book's chapters each open a page; the first one too when the contents come before it.
    yield* eachBlock(state, body, context, memo, contents !== undefined);
    yield colophonBlock(state, meta, context, root);
    memo?.end();
  }
  const notesCiteNotes = noteDefinitions.some(citesNotes);
  let pages: Iterable<Page>;
  if (contents || notesCiteNotes) {
    const body: Box[] = [];
    for (const boxes of blocks()) for (const box of boxes) body.push(box);
    const notes = layoutNotes(state, noteDefinitions, frame.width, root, frame.height);
    pages = paginate(body, notes, geometry);
    contents?.fill(pages as Page[]);
  } else {
    const notes = lazyNotes(state, noteDefinitions, frame.width, root, frame.height);
    pages = (function* () {
      const source = blocks();
      yield* pageStream(source, notes, geometry);
      notes.rest();
    })();
  }

  const headTheme = theme.runningHead;
  // The running head is one line: a short title too long for the measure is set smaller.
  // Set before the body: a warning about a glyph in it points where the short title (or the title) is written.
  const headAt = meta.places?.['short-title'] ?? meta.places?.title;
  const headPlace = headAt ? { start: headAt, end: headAt } : undefined;
  const headRun = (size: number) => [{ text: meta.shortTitle, style: 'italic' as const, size, color: headTheme.color, rise: 0, place: headPlace }];
  const natural = setText(state, headRun(headTheme.size), { width: 1e6, leading: headTheme.size * 1.4, size: headTheme.size, align: 'left' });
  const naturalWidth = Math.max(0, ...natural.flatMap((line) => line.ops.map((op) => (op.op === 'text' ? op.x + op.width : 0))));
  const headSize = naturalWidth > frame.width ? (headTheme.size * frame.width) / naturalWidth * 0.98 : headTheme.size;
  const head = setText(state, headRun(headSize), { width: 1e6, leading: headTheme.size * 1.4, size: headSize, align: 'left' }).slice(0, 1);
  const headWidth = Math.max(0, ...head.flatMap((line) => line.ops.map((op) => (op.op === 'text' ? op.x + op.width : 0))));
  shift(head, (frame.width - headWidth) / 2);
  const furniture = (index: number) => {
    const placed: { box: Box; y: number }[] = [];
    if (index > 0) for (const box of head) placed.push({ box, y: frame.top - theme.page.headerOffset });
    // The folio depends on the page's number and the settings alone: a watch session keeps it.
    const setFolio = () =>
      setText(state, [{ text: String(index + 1), style: 'regular', size: headTheme.size, color: headTheme.color, rise: 0 }], {
        width: frame.width,
        leading: headTheme.size * 1.4,
        size: headTheme.size,
        align: 'center',
      });
    const folio = memo ? memo.folio(index, state.fonts, setFolio) : setFolio();
    for (const box of folio) placed.push({ box, y: frame.top + frame.height + theme.page.footerOffset - box.height });
    return placed;
  };
  const svgFonts: SvgFonts = (family, bold, italic) => {
    const mono = /mono|courier|consol/i.test(family ?? '');
    const key = mono ? (bold ? 'monoBold' : 'mono') : bold && italic ? 'boldItalic' : bold ? 'bold' : italic ? 'italic' : 'regular';
    return state.fonts.face(key).name;
  };
  return { pdf, pages, frame, furniture, root, svgFonts, fonts: state.fonts, memo };
}

/** Blocks in sequence, with the space between them decided by what meets what. */
function all(state: State, nodes: RootContent[], context: Context): Box[] {
  const out: Box[] = [];
  for (const boxes of eachBlock(state, nodes, context)) for (const box of boxes) out.push(box);
  return out;
}

/** The boxes of each block in turn (with the space before it); top-level ones through the watch session's memo when there is one. */
function* eachBlock(state: State, nodes: Iterable<RootContent>, context: Context, memo?: LayoutMemo, breakBeforeFirstChapter = false): Generator<Box[]> {
  let previous: RootContent | undefined;
  // The last block keeps with the next: a heading, or a rule right under one.
  let previousKeeps = false;
  const inNote = context.size < state.theme.body.size;
  // A book's chapter (its top-level blocks carry its number) opens a page, as a book class's \\chapter does.
  let chapter: number | undefined;
  let opensChapter = false;
  for (const node of nodes) {
    if (handlers[node.type] === null) continue;
    const nodeChapter = node.data?.chapter;
    if (nodeChapter !== undefined && nodeChapter !== chapter) {
      opensChapter = chapter !== undefined || breakBeforeFirstChapter;
      chapter = nodeChapter;
      if (opensChapter) previous = undefined;
    }
    const indentFirst = context.indentParagraphs && isProse(previous) && isProse(node);
    const laidOut = memo ? memo.layout(state, node, indentFirst, () => handle(state, node, { ...context, indentFirst })) : handle(state, node, { ...context, indentFirst });
    // A rule right under a heading underlines it (pyenv's README: `### A. Getting Pyenv` then
    // `----`): it keeps with what follows, as the heading does, so no page ends with the two.
    const underline = node.type === 'thematicBreak' && previous?.type === 'heading';
    const boxes = underline ? laidOut.map((box) => ({ ...box, keep: true })) : laidOut;
    if (boxes.length === 0) continue;
    if (opensChapter) {
      opensChapter = false;
      yield [pageBreak()];
    }
    // An anchor takes no room: the space around it is the space between its neighbours.
    if (node.type === 'anchor') {
      yield boxes;
      continue;
    }
    if (previous) {
      let gap = indentFirst ? 0 : context.tight ? state.theme.list.itemSpace : context.blockSpace;
      if (node.type === 'heading' && !inNote) gap = Math.max(gap, state.theme.headings[node.depth - 1]!.spaceBefore);
      if (previous.type === 'heading' && !inNote) {
        const after = state.theme.headings[previous.depth - 1]!.spaceAfter;
        // A heading of the same or a higher level opens a new section after an empty one: its space before stays (as LaTeX's \addvspace keeps the larger).
        gap = node.type === 'heading' && node.depth <= previous.depth ? Math.max(after, state.theme.headings[node.depth - 1]!.spaceBefore) : after;
      }
      if (gap > 0) yield [space(gap, previousKeeps), ...boxes];
      else yield boxes;
    } else yield boxes;
    previous = node;
    previousKeeps = node.type === 'heading' || underline;
  }
}

/**
 * What comes before a book's chapters, then each chapter's blocks, loaded in turn (`loaded` sees
 * each chapter's tree first) and let go once laid out: no more than a chapter's tree at a time.
 */
function* bodyBlocks(head: Iterable<RootContent>, chapters: ChapterStream, loaded: (chapter: Root) => void): Generator<RootContent> {
  yield* head;
  for (let n = 1; n <= chapters.count; n++) {
    const chapter = chapters.load(n);
    loaded(chapter);
    yield* taken(chapter.children, 0);
  }
}

/**
 * The blocks from `from` on, each let go (its place in the array cleared) as it is taken: for the
 * tree's last reader (WriterInput.lastReader), whose tree then shrinks as the layout goes.
 */
function* taken(children: RootContent[], from: number): Generator<RootContent> {
  const places = children as (RootContent | undefined)[];
  for (let index = from; index < places.length; index++) {
    const node = places[index]!;
    places[index] = undefined;
    yield node;
  }
}

/**
 * Each GIF's first frame, decoded once: through the build's shared resources (one per build,
 * worker thread or watch session) by path, while its bytes stay the same; else once per document,
 * by path (within one document a path's bytes are the ones its asset resolver read).
 */
function gifFrames(shared: SharedResources | undefined): (asset: Asset) => GifFrame | GifProblem {
  if (shared) return (asset) => shared.parsed(`pdf-gif:${asset.path}`, asset.bytes, gifFirstFrame);
  const decoded = new Map<string, GifFrame | GifProblem>();
  return (asset) => {
    let frame = decoded.get(asset.path);
    if (!frame) decoded.set(asset.path, (frame = gifFirstFrame(asset.bytes)));
    return frame;
  };
}

/**
 * The build's assets, each use of them marked by `use` (a block that reads a file is not kept);
 * a remote file the build did not fetch is no file read, only a fact looked up (`watch`).
 */
function watchedAssets(assets: AssetResolver, use: () => void, watch: () => LayoutWatch | undefined): AssetResolver {
  const watched = <A extends unknown[], R>(read: (...args: A) => R) => (...args: A): R => {
    use();
    return read(...args);
  };
  return {
    document: watched(assets.document.bind(assets)),
    remote: (url) => {
      const fetched = assets.remote(url);
      if (fetched) use();
      else watch()?.lookups.push({ kind: 'remote', name: url, answer: '0' });
      return fetched;
    },
    data: watched(assets.data.bind(assets)),
    stylesheet: watched(assets.stylesheet.bind(assets)),
    own: watched(assets.own.bind(assets)),
  };
}

/** The link definitions and the destinations a top-level block holds, in the order a walk of the tree meets them. */
function blockFacts(block: RootContent): BlockFacts {
  const facts: BlockFacts = { definitions: [], destinations: [] };
  visit(block, (node) => {
    if (node.type === 'definition') facts.definitions.push(node);
    else if ((node.type === 'heading' || node.type === 'math') && node.data?.id) facts.destinations.push(node.data.id);
    else if (node.type === 'figure' && node.identifier) facts.destinations.push(node.identifier);
    else if (node.type === 'paragraph' && node.data?.anchor) facts.destinations.push(node.data.anchor);
    else if (node.type === 'anchor' && node.id) facts.destinations.push(node.id);
  });
  return facts;
}

/** Whether a formula of the tree defines TeX macros. */
function definesMacros(tree: Root): boolean {
  let found = false;
  visit(tree, (node) => {
    if ((node.type !== 'math' && node.type !== 'inlineMath') || !node.data?.mathml || !DEFINES_MACROS.test(node.value)) return undefined;
    found = true;
    return EXIT;
  });
  return found;
}

/** Whether a note cites notes. */
function citesNotes(definition: FootnoteDefinition): boolean {
  let found = false;
  visit(definition, 'footnoteReference', () => {
    found = true;
    return EXIT;
  });
  return found;
}

/** A paragraph of text (not one holding only an image, which is set as a figure). */
function isProse(node: RootContent | undefined): boolean {
  // A paragraph set centred or flush (a raw `<p align>`) is set apart by space, as a display is.
  if (node?.type !== 'paragraph' || node.data?.align) return false;
  // Asked twice of each block: counted without an array of the children.
  let only: RootContent | undefined;
  for (const child of node.children) {
    if (child.type === 'text' && child.value.trim() === '') continue;
    if (only) return true;
    only = child;
  }
  return !(only && (only.type === 'image' || only.type === 'imageReference'));
}
