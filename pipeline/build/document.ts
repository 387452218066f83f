import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import type { Root, RootContent } from 'mdast';
import { definitions as linkDefinitions } from 'mdast-util-definitions';
import { VFile } from 'vfile';
import type { VFileMessage } from 'vfile-message';
import type { Node } from 'unist';
import { visit } from 'unist-util-visit';
import { createAssetResolver, sniffImageType } from '../read/assets.ts';
import { fetchRemote } from '../read/remote.ts';
import { joinBook, readBook, type BookChapters } from '../read/book.ts';
import { transformBook } from './book-pass.ts';
import { chapterParser } from './parse-chapters.ts';
import { temporaryFor } from './write.ts';
import { collectGarbage, isDocumentThread } from './document-thread.ts';
import { normalizeSvg } from '../read/svg.ts';
import { chapterStreams, packSegments } from './chapter-segments.ts';
import { type AnchorsUsed, type CachedMessage, toCachedMessage } from './cache.ts';
import { anchorsStillHold, runAnchors, type RunAnchors } from './run-anchors.ts';
import { checkSource, checkTreeDepth, defaultLimits } from '../read/limits.ts';
import { report } from '../messages.ts';
import { defaultPieces, parseDocumentText } from '../parse/chunked-parse.ts';
import { decodeSource } from '../read/source.ts';
import { runTransforms } from '../transforms/index.ts';
import { fragmentTarget, type RunDocuments } from '../transforms/document-links.ts';
import { createSharedResources } from './resources.ts';
import { resolvePdfTheme } from './pdf-theme-file.ts';
import type { Asset, ChapterStream, DocumentMeta, Edition, RenderContext, SharedResources, TreeStore } from '../types.ts';
import { addChapterFacts, emptyBookFacts } from '../writers/shared/book-facts.ts';
import { assetRecorder, recordingResolver, threadMessages, type EditionThread } from './edition-thread.ts';
import { loadWriter } from '../writers/index.ts';
import { contextKey, parsedFacts, pdfRegionRebuild, readTexts, recordBuild, type PdfRecord, type SegmentText, spliceMemo, spliceRebuild } from './region-rebuild.ts';

/** One input: a Markdown file, or a folder with a book.yaml whose chapters make one book. */
export interface Source {
  kind: 'file' | 'book';
  /** Absolute path: the Markdown file, or the book's folder. */
  path: string;
  /** Output name without extension, relative to the output folder. */
  name: string;
}

/** The outcome of rendering one document: plain data (no class instances), worker-safe. */
export interface RenderOutput {
  source: string;
  messages: CachedMessage[];
  meta?: DocumentMeta;
  editions: RenderedEdition[];
  /** Project-relative path → sha256 of every asset the writers read (for the cache). */
  assets: [string, string][];
  /** Absolute paths of assets looked for but not found (for `--watch`). */
  missing: string[];
  /**
   * What the document's links asked of the run's list of documents (RenderContext.documents):
   * each path looked up and the output name it had, null for none. Absent when not known (an
   * edition rebuilt from the last one in a watch session): then the whole list counts.
   */
  documents?: [string, string | null][];
  /** What the document's links took from other documents' anchors (cache.ts AnchorsUsed); absent when not known, as above. */
  anchors?: AnchorsUsed[];
}

/** An edition as made: its bytes, or the temporary file it was written into (RenderContext.writeTo). */
export type RenderedEdition = { edition: Edition; bytes: Uint8Array; file?: undefined } | { edition: Edition; file: string; bytes?: undefined };

/**
 * Opens a thread for the PDF edition of a file or book of `chars` characters of Markdown
 * (edition-thread.ts), or says no (undefined): the build decides, from the document's size
 * and the cores it has.
 */
export type EditionThreadOpener = (chars: number) => EditionThread | undefined;

/**
 * The run's documents as a document's links see them (transforms/document-links.ts), each path
 * asked noted in `asked` with its answer: a document built alone asks too, and hears of none.
 */
