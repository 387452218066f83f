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
export async function openPool<Task, Result>(worker: 'worker' | 'parse-worker', threads: number, options: { patientTiering?: boolean; youngGenerationMb?: number } = {}) {
  const { Tinypool } = await import('tinypool');
  const pool = new Tinypool({
    filename: workerUrl(worker).href,
    minThreads: threads,
    maxThreads: threads,
    ...(options.youngGenerationMb ? { resourceLimits: { maxYoungGenerationSizeMb: options.youngGenerationMb } } : {}),
  });
  // Raised once the first task has come back, not before: the threads load the bundle through
  // V8's code cache as they start (here), and V8 rejects a cache made under other flags. By the
  // first result they have loaded it; one that had not would compile it afresh (slower, the
  // same editions). The budget is a multiple of this V8's own default, read meanwhile.
  const defaultBudget = options.patientTiering === true && !budgetGivenToNode() ? v8DefaultInterruptBudget() : Promise.resolve(undefined);
  let raised: number | undefined;
  let closed = false;
  const raise = async () => {
    const budget = await defaultBudget;
    if (closed || raised !== undefined || budget === undefined) return;
    raised = budget;
    setFlagsFromString(`--interrupt-budget=${PATIENCE * budget}`);
  };
  return {
    run: (task: Task) => (pool.run(task) as Promise<Result>).finally(raise),
    close: async () => {
      closed = true;
      try {
        await pool.destroy();
      } finally {
        if (raised !== undefined) setFlagsFromString(`--interrupt-budget=${raised}`);
        raised = undefined;
      }
    },
  };
}

/**
 * How many times V8's default interrupt budget (bytecode run between two checks of whether a
 * function is hot enough to optimise) a pool of document threads runs with. Each thread is an
 * isolate of its own, which compiles with TurboFan whatever gets hot in it, and a batch's small
 * documents keep making new code hot for a while, then drop it (a new document's shapes undo
 * what was optimised for the last: 'wrong map'). In the 200-document batch, TurboFan's
 * background compiles took about a third of the build's CPU, three quarters of it recompiling
 * functions it had compiled before (bench/RESULTS-speed.md, session 16). Tiering up later
 * optimises what stays hot and skips what is hot only briefly. The flag is the process's (V8 has
 * no per-isolate one), read as budgets are renewed; the editions do not depend on it.
 */
const PATIENCE = 16;

/**
 * This node's V8 default interrupt budget (67,584 in Node 20's V8 11.3; other V8 versions may
 * differ), as `node --v8-options` prints it: the value the pool sets back. Undefined when it
 * cannot be read, and then the budget is left alone.
 */
async function v8DefaultInterruptBudget(): Promise<number | undefined> {
  // Loaded here: a build that starts no pool starts no child either (child_process loads net and dgram).
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile(process.execPath, ['--v8-options'], { timeout: 10_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => {
      const budget = error ? undefined : /default: --interrupt-budget=(\d+)/.exec(stdout)?.[1];
      resolve(budget === undefined ? undefined : Number(budget));
    });
  });
}

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
