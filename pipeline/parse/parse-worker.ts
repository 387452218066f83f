import type { Root } from 'mdast';
import { VFile } from 'vfile';
import type { TreeStore } from '../types.ts';
import { parseDocumentText } from './chunked-parse.ts';
import { packValue } from '../packed.ts';

/**
 * A worker thread that parses one chapter of a book: parsing is what costs most on large books.
 * With `compact`, the tree comes back packed (`packed`, packed.ts): a book's chapters wait as
 * bytes, off the heap, until they are transformed, so the heap does not grow with every chapter parsed.
 */
export default function parseInWorker({ value, compact }: { value: string; compact?: boolean }, trees?: TreeStore): { tree?: Root; packed?: Uint8Array; overflow?: string } {
  try {
    const tree = parseDocumentText(new VFile({ value }), undefined, trees);
    return compact ? { packed: packValue(tree) } : { tree };
  } catch (error) {
    // The parser's tree walkers recurse: a stack overflow means nesting past what they bear.
    if (error instanceof RangeError) return { overflow: error.message };
    throw error;
  }
}
