import type { Root } from 'mdast';
import { VFile } from 'vfile';
import type { TreeStore } from '../types.ts';
import { parseDocumentText } from './chunked-parse.ts';

/** A worker thread that parses one chapter of a book: parsing is what costs most on large books. */
export default function parseInWorker({ value }: { value: string }, trees?: TreeStore): { tree?: Root; overflow?: string } {
  try {
    return { tree: parseDocumentText(new VFile({ value }), undefined, trees) };
  } catch (error) {
    // The parser's tree walkers recurse: a stack overflow means nesting past what they bear.
    if (error instanceof RangeError) return { overflow: error.message };
    throw error;
  }
}