function recordingDocuments(self: string, outputs: Readonly<Record<string, string>> | undefined, asked: [string, string | null][], anchorsOf: (path: string) => RunAnchors | undefined, anchorsAsked: AnchorsUsed[]): RunDocuments {
  const answers = new Map<string, string | undefined>();
  const targets = new Map<string, { anchors: RunAnchors | undefined; used: AnchorsUsed; answered: Map<string, string | null> }>();
  return {
    self,
    outputOf(path) {
      if (answers.has(path)) return answers.get(path);
      // Own keys only: a link to `constructor` is not Object's.
      const name = outputs && Object.hasOwn(outputs, path) ? outputs[path] : undefined;
      answers.set(path, name);
      asked.push([path, name ?? null]);
      return name;
    },
    fragmentIn(path, fragment) {
      let target = targets.get(path);
      if (!target) {
        const anchors = anchorsOf(path);
        // No sha256: the document could not be read (cache.ts AnchorsUsed).
        target = { anchors, used: { path, sha256: anchors?.sha256 ?? '', answers: [] }, answered: new Map() };
        targets.set(path, target);
        anchorsAsked.push(target.used);
      }
      if (!target.anchors) return undefined;
      if (target.answered.has(fragment)) return target.answered.get(fragment);
      const id = fragmentTarget(target.anchors.anchors, fragment);
      target.answered.set(fragment, id);
      target.used.answers.push([fragment, id]);
      return id;
    },
  };
}

