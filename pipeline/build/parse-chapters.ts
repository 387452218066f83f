import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import type { Root } from 'mdast';
import { treeKey } from '../parse/chunked-parse.ts';
import parseInWorker from '../parse/parse-worker.ts';
import type { ChapterParser } from '../read/book.ts';
import type { TreeStore } from '../types.ts';
import { openPool } from './pool.ts';

/**
 * Parse chapters, on a pool of worker threads when what must be parsed is large (a worker costs
 * a few hundred milliseconds to start) and this is not already a worker of a larger build.
 * With `trees`, a chapter whose text was parsed before is taken from the store, and only the
 * others are parsed: a one-line edit re-parses one chapter (or one piece of a large one).
 */
export function chapterParser(trees?: TreeStore): ChapterParser {
  return async (values) => {
    const results: ({ tree?: Root; overflow?: string } | undefined)[] = values.map((value) => {
      const tree = trees?.get(treeKey('text', value));
      return tree ? { tree } : undefined;
    });
    const missing = values.flatMap((value, index) => (results[index] ? [] : [{ value, index }]));
    const size = missing.reduce((sum, chapter) => sum + chapter.value.length, 0);
    const threads = Math.min(availableParallelism(), missing.length);
    if (!isMainThread || threads < 2 || size < 2_000_000) {
      // Here the store serves the pieces of a large chapter too.
      for (const { value, index } of missing) results[index] = parseInWorker({ value }, trees);
    } else {
      const pool = await openPool<{ value: string }, { tree?: Root; overflow?: string }>('parse-worker', threads);
      try {
        const parsed = await Promise.all(missing.map(({ value }) => pool.run({ value })));
        missing.forEach(({ value, index }, position) => {
          const result = parsed[position]!;
          const tree = result.tree;
          if (tree) trees?.set(treeKey('text', value), tree);
          results[index] = result;
        });
      } finally {
        await pool.close();
      }
    }
    return results.map((result) => result ?? { overflow: 'not parsed' });
  };
}
