import { existsSync, readdirSync, readFileSync, realpathSync, rmSync, type Stats, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import { VFile } from 'vfile';
import { VFileMessage } from 'vfile-message';
import { compareMessage } from 'vfile-sort';
import { isInside } from '../read/assets.ts';
import { UsageError, withoutStack } from '../messages.ts';
import { readProjectDefaults } from './project.ts';
import { colophonFingerprint, EditionCache, fileSha256, sha256, type CachedMessage, type CacheHit, type DocumentsUsed, type AnchorsUsed } from './cache.ts';

export { UsageError };
import { renderOnBoundedThread } from './document-thread.ts';
import { failed, renderDocument, type RenderOutput, type Source } from './document.ts';
import type { Limits } from '../read/limits.ts';
import { openPool } from './pool.ts';
import { editionThreadOpener } from './edition-thread.ts';
import type { ReadOptions } from '../read/source.ts';
import { createSharedResources } from './resources.ts';
import { fileSystemNow, pruneTreeCache, treeCacheFolder } from './tree-cache.ts';
import { anchorsStillHold } from './run-anchors.ts';
import type { DocumentMeta, Edition, PaperSize, RenderContext, SharedResources } from '../types.ts';
import { fileHolds, readBlock } from '../read/file-bytes.ts';
import { commitTemporary, firstMissingFolder, isTemporary, removeIfEmpty, removeTemporaries, writeAtomic } from './write.ts';

export interface BuildOptions extends ReadOptions {
  /** Markdown files, folders of them, or book folders (with a book.yaml); default `source/`. Relative to `root`. */
  paths?: string[];
  /** The project root: sources and assets must lie inside it. Default: the working directory. */
  root?: string;
  /** Output folder, relative to the root; default: the project's `out` (colophon.yaml), else `dist/`. */
  out?: string;
  /** Editions to build; default: the project's `formats` (colophon.yaml), else `defaultFormats`. */
  formats?: Edition[];
  /** Editions when neither `formats` nor the project names any; default `['html']` (the CLI: every edition). */
  defaultFormats?: Edition[];
  /** Treat warnings as errors. */
  strict?: boolean;
  papersize?: PaperSize;
  /** Render but write nothing: the bytes are only returned (as `colophon check` does). */
  dryRun?: boolean;
  /** Bounds on input size and nesting (see limits.ts). */
  limits?: Partial<Limits>;
  /** Used for timestamps when a document has no date; default: `SOURCE_DATE_EPOCH`, else 0. */
  sourceDateEpoch?: number;
  /** Use the edition cache under node_modules/.cache/colophon (default true). */
  cache?: boolean;
  /** Rebuild even what the cache holds. */
  force?: boolean;
  /** Worker threads for many documents; default: the number of cores. */
  jobs?: number;
  /** Build only shard `index` (1-based) of `count`: a deterministic split for CI matrices. */
  shard?: { index: number; count: number };
  /** Fetch remote images (http/https, time-limited, size-capped, never internal addresses). */
  allowRemote?: boolean;
  /** Called as each document finishes (progress reporting). */
  onDocument?: (result: DocumentResult) => void;
  /** Parsed fonts and the like, kept across builds (watch mode); default: new for this build. */
  shared?: SharedResources;
  /**
   * A watch session's edition-cache entries held back (see DeferredEntries): each document's
   * latest is written when the session ends or when a build asks the cache for it, not during
   * every rebuild. Default: entries are written as each document is built.
   */
  deferredEntries?: DeferredEntries;
}

/**
 * Edition-cache entries a watch session holds back. The session keeps what it needs in memory;
 * the cache on disk serves the next run. So a rebuild of an edited document need not write its
 * edition a second time (55 MB for a book's PDF, with its sha-256): the entry waits, replaced by
 * the document's next one, and is written when the session stops (`flush`), or at once when a
 * build looks up its key (an unchanged document, which is then served from the cache as before).
 */
export class DeferredEntries {
  private readonly held = new Map<string, HeldEntry>();

  /** `drop` lets go of what the entry holds (a held copy of a file) when it is replaced unwritten, and after it is written. */
  hold(document: string, key: string, edition: Edition, write: () => void, drop?: () => void): void {
    const id = `${document}\0${edition}`;
    const replaced = this.held.get(id);
    this.held.set(id, { key, edition, write, drop });
    replaced?.drop?.();
  }

  /** Write the held entry with this key, if there is one. */
  writeHeld(key: string, edition: Edition): void {
    for (const [id, entry] of this.held) {
      if (entry.key !== key || entry.edition !== edition) continue;
      this.held.delete(id);
      settleEntry(entry);
    }
  }

  /** Write every held entry. */
  flush(): void {
    const entries = [...this.held.values()];
    this.held.clear();
    for (const entry of entries) settleEntry(entry);
  }
}

interface HeldEntry {
  key: string;
  edition: Edition;
  write: () => void;
  drop?: () => void;
}

function settleEntry(entry: HeldEntry): void {
  try {
    entry.write();
  } finally {
    entry.drop?.();
  }
}

export interface EditionResult {
  edition: Edition;
  /** Where it was (or would be) written, relative to the root. */
  path: string;
  bytes: Uint8Array;
  /** How many bytes it has: an edition written to its file is not read back to tell (a long book's PDF is hundreds of megabytes). */
  size: number;
  /** Served from the cache rather than rebuilt. */
  cached: boolean;
}

export interface DocumentResult {
  source: string;
  file: VFile;
  /** Absolute paths of every file this document's build read: sources, book.yaml, images, data files. */
  inputs: string[];
  meta?: DocumentMeta;
  editions: EditionResult[];
  ok: boolean;
  /** Wall time for this document, in milliseconds. */
  ms: number;
}

export interface BuildResult {
  documents: DocumentResult[];
  ok: boolean;
  /** What the build read, for `--watch`: every file, and every folder it listed to find documents. */
  inputs: BuildInputs;
}

export interface BuildInputs {
  /** Absolute paths of the files read. */
  files: string[];
  /** Absolute paths of the folders listed: a new document or chapter there changes the build. */
  folders: string[];
}

const MARKDOWN = new Set(['.md', '.markdown', '.mdown', '.mkd']);

/** Session-wide values made from nothing (see `SharedResources.parsed`): the same empty bytes always match. */
const NO_BYTES = new Uint8Array(0);

/** A book of this many bytes of Markdown or more renders on a thread with a bounded heap (document-thread.ts). */
const BOUNDED_BOOK_BYTES = 2_000_000;

/**
 * The bound, in MB: V8 lets a heap that may reach 2 GB grow to four times what its last full
 * collection left, and one bounded just below to about twice. A book whose live heap needs more
 * runs out of it there, and is rendered again in line.
 */
const BOUNDED_BOOK_HEAP_MB = 2000;

/** The bytes of a book's Markdown files, together. */
function markdownBytes(folder: string): number {
  let total = 0;
  for (const file of markdownFiles(folder)) total += statSync(file).size;
  return total;
}

/** The folder a build writes its editions into: the option, else the project's, else dist/ (the CLI clears an interrupted build's temporary files there). */
export function outputFolder(options: BuildOptions, project?: ReturnType<typeof readProjectDefaults>): string {
  const root = resolve(options.root ?? process.cwd());
  if (options.out !== undefined) return resolve(root, options.out);
  return (project ?? readProjectDefaults(root)).out ?? resolve(root, 'dist');
}

/** Build every edition of every document. Problems are messages on each document's file. */
export async function build(options: BuildOptions = {}): Promise<BuildResult> {
  const root = resolve(options.root ?? process.cwd());
  // The project's colophon.yaml (or package.json `colophon`): options given here override it.
  const project = readProjectDefaults(root);
  const out = outputFolder(options, project);
  const formats = options.formats ?? project.formats ?? options.defaultFormats ?? ['html'];
  const folders = new Set<string>();
  let sources = findSources(root, options.paths ?? ['source'], folders);
  // Taken before sharding: a shard's editions link to the others' as the whole run's do.
  const documents = runDocuments(root, sources);
  if (options.shard) sources = shardOf(sources, options.shard);
  const templateFiles = projectTemplates(root);

  const context: RenderContext = {
    root,
    formats,
    strict: options.strict,
    papersize: options.papersize,
    limits: options.limits,
    encoding: options.encoding,
    epoch: options.sourceDateEpoch ?? epochFromEnvironment(),
    cwd: process.cwd(),
    allowRemote: options.allowRemote,
    project: { papersize: project.papersize, pdfTheme: project.pdfTheme, css: project.css },
    documents,
  };
  const cache = options.cache === false || options.dryRun ? undefined : EditionCache.forProject(root);
  // A watch session fingerprints Colophon once: the code it runs is the code it loaded.
  const fingerprint = cache ? (options.shared ? options.shared.parsed('colophon:fingerprint', NO_BYTES, colophonFingerprint) : colophonFingerprint()) : '';
  // Parsed trees go to disk beside the editions; --force parses again, but still writes them.
  if (cache) context.treeCache = { folder: treeCacheFolder(root, fingerprint), read: !options.force, since: options.force ? fileSystemNow(treeCacheFolder(root, fingerprint)) : undefined };
  // A worker costs a few hundred milliseconds to start: worth it only for several documents.
  const jobs = Math.max(1, Math.min(options.jobs ?? (sources.length >= 4 ? availableParallelism() : 1), sources.length));
  const shared = options.shared ?? createSharedResources();
  // One document at a time: a long one renders its PDF on another core, beside its other
  // editions (editionThreadOpener says how long). Not in watch mode (a thread of its own would
  // typeset every rebuild's formulas cold, where the session's MathJax has them), nor when asked
  // for one thread.
  const editionThreads = !options.shared && options.jobs !== 1;
  const pdfThread = editionThreads ? editionThreadOpener(availableParallelism()) : undefined;
  // A long book renders on a thread of its own whose heap has a bound (document-thread.ts): its
  // peak memory, not its editions, changes. Not in watch mode, whose session keeps its caches here.
  const bounded = !options.shared && options.jobs !== 1;
  const inLine = async (source: Source, context: RenderContext) => {
    if (bounded && source.kind === 'book' && markdownBytes(source.path) >= BOUNDED_BOOK_BYTES) {
      const output = await renderOnBoundedThread<Source, RenderOutput>(source, context, BOUNDED_BOOK_HEAP_MB, editionThreads);
      if (output) return output;
      // The thread ran out of heap, perhaps with an edition already in its temporary file (named
      // for that thread): it goes. Documents render one at a time here, so no other is in flight.
      if (context.writeTo) removeTemporaries(context.writeTo);
    }
    return renderDocument(source, context, shared, pdfThread);
  };
  const render = jobs > 1 ? await workerPool(jobs) : { run: inLine, close: async () => {} };
  const madeFolders = new Set<string>();

  const one = async (source: Source) => {
    const started = performance.now();
    const result = await buildOne(source, { context, out, cache, fingerprint, templates: templateFiles, force: options.force, render: render.run, dryRun: options.dryRun, madeFolders, deferred: options.deferredEntries, lastMessages: shared.lastMessages, anchorsHold: (used) => anchorsStillHold(used, context, shared) });
    result.ms = performance.now() - started;
    options.onDocument?.(result);
    return result;
  };
  try {
    // In one thread, one document at a time (memory stays flat); with a pool, as many as it has threads.
    const documents: DocumentResult[] = [];
    if (jobs > 1) documents.push(...(await Promise.all(sources.map(one))));
    else for (const source of sources) documents.push(await one(source));
    const files = new Set(documents.flatMap((document) => document.inputs));
    // The project's defaults and its own templates change every document: --watch follows them too.
    if (project.file) files.add(project.file);
    for (let index = 0; index < templateFiles.length; index += 2) files.add(resolve(root, templateFiles[index]!));
    return { documents, ok: documents.every((document) => document.ok), inputs: { files: [...files].sort(), folders: [...folders].sort() } };
  } finally {
    await render.close();
    if (context.treeCache) pruneTreeCache(context.treeCache.folder);
    // Once every document is done (a pool's may share a new folder): a failed build leaves no empty output folder behind.
    for (const folder of madeFolders) removeIfEmpty(folder);
  }
}

export interface CheckResult {
  /** Every document's problems, each a vfile message with file, line and column. */
  documents: { source: string; messages: VFileMessage[]; ok: boolean }[];
  ok: boolean;
}

/** Validate and render every edition in memory, writing nothing: the messages only (`colophon check`). */
export async function check(options: Omit<BuildOptions, 'dryRun' | 'force' | 'cache'> = {}): Promise<CheckResult> {
  const result = await build({ ...options, dryRun: true });
  return { documents: result.documents.map(({ source, file, ok }) => ({ source, messages: file.messages, ok })), ok: result.ok };
}

interface OneContext {
  context: RenderContext;
  out: string;
  cache?: EditionCache;
  fingerprint: string;
  /** The project's own templates/ (path, hash, path, hash…): they override Colophon's. */
  templates: string[];
  force?: boolean;
  dryRun?: boolean;
  render: (source: Source, context: RenderContext) => Promise<RenderOutput>;
  /** Folders the build may have made for editions (see removeIfEmpty). */
  madeFolders: Set<string>;
  deferred?: DeferredEntries;
  /** SharedResources.lastMessages, in a watch session. */
  lastMessages?: Map<string, unknown>;
  /** Whether a cached edition's links into other documents still name what they named (run-anchors.ts). */
  anchorsHold: (used: AnchorsUsed[]) => boolean;
}

async function buildOne(source: Source, one: OneContext): Promise<DocumentResult> {
  const { context } = one;
  const outputPath = (edition: Edition) => join(relative(context.root, one.out), `${source.name}.${edition}`);
  const key = one.cache ? cacheKey(source, one) : '';

  // Serve what the cache holds; render only what it does not.
  const cached = new Map<Edition, CacheHit>();
  if (one.cache && !one.force) {
    for (const edition of context.formats) {
      one.deferred?.writeHeld(key, edition);
      const hit = one.cache.get(key, edition, context.documents, one.anchorsHold);
      if (hit) cached.set(edition, hit);
    }
  }
  const missing = context.formats.filter((edition) => !cached.has(edition));
  // The editions are written where they go as they are made, except in a dry run; a folder made
  // for them is removed at the end of the build if nothing stayed in it.
  const writeTo = one.dryRun ? undefined : one.out;
  const newFolder = writeTo ? firstMissingFolder(dirname(resolve(writeTo, source.name))) : undefined;
  if (newFolder) one.madeFolders.add(newFolder);
  const output: RenderOutput =
    missing.length > 0
      ? await one.render(source, { ...context, formats: missing, writeTo })
      : { source: relative(context.cwd, source.path) || source.path, messages: [], editions: [], assets: [], missing: [] };

  const file = new VFile({ path: output.source });
  // In a watch session, a message the last build of this source made too is that build's object.
  const last = one.lastMessages?.get(source.path) as ReportedMessages | undefined;
  const reported: ReportedMessages = { byId: new Map(), ids: last?.ids ?? new WeakMap() };
  withoutStack(() => {
    for (const message of [...output.messages, ...[...cached.values()].flatMap((hit) => hit.messages)]) {
      let id = reported.ids.get(message);
      if (id === undefined) reported.ids.set(message, (id = JSON.stringify(message)));
      if (reported.byId.has(id)) continue;
      const made = last?.byId.get(id) ?? toVFileMessage(message);
      reported.byId.set(id, made);
      file.messages.push(made);
    }
  });
  one.lastMessages?.set(source.path, reported);
  file.messages.sort(compareMessage);

  const editions: EditionResult[] = context.formats.flatMap((edition): EditionResult[] => {
    const hit = cached.get(edition);
    if (hit) return [{ edition, path: outputPath(edition), bytes: hit.bytes, size: hit.bytes.length, cached: true }];
    const rendered = output.editions.find((candidate) => candidate.edition === edition);
    if (!rendered) return [];
    return [rendered.file !== undefined ? new WrittenEdition(edition, outputPath(edition), rendered.file) : { edition, path: outputPath(edition), bytes: rendered.bytes, size: rendered.bytes.length, cached: false }];
  });

  // Write only when every edition of the document succeeded: a failed build leaves the
  // previous good editions in place.
  const ok = !failed(file, context.strict) && editions.length === context.formats.length;
  try {
    if (ok && !one.dryRun) {
      const assets = new Map(output.assets);
      const documentsUsed: DocumentsUsed = output.documents ? { looked: output.documents, ...(output.anchors?.length ? { anchors: output.anchors } : {}) } : { whole: context.documents ?? null };
      for (const edition of editions) {
        const target = resolve(context.root, edition.path);
        if (edition instanceof WrittenEdition) {
          commitTemporary(edition.file, target);
          edition.file = target;
          if (!one.cache) continue;
          const cache = one.cache;
          // Held back in a watch session as the target's bytes now: a second name for its file
          // (the target is only ever replaced by a rename, never written in place), not a copy.
          const copy = one.deferred ? cache.holdFile(target) : undefined;
          if (copy && one.deferred) {
            one.deferred.hold(
              source.path,
              key,
              edition.edition,
              () => cache.setFile(key, edition.edition, copy, assets, output.messages, documentsUsed),
              () => rmSync(copy, { force: true }),
            );
          } else cache.setFile(key, edition.edition, target, assets, output.messages, documentsUsed);
          continue;
        }
        if (!fileHolds(target, edition.bytes)) writeAtomic(target, edition.bytes);
        if (!edition.cached && one.cache) {
          const cache = one.cache;
          const write = () => cache.set(key, edition.edition, edition.bytes, assets, output.messages, documentsUsed);
          if (one.deferred) one.deferred.hold(source.path, key, edition.edition, write);
          else write();
        }
      }
    }
  } finally {
    // What was not put in place goes: its bytes stay with the result, the temporary files do not.
    for (const edition of editions) if (edition instanceof WrittenEdition) edition.settle();
  }
  const assetPaths = [...output.assets.map(([path]) => path), ...[...cached.values()].flatMap((hit) => hit.assets)];
  const inputs = [...sourceFiles(source), ...output.missing, ...assetPaths.filter((path) => !path.startsWith('remote:')).map((path) => resolve(context.root, path))];
  return { source: file.path, file, inputs: [...new Set(inputs)], meta: output.meta, editions, ok, ms: 0 };
}

/**
 * An edition the render wrote into a temporary file (RenderContext.writeTo): its bytes are read
 * from the file when asked, from its target once it took the target's place. One that did not
 * (its document failed) is read into memory as it goes.
 */
class WrittenEdition implements EditionResult {
  readonly cached = false;
  readonly size: number;
  private held?: Uint8Array;

  constructor(
    readonly edition: Edition,
    readonly path: string,
    /** Where its bytes are now: the temporary file, then the target. */
    public file: string,
  ) {
    this.size = statSync(file).size;
  }

  get bytes(): Uint8Array {
    return this.held ?? readWhole(this.file);
  }

  /** A temporary file still (the document failed, or a dry run): read into memory, and deleted. */
  settle(): void {
    if (!isTemporary(this.file)) return;
    try {
      this.held = readWhole(this.file);
    } finally {
      rmSync(this.file, { force: true });
    }
  }
}

/** A file's bytes as read, without the copy `new Uint8Array(buffer)` would make (twice a long book's PDF at once). */
function readWhole(path: string): Uint8Array {
  const read = readFileSync(path);
  return new Uint8Array(read.buffer, read.byteOffset, read.byteLength);
}

/** The files that make a source: a Markdown file, or a book's book.yaml and every Markdown file in its folder. */
function sourceFiles(source: Source): string[] {
  return source.kind === 'book' ? [join(source.path, 'book.yaml'), ...markdownFiles(source.path)] : [source.path];
}

/** Everything that decides an edition's bytes, except the assets and the run's other documents (checked per entry). */
function cacheKey(source: Source, one: OneContext): string {
  const { context } = one;
  const inputs: string[] = [];
  if (source.kind === 'book') {
    // A book's inputs are its book.yaml and every Markdown file in its folder.
    const [bookYaml = '', ...chapters] = sourceFiles(source);
    // Every file read through one block: each read whole was an array buffer of its own, made again
    // at every rebuild of a watch session, where V8 starts a full collection after every 64 MB of
    // array buffers made (bench/RESULTS-incremental.md, session 20).
    const block = readBlock(1 << 20);
    for (const file of chapters) inputs.push(relative(context.root, file), fileSha256(file, block));
    inputs.push(fileSha256(bookYaml, block));
  } else {
    inputs.push(sha256(readFileSync(source.path)));
  }
  return sha256(
    JSON.stringify([one.fingerprint, source.kind, relative(context.root, source.path), context.cwd === context.root ? '' : relative(context.root, context.cwd), inputs, context.papersize ?? '', context.encoding ?? '', context.limits ?? {}, context.epoch, context.allowRemote ?? false, context.project ?? {}, one.templates]),
  );
}

/** The hashes of a project's own templates/ (they override Colophon's file by file), for the cache key. */
function projectTemplates(root: string): string[] {
  const folder = join(root, 'templates');
  if (!existsSync(folder)) return [];
  const files = readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort(byName);
  return files.flatMap((file) => [relative(root, file), sha256(readFileSync(file))]);
}

/**
 * A build's messages of one source, by their plain data written out (which also tells two
 * alike apart), and those written-out ids by message: a region rebuild hands the next build the
 * messages it kept as the same objects (build/region-rebuild.ts), written out once.
 */
interface ReportedMessages {
  byId: Map<string, VFileMessage>;
  ids: WeakMap<CachedMessage, string>;
}

function toVFileMessage(message: CachedMessage): VFileMessage {
  const place = message.line ? { line: message.line, column: message.column ?? 1 } : undefined;
  const result = new VFileMessage(message.reason, { place, ruleId: message.ruleId, source: 'colophon' });
  result.file = message.file;
  result.fatal = message.fatal ?? undefined;
  return result;
}

/** A pool of worker threads that render documents; used only for several documents (each thread tiers its code up patiently: pool.ts says why). */
async function workerPool(threads: number) {
  const pool = await openPool<{ source: Source; context: RenderContext }, RenderOutput>('worker', threads, { patientTiering: true });
  return { run: (source: Source, context: RenderContext) => pool.run({ source, context }), close: pool.close };
}

/** The run's Markdown documents (path relative to the root → output name), when it has more than one: see RenderContext.documents. */
function runDocuments(root: string, sources: Source[]): Record<string, string> | undefined {
  const files = sources.filter((source) => source.kind === 'file');
  if (files.length < 2) return undefined;
  const documents: Record<string, string> = {};
  for (const source of files) documents[relative(root, source.path).split(sep).join('/')] = source.name;
  return documents;
}

/** Deterministic: documents sorted by name, every `count`-th from `index`. */
function shardOf(sources: Source[], shard: { index: number; count: number }): Source[] {
  return [...sources].sort((a, b) => byName(a.name, b.name)).filter((_, position) => position % shard.count === shard.index - 1);
}

/** The documents the paths name; every folder listed on the way is added to `folders`. */
function findSources(root: string, paths: string[], folders: Set<string>): Source[] {
  const sources: Source[] = [];
  for (const path of paths) {
    const full = resolve(root, path);
    if (!isInside(root, full)) throw new UsageError(`${relative(process.cwd(), full)} lies outside the project root ${root}`);
    let stats: Stats;
    try {
      stats = statSync(full);
    } catch {
      throw new UsageError(`no such file or folder: ${relative(process.cwd(), full) || full}`);
    }
    // Real paths: a symlink must not lead a build outside the project.
    const real = realpathSync(full);
    if (!isInside(realpathSync(root), real)) throw new UsageError(`${relative(process.cwd(), full)} leads outside the project root ${root}`);
    if (stats.isDirectory()) sources.push(...sourcesIn(full, full, folders));
    else if (stats.isFile()) sources.push({ kind: 'file', path: full, name: outputName(basename(full)) });
    else throw new UsageError(`${relative(process.cwd(), full)} is not a regular file or a folder`);
  }
  if (sources.length === 0) throw new UsageError(`no Markdown documents in ${paths.map((path) => relative(process.cwd(), resolve(root, path)) || '.').join(', ')}`);
  const seen = new Map<string, string>();
  for (const source of sources) {
    const other = seen.get(source.name);
    if (other && other !== source.path) throw new UsageError(`${source.path} and ${other} would both be written as ${source.name}`);
    seen.set(source.name, source.path);
  }
  return sources;
}

/** A folder with a book.yaml is one book; any other folder is a set of documents (and books below it). */
function sourcesIn(folder: string, base: string, folders: Set<string>): Source[] {
  folders.add(folder);
  if (existsSync(join(folder, 'book.yaml'))) {
    // A chapter may be added in any sub-folder of a book.
    for (const entry of readdirSync(folder, { recursive: true, withFileTypes: true })) {
      const path = join(entry.parentPath, entry.name);
      if (entry.isDirectory() && !relative(folder, path).split(sep).some((part) => part.startsWith('.') || part === 'node_modules')) folders.add(path);
    }
    const name = folder === base ? basename(folder) : relative(base, folder);
    return [{ kind: 'book', path: folder, name: outputName(name) }];
  }
  const sources: Source[] = [];
  for (const entry of visibleEntries(folder)) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) sources.push(...sourcesIn(path, base, folders));
    else if (entry.isFile() && isMarkdown(entry.name)) sources.push({ kind: 'file', path, name: outputName(relative(base, path)) });
  }
  return sources;
}

function* markdownFiles(folder: string): Generator<string> {
  for (const entry of visibleEntries(folder)) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* markdownFiles(path);
    else if (entry.isFile() && isMarkdown(path)) yield path;
  }
}

export function isMarkdown(path: string): boolean {
  return MARKDOWN.has(extname(path).toLowerCase());
}

/** A folder's entries in name order, without hidden ones and node_modules. */
function visibleEntries(folder: string) {
  return readdirSync(folder, { withFileTypes: true })
    .filter((entry) => !entry.name.startsWith('.') && entry.name !== 'node_modules')
    .sort((a, b) => byName(a.name, b.name));
}

function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `notes/intro.md` → `notes/intro`, with anything but safe characters replaced, and no way out of the output folder. */
function outputName(relativePath: string): string {
  const withoutExtension = relativePath.slice(0, relativePath.length - extname(relativePath).length);
  return withoutExtension
    .split(sep)
    .map((part) => part.replace(/[^\p{L}\p{N}._-]+/gu, '-').replace(/^\.+/, '_') || '_')
    .join('/');
}

function epochFromEnvironment(): number {
  const value = process.env.SOURCE_DATE_EPOCH;
  return value && /^\d+$/.test(value) ? Number(value) : 0;
}

