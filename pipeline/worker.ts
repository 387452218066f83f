import { renderDocument, type RenderContext, type RenderOutput, type Source } from './document.ts';

/** A worker thread of the build pool: renders one document, returns plain data. */
export default function renderInWorker({ source, context }: { source: Source; context: RenderContext }): Promise<RenderOutput> {
  return renderDocument(source, context);
}
