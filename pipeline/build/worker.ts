import { renderDocument, type RenderOutput, type Source } from './document.ts';
import type { RenderContext } from '../types.ts';
import { createSharedResources } from './resources.ts';

// The thread's own caches (parsed fonts): this module is the thread's entry point, so it owns them.
const shared = createSharedResources();

/** A worker thread of the build pool: renders one document, returns plain data. */
export default function renderInWorker({ source, context }: { source: Source; context: RenderContext }): Promise<RenderOutput> {
  return renderDocument(source, context, shared);
}
