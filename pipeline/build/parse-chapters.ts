import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import type { Root } from 'mdast';
import { treeKey } from '../parse/chunked-parse.ts';
import parseInWorker from '../parse/parse-worker.ts';
import type { ChapterParser, ParsedChapter } from '../read/book.ts';
import type { TreeStore } from '../types.ts';
import { unpackValue } from '../packed.ts';
import { openPool } from './pool.ts';
import { isDocumentThread } from './document-thread.ts';

/**
 * The young generation of a parse worker, in MB (V8 gives a worker about 48 by default: a
 * bound of 48 measured the same as none). The parser makes a chapter's tree and the garbage
 * around it in the young generation; in one that small, the tree is copied again and again by the
 * scavenger before it is promoted: 27% of the parse workers' CPU on the 10 MB book went to the
 * collector. At 96 MB the 10 MB book's HTML took 47.0-47.9 s of user CPU against 53.4-54.5 s
 * (48 MB: 56.1 s; 192 MB: 43.4-46.9 s, but the build's peak RSS grew from 520 to 630 MB;
 * bench/RESULTS-speed.md, session 23). Its peak did not move at 96.
 */
const PARSE_YOUNG_GENERATION_MB = 96;

/**
 * Parse chapters, on a pool of worker threads when what must be parsed is large (a worker costs
 * a few hundred milliseconds to start) and this is not already a worker of a larger build.
 * With `trees`, a chapter whose text was parsed before is taken from the store, and only the
 * others are parsed: a one-line edit re-parses one chapter (or one piece of a large one).
 *
 * Each chapter's tree waits packed (packed.ts: off the heap, a small fraction of its size
 * there) until the build loads it: the heap does not grow with each chapter parsed, so the
 * garbage the parser leaves is collected before it piles up.
 */
export function chapterParser(trees?: TreeStore): ChapterParser {
  return async (values) => {
    // A chapter the store holds (a watch session's edit leaves most of them) is taken as it is.
    const results: (ParsedChapter | undefined)[] = values.map((value) => {
      const tree = trees?.get(treeKey('text', value));
      return tree ? { load: () => tree } : undefined;
    });
    const missing = values.flatMap((value, index) => (results[index] ? [] : [{ value, index }]));
    const size = missing.reduce((sum, chapter) => sum + chapter.value.length, 0);
    const threads = Math.min(availableParallelism(), missing.length);
    // A worker of a larger build parses in line; a long book's own thread (document-thread.ts) has the cores to itself.
    if ((!isMainThread && !isDocumentThread()) || threads < 2 || size < 2_000_000) {
      // Here the store serves the pieces of a large chapter too.
      for (const { value, index } of missing) results[index] = loadable(parseInWorker({ value, compact: true }, trees));
    } else {
      const pool = await openPool<{ value: string; compact: boolean }, { packed?: Uint8Array; overflow?: string }>('parse-worker', threads, { youngGenerationMb: PARSE_YOUNG_GENERATION_MB });
      try {
        const parsed = await Promise.all(missing.map(({ value }) => pool.run({ value, compact: true })));
        missing.forEach(({ value, index }, position) => {
          const result = parsed[position]!;
          // The worker's bytes are what the store keeps: not read back and packed again here.
          if (trees?.setPacked && result.packed) trees.setPacked(treeKey('text', value), result.packed);
          else if (trees && result.packed) trees.set(treeKey('text', value), unpackValue(result.packed) as Root);
          results[index] = loadable(result);
        });
      } finally {
        await pool.close();
      }
    }
    return results.map((result) => result ?? { overflow: 'not parsed' });
  };
}

function loadable({ packed, overflow }: { packed?: Uint8Array; overflow?: string }): ParsedChapter {
  return packed ? { load: () => unpackValue(packed) as Root } : { overflow: overflow ?? 'not parsed' };
}
