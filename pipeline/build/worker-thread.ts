import { availableParallelism } from 'node:os';
import { workerData } from 'node:worker_threads';
import { renderDocument, type RenderOutput, type Source } from './document.ts';
import type { RenderContext } from '../types.ts';
import { createSharedResources } from './resources.ts';
import { EDITION_THREAD, editionThreadOpener, serveEditionThread } from './edition-thread.ts';
import { isDocumentThread, serveDocumentThread } from './document-thread.ts';

/** One task of the build's pool: a document and how to render it. */
export interface WorkerTask {
  source: Source;
  context: RenderContext;
}

/**
 * Set up a worker thread of the build (worker.ts, or the CLI bundle's worker, which loads this
 * through V8's code cache) and return what renders one document in it. The thread's caches
 * (parsed fonts, shaped words) live as long as the thread, for every document it renders.
 */
export function startWorkerThread(): (task: WorkerTask) => Promise<RenderOutput> {
  // A worker thread lives for one build, during which Colophon's own files (fonts) stay as they are.
  const shared = createSharedResources({ sameFiles: true });
  // Started for one edition of a document (edition-thread.ts) rather than by the build's pool.
  if ((workerData as Record<string, unknown> | null)?.[EDITION_THREAD]) serveEditionThread(shared);
  // Started for one long book, with a bound on its heap (document-thread.ts).
  if (isDocumentThread()) serveDocumentThread<Source, RenderOutput>(shared, (source, context, shared, editionThreads) => renderDocument(source, context, shared, editionThreads ? editionThreadOpener(availableParallelism()) : undefined));
  return ({ source, context }) => renderDocument(source, context, shared);
}
