import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, Worker, workerData } from 'node:worker_threads';
import type { RenderContext, SharedResources } from '../types.ts';
import { workerUrl } from './pool.ts';

/** What renderDocument takes and gives, as far as this thread needs to know (document.ts imports the parse, which asks isDocumentThread). */
interface Task<Source> {
  source: Source;
  context: RenderContext;
  /** Whether the document may render an edition on a thread of its own (edition-thread.ts). */
  editionThreads: boolean;
}
interface Output {
  editions: { bytes?: Uint8Array }[];
}

/**
 * A long book rendered on a thread whose heap has a bound: V8 lets a heap grow to up to four
 * times what its last full collection left when the heap may reach 2 GB or more (the main
 * thread's may reach about 4 GB here), and to at most about twice below that. A book's tree is
 * large and long-lived, so with four times it the garbage of the transforms and the writers sets
 * the peak: on the 10 MB book the heap grew to 854 MB over 220 MB live before its first full
 * collection after the parse. A thread made with a smaller bound collects sooner; the book is
 * the same, and so are its editions. Should the book need more heap than the bound, the thread
 * runs out of it and the caller renders the book in line instead.
 */
export const DOCUMENT_THREAD = 'colophon-document-thread';

/** Whether this thread is a bounded document thread (it may start the parse's own pool). */
export function isDocumentThread(): boolean {
  return Boolean((workerData as Record<string, unknown> | null)?.[DOCUMENT_THREAD]);
}

type Reply<O> = { output?: O; error?: string };

/**
 * How much V8 lets the heap grow past what a full collection left, in percent, while a bounded
 * thread renders (V8's `--heap-growing-percent`; 0 is V8's own choice, about 100% under a
 * 2000 MB bound). A long book's live heap grows to the end of its PDF (what the PDF writes at
 * pdfkit's end), and at twice its live size the heap set the build's peak. The flag is the
 * process's (V8 has no per-thread one): set while the thread runs, when the main thread only waits
 * for it, and set back after. It costs collections, never a failure: the bound is unchanged.
 */
const HEAP_GROWING_PERCENT = 20;

/** Render one document on a fresh thread with a heap of at most `heapMb`; undefined when it ran out of heap. */
export function renderOnBoundedThread<S, O extends Output>(source: S, context: RenderContext, heapMb: number, editionThreads = false): Promise<O | undefined> {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  const worker = new Worker(workerUrl('worker'), { workerData: { [DOCUMENT_THREAD]: true }, resourceLimits: { maxOldGenerationSizeMb: heapMb } });
  return new Promise<O | undefined>((resolve, reject) => {
    let settled = false;
    const settle = (action: () => void) => {
      if (settled) return;
      settled = true;
      setFlagsFromString('--heap-growing-percent=0');
      action();
      worker.terminate().catch(() => {});
    };
    worker.on('message', ({ output, error }: Reply<O>) => settle(() => (output ? resolve(output) : reject(new Error(error ?? 'the document thread sent no result')))));
    worker.on('error', (error: Error & { code?: string }) => settle(() => (error.code === 'ERR_WORKER_OUT_OF_MEMORY' ? resolve(undefined) : reject(error))));
    worker.on('exit', (code) => settle(() => reject(new Error(`the document thread stopped (exit code ${code})`))));
    worker.postMessage({ source, context, editionThreads } satisfies Task<S>);
  });
}

/** The thread's side: render the one document it is sent, and send its editions back without copying them. */
export function serveDocumentThread<S, O extends Output>(shared: SharedResources, render: (source: S, context: RenderContext, shared: SharedResources, editionThreads: boolean) => Promise<O>): void {
  const port = parentPort;
  if (!port) return;
  port.once('message', async ({ source, context, editionThreads }: Task<S>) => {
    try {
      const output = await render(source, context, shared, editionThreads);
      // What the render left (the PDF's state, the last chapters) goes before the output is
      // copied out: otherwise the copy is made, and read on the main thread, beside it.
      collectGarbage();
      const moved = output.editions.flatMap(({ bytes }) => (bytes && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? [bytes.buffer] : []));
      port.postMessage({ output } satisfies Reply<O>, [...new Set(moved)]);
    } catch (error) {
      port.postMessage({ error: String((error as Error).stack ?? error) } satisfies Reply<O>);
    }
  });
}

/**
 * A full collection, now. V8 gives its collector to script only under `--expose-gc`, which takes
 * effect in contexts made while it is set: one is made, and the flag set back.
 */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  const collect = runInNewContext('gc') as () => void;
  setFlagsFromString('--no-expose-gc');
  collect();
}
