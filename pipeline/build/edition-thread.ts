import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { parentPort, Worker } from 'node:worker_threads';
import { dirname, resolve } from 'node:path';
import type { Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { Point, Position } from 'unist';
import { VFile } from 'vfile';
import { VFileMessage } from 'vfile-message';
import { assetPaths, createAssetResolver } from '../read/assets.ts';
import { report } from '../messages.ts';
import type { Asset, AssetResolver, BookFacts, DocumentMeta, Edition, FormulaSource, SharedResources } from '../types.ts';
import { chapterStreams } from './chapter-segments.ts';
import { loadWriter } from '../writers/index.ts';
import { sha256 } from './cache.ts';
import { workerUrl } from './pool.ts';
import { safeDecode } from '../url.ts';

/**
 * One edition of a large document rendered on a thread of its own, while the main thread
 * renders the others: the PDF (the slowest edition by far) overlaps the HTML and
 * EPUB. The thread starts before the parse, loads the writer meanwhile, and does what it can
 * from the parsed tree (typesetting the formulas) while the main thread runs the transforms.
 * The edition's bytes are the same as when rendered in line: the thread gets a copy of the very
 * tree, metadata and file data the main thread would hand the writer.
 */
export interface EditionThread {
  /** Work the writer can do from the parsed tree, before the transforms (see Writer.prepare). */
  prepare(edition: Edition, tree: Root): void;
  render(task: EditionTask): Promise<EditionResult>;
  close(): Promise<void>;
}

/** Everything the writer needs, as plain data (the asset resolver is rebuilt on the thread). */
export interface EditionTask {
  edition: Edition;
  tree: Root;
  /** A book's chapters, packed (document.ts StreamedBook), and the facts gathered from them. */
  chapters?: { segments: Uint8Array[][]; facts: BookFacts };
  meta: DocumentMeta;
  file: { path: string; cwd: string; value: string; data: VFile['data'] };
  epoch: number;
  root: string;
  folder: string;
  fetched?: Map<string, Asset>;
  /**
   * The temporary file the edition goes into, as it is made, when its writer can (Writer.renderTo):
   * a long book's PDF is never whole in memory, nor copied between threads.
   */
  temporary?: string;
}

/** A problem the writer reported, as plain data (a VFileMessage does not cross threads whole). */
interface PlainMessage {
  reason: string;
  place?: Point | Position;
  ruleId?: string;
  source?: string;
  fatal?: boolean | null;
}

export interface EditionResult {
  bytes?: Uint8Array;
  /** The temporary file the edition was written into (EditionTask.temporary), instead of bytes. */
  file?: string;
  messages: PlainMessage[];
  /** Assets the writer read: project-relative path → sha256, as renderDocument records them. */
  read: [string, string][];
  missing: string[];
}

/**
 * Below this many characters of Markdown, a document's PDF renders in line: starting a thread
 * (its modules, its fonts) costs more than it saves.
 */
const PDF_THREAD_MIN_CHARS = 50_000;

/**
 * With two cores, only from this many: V8 compiles hot code and collects garbage on threads of
 * its own (about 40% of a scholarly paper's CPU), which keep the second core busy already, so
 * there the PDF's thread saved no time and cost CPU (bench/RESULTS-scholarly.md). A long
 * document's editions are seconds of settled code: the 10 MB book's HTML and EPUB took 16 s of
 * its main thread while the second core waited (bench/RESULTS-speed.md, session 23).
 */
const PDF_THREAD_MIN_CHARS_TWO_CORES = 1_000_000;

/**
 * Above this many, the editions render one after another, for memory: the PDF's thread holds its
 * layout and its chapter beside the HTML's and the EPUB's. The 100 MB book's build passed 1.6 GB
 * with the thread (1.37 GB without; the target is 1.5 GB), the 10 MB book's peaked at 528 MB
 * (437 MB without; bench/RESULTS-speed.md, session 23).
 */
const PDF_THREAD_MAX_CHARS = 25_000_000;

/** Whether, with `cores` cores, a document of `chars` characters renders its PDF on a thread of its own. */
export function editionThreadOpener(cores: number): (chars: number) => EditionThread | undefined {
  const least = cores > 2 ? PDF_THREAD_MIN_CHARS : cores === 2 ? PDF_THREAD_MIN_CHARS_TWO_CORES : Infinity;
  return (chars) => (chars >= least && chars <= PDF_THREAD_MAX_CHARS ? openEditionThread() : undefined);
}

/** Marks the worker started for one edition (the module also serves the build's pool). */
export const EDITION_THREAD = 'colophon-edition-thread';

type Reply = { id: number; result?: EditionResult; error?: string };

/**
 * Starts the thread at once (its modules load while the main thread parses). A plain worker,
 * not the pool: a message posted to it waits in its port, whatever the main thread is busy
 * with, so the thread starts on a task the moment it is free.
 */
export function openEditionThread(): EditionThread {
  const worker = new Worker(workerUrl('worker'), { workerData: { [EDITION_THREAD]: true } });
  // Only a render that is awaited keeps the process alive: a build that stops early is not held up.
  worker.unref();
  const waiting = new Map<number, { resolve: (result: EditionResult) => void; reject: (error: Error) => void }>();
  let nextId = 0;
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
  };
  worker.on('message', ({ id, result, error }: Reply) => {
    const entry = waiting.get(id);
    waiting.delete(id);
    if (waiting.size === 0) worker.unref();
    if (entry && result) entry.resolve(result);
    else entry?.reject(new Error(error ?? 'the edition thread sent no result'));
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`the edition thread stopped (exit code ${code})`)));
  return {
    prepare(edition, tree) {
      // Nothing waits for it: the render that follows on the same thread finds the work done.
      worker.postMessage({ kind: 'prepare', edition, formulas: formulasOf(tree) });
    },
    render(task) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.ref();
        worker.postMessage({ kind: 'render', id, task });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

/** The thread's side: serve prepare and render messages one after another, in the order sent. */
export function serveEditionThread(shared: SharedResources): void {
  const port = parentPort;
  if (!port) return;
  let queue = Promise.resolve();
  port.on('message', (message: { kind: 'prepare'; edition: Edition; formulas: FormulaSource[] } | { kind: 'render'; id: number; task: EditionTask }) => {
    queue = queue.then(async () => {
      if (message.kind === 'prepare') {
        // Only a head start: should it fail, the render does the work itself.
        await prepareEditionHere(message, shared).catch(() => {});
        return;
      }
      try {
        port.postMessage({ id: message.id, result: await renderEditionHere(message.task, shared) } satisfies Reply);
      } catch (error) {
        port.postMessage({ id: message.id, error: String((error as Error).stack ?? error) } satisfies Reply);
      }
    });
  });
}

/**
 * The formulas as the writers read them (TeX, and display or inline), each once. The math
 * transform later turns a paragraph holding only `$$…$$` into display math: such a formula is
 * already marked display by the parser, so the list holds what the writer will ask for.
 */
function formulasOf(tree: Root): FormulaSource[] {
  const seen = new Set<string>();
  const formulas: FormulaSource[] = [];
  visit(tree, (node) => {
    if (node.type !== 'math' && node.type !== 'inlineMath') return;
    const display = node.type === 'math' || node.data?.display === true;
    const key = `${display ? 'D' : 'I'}${node.value}`;
    if (seen.has(key)) return;
    seen.add(key);
    formulas.push({ tex: node.value, display });
  });
  return formulas;
}

/** On the thread: load the writer and let it prepare. */
async function prepareEditionHere({ edition, formulas }: { edition: Edition; formulas: FormulaSource[] }, shared: SharedResources): Promise<void> {
  const writer = await loadWriter(edition);
  writer.prepare?.({ formulas }, shared);
}

/** On the thread: render the edition as renderDocument would, and return what it read and reported. */
async function renderEditionHere(task: EditionTask, shared: SharedResources): Promise<EditionResult> {
  const file = new VFile({ path: task.file.path, cwd: task.file.cwd, value: task.file.value, data: task.file.data });
  const result: EditionResult = { messages: [], read: [], missing: [] };
  const read = new Map<string, string>();
  const resolver = createAssetResolver({ root: task.root, documentDir: task.folder, file, cache: new Map(), fetched: task.fetched });
  const assets = recordingResolver(resolver, assetRecorder(task.root, task.folder, read, result.missing));
  try {
    const writer = await loadWriter(task.edition);
    // The tree and chapters are this thread's own copies: the writer is their last reader.
    const chapters = task.chapters && chapterStreams(task.chapters.segments, task.chapters.facts).lastUse;
    const input = { tree: task.tree, chapters, meta: task.meta, file, assets, epoch: task.epoch, shared, lastReader: true };
    if (task.temporary && writer.renderTo) {
      mkdirSync(dirname(task.temporary), { recursive: true });
      await writer.renderTo(input, task.temporary);
      result.file = task.temporary;
    } else result.bytes = await writer.render(input);
  } catch (error) {
    if (task.temporary) rmSync(task.temporary, { force: true });
    report(file, 'error', `the ${task.edition} writer failed: ${(error as Error).stack ?? error}`, undefined, 'writer-crash');
  }
  result.read = [...read];
  result.messages = file.messages.map((message) => ({ reason: message.reason, place: message.place, ruleId: message.ruleId, source: message.source, fatal: message.fatal }));
  return result;
}

/** The messages of a thread's edition, made again as the file's own (as `file.message` makes them). */
export function threadMessages(file: VFile, messages: PlainMessage[]): VFileMessage[] {
  return messages.map(({ reason, place, ruleId, source, fatal }) => {
    const message = new VFileMessage(reason, { place, ruleId, source });
    if (file.path) {
      message.name = `${file.path}:${message.name}`;
      message.file = file.path;
    }
    message.fatal = fatal;
    return message;
  });
}

export type AssetRecorder = (url: string, asset: Asset | undefined) => Asset | undefined;

/**
 * Every file of the document's own that a writer or transform reads is recorded for the edition
 * cache (its hash as it is on disk: an asset's bytes may be normalised, as SVG is). A file looked
 * for but missing is recorded too, so that `--watch` rebuilds when it appears.
 */
export function assetRecorder(root: string, folder: string, read: Map<string, string>, missing: string[]): AssetRecorder {
  return (url, asset) => {
    if (asset) read.set(asset.path, sha256(/^[a-z][a-z\d+.-]*:/i.test(asset.path) ? asset.bytes : readFileSync(resolve(root, asset.path))));
    else if (!/^[a-z][a-z\d+.-]*:/i.test(url)) missing.push(...assetPaths(root, folder, safeDecode(url.replace(/[?#].*$/, ''))));
    return asset;
  };
}

/** The resolver the writers get: what it finds (or misses) is recorded. */
export function recordingResolver(resolver: AssetResolver, recorded: AssetRecorder): AssetResolver {
  return {
    ...resolver,
    document: (url, node) => recorded(url, resolver.document(url, node)),
    data: (url, place) => recorded(url, resolver.data(url, place)),
    stylesheet: (url, place) => recorded(url, resolver.stylesheet(url, place)),
  };
}
