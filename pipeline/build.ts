import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative, resolve, sep } from 'node:path';
import type { VFile } from 'vfile';
import { compareMessage } from 'vfile-sort';
import type { Root } from 'mdast';
import { createAssetResolver } from './assets.ts';
import { checkSource, checkTreeDepth, defaultLimits, type Limits } from './limits.ts';
import { hasErrors, report } from './messages.ts';
import { parse } from './parse.ts';
import { decodeSource, type ReadOptions } from './source.ts';
import { runTransforms } from './transforms/index.ts';
import type { DocumentMeta, Edition, PaperSize } from './types.ts';
import { loadWriter } from './writers/index.ts';

export interface BuildOptions extends ReadOptions {
  /** Markdown files or folders of them; default `source/`. Relative to `root`. */
  paths?: string[];
  /** The project root: sources and assets must lie inside it. Default: the working directory. */
  root?: string;
  /** Output folder, default `dist/` under the root. */
  out?: string;
  formats?: Edition[];
  /** Treat warnings as errors. */
  strict?: boolean;
  papersize?: PaperSize;
  /** Write nothing: parse, transform and render only (for `check`-style runs and tests). */
  dryRun?: boolean;
  /** Bounds on input size and nesting (see limits.ts). */
  limits?: Partial<Limits>;
  /** Used for timestamps when a document has no date; default: `SOURCE_DATE_EPOCH`, else 0. */
  sourceDateEpoch?: number;
}

export interface EditionResult {
  edition: Edition;
  /** Where it was written, relative to the root. */
  path: string;
  bytes: Uint8Array;
}

export interface DocumentResult {
  source: string;
  file: VFile;
  meta?: DocumentMeta;
  editions: EditionResult[];
  ok: boolean;
}

export interface BuildResult {
  documents: DocumentResult[];
  ok: boolean;
}

const MARKDOWN = new Set(['.md', '.markdown', '.mdown', '.mkd']);

/** Build every edition of every document. Problems are messages on each document's file. */
export async function build(options: BuildOptions = {}): Promise<BuildResult> {
  const root = resolve(options.root ?? process.cwd());
  const out = resolve(root, options.out ?? 'dist');
  const formats = options.formats ?? ['html'];
  const sources = findSources(root, options.paths ?? ['source']);
  const cache = new Map<string, Uint8Array>();
  const epoch = options.sourceDateEpoch ?? epochFromEnvironment();

  const documents: DocumentResult[] = [];
  for (const source of sources) {
    documents.push(await buildDocument(source, { ...options, root, out, formats, cache, epoch }));
  }
  return { documents, ok: documents.every((document) => document.ok) };
}

interface DocumentContext extends BuildOptions {
  root: string;
  out: string;
  formats: Edition[];
  cache: Map<string, Uint8Array>;
  epoch: number;
}

interface Source {
  /** Absolute path. */
  path: string;
  /** Output name without extension, relative to the output folder. */
  name: string;
}

async function buildDocument(source: Source, context: DocumentContext): Promise<DocumentResult> {
  const displayPath = relative(process.cwd(), source.path) || source.path;
  const { file, ok: decoded } = decodeSource(readFileSync(source.path), displayPath, context);
  const result: DocumentResult = { source: displayPath, file, editions: [], ok: false };
  if (!decoded) return result;

  const limits = { ...defaultLimits, ...context.limits };
  if (!checkSource(file, limits)) return result;
  let tree: Root;
  try {
    tree = parse(file);
  } catch (error) {
    // The parser's own tree walkers recurse; a stack overflow means nesting past what they bear.
    if (!(error instanceof RangeError)) throw error;
    report(file, 'error', `nesting too deep to parse (${error.message}); lower it or raise --max-nesting carefully`, { line: 1, column: 1 }, 'nesting-limit');
    return result;
  }
  if (!checkTreeDepth(tree, file, limits)) return result;
  const meta = runTransforms(tree, file, { papersize: context.papersize });
  result.meta = meta;
  const assets = createAssetResolver({ root: context.root, documentDir: dirname(source.path), file, cache: context.cache });
  const epoch = meta.date ? epochFromDate(meta.date) : context.epoch;

  if (!failed(file, context.strict)) {
    for (const edition of context.formats) {
      const writer = await loadWriter(edition);
      try {
        // Each writer gets its own copy: writers may annotate the tree they lay out.
        const bytes = await writer.render({ tree: structuredClone(tree), meta, file, assets, epoch });
        result.editions.push({ edition, path: join(relative(context.root, context.out), `${source.name}.${writer.extension}`), bytes });
      } catch (error) {
        report(file, 'error', `the ${edition} writer failed: ${(error as Error).stack ?? error}`, undefined, 'writer-crash');
      }
    }
  }

  // Write only when every edition of the document succeeded: a failed build leaves the
  // previous good editions in place.
  file.messages.sort(compareMessage);
  result.ok = !failed(file, context.strict);
  if (result.ok && !context.dryRun) {
    for (const edition of result.editions) writeAtomic(resolve(context.root, edition.path), edition.bytes);
  }
  return result;
}

function failed(file: VFile, strict = false): boolean {
  return hasErrors(file) || (strict && file.messages.some((message) => message.fatal === false));
}

/** Write to a temporary file beside the target, then rename: readers never see half a file. */
export function writeAtomic(path: string, bytes: Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, bytes);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

function findSources(root: string, paths: string[]): Source[] {
  const sources: Source[] = [];
  for (const path of paths) {
    const full = resolve(root, path);
    if (relative(root, full).startsWith('..')) throw new UsageError(`${relative(process.cwd(), full)} lies outside the project root ${root}`);
    let stats;
    try {
      stats = statSync(full);
    } catch {
      throw new UsageError(`no such file or folder: ${relative(process.cwd(), full) || full}`);
    }
    if (stats.isDirectory()) {
      for (const file of walk(full)) sources.push({ path: file, name: outputName(relative(full, file)) });
    } else {
      sources.push({ path: full, name: outputName(basename(full)) });
    }
  }
  const seen = new Map<string, string>();
  for (const source of sources) {
    const other = seen.get(source.name);
    if (other && other !== source.path) throw new UsageError(`${source.path} and ${other} would both be written as ${source.name}`);
    seen.set(source.name, source.path);
  }
  return sources;
}

function* walk(folder: string): Generator<string> {
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
    const path = join(folder, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.isFile() && MARKDOWN.has(extname(entry.name).toLowerCase())) yield path;
  }
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

function epochFromDate(date: string): number {
  const [year, month = 1, day = 1] = date.slice(0, 10).split('-').map(Number);
  // A date-time without a zone is read as UTC: the local zone must never change an edition.
  const time = date.length > 10 ? Date.parse(/(Z|[+-]\d\d:\d\d)$/.test(date) ? date : `${date}Z`) : Date.UTC(year!, month - 1, day);
  return Math.floor((Number.isNaN(time) ? Date.UTC(year!, month - 1, day) : time) / 1000);
}

export class UsageError extends Error {}
