/** Where each worker's tsx shim lies, relative to this file, when running from the TypeScript sources. */
const SOURCE_SHIMS = {
  worker: './worker-from-sources.mjs',
  'parse-worker': '../parse/parse-worker-from-sources.mjs',
} as const;

/**
 * A pool of worker threads running one of Colophon's worker modules. From the bundle a worker
 * is a sibling .js file; from the TypeScript sources it is loaded through a small tsx shim.
 */
export async function openPool<Task, Result>(worker: 'worker' | 'parse-worker', threads: number) {
  const { Tinypool } = await import('tinypool');
  const fromSources = import.meta.url.endsWith('.ts');
  const pool = new Tinypool({
    filename: new URL(fromSources ? SOURCE_SHIMS[worker] : `./${worker}.js`, import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
  });
  return {
    run: (task: Task) => pool.run(task) as Promise<Result>,
    close: () => pool.destroy(),
  };
}