/** Parse, transform and render every requested edition of one source. Never throws for bad input. */
export async function renderDocument(source: Source, context: RenderContext, shared: SharedResources = createSharedResources(), openThread?: EditionThreadOpener): Promise<RenderOutput> {
  // Parsed trees kept by content hash: this session's memory (watch mode), then the disk cache.
  const trees = shared.trees(context.treeCache);
  const limits = { ...defaultLimits, ...context.limits };
  // In a watch session, an edit of a few plain blocks is spliced into the last HTML edition, or
  // into the last PDF build's transformed tree.
  const memo = spliceMemo(source, context, shared);
  const spliceKey = memo ? contextKey(source, context) : undefined;
  const now = memo ? readTexts(source, context) : undefined;
  const anchorsHold = (used: AnchorsUsed[]) => anchorsStillHold(used, context, shared);
  if (memo && spliceKey && now && context.formats[0] === 'pdf') {
    const writeTo = context.writeTo ? temporaryFor(join(context.writeTo, `${source.name}.pdf`)) : undefined;
    const rebuilt = await pdfRegionRebuild({ memo, shared, key: spliceKey, path: source.path, ...now, root: context.root, limits, writer: await loadWriter('pdf'), epoch: context.epoch, highlights: shared.highlights, writeTo, anchorsHold });
    if (rebuilt) return { source: rebuilt.source, messages: rebuilt.messages, meta: rebuilt.meta, editions: [typeof rebuilt.pdf === 'string' ? { edition: 'pdf', file: rebuilt.pdf } : { edition: 'pdf', bytes: rebuilt.pdf }], assets: rebuilt.assets, missing: rebuilt.missing, documents: rebuilt.documents, anchors: rebuilt.anchors };
  } else if (memo && spliceKey && now) {
    const writer = await loadWriter('html');
    const folder = source.kind === 'book' ? source.path : dirname(source.path);
    const scratch = new VFile({ path: source.path });
    const assets = createAssetResolver({ root: context.root, documentDir: folder, file: scratch, cache: new Map(), fetched: undefined });
    const spliced = writer.fragment ? spliceRebuild({ memo, shared, key: spliceKey, path: source.path, ...now, root: context.root, limits, writer, epoch: context.epoch, highlights: shared.highlights, assets, anchorsHold }) : undefined;
    if (spliced) {
      memo.persist?.();
      return { source: spliced.source, messages: spliced.messages, meta: spliced.meta, editions: [{ edition: 'html', bytes: spliced.html }], assets: spliced.assets, missing: spliced.missing, documents: spliced.documents, anchors: spliced.anchors };
    }
  }
  const loaded = await loadSource(source, context, trees);
  const { file } = loaded;
  const chars = loaded.chapterTexts ? loaded.chapterTexts.reduce((sum, chapter) => sum + chapter.text.length, 0) : String(file.value).length;
  // A book's chapter texts serve only the next build's splice: without one, they go now, not
  // after every edition (about twice the Markdown's bytes, as strings, beside the book's tree).
  if (!spliceKey) loaded.chapterTexts = undefined;
  const asked: [string, string | null][] = [];
  const anchorsAsked: AnchorsUsed[] = [];
  const output: RenderOutput = { source: file.path, messages: [], editions: [], assets: [], missing: [], documents: asked, anchors: anchorsAsked };
  let pdfThread: EditionThread | undefined;
  const plain = () => (loaded.remap ? file.messages.map(loaded.remap) : file.messages).map(toCachedMessage);
  // The messages made before the PDF renders last (below), as plain data, and where the PDF's go among them.
  let settled: { messages: CachedMessage[]; pdfAt: number } | undefined;
  const finish = () => {
    output.messages = settled ? settled.messages.slice(0, settled.pdfAt).concat(plain(), settled.messages.slice(settled.pdfAt)) : plain();
    // The thread never outlives its document (it does not keep the process alive meanwhile).
    pdfThread?.close().catch(() => {});
    return output;
  };
  if (!loaded.ok) return finish();

  if (!checkSource(file, limits)) return finish();
  // The PDF of a long document renders beside the other editions: the thread starts now, so
  // that it loads while this one parses (a book's chapters are parsed already: it loads while
  // they are transformed).
  pdfThread = context.formats.includes('pdf') && context.formats.length > 1 ? openThread?.(chars) : undefined;
  await yieldToEventLoop();
  const read = new Map<string, string>();
  const recorded = assetRecorder(context.root, loaded.folder, read, output.missing);
  // Transforms read the data files the front matter names (a bibliography, a citation style) through this.
  const dataResolver = createAssetResolver({ root: context.root, documentDir: loaded.folder, file, cache: new Map(), fetched: undefined });
  const transformOptions = {
    papersize: context.papersize,
    defaults: context.project,
    readData: (url: string, place?: Parameters<typeof dataResolver.data>[1]) => recorded(url, dataResolver.data(url, place)),
    ownFile: (path: string) => dataResolver.own(path),
    highlights: shared.highlights,
    quotes: shared.quotes,
    documents: source.kind === 'file' ? recordingDocuments(relative(context.root, source.path).split(sep).join('/'), context.documents, asked, (path) => runAnchors(path, context, shared), anchorsAsked) : undefined,
  };
  // A book is transformed a chapter at a time when it can be (book-pass.ts), never holding its
  // whole tree there; a watch session keeps the joined tree its next build splices into.
  // A watch session (shared.lastBuilds) renders a book from its joined tree whatever its editions,
  // not only when its next build splices into that tree: the chapter passes and the stream spare
  // memory at the price of CPU (each chapter written as bytes and read back), which a warm
  // rebuild would pay at every edit (the 10 MB book's EPUB: 15.4 s before them, 20.5 s with them).
  const joined = spliceKey !== undefined || shared.lastBuilds !== undefined;
  const book = loaded.chapters && !joined && !context.allowRemote ? transformBook(loaded.chapters, file, transformOptions, (chapter) => checkTreeDepth(chapter, file, limits)) : undefined;
  // Its last pass runs as its chapters are streamed to the writers (each chapter kept as bytes
  // once, not once more between the pass and the stream): its messages and its description are
  // complete only then, before they are read below.
  // A book whose PDF renders on a thread packs its chapters where that thread can read them too.
  const streamed = book ? streamChapters({ type: 'root', children: [] }, book.parts(), pdfThread !== undefined) : undefined;
  let tree: Root;
  try {
    // A book transformed a chapter at a time has for its tree what comes before its chapters (streamed above).
    tree = streamed ? streamed.head : loaded.chapters ? joinBook(loaded.chapters) : parseDocumentText(file, shared.pieceBytes ? { ...defaultPieces, pieceBytes: shared.pieceBytes } : defaultPieces, trees);
  } catch (error) {
    // The parser's own tree walkers recurse; a stack overflow means nesting past what they bear.
    if (!(error instanceof RangeError)) throw error;
    report(file, 'error', `nesting too deep to parse (${error.message}); lower it or raise --max-nesting carefully`, { line: 1, column: 1 }, 'nesting-limit');
    return finish();
  }
  if (!book && !checkTreeDepth(tree, file, limits)) return finish();
  const parsed = spliceKey ? parsedFacts(tree, source.kind === 'book') : undefined;
  // What the PDF writer can do from the parsed tree (its formulas), it does while the transforms run.
  pdfThread?.prepare('pdf', tree);
  await yieldToEventLoop();
  const meta = book?.meta ?? runTransforms(tree, file, transformOptions);
  output.meta = meta;
  if (failed(file, context.strict)) return finish();

  const fetched = context.allowRemote ? await fetchRemoteImages(tree, file) : undefined;
  // A fetched file can change without notice: a document that uses one is never served from the cache.
  for (const url of fetched?.keys() ?? []) read.set(`remote:${url}`, '');
  // A cold build of a book hands its writers the chapters one at a time (WriterInput.chapters):
  // the joined tree goes now, each chapter kept as bytes until a writer loads it. A watch
  // session renders from the joined tree (`joined` above; its next build may splice into it).
  // A book transformed a chapter at a time (book-pass.ts) went from its passes to the stream
  // without being joined (above).
  const chapters = source.kind === 'book' && !joined ? (streamed ?? splitIntoChapters(tree, pdfThread !== undefined)) : undefined;
  if (chapters) tree = chapters.head;
  const resolver = createAssetResolver({ root: context.root, documentDir: loaded.folder, file, cache: new Map(), fetched });
  const assets = recordingResolver(resolver, recorded);
  const epoch = meta.date ? epochFromDate(meta.date) : context.epoch;
  // A theme file the front matter names is read, checked and reported only for a PDF edition.
  const writerMeta: DocumentMeta = context.formats.includes('pdf') ? { ...meta, pdfTheme: resolvePdfTheme(meta, assets, file) } : { ...meta };
  // Stylesheets are read and checked once, before any writer, whichever editions use them.
  writerMeta.stylesheets = (meta.css ?? []).flatMap(({ path, at }) => {
    const asset = assets.stylesheet(path, at ? { start: at, end: at } : undefined);
    return asset ? [new TextDecoder().decode(asset.bytes)] : [];
  });
  // Each edition goes to its temporary file as soon as it is made; not the HTML of a watch session,
  // whose next build may splice into these bytes (a PDF's next build resumes from its writer's
  // marks instead, and its bytes made into one array were 57 MB of array buffers a rebuild on the
  // 10 MB book: bench/RESULTS-incremental.md, session 21).
  const temporaryOf = (edition: Edition) => (context.writeTo && (!spliceKey || edition === 'pdf') ? temporaryFor(join(context.writeTo, `${source.name}.${edition}`)) : undefined);
  // The PDF goes to its thread first, so that it starts at once; its messages still go where
  // they would have gone in line (after those of the editions listed before it). A book's thread
  // gets the packed chapters (shared memory, not copied) and their facts.
  const offThread = pdfThread?.render({ edition: 'pdf', tree, chapters: chapters && { segments: chapters.segments, facts: chapters.stream.facts }, meta: writerMeta, file: { path: file.path, cwd: file.cwd, value: String(file.value), data: file.data }, epoch, root: context.root, folder: loaded.folder, fetched, temporary: temporaryOf('pdf') });
  let pdfMessagesAt = 0;
  const keep = (edition: Edition, bytes: Uint8Array) => {
    const temporary = temporaryOf(edition);
    if (!temporary) {
      output.editions.push({ edition, bytes });
      return;
    }
    try {
      mkdirSync(dirname(temporary), { recursive: true });
      writeFileSync(temporary, bytes);
    } catch (error) {
      rmSync(temporary, { force: true });
      throw error;
    }
    output.editions.push({ edition, file: temporary });
  };
  // `lastChapterReader`: the last edition to read the chapters, which lets each go as it loads it.
  const renderHere = async (edition: Edition, lastReader: boolean, lastChapterReader = lastReader) => {
    // What the last stage of a long book left goes before the next one grows, not beside it
    // (a full collection takes a second or so; each stage of such a book, minutes).
    if (isDocumentThread()) collectGarbage();
    const writer = await loadWriter(edition);
    const temporary = writer.renderTo ? temporaryOf(edition) : undefined;
    try {
      // Writers never change the tree they are given: every edition reads the same one.
      const input = { tree, chapters: lastChapterReader ? chapters?.lastUse : chapters?.stream, meta: writerMeta, file, assets, epoch, shared, lastReader };
      if (temporary && writer.renderTo) {
        mkdirSync(dirname(temporary), { recursive: true });
        await writer.renderTo(input, temporary);
        output.editions.push({ edition, file: temporary });
      } else keep(edition, await writer.render(input));
    } catch (error) {
      if (temporary) rmSync(temporary, { force: true });
      report(file, 'error', `the ${edition} writer failed: ${(error as Error).stack ?? error}`, undefined, 'writer-crash');
    }
  };
  // In line, the PDF renders last, as the tree's last reader (WriterInput.lastReader): it lets the
  // body's blocks go as it lays them out, so that a long book's tree shrinks while its pages are
  // made instead of staying whole beside them. Not in a watch session, whose next build starts
  // from this tree. Its messages still go where the editions' order puts them.
  const pdfLast = !offThread && !spliceKey && context.formats.includes('pdf');
  // What a PDF region rebuild needs of this build besides its output (region-rebuild.ts PdfRecord).
  const pdfFacts: PdfRecord | undefined = spliceKey && context.formats.includes('pdf') ? { children: [...tree.children], path: file.path, cwd: file.cwd, data: file.data, folder: loaded.folder, epoch, before: file.messages.length, read: [...read], missing: [...output.missing] } : undefined;
  const inLine = context.formats.filter((edition) => !(edition === 'pdf' && (offThread || pdfLast)));
  for (const edition of context.formats) {
    await yieldToEventLoop();
    if (!inLine.includes(edition)) {
      pdfMessagesAt = file.messages.length;
      continue;
    }
    // With the PDF on its thread (which reads its own chapters), the last edition here is the last to read this thread's.
    await renderHere(edition, false, Boolean(offThread) && edition === inLine.at(-1));
  }
  if (pdfLast) {
    await yieldToEventLoop();
    // The messages so far wait as plain data while the PDF, the longest stage, renders: a long
    // book has a hundred thousand of them, about 620 bytes each as VFileMessages (with the
    // position each keeps), 250 as plain data. Nothing reads them before the end.
    settled = { messages: plain(), pdfAt: pdfMessagesAt };
    file.messages.length = 0;
    await renderHere('pdf', true);
  }
  if (offThread) {
    let messages: VFileMessage[];
    try {
      const result = await offThread;
      messages = threadMessages(file, result.messages);
      if (result.file) output.editions.push({ edition: 'pdf', file: result.file });
      else if (result.bytes) keep('pdf', result.bytes);
      for (const [path, hash] of result.read) read.set(path, hash);
      output.missing.push(...result.missing);
    } catch (error) {
      messages = [report(file, 'error', `the pdf writer failed: ${(error as Error).stack ?? error}`, undefined, 'writer-crash')];
      file.messages.pop();
    }
    file.messages.splice(pdfMessagesAt, 0, ...messages);
  }
  output.assets = [...read];
  const result = finish();
  if (memo && spliceKey && parsed) {
    // The bytes read for the splice's comparison go with each text they decode to, so that the next comparison need not decode.
    const withBytes = (entry: SegmentText): SegmentText => {
      const onDisk = now?.texts.find((candidate) => candidate.path === entry.path);
      return onDisk && onDisk.text() === entry.text ? { ...entry, bytes: onDisk.bytes } : entry;
    };
    const texts = (source.kind === 'book' ? (loaded.chapterTexts ?? []) : [{ path: source.path, display: file.path, chapter: 0, text: String(file.value) }]).map(withBytes);
    recordBuild(memo, spliceKey, source.path, source.kind === 'book' ? String(file.value) : '', texts, parsed, tree, writerMeta, result, pdfFacts);
    memo.persist?.();
  }
  return result;
}

