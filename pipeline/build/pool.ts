/** Where each worker's tsx shim lies, relative to this file, when running from the TypeScript sources. */
const SOURCE_SHIMS = {
  worker: './worker-from-sources.mjs',
  'parse-worker': '../parse/parse-worker-from-sources.mjs',
} as const;

/** Where each worker lies, relative to this file, in the compiled package (bin/lib/, by bin/pack.mjs). */
const COMPILED = {
  worker: './worker.js',
  'parse-worker': '../parse/parse-worker.js',
} as const;

/**
 * A pool of worker threads running one of Colophon's worker modules. From the bundle a worker
 * is a sibling .js file; from the compiled package it keeps its folder; from the TypeScript
 * sources it is loaded through a small tsx shim.
 */
export async function openPool<Task, Result>(worker: 'worker' | 'parse-worker', threads: number) {
  const { Tinypool } = await import('tinypool');
  const pool = new Tinypool({
    filename: workerUrl(worker).href,
    minThreads: threads,
    maxThreads: threads,
  });
  return {
    run: (task: Task) => pool.run(task) as Promise<Result>,
    close: () => pool.destroy(),
  };
}

/** Where one of Colophon's worker modules lies: from the bundle, the compiled package or the TypeScript sources. */
export function workerUrl(worker: 'worker' | 'parse-worker'): URL {
  const here = import.meta.url;
  const path = here.endsWith('.ts') ? SOURCE_SHIMS[worker] : here.endsWith('/build/pool.js') ? COMPILED[worker] : `./${worker}.js`;
  return new URL(path, here);
}
