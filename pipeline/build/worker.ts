import type { RenderOutput } from './document.ts';
import { startWorkerThread, type WorkerTask } from './worker-thread.ts';

// This module is the thread's entry point (from the sources and the compiled package), so it owns the thread's caches.
const render = startWorkerThread();

/** A worker thread of the build pool: renders one document, returns plain data. */
export default function renderInWorker(task: WorkerTask): Promise<RenderOutput> {
  return render(task);
}