/** A book as its writers take it: what comes before its chapters, and its chapters as packed segments (chapter-segments.ts). */
export interface StreamedBook {
  head: Root;
  stream: ChapterStream;
  lastUse: ChapterStream;
  /** Chapter n's packed segments are `segments[n - 1]` (an edition thread reads them too: streamChapters' `sharedMemory`). */
  segments: Uint8Array[][];
}

/**
 * A transformed book's tree as what comes before its first chapter (`head`) and a stream of its
 * chapters, each kept as deflated bytes (packed.ts): the joined tree's blocks are let go (their places in `tree.children`
 * cleared) as their chapter is written. See `streamChapters`.
 */
export function splitIntoChapters(tree: Root, sharedMemory = false): StreamedBook {
  const blocks = tree.children;
  tree.children = [];
  return streamChapters({ ...tree, children: [] }, [blocks], sharedMemory);
}

/**
 * A book's top-level blocks, given a part at a time (the joined tree's, or a chapter at a time:
 * book-pass.ts), as the writers take them: `head`, what comes before the first block marked with
 * a chapter number (`data.chapter`), then a stream of chapters, each kept as deflated bytes
 * (packed.ts). A chapter runs from its first marked block to the next block marked with another;
 * blocks made by the transforms carry no mark and stay with the chapter they are in; the notes,
 * which the footnote transform puts at the end, stay with the last. Each part's blocks are let go
 * (their places cleared) as their chapter is written, so that no more than about two parts'
 * trees are held. `lastUse` is the same stream for the last writer, which lets each chapter's
 * bytes go as it loads them.
 */
