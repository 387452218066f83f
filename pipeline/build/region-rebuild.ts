import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { deserialize, serialize } from 'node:v8';
import { dirname, join, relative, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { createAssetResolver, isInside } from '../read/assets.ts';
import { assetRecorder, recordingResolver } from './edition-thread.ts';
import { decodeSource } from '../read/source.ts';
import type { Definition, Heading, Root, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { Point, Position } from 'unist';
import { VFile } from 'vfile';
import type { VFileMessage } from 'vfile-message';
import { remapper } from '../read/book.ts';
import { visit } from '../visit.ts';
import { checkSource, checkTreeDepth, type Limits } from '../read/limits.ts';
import { countLines, type DefinedLabels, definedLabelsOf, isCut, parseStretch } from '../parse/chunked-parse.ts';
import { transformBlocks } from '../transforms/index.ts';
import type { AssetResolver, DocumentMeta, HighlightMemo, RenderContext, SharedResources, Writer } from '../types.ts';
import type { AnchorsUsed, CachedMessage } from './cache.ts';
import { sha256, toCachedMessage } from './cache.ts';
import { fileHolds, readBlock } from '../read/file-bytes.ts';
import { writeAtomic } from './write.ts';

/**
 * A fast rebuild of a document's HTML edition after a small edit: the blocks the edit touched are
 * parsed, transformed and converted alone, and their markup replaces the old blocks' in the last
 * edition; nothing else is parsed, transformed or rendered again. The last edition and what a
 * splice needs of it are kept in a watch session's memory, or (the edition cache being on) in a
 * file beside the cached trees for the next run. A book is spliced when one chapter changed.
 *
 * That gives the bytes of a full build only when the edit changes no fact of the whole document
 * and no block's neighbours change how it is set. So it is taken only when all of this holds,
 * for the blocks before the edit and after it, else the document is built whole:
 *
 * - The stretch re-parsed starts and ends at cuts (parse/chunked-parse.ts `isCut`): a whole parse
 *   then gives the blocks around it as before, unless a list or definition list goes on across a
 *   cut, or indented code precedes one (both ruled out). It is parsed with stand-ins for the
 *   labels the text defines, so its brackets become the references they are in the whole text.
 * - Its blocks, before and after the edit, are of kinds that carry no document-wide fact: no
 *   note, image or image reference (figures, assets), formula (equation numbers), raw HTML (it
 *   spans blocks), definition list, nor text that the citation, cross-reference, inline-note or
 *   caption syntax reads (`@`, `^[`, `[^`, `{#`, `Table:`, a line opening with `:`), and no table
 *   beside one. Headings and definitions only when the edit leaves each as it was (headings then
 *   keep the ids, numbers and levels of the last build); link references take the first
 *   definition of their label in the last build, converted along. In a book, links must be
 *   absolute (links to chapters and fragments are rewritten to the book's ids). The stretch lies
 *   after the first paragraph (the description), and was top-level in the transformed tree (not
 *   taken into raw HTML around it). No message falls in it, and its new blocks raise none.
 * - The transforms that act on such blocks are `transformBlocks`, whose effect on a block depends
 *   on it alone, save the shape of a quote that opens a sentence (see SENTENCE_SHAPED_QUOTE).
 * - The old blocks' markup, converted alone, is found exactly once in the last edition (as it
 *   must be, if converting them alone gives what the whole conversion gave); it is replaced.
 * - The files the last build read besides the texts (images, stylesheets, data) are unchanged.
 *
 * The record of the last build is updated from the spliced one, so edits can follow each other;
 * test/incremental.test.ts compares the result with cold builds after random edits.
 *
 * The PDF edition (built alone, in a watch session) is rebuilt under the same rules from the last
 * build's transformed tree (`pdfRegionRebuild`): the stretch's old blocks, transformed alone, must
 * be the tree's top-level nodes at their places (as the HTML's markup must be found once); they
 * are replaced by the new ones, the nodes after them keep their identity (their points moved by
 * the lines and characters added), and the writer lays out the tree: its layout memo knows the
 * kept blocks by identity, and its page memo replays their pages. The transforms' messages move
 * as the HTML's do; the writer's are made again. test/incremental-pdf.test.ts compares the bytes
 * and messages with cold builds after random edits. A book's nodes carry their chapter: the
 * edited chapter's points after the stretch move, and every later chapter's lines.
 */

interface Block {
  start: number;
  end: number;
  type: string;
}

/** A text of the document: a file's, or one chapter's of a book (offsets and lines are the text's own). */
interface Segment {
  /** The chapter's number (`data.chapter` on its top-level nodes); 0 for a file. */
  chapter: number;
  /** The file its messages name. */
  display: string;
  text: string;
  bytes?: Uint8Array;
  /** The parsed tree's top-level blocks, in order. */
  blocks: Block[];
  /** The labels the text defines (by their ids in the text, before a book prefixes them). */
  labels: DefinedLabels;
  /** Start offsets of the transformed tree's top-level nodes. */
  topLevel: Set<number>;
  /** The transformed tree's headings by start offset: their level (after the outline check) and data (ids, numbers). */
  headings: Map<number, Pick<Heading, 'depth' | 'data'>>;
  /** An edit must start at or after this offset: after the first top-level paragraph of the document. */
  bodyFrom: number;
}

/** A text as read for a build: its path (a chapter's real path), the file its messages name, its chapter (0 for a file). */
export interface SegmentText {
  path: string;
  display: string;
  chapter: number;
  text: string;
  /** The file's bytes, when known: a text whose bytes are the same need not be decoded to be compared. */
  bytes?: Uint8Array;
}

/** A text as it is on disk now: its bytes, and the text they decode to (undefined when they do not decode cleanly), decoded when asked. */
export interface TextOnDisk {
  path: string;
  display: string;
  chapter: number;
  /** The file's bytes, read when first asked for. */
  readonly bytes: Buffer;
  /** Whether the file holds these bytes (compared a block at a time, when not read yet). */
  holds(bytes: Uint8Array): boolean;
  text(): string | undefined;
}

interface LastBuild {
  /** Everything besides the texts that decides the edition (see `contextKey`). */
  key: string;
  /** A book's book.yaml, as read ('' for a file). */
  bookYaml: string;
  /** The texts by path, in order. */
  segments: Map<string, Segment>;
  /** The transformed tree's link definitions, the first of each label, by upper-cased identifier (as the conversion looks them up). */
  definitions: Map<string, Definition>;
  /** Whether the notes, which follow the body, may open with a quote shaped by the text before (see SENTENCE_SHAPED_QUOTE). */
  notesOpenWithQuote: boolean;
  /** The HTML edition (an HTML build's record). */
  html?: Buffer;
  /** What a PDF build's record keeps to lay out the next tree (a watch session's memory only). */
  pdf?: PdfRecord;
  meta: DocumentMeta;
  /** The meta the writer was given (stylesheets read). */
  writerMeta: DocumentMeta;
  messages: CachedMessage[];
  assets: [string, string][];
  missing: string[];
  source: string;
  /** What the build's links asked of the run's documents, and took from their anchors (document.ts RenderOutput): a splice changes no such link. */
  documents?: [string, string | null][];
  anchors?: AnchorsUsed[];
}

/**
 * A PDF build's transformed tree and what its writer was given besides: a region rebuild
 * hands the writer this tree with the stretch's top-level blocks replaced, the others the very
 * same objects (their positions moved with the lines the edit added), so that the layout memo
 * knows them by identity (writers/pdf/layout-memo.ts) and nothing walks the whole tree again.
 */
export interface PdfRecord {
  /** The transformed tree's top-level nodes. */
  children: RootContent[];
  /** The file as the writer saw it: its path, folder, and data (what the transforms wrote there). */
  path: string;
  cwd: string;
  data: VFile['data'];
  /** The folder the document's references resolve against. */
  folder: string;
  epoch: number;
  /** How many of the build's messages came before the writer's (the rest are the writer's, made again each build). */
  before: number;
  /** The assets read, and those missed, before the writer. */
  read: [string, string][];
  missing: string[];
}

export interface Spliced {
  source: string;
  messages: CachedMessage[];
  meta: DocumentMeta;
  html: Uint8Array;
  assets: [string, string][];
  missing: string[];
  /** As the last full build's (LastBuild). */
  documents?: [string, string | null][];
  anchors?: AnchorsUsed[];
}

/** How far to look for a cut before or after an edit, in characters. */
const REACH = 64 * 1024;

/** Node types whose blocks carry no fact of the whole document (see above). */
const PLAIN = new Set(['heading', 'linkReference', 'definition', 'paragraph', 'text', 'emphasis', 'strong', 'delete', 'inlineCode', 'break', 'link', 'list', 'listItem', 'blockquote', 'code', 'thematicBreak', 'table', 'tableRow', 'tableCell', 'alert', 'subscript', 'superscript']);
/** Text the citation, cross-reference, note and attribute syntaxes read (in text nodes: not in code). */
const FACT_TEXT = /@|\^\[|\[\^|\{#/;
/** The same inside a link (a `link` node), where only the note and attribute syntaxes are read. */
const NOTE_OR_ATTRIBUTE_TEXT = /\^\[|\[\^|\{#/;
/**
 * SmartyPants shapes a quote by the tokens beside it, and those of a sentence's first token
 * depend on the sentence before, which may lie in another block: the only shape that changes
 * with it is `'s` (a lone `s` after a single quote), opening ‘ after a space and closing ’ at a
 * sentence's start. A stretch holding one, or followed by prose holding one, is not spliced. The
 * text is read across inline nodes (`'*s*` is `'s` to it): markup may stand between the quote and
 * the `s`, matched generously on plain text or on the source.
 */
const SENTENCE_SHAPED_QUOTE = /'[^\p{L}\p{N}\s]*s(?![\p{L}\p{N}_])/u;
const PROSE_BLOCKS = new Set(['paragraph', 'heading', 'list', 'blockquote', 'table', 'alert']);
/** A relative URL to a Markdown file (build.ts's extensions), with or without a fragment or query. */
const MARKDOWN_PATH = /\.(md|markdown|mdown|mkd)(?:[?#]|$)/i;
/** A line a table caption, or a definition list's description, may open with. */
const CAPTION_LINE = /^[ \t]*(?:Table:|:)/m;

export function contextKey(source: { kind: string; path: string }, context: RenderContext): string {
  return JSON.stringify([source.kind, source.path, context.root, context.cwd, context.formats, context.strict ?? false, context.papersize ?? '', context.limits ?? {}, context.encoding ?? '', context.epoch, context.allowRemote ?? false, context.project ?? {}, context.documents ?? {}]);
}

/** Last builds by source path, and how many rebuilds were spliced (a watch session's SharedResources.lastBuilds, or one read from disk). */
export type SpliceMemo = NonNullable<SharedResources['lastBuilds']>;

/**
 * Where this build's last edition is remembered: the watch session's memory, else (the edition
 * cache being on) a file in the cache's folder of trees, for the next separate run; undefined
 * when the build cannot be spliced: an edition besides HTML, or a project with templates of its
 * own (they change the page, and are not among the files a splice checks).
 */
export function spliceMemo(source: { path: string }, context: RenderContext, shared: SharedResources): (SpliceMemo & { persist?: () => void }) | undefined {
  const [edition, other] = context.formats;
  if ((edition !== 'html' && edition !== 'pdf') || other !== undefined || existsSync(join(context.root, 'templates'))) return undefined;
  if (shared.lastBuilds) return shared.lastBuilds;
  // A PDF build's record holds its transformed tree: kept in a watch session's memory only.
  if (edition === 'pdf') return undefined;
  const location = context.treeCache;
  if (!location) return undefined;
  const path = join(location.folder, `splice-${sha256(source.path).slice(0, 32)}.bin`);
  const records = new Map<string, unknown>();
  const stored = location.read ? readChecked(path) : undefined;
  if (stored) {
    try {
      const record = deserialize(stored) as LastBuild;
      if (record.html) record.html = Buffer.from(record.html.buffer, record.html.byteOffset, record.html.byteLength);
      records.set(source.path, record);
    } catch {
      // Unreadable: built whole, and written again.
    }
  }
  return {
    records,
    spliced: 0,
    persist() {
      const record = records.get(source.path);
      try {
        if (!record) rmSync(path, { force: true });
        else {
          const bytes = serialize(record);
          writeAtomic(path, Buffer.concat([createHash('sha256').update(bytes).digest(), bytes]));
        }
      } catch {
        // A cache that cannot be written only costs the next run a whole build.
      }
    },
  };
}

/** A file's payload after its leading SHA-256, when the two agree. */
function readChecked(path: string): Buffer | undefined {
  try {
    const file = readFileSync(path);
    const payload = file.subarray(32);
    return file.length > 32 && createHash('sha256').update(payload).digest().equals(file.subarray(0, 32)) ? payload : undefined;
  } catch {
    return undefined;
  }
}

/** What a splice needs of a freshly parsed tree (before the transforms move or take any node), by chapter: the top-level blocks, the labels defined. */
export type ParsedFacts = Map<number, { blocks: Block[]; labels: DefinedLabels }>;

export function parsedFacts(tree: Root, book: boolean): ParsedFacts {
  const nodes = byChapter(tree, book);
  const facts: ParsedFacts = new Map();
  for (const [chapter, children] of nodes) {
    facts.set(chapter, {
      blocks: children.map((node) => ({ start: node.position?.start.offset ?? -1, end: node.position?.end.offset ?? -1, type: node.type })),
      // A book prefixes the labels of its chapters after the first (read/book.ts).
      labels: definedLabelsOf({ type: 'root', children }, chapter > 1 ? `c${chapter}-` : ''),
    });
  }
  return facts;
}

/** A tree's top-level nodes by chapter (a book's `data.chapter`; 0 for a file); nodes of no chapter are left out of a book's. */
function byChapter(tree: Root, book: boolean): Map<number, RootContent[]> {
  const chapters = new Map<number, RootContent[]>();
  for (const node of tree.children) {
    const chapter = book ? node.data?.chapter : 0;
    if (chapter === undefined) continue;
    let list = chapters.get(chapter);
    if (!list) chapters.set(chapter, (list = []));
    list.push(node);
  }
  return chapters;
}

/** Remember a full build's HTML edition and what the next edit's splice needs of it. */
export function recordBuild(memo: SpliceMemo, key: string, path: string, bookYaml: string, texts: SegmentText[], parsed: ParsedFacts, tree: Root, writerMeta: DocumentMeta, output: { source: string; meta?: DocumentMeta; messages: CachedMessage[]; editions: { edition: string; bytes?: Uint8Array }[]; assets: [string, string][]; missing: string[]; documents?: [string, string | null][]; anchors?: AnchorsUsed[] }, pdfFacts?: PdfRecord): void {
  const { records } = memo;
  records.delete(path);
  const html = output.editions.find((edition) => edition.edition === 'html')?.bytes;
  // A PDF build is recorded with its tree.
  const pdf = pdfFacts && output.editions.some((edition) => edition.edition === 'pdf') ? pdfFacts : undefined;
  const book = bookYaml !== '';
  const firstParagraph = tree.children.find((node) => node.type === 'paragraph');
  const bodyChapter = book ? firstParagraph?.data?.chapter : 0;
  const bodyFrom = firstParagraph?.position?.end.offset;
  if ((!html && !pdf) || !output.meta || bodyFrom === undefined || bodyChapter === undefined || output.meta.rawHtml === 'trust') return;
  const definitions = new Map<string, Definition>();
  // Raw HTML left in the tree makes the conversion parse the whole body again (rehype-raw), which
  // may set plain blocks otherwise than converting them alone: such a document is not spliced.
  let rawHtml = false;
  visit(tree, (node) => {
    if (node.type === 'definition' && !definitions.has(node.identifier.toUpperCase())) definitions.set(node.identifier.toUpperCase(), node);
    else if (node.type === 'html' || node.type === 'trustedHtml' || node.type === 'trustedHtmlInline') rawHtml = true;
  });
  if (rawHtml) return;
  const transformed = byChapter(tree, book);
  const segments = new Map<string, Segment>();
  for (const { path: textPath, display, chapter, text, bytes } of texts) {
    const facts = parsed.get(chapter);
    if (!facts || /\r(?!\n)/.test(text) || text.startsWith('\uFEFF') || facts.blocks.some((block) => block.start < 0 || block.end < block.start)) return;
    const topLevel = new Set<number>();
    const headings = new Map<number, Pick<Heading, 'depth' | 'data'>>();
    for (const node of transformed.get(chapter) ?? []) {
      if (node.position?.start.offset !== undefined) topLevel.add(node.position.start.offset);
      visit(node, 'heading', (heading) => {
        if (heading.position?.start.offset !== undefined) headings.set(heading.position.start.offset, { depth: heading.depth, data: heading.data });
      });
    }
    segments.set(textPath, { chapter, display, text, bytes, blocks: facts.blocks, labels: facts.labels, topLevel, headings, bodyFrom: chapter < bodyChapter ? Number.POSITIVE_INFINITY : chapter === bodyChapter ? bodyFrom : 0 });
  }
  const firstNote = tree.children.find((node) => node.type === 'footnoteDefinition');
  const notesOpenWithQuote = firstNote !== undefined && SENTENCE_SHAPED_QUOTE.test(toString(firstNote));
  // Each rebuild moves the points after the edit: made the nodes' own first, once, so that it need not note those moved.
  if (pdf && !ownPoints(pdf.children)) return;
  records.set(path, { key, bookYaml, segments, definitions, notesOpenWithQuote, html: html && Buffer.from(html), pdf, meta: output.meta, writerMeta, messages: output.messages, assets: output.assets, missing: output.missing, source: output.source, documents: output.documents, anchors: output.anchors } satisfies LastBuild);
}

/**
 * The texts a build of `source` would read now, as `readBook` and the build read them, for a
 * splice to compare with the last build's; undefined when any is not read cleanly (the build
 * then reads them itself, and reports).
 */
export function readTexts(source: { kind: string; path: string }, context: RenderContext): { bookYaml: string; texts: TextOnDisk[] } | undefined {
  // An unchanged text is compared with the last build's bytes through one block, not read whole:
  // a book's chapters read each rebuild were 10 MB of array buffers on the 10 MB book, which
  // count towards V8's next full collection (bench/RESULTS-incremental.md, session 21).
  let block: Buffer | undefined;
  const onDisk = (path: string, display: string, chapter: number): TextOnDisk => {
    let read: Buffer | undefined;
    let decoded: string | undefined | null = null;
    return {
      path,
      display,
      chapter,
      get bytes() {
        return (read ??= readFileSync(path));
      },
      holds(bytes) {
        return read ? read.equals(bytes) : fileHolds(path, bytes, (block ??= readBlock(1 << 20)));
      },
      text() {
        if (decoded === null) {
          const { file, ok } = decodeSource(this.bytes, display, context);
          decoded = ok && file.messages.length === 0 ? String(file.value) : undefined;
        }
        return decoded;
      },
    };
  };
  try {
    if (source.kind === 'file') return { bookYaml: '', texts: [onDisk(source.path, relative(context.cwd, source.path) || source.path, 0)] };
    const bookYaml = onDisk(join(source.path, 'book.yaml'), join(relative(context.cwd, source.path) || source.path, 'book.yaml'), 0).text();
    const chapters = bookYaml === undefined ? undefined : (parseYaml(bookYaml, { maxAliasCount: 100 }) as { chapters?: unknown } | null)?.chapters;
    if (bookYaml === undefined || !Array.isArray(chapters) || chapters.length === 0) return undefined;
    const root = realpathSync(context.root);
    const texts: TextOnDisk[] = [];
    for (const [index, chapter] of chapters.entries()) {
      if (typeof chapter !== 'string') return undefined;
      const full = resolve(source.path, chapter);
      const real = realpathSync(full);
      if (!isInside(root, real)) return undefined;
      texts.push(onDisk(real, relative(context.cwd, full), index + 1));
    }
    return { bookYaml, texts };
  } catch {
    return undefined;
  }
}

export interface SpliceInput {
  memo: SpliceMemo;
  shared: SharedResources;
  key: string;
  path: string;
  /** A book's book.yaml as read now ('' for a file). */
  bookYaml: string;
  texts: TextOnDisk[];
  root: string;
  limits: Limits;
  /** The edition's writer: the HTML's converts the stretch (`fragment`), the PDF's lays out the tree. */
  writer: Writer;
  /** The HTML's resolver for the stretch's conversion (the PDF's resolver is made for its file). */
  assets?: AssetResolver;
  /** Whether the anchors the last build's links named in other documents still answer so (run-anchors.ts). */
  anchorsHold?: (used: AnchorsUsed[]) => boolean;
  epoch: number;
  highlights?: HighlightMemo;
  /** The PDF's temporary file: the edition goes there as it is made (Writer.renderTo), not into memory. */
  writeTo?: string;
}

/**
 * What both editions' splices find: the stretch and its blocks before and after the edit
 * (transformed, their positions relative to the stretch), the last build's messages moved with
 * the lines, and the text's record for the next edit. The edition applies it (`Apply`).
 */
interface Region {
  segment: Segment;
  start: number;
  end: number;
  /** Characters and lines the edit added. */
  delta: number;
  lineDelta: number;
  /** The stretch's first line, and the line after it, in the old text. */
  startLine: number;
  endLine: number;
  oldTree: Root;
  newTree: Root;
  /** The first definition of each label the stretch's references use, as the last build's tree has them. */
  definitions: Definition[];
  messages: CachedMessage[];
}

/** An edition's use of a region: its result, or undefined when this stretch does not do (a larger one may). */
type Apply<T> = (last: LastBuild, region: Region) => T | undefined;

/** The last build's record, the text that changed, and what the edition made of the region; undefined when the edit must be built whole. */
function regionRebuild<T>(input: SpliceInput, apply: Apply<T>): { last: LastBuild; result: T; path: string; bytes: Buffer; segment: Segment } | undefined {
  const { records } = input.memo;
  const last = records?.get(input.path) as LastBuild | undefined;
  if (!records || !last || last.key !== input.key) return undefined;
  // The links the splice keeps point where the last build pointed them: only while those anchors are the same.
  if (last.anchors?.length && !input.anchorsHold?.(last.anchors)) return undefined;
  // One text changed, and nothing else: the book's list of chapters and its book.yaml are the same.
  if (input.bookYaml !== last.bookYaml || input.texts.length !== last.segments.size) return undefined;
  // Unchanged bytes need no decoding (a book's chapters are most of its text).
  const changed = input.texts.filter((onDisk) => {
    const segment = last.segments.get(onDisk.path);
    return !segment || segment.chapter !== onDisk.chapter || !(segment.bytes ? onDisk.holds(segment.bytes) : segment.text === onDisk.text());
  });
  const [edited] = changed;
  const segment = edited && last.segments.get(edited.path);
  const text = edited?.text();
  if (changed.length !== 1 || !edited || !segment || segment.chapter !== edited.chapter || text === undefined) return undefined;
  const found = splice(last, segment, text, input, apply);
  return found && { last, result: found.result, path: edited.path, bytes: edited.bytes, segment: found.segment };
}

/** The last record with the edited text's replaced: a failed rebuild leaves the record as it was; the full build that follows replaces it. */
function nextRecord(last: LastBuild, path: string, segment: Segment, bytes: Buffer, changes: Partial<LastBuild>): LastBuild {
  const segments = new Map(last.segments);
  segments.set(path, { ...segment, bytes });
  return { ...last, ...changes, segments };
}

/** The rebuilt HTML edition, spliced from the last one; undefined when the edit must be built whole. */
export function spliceRebuild(input: SpliceInput): Spliced | undefined {
  const found = regionRebuild(input, (last, region) => spliceHtml(last, region, input));
  if (!found) return undefined;
  const { last, result } = found;
  input.memo.records.set(input.path, nextRecord(last, found.path, found.segment, found.bytes, { html: result.html, messages: result.messages }));
  input.memo.spliced++;
  return result;
}

function spliceHtml(last: LastBuild, region: Region, input: SpliceInput): (Spliced & { html: Buffer }) | undefined {
  if (!last.html || !input.writer.fragment || !input.assets) return undefined;
  const fragments: string[] = [];
  for (const tree of [region.oldTree, region.newTree]) {
    const scratch = new VFile({ path: region.segment.display, value: '' });
    const rendered: Root = { type: 'root', children: [...tree.children.filter((node) => node.type !== 'definition'), ...structuredClone(region.definitions)] };
    fragments.push(rendered.children.length > region.definitions.length ? `\n${input.writer.fragment({ tree: rendered, meta: last.writerMeta, file: scratch, assets: input.assets, epoch: input.epoch, shared: input.shared })}` : '');
    if (scratch.messages.length > 0) return undefined;
  }
  const [oldMarkup, newMarkup] = [Buffer.from(fragments[0] ?? ''), Buffer.from(fragments[1] ?? '')];
  const at = last.html.indexOf(oldMarkup);
  if (oldMarkup.length === 0 || at === -1 || last.html.lastIndexOf(oldMarkup) !== at) return undefined;
  const html = Buffer.concat([last.html.subarray(0, at), newMarkup, last.html.subarray(at + oldMarkup.length)]);
  return { source: last.source, messages: region.messages, meta: last.meta, html, assets: last.assets, missing: last.missing, documents: last.documents, anchors: last.anchors };
}

/** What a PDF region rebuild gives the build: the edition and its messages, as a full build's output. */
export interface PdfRebuilt {
  source: string;
  messages: CachedMessage[];
  meta: DocumentMeta;
  /** The edition's bytes, or the temporary file it was written into (SpliceInput.writeTo). */
  pdf: Uint8Array | string;
  assets: [string, string][];
  missing: string[];
  /** As the last full build's (LastBuild). */
  documents?: [string, string | null][];
  anchors?: AnchorsUsed[];
}

/**
 * The rebuilt PDF edition: the last build's transformed tree with the stretch's top-level
 * blocks replaced by the new ones, laid out by the writer (which finds the others' boxes, and
 * the pages they make, by identity); undefined when the edit must be built whole.
 */
export async function pdfRegionRebuild(input: SpliceInput): Promise<PdfRebuilt | undefined> {
  const found = regionRebuild(input, (last, region) => pdfRegion(last, region));
  if (!found) return undefined;
  const { last, result } = found;
  const record = last.pdf!;
  // The kept tree's nodes are moved now (the record goes until the rebuild is done: a writer that fails leaves a full build next).
  input.memo.records.delete(input.path);
  const children = result.commit();
  const book = last.bookYaml !== '';
  const file = new VFile({ path: record.path, cwd: record.cwd, value: book ? last.bookYaml : found.segment.text });
  file.data = record.data;
  const read = new Map(record.read);
  const missing = [...record.missing];
  const resolver = createAssetResolver({ root: input.root, documentDir: record.folder, file, cache: new Map(), fetched: undefined });
  const assets = recordingResolver(resolver, assetRecorder(input.root, record.folder, read, missing));
  let pdf: Uint8Array | string;
  const { writer, writeTo } = input;
  try {
    const writerInput = { tree: { type: 'root', children: [...children] } satisfies Root, meta: last.writerMeta, file, assets, epoch: record.epoch, shared: input.shared, lastReader: true };
    if (writeTo && writer.renderTo) {
      mkdirSync(dirname(writeTo), { recursive: true });
      await writer.renderTo(writerInput, writeTo);
      pdf = writeTo;
    } else pdf = await writer.render(writerInput);
  } catch {
    if (writeTo) rmSync(writeTo, { force: true });
    // Built whole, where the failure is reported.
    return undefined;
  }
  // A book's messages name its chapters' files and lines, as the full build's remap makes them.
  let remap: ((message: VFileMessage) => VFileMessage) | undefined;
  if (book) {
    const segments = [...last.segments.values()].map((segment) => (segment.chapter === found.segment.chapter ? found.segment : segment)).sort((a, b) => a.chapter - b.chapter);
    remap = bookRemap(last.bookYaml, record.path, segments);
  }
  const messages = [...result.messages.slice(0, record.before), ...(remap ? file.messages.map(remap) : file.messages).map(toCachedMessage)];
  const output = { source: last.source, messages, meta: last.meta, pdf, assets: [...read], missing, documents: last.documents, anchors: last.anchors };
  input.memo.records.set(input.path, nextRecord(last, found.path, found.segment, found.bytes, { messages, assets: output.assets, missing, pdf: { ...record, children } }));
  input.memo.spliced++;
  return output;
}

/** The remap of a book's messages (read/book.ts `remapper`), its chapters' lines counted from the texts. */
function bookRemap(bookYaml: string, display: string, chapters: Segment[]): (message: VFileMessage) => VFileMessage {
  const lines: { start: number; path: string }[] = [{ start: 1, path: display }];
  let next = bookYaml.split('\n').length + 1;
  for (const chapter of chapters) {
    lines.push({ start: next, path: chapter.display });
    // Its lines counted, not split out (ten megabytes of text in a book, each rebuild).
    next += countLines(chapter.text) + 1;
  }
  return remapper(lines, display);
}

/**
 * The stretch's blocks in the last build's tree: those whose transformed form (alone) is theirs,
 * at the same places, as the HTML splice finds their markup exactly once. Their replacement is
 * made only when the rebuild is taken (`commit`): the new blocks at their places in the text,
 * and every point after the stretch moved by the lines and characters the edit added.
 */
function pdfRegion(last: LastBuild, region: Region): { commit: () => RootContent[]; messages: CachedMessage[] } | undefined {
  const record = last.pdf;
  if (!record) return undefined;
  const { start, end, delta, lineDelta, startLine } = region;
  const { chapter } = region.segment;
  // A book's nodes carry their chapter; their offsets are the chapter's, their lines the book's (read/book.ts).
  const chapterOf = (node: RootContent) => (last.bookYaml === '' ? 0 : node.data?.chapter);
  const inside: number[] = [];
  record.children.forEach((node, index) => {
    const offset = node.position?.start.offset;
    if (offset !== undefined && offset >= start && offset < end && chapterOf(node) === chapter) inside.push(index);
  });
  const old = region.oldTree.children;
  const [first] = inside;
  if (first === undefined || inside.length !== old.length || inside.some((index, at) => index !== first + at)) return undefined;
  for (const [at, node] of old.entries()) {
    const kept = record.children[first + at]!;
    if ((node.position?.start.offset ?? Number.NaN) + start !== kept.position?.start.offset || !sameContent(node, kept)) return undefined;
  }
  // The line before the stretch, as the tree counts lines (a book's are virtual: its chapters' one after another).
  const firstKept = record.children[first]!;
  const base = (firstKept.position?.start.line ?? Number.NaN) - (old[0]!.position?.start.line ?? Number.NaN);
  if (!Number.isInteger(base) || (last.bookYaml === '' && base !== startLine - 1) || !countedLines(region.newTree.children)) return undefined;
  return {
    messages: region.messages,
    commit() {
      // The record's nodes own their points (recordBuild); the new ones are made to, as they join it (checked above).
      ownPoints(region.newTree.children);
      for (const node of record.children) {
        const own = chapterOf(node);
        if (own === undefined || own < chapter) continue;
        // A node of the chapter that ends before the stretch holds nothing after it; a later chapter's lines all move.
        if (own === chapter && (node.position?.end.offset ?? end) < end) continue;
        movePoints(node, (point) => {
          if (own > chapter) point.line += lineDelta;
          else if (point.offset !== undefined && point.offset >= end) {
            point.line += lineDelta;
            point.offset += delta;
          }
        });
      }
      for (const node of region.newTree.children)
        movePoints(node, (point) => {
          point.line += base;
          if (point.offset !== undefined) point.offset += start;
        });
      return [...record.children.slice(0, first), ...region.newTree.children, ...record.children.slice(first + old.length)];
    },
  };
}

/**
 * Every position and point of these nodes and their descendants made an object of its own: a
 * parser or transform may share one between nodes (a wrapper taking its first child's start), and
 * a point moved through each node that holds it would move more than once. The values stay.
 * A point met is marked by its line made negative (lines count from 1), and the marks are taken
 * off after: no Set of every point (a 10 MB book's millions, about 100 MB at once). False, with
 * nothing changed, when a point's line is not counted from 1 (not a parser's: not marked so).
 */
function ownPoints(nodes: readonly unknown[]): boolean {
  if (!countedLines(nodes)) return false;
  const marked = (point: Point) => point.line < 0;
  const unmarkedCopy = (point: Point): Point => ({ ...point, line: marked(point) ? -point.line : point.line });
  const mark = (node: unknown) => {
    const value = node as { position?: Position; children?: unknown[] };
    const position = value.position;
    if (position?.start && position.end) {
      const { start, end } = position;
      // A point met before (or a position whose start is its end) belongs to another: this node takes a position of its own, with copies of those.
      const startShared = marked(start);
      const endShared = marked(end) || end === start;
      if (startShared || endShared) value.position = { ...position, start: startShared ? unmarkedCopy(start) : start, end: endShared ? unmarkedCopy(end) : end };
      if (!startShared) start.line = -start.line;
      if (!endShared) end.line = -end.line;
    } else if (position) {
      // A partial position (not made by the parser): its own, with copies.
      value.position = { ...position, ...(position.start ? { start: unmarkedCopy(position.start) } : {}), ...(position.end ? { end: unmarkedCopy(position.end) } : {}) };
    }
    const children = value.children;
    if (Array.isArray(children)) for (let index = 0; index < children.length; index++) mark(children[index]);
  };
  const unmark = (point: Point | undefined) => {
    if (point && marked(point)) point.line = -point.line;
  };
  try {
    for (const node of nodes) mark(node);
  } finally {
    for (const node of nodes) movePoints(node, unmark);
  }
  return true;
}

/** Whether every point of these nodes has a line counted from 1 (as a parser's have), which ownPoints can mark. */
function countedLines(nodes: readonly unknown[]): boolean {
  let counted = true;
  const check = (point: Point) => {
    if (!Number.isInteger(point.line) || point.line < 1) counted = false;
  };
  for (const node of nodes) movePoints(node, check);
  return counted;
}

/** Move every point of a node and its descendants (each its own: see ownPoints). */
function movePoints(node: unknown, move: (point: Point) => void): void {
  const position = (node as { position?: Position }).position;
  if (position) {
    if (position.start) move(position.start);
    if (position.end) move(position.end);
  }
  const children = (node as { children?: unknown[] }).children;
  if (Array.isArray(children)) for (let index = 0; index < children.length; index++) movePoints(children[index], move);
}

/** Whether two values are the same, positions aside (a transformed node of the stretch against the last build's). */
function sameContent(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const keysOf = (value: object) => Object.keys(value).filter((key) => key !== 'position' && (value as Record<string, unknown>)[key] !== undefined);
  const aKeys = keysOf(a);
  const bKeys = keysOf(b);
  return aKeys.length === bKeys.length && aKeys.every((key) => sameContent((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]));
}

function splice<T>(last: LastBuild, segment: Segment, text: string, input: SpliceInput, apply: Apply<T>): { segment: Segment; result: T } | undefined {
  const old = segment.text;
  if (text === old || /\r(?!\n)/.test(text) || text.startsWith('\uFEFF')) return undefined;
  // The edit: what lies between the common start and the common end.
  const shorter = Math.min(text.length, old.length);
  let prefix = 0;
  while (prefix < shorter && text.charCodeAt(prefix) === old.charCodeAt(prefix)) prefix++;
  let suffix = 0;
  while (suffix < shorter - prefix && text.charCodeAt(text.length - 1 - suffix) === old.charCodeAt(old.length - 1 - suffix)) suffix++;
  const delta = text.length - old.length;
  const editEnd = old.length - suffix;

  // Where the stretch may end: cuts in both texts at or after the edit, between blocks (or the end).
  const ends: number[] = [];
  for (let end = editEnd === 0 || old[editEnd - 1] === '\n' ? editEnd : lineAfter(old, editEnd); ends.length < STRETCH_TRIES && end - editEnd <= REACH; end = lineAfter(old, end)) {
    if (end >= old.length) {
      ends.push(old.length);
      break;
    }
    if (isCut(old, end) && isCut(text, end + delta) && !straddles(segment.blocks, end)) ends.push(end);
  }
  // Where it may start: cuts in both texts at or before the edit, after the first paragraph.
  const starts: number[] = [];
  for (let start = old.lastIndexOf('\n', prefix - 1) + 1; starts.length < STRETCH_TRIES && start >= segment.bodyFrom && start > 0 && prefix - start <= REACH; start = old.lastIndexOf('\n', start - 2) + 1) {
    if (isCut(old, start) && isCut(text, start) && !straddles(segment.blocks, start)) starts.push(start);
  }
  if (ends.length === 0 || starts.length === 0) return undefined;
  // The assets the last build read are unchanged, and no missing one has appeared.
  if (last.assets.some(([path, hash]) => path.startsWith('remote:') || !sameHash(resolve(input.root, path), hash)) || last.missing.some((path) => existsSync(path))) return undefined;
  const file = new VFile({ path: segment.display, value: text });
  if (!checkSource(file, input.limits) || file.messages.length > 0) return undefined;
  // The smallest stretches first: a larger one may hold only plain blocks where a smaller does
  // not hold any old block, or its old markup may be found once where a smaller one's is not.
  for (let size = 0; size <= 2 * (STRETCH_TRIES - 1); size++) {
    for (let back = 0; back <= size; back++) {
      const start = starts[back];
      const end = ends[size - back];
      if (start === undefined || end === undefined) continue;
      const spliced = spliceStretch(last, segment, text, input, start, end, delta, apply);
      if (spliced) return spliced;
    }
  }
  return undefined;
}

/** How many cuts before and after an edit a stretch may reach to. */
const STRETCH_TRIES = 4;

function spliceStretch<T>(last: LastBuild, segment: Segment, text: string, input: SpliceInput, start: number, end: number, delta: number, apply: Apply<T>): { segment: Segment; result: T } | undefined {
  const old = segment.text;
  const first = segment.blocks.findIndex((block) => block.start >= start);
  let after = segment.blocks.findIndex((block) => block.start >= end);
  if (after === -1) after = segment.blocks.length;
  if (first === -1 || first >= after) return undefined;
  const oldBlocks = segment.blocks.slice(first, after);
  const before = segment.blocks[first - 1];
  const next = segment.blocks[after];
  if (!before || oldBlocks.some((block) => !segment.topLevel.has(block.start))) return undefined;

  const atEnd = end === old.length;
  const oldText = old.slice(start, end);
  const newText = text.slice(start, end + delta);
  if (CAPTION_LINE.test(oldText) || CAPTION_LINE.test(newText)) return undefined;
  // The labels the text defines are those it defined: neither stretch may hold a definition.
  const oldTree = parseStretch(oldText, atEnd, segment.labels);
  const newTree = parseStretch(newText, atEnd, segment.labels);
  if (!oldTree || !newTree) return undefined;
  // Parsed alone, the old stretch gives the blocks it gave in the whole text.
  if (oldTree.children.length !== oldBlocks.length || oldTree.children.some((node, index) => (node.position?.start.offset ?? -1) + start !== oldBlocks[index]!.start)) return undefined;
  const book = last.bookYaml !== '';
  if (!plain(oldTree, before, next, old, book) || !plain(newTree, before, next, old, book) || nextProseDependsOnStretch(last, segment, after)) return undefined;
  // Headings may stand in a stretch when the edit leaves them as they were (then every fact of
  // the outline is too): they take their ids, numbers and levels from the last build.
  const oldHeadings = headingsOf(oldTree);
  const newHeadings = headingsOf(newTree);
  if (oldHeadings.length !== newHeadings.length) return undefined;
  const headings: [number, Pick<Heading, 'depth' | 'data'>][] = [];
  for (const [index, heading] of oldHeadings.entries()) {
    const other = newHeadings[index]!;
    const facts = segment.headings.get(offsetOf(heading) + start);
    if (!facts || heading.depth !== other.depth || oldText.slice(offsetOf(heading), heading.position?.end.offset) !== newText.slice(offsetOf(other), other.position?.end.offset)) return undefined;
    for (const node of [heading, other]) {
      node.depth = facts.depth;
      node.data = structuredClone(facts.data);
    }
    headings.push([offsetOf(other) + start, facts]);
  }
  // Definitions too, when the edit leaves each as it was (then so are the labels): at the top
  // level only, and they are left out of the conversion (they show nothing, and the first of a
  // label, converted along below, gives a reference its URL).
  const oldDefinitions = oldTree.children.filter((node) => node.type === 'definition');
  const newDefinitions = newTree.children.filter((node) => node.type === 'definition');
  if (oldDefinitions.length !== newDefinitions.length || countType(oldTree, 'definition') !== oldDefinitions.length || countType(newTree, 'definition') !== newDefinitions.length) return undefined;
  for (const [index, node] of oldDefinitions.entries()) {
    const other = newDefinitions[index]!;
    if (oldText.slice(node.position?.start.offset, node.position?.end.offset) !== newText.slice(other.position?.start.offset, other.position?.end.offset)) return undefined;
  }
  // A reference takes its definition's URL: the definitions are converted along (they show nothing).
  const definitions: Definition[] = [];
  for (const tree of [oldTree, newTree]) {
    let found = true;
    // In a book, as the chapter's own labels are (read/book.ts), and its blocks carry its number.
    if (segment.chapter > 0) for (const node of tree.children) node.data = { ...node.data, chapter: segment.chapter };
    visit(tree, 'linkReference', (node) => {
      if (segment.chapter > 1) node.identifier = `c${segment.chapter}-${node.identifier}`;
      const definition = last.definitions.get(node.identifier.toUpperCase());
      if (definition) definitions.push(definition);
      else found = false;
    });
    if (!found) return undefined;
  }

  // No message of the last build lies in the stretch; those after it move with the lines.
  const startLine = countLines(old.slice(0, start)) + 1;
  const endLine = startLine + countLines(oldText);
  const lineDelta = countLines(newText) - countLines(oldText);
  const ours = (message: CachedMessage) => message.file === segment.display && message.line !== undefined && message.line !== null;
  // Save one kind: a definition the edit left as it was is a duplicate as before, and its warning moves with it.
  const movedDefinitions = new Map<number, number>();
  for (const [index, node] of oldDefinitions.entries()) movedDefinitions.set(startLine + (node.position?.start.line ?? 0) - 1, startLine + (newDefinitions[index]?.position?.start.line ?? 0) - 1);
  const inStretch = (message: CachedMessage) => ours(message) && message.line! >= startLine && message.line! < endLine;
  if (last.messages.some((message) => inStretch(message) && !(message.ruleId === 'definition-duplicate' && movedDefinitions.has(message.line!)))) return undefined;

  for (const tree of [oldTree, newTree]) {
    const scratch = new VFile({ path: segment.display, value: '' });
    if (!checkTreeDepth(tree, scratch, input.limits)) return undefined;
    transformBlocks(tree, last.meta, { highlights: input.highlights });
    if (scratch.messages.length > 0) return undefined;
  }

  const messages = last.messages.map((message) => (inStretch(message) ? { ...message, line: movedDefinitions.get(message.line!)! } : ours(message) && message.line! >= endLine ? { ...message, line: message.line! + lineDelta } : message));
  const blocks = [
    ...segment.blocks.slice(0, first),
    ...newTree.children.map((node) => ({ start: (node.position?.start.offset ?? 0) + start, end: (node.position?.end.offset ?? 0) + start, type: node.type })),
    ...segment.blocks.slice(after).map((block) => ({ start: block.start + delta, end: block.end + delta, type: block.type })),
  ];
  const topLevel = new Set<number>();
  for (const offset of segment.topLevel) if (offset < start) topLevel.add(offset);
  for (const node of newTree.children) topLevel.add((node.position?.start.offset ?? 0) + start);
  for (const offset of segment.topLevel) if (offset >= end) topLevel.add(offset + delta);
  const shifted = new Map<number, Pick<Heading, 'depth' | 'data'>>();
  for (const [offset, facts] of segment.headings) if (offset < start) shifted.set(offset, facts);
  for (const [offset, facts] of headings) shifted.set(offset, facts);
  for (const [offset, facts] of segment.headings) if (offset >= end) shifted.set(offset + delta, facts);
  const edited: Segment = { ...segment, text, blocks, topLevel, headings: shifted };
  const result = apply(last, { segment, start, end, delta, lineDelta, startLine, endLine, oldTree, newTree, definitions, messages });
  return result === undefined ? undefined : { segment: edited, result };
}

function countType(tree: Root, type: string): number {
  let count = 0;
  visit(tree, type, () => {
    count++;
  });
  return count;
}

function headingsOf(tree: Root): Heading[] {
  const headings: Heading[] = [];
  visit(tree, 'heading', (node) => {
    headings.push(node);
  });
  return headings;
}

function offsetOf(node: Heading): number {
  return node.position?.start.offset ?? -1;
}

/** Whether a stretch's blocks carry no fact of the whole document, and no neighbour changes how they are set (see above). */
function plain(tree: Root, before: Block, next: Block | undefined, old: string, book: boolean): boolean {
  // Citations and cross-references are never read inside a link (citations.ts, crossrefs.ts skip
  // links): an e-mail address in an autolink, as a README's last line often has, is plain. Not
  // inside a link reference: a book unwraps one whose definition points outside it (book-links.ts).
  const linked = new Set<object>();
  visit(tree, 'link', (link) => visit(link, 'text', (text) => void linked.add(text)));
  let ok = true;
  visit(tree, (node) => {
    if (node !== tree && !PLAIN.has(node.type)) ok = false;
    // A book points links at other chapters, and at its headings, by their ids in the book
    // (book-links.ts); a folder's documents, links to each other at their editions (document-links.ts).
    else if (node.type === 'link' && !/^[a-z][a-z\d+.-]*:/i.test(node.url) && (book || MARKDOWN_PATH.test(node.url))) ok = false;
    // A fragment in another case than the anchor it names is matched to it (fragment-links.ts).
    else if (node.type === 'link' && node.url.startsWith('#') && node.url !== node.url.toLowerCase()) ok = false;
    else if (node.type === 'text' && (linked.has(node) ? NOTE_OR_ATTRIBUTE_TEXT : FACT_TEXT).test(node.value)) ok = false;
  });
  if (!ok || SENTENCE_SHAPED_QUOTE.test(toString(tree))) return false;
  const firstBlock = tree.children[0];
  const lastBlock = tree.children.at(-1);
  const joins = (a: string | undefined, b: string | undefined) => a !== undefined && a === b && (a === 'list' || a === 'defList');
  if (joins(before.type, firstBlock?.type) || (next && joins(lastBlock?.type, next.type))) return false;
  // A stretch with no block leaves the blocks around it side by side: two lists may then join.
  if (!firstBlock && next && joins(before.type, next.type)) return false;
  // Indented code before the stretch reads its first line otherwise (see chunked-parse.ts).
  if (before.type === 'code' && !/^ {0,3}(?:`{3}|~{3})/.test(old.slice(before.start, before.start + 6))) return false;
  // Tables take captions from the paragraphs beside them.
  const hasTable = tree.children.some((node: RootContent) => node.type === 'table');
  if (before.type === 'table' || next?.type === 'table' || (hasTable && (before.type === 'paragraph' || next?.type === 'paragraph'))) return false;
  return true;
}

/**
 * Whether the prose after the stretch may open with a quote whose shape depends on the text
 * before it: the first block after the stretch that smart punctuation reads (code and
 * definitions are skipped), if it holds `'s` (see SENTENCE_SHAPED_QUOTE), or is of a kind not known here.
 */
function nextProseDependsOnStretch(last: LastBuild, segment: Segment, from: number): boolean {
  for (let index = from; index < segment.blocks.length; index++) {
    const block = segment.blocks[index]!;
    if (block.type === 'code' || block.type === 'thematicBreak' || block.type === 'definition') continue;
    if (!PROSE_BLOCKS.has(block.type)) return true;
    return SENTENCE_SHAPED_QUOTE.test(segment.text.slice(block.start, block.end));
  }
  // At the end of a chapter, the next chapter's prose follows; at the end of the document, the notes.
  const next = [...last.segments.values()].find((candidate) => candidate.chapter === segment.chapter + 1 && segment.chapter > 0);
  return next ? next.blocks.length === 0 || nextProseDependsOnStretch(last, next, 0) : last.notesOpenWithQuote;
}

function straddles(blocks: Block[], offset: number): boolean {
  // Blocks are in order: find the last that starts before the offset.
  let low = 0;
  let high = blocks.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (blocks[middle]!.start < offset) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return found !== -1 && blocks[found]!.end > offset;
}

function lineAfter(text: string, at: number): number {
  const newline = text.indexOf('\n', at);
  return newline === -1 ? text.length : newline + 1;
}

function sameHash(path: string, hash: string): boolean {
  try {
    return sha256(readFileSync(path)) === hash;
  } catch {
    return false;
  }
}
