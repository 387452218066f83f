import { setFlagsFromString } from 'node:v8';

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
export async function openPool<Task, Result>(worker: 'worker' | 'parse-worker', threads: number, options: { patientTiering?: boolean } = {}) {
  const { Tinypool } = await import('tinypool');
  const pool = new Tinypool({
    filename: workerUrl(worker).href,
    minThreads: threads,
    maxThreads: threads,
  });
  // Raised once the first task has come back, not before: the threads load the bundle through
  // V8's code cache as they start (here), and V8 rejects a cache made under other flags. By the
  // first result they have loaded it; one that had not would compile it afresh (slower, the
  // same editions).
  let raised = false;
  const raise = () => {
    if (raised || options.patientTiering !== true || budgetGivenToNode()) return;
    raised = true;
    setFlagsFromString(`--interrupt-budget=${PATIENT_INTERRUPT_BUDGET}`);
  };
  return {
    run: (task: Task) => (pool.run(task) as Promise<Result>).finally(raise),
    close: async () => {
      try {
        await pool.destroy();
      } finally {
        if (raised) setFlagsFromString(`--interrupt-budget=${V8_INTERRUPT_BUDGET}`);
        raised = false;
      }
    },
  };
}

/**
 * V8's interrupt budget (bytecode run between two checks of whether a function is hot enough to
 * optimise) in Node 20's V8 11.3, and the one a pool of document threads runs with: sixteen
 * times as much. Each thread is an isolate of its own, which compiles with TurboFan whatever
 * gets hot in it, and a batch's small documents keep making new code hot for a while, then
 * drop it (a new document's shapes undo what was optimised for the last: 'wrong map'). In the
 * 200-document batch, TurboFan's background compiles took about a third of the build's CPU,
 * three quarters of it recompiling functions it had compiled before (bench/RESULTS-speed.md,
 * session 16). Tiering up later optimises what stays hot and skips what is hot only briefly.
 * The flag is the process's (V8 has no per-isolate one), read as budgets are renewed; the
 * editions do not depend on it.
 */
const V8_INTERRUPT_BUDGET = 67_584;
const PATIENT_INTERRUPT_BUDGET = 16 * V8_INTERRUPT_BUDGET;

/** Whether node was started with an interrupt budget of its own (the command line or NODE_OPTIONS): that one stays. */
function budgetGivenToNode(): boolean {
  return [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((flag) => /^--interrupt[-_]budget\b/.test(flag));
}

/** Where one of Colophon's worker modules lies: from the bundle, the compiled package or the TypeScript sources. */
export function workerUrl(worker: 'worker' | 'parse-worker'): URL {
  const here = import.meta.url;
  const path = here.endsWith('.ts') ? SOURCE_SHIMS[worker] : here.endsWith('/build/pool.js') ? COMPILED[worker] : `./${worker}.js`;
  return new URL(path, here);
}
