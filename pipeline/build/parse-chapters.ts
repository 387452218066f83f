import { availableParallelism } from 'node:os';
import { isMainThread } from 'node:worker_threads';
import type { Root } from 'mdast';
import parseInWorker from '../parse/parse-worker.ts';
import type { ChapterParser } from '../read/book.ts';
import { openPool } from './pool.ts';

/**
 * Parse chapters, on a pool of worker threads when the book is large (a worker costs a few
 * hundred milliseconds to start) and this is not already a worker of a larger build.
 */
export const parseChapters: ChapterParser = async (values) => {
  const size = values.reduce((sum, value) => sum + value.length, 0);
  const threads = Math.min(availableParallelism(), values.length);
  if (!isMainThread || threads < 2 || size < 2_000_000) return values.map((value) => parseInWorker({ value }));
  const pool = await openPool<{ value: string }, { tree?: Root; overflow?: string }>('parse-worker', threads);
  try {
    return await Promise.all(values.map((value) => pool.run({ value })));
  } finally {
    await pool.close();
  }
};