export function streamChapters(head: Root, parts: Iterable<(RootContent | undefined)[]>, sharedMemory = false): StreamedBook {
  const facts = emptyBookFacts();
  const held: Uint8Array[][] = [];
  let number: number | undefined;
  let children: RootContent[] = [];
  const flush = () => {
    const chapter: Root = { type: 'root', children };
    addChapterFacts(facts, chapter, held.length + 1);
    held.push(packSegments(children, sharedMemory));
    children = [];
  };
  for (const blocks of parts) {
    for (let at = 0; at < blocks.length; at++) {
      const block = blocks[at]!;
      const marked = block.data?.chapter;
      blocks[at] = undefined;
      if (held.length === 0 && children.length === 0 && marked === undefined) {
        head.children.push(block);
        continue;
      }
      // The notes (the footnote transform puts them all at the end) keep their chapter's mark: they stay with the last chapter.
      if (children.length > 0 && marked !== undefined && marked !== number && block.type !== 'footnoteDefinition') flush();
      if (children.length === 0) number = marked;
      children.push(block);
    }
  }
  if (children.length > 0) flush();
  return { head, ...chapterStreams(held, facts), segments: held };
}

/**
 * Let the event loop run between the long synchronous stages (parse, transforms, each writer), so
 * that a signal's handler runs within one stage of the signal, not after the whole document.
 */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolvePromise) => setImmediate(resolvePromise));
}

