import { renderDocument, type RenderOutput, type Source } from './document.ts';
import type { RenderContext } from '../types.ts';
import { createSharedResources } from './resources.ts';
import { workerData } from 'node:worker_threads';
import { EDITION_THREAD, serveEditionThread } from './edition-thread.ts';

// The thread's own caches (parsed fonts): this module is the thread's entry point, so it owns them.
const shared = createSharedResources();

// Started for one edition of a document (edition-thread.ts) rather than by the build's pool.
if ((workerData as Record<string, unknown> | null)?.[EDITION_THREAD]) serveEditionThread(shared);

/** A worker thread of the build pool: renders one document, returns plain data. */
export default function renderInWorker({ source, context }: { source: Source; context: RenderContext }): Promise<RenderOutput> {
  return renderDocument(source, context, shared);
}