/** Fetch every remote image the document shows, a few at a time; failures are errors at the image. */
async function fetchRemoteImages(tree: Root, file: VFile): Promise<Map<string, Asset>> {
  const definition = linkDefinitions(tree);
  const wanted = new Map<string, Node>();
  visit(tree, (node) => {
    const url = node.type === 'image' ? node.url : node.type === 'imageReference' ? definition(node.identifier)?.url : undefined;
    if (url && /^https?:\/\//i.test(url) && !wanted.has(url)) wanted.set(url, node);
  });
  const fetched = new Map<string, Asset>();
  const queue = [...wanted];
  const worker = async () => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [url, node] = next;
      try {
        const { bytes } = await fetchRemote(url);
        const mediaType = sniffImageType(bytes);
        if (mediaType) fetched.set(url, { path: url, bytes: mediaType === 'image/svg+xml' ? normalizeSvg(bytes) : bytes, mediaType });
        else report(file, 'error', `"${url}" is not an image Colophon can embed (PNG, JPEG, GIF, SVG, WebP)`, node, 'asset-type');
      } catch (error) {
        report(file, 'error', `cannot fetch "${url}": ${(error as Error).message}`, node, 'asset-remote');
      }
    }
  };
  await Promise.all([worker(), worker(), worker(), worker()]);
  return fetched;
}

export function failed(file: { messages: { fatal?: boolean | null }[] }, strict = false): boolean {
  return file.messages.some((message) => message.fatal === true || (strict && message.fatal === false));
}

interface Loaded {
  file: VFile;
  ok: boolean;
  /** A book's chapters (joined or transformed one at a time by the caller); a file is parsed by the caller, after the limit checks. */
  chapters?: BookChapters;
  /** Folder that relative references resolve against. */
  folder: string;
  /** A book maps positions in its merged tree back to chapter files. */
  remap?: (message: VFile['messages'][number]) => VFile['messages'][number];
  /** A book's chapters as read (see region-rebuild.ts). */
  chapterTexts?: SegmentText[];
}

async function loadSource(source: Source, context: RenderContext, trees: TreeStore | undefined): Promise<Loaded> {
  const displayPath = relative(context.cwd, source.path) || source.path;
  if (source.kind === 'book') return readBook(source.path, displayPath, context, chapterParser(trees));
  const { file, ok } = decodeSource(readFileSync(source.path), displayPath, context);
  return { file, ok, folder: dirname(source.path) };
}

function epochFromDate(date: string): number {
  const [year, month = 1, day = 1] = date.slice(0, 10).split('-').map(Number);
  // A date-time without a zone is read as UTC: the local zone must never change an edition.
  const time = date.length > 10 ? Date.parse(/(Z|[+-]\d\d:\d\d)$/.test(date) ? date : `${date}Z`) : Date.UTC(year!, month - 1, day);
  return Math.floor((Number.isNaN(time) ? Date.UTC(year!, month - 1, day) : time) / 1000);
}
