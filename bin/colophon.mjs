#!/usr/bin/env node
// Starts Colophon's CLI the fastest way at hand, through V8's code cache (bin/bundle.mjs says why):
// - installed as a package: the bundle that `npm pack` built (bin/lib/bundle/), with its code cache
//   in the installing project's node_modules/.cache/colophon/ (else the user's cache folder);
// - in a clone: the bundle that `npm ci` made when it is newer than every source file, else the
//   TypeScript sources directly, through tsx.
import { isAscii } from 'node:buffer';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { availableParallelism, constants, homedir, tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Script } from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const clone = existsSync(join(root, 'pipeline'));

function newestSource() {
  let newest = statSync(join(root, 'package-lock.json')).mtimeMs;
  for (const entry of readdirSync(join(root, 'pipeline'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * Where an installed Colophon keeps its code cache: the cache folder of the project that installed
 * it (node_modules/.cache/colophon/, as Babel and others do), else $XDG_CACHE_HOME or ~/.cache, else
 * the temporary folder: the first that can be written. The file's name carries Colophon's version,
 * the bundle's size and Node's version, so another Node.js (or Colophon) writes a fresh one.
 */
function installedCacheFile(bundleFile) {
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const name = `cli-${version}-${statSync(bundleFile).size}-node${process.version}-${process.arch}.v8-cache`;
  const marker = `${sep}node_modules${sep}`;
  const folders = [
    process.env.COLOPHON_CACHE_DIR,
    root.includes(marker) ? join(root.slice(0, root.indexOf(marker) + marker.length), '.cache', 'colophon') : undefined,
    join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'colophon'),
    join(tmpdir(), `colophon-${process.getuid?.() ?? 'user'}`),
  ];
  for (const folder of folders) {
    if (!folder) continue;
    if (existsSync(join(folder, name))) return join(folder, name);
    try {
      mkdirSync(folder, { recursive: true });
      const probe = join(folder, `.probe-${process.pid}`);
      writeFileSync(probe, '');
      rmSync(probe);
      return join(folder, name);
    } catch {
      // Not writable (a global install, a read-only tree): try the next.
    }
  }
  return undefined;
}

/** Load the CommonJS bundle through vm.Script, with the code V8 compiled last time. */
function loadBundle(folder, cacheFile) {
  const file = join(folder, 'cli.cjs');
  let cachedData;
  try {
    if (cacheFile) cachedData = readFileSync(cacheFile);
  } catch {}
  // bin/bundle.mjs writes the bundle in ASCII, read as latin1: a plain copy, not a UTF-8 decode.
  const bytes = readFileSync(file);
  const script = new Script(Module.wrap(bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8')), { filename: file, cachedData });
  // The build's worker threads load the same bundle through the same cache (bin/bundle.mjs writes their worker.js).
  if (cacheFile) process.env.COLOPHON_CODE_CACHE = cacheFile;
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, folder);
  // Accepted, the cache is not written again (below): flags set from now on cannot spoil it.
  const cacheAccepted = cachedData !== undefined && !script.cachedDataRejected;
  const saveCache = () => {
    // A clone's install warm-up (bin/bundle.mjs) writes the cache with every edition's code; an
    // installed package's first run writes it. It is written again only when V8 rejected it.
    if (!cacheFile || (cachedData && !script.cachedDataRejected)) return;
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, script.createCachedData());
      renameSync(temporary, cacheFile);
      if (!clone) {
        // Caches for another Node.js or an older Colophon are of no further use.
        const current = cacheFile.slice(dirname(cacheFile).length + 1);
        for (const name of readdirSync(dirname(cacheFile))) if (/^cli-.*\.v8-cache$/.test(name) && name !== current) rmSync(join(dirname(cacheFile), name), { force: true });
      }
    } catch {}
  };
  return { main: module.exports.main, saveCache, cacheAccepted };
}

async function start() {
  if (!clone) {
    const folder = join(root, 'bin', 'lib', 'bundle');
    return loadBundle(folder, installedCacheFile(join(folder, 'cli.cjs')));
  }
  const folder = join(root, 'node_modules', '.cache', 'colophon', 'bundle');
  let stamp = 0;
  try {
    stamp = statSync(join(folder, 'stamp')).mtimeMs;
  } catch {}
  // The benchmark pins the bundle it built, so that an edit during a long run cannot switch it to tsx.
  if (stamp > 0 && (process.env.COLOPHON_PIN_BUNDLE === '1' || stamp >= newestSource())) return loadBundle(folder, join(folder, 'cli.cjs.v8-cache'));
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../pipeline/cli/cli.ts');
  return { main, saveCache: () => {}, cacheAccepted: false };
}

/**
 * Start node again as this process's only child, with extra flags or environment that take effect
 * only when a process starts; its exit is this process's. The child runs in a process group of its
 * own, so that a Ctrl-C reaches it once, forwarded from here, not twice (once from the terminal).
 */
function relaunch(args, { nodeFlags = [], env = process.env } = {}) {
  // Loaded here, not at the top: most runs start no child, and child_process loads net and dgram.
  const { spawn } = createRequire(import.meta.url)('node:child_process');
  const child = spawn(process.execPath, [...nodeFlags, ...process.execArgv, fileURLToPath(import.meta.url), ...args], { stdio: 'inherit', detached: true, env });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
}

/**
 * A watch session rebuilds the same large trees again and again, and a young generation of 64 MB
 * halves its collection pauses (bench/RESULTS-incremental.md). V8 takes that size only when node
 * starts.
 */
const WATCH_NODE_FLAGS = ['--max-semi-space-size=64'];

/**
 * glibc's malloc settings for a build of long inputs (Linux). Node allocates every ArrayBuffer
 * and Buffer (a book's packed chapters, the zlib output, an edition's bytes) with malloc, and so
 * does V8 for its own work. glibc serves a freed chunk of up to 32 MB from its arenas after it
 * once freed one that large (the dynamic mmap threshold), and gives each thread (workers, V8's
 * own) an arena of its own: the memory the long-lived chunks pin between freed ones stays
 * resident. A fixed threshold of 128 KB maps each larger chunk on its own and returns it when
 * freed, and two arenas bound the rest (bench/RESULTS-memory.md, session 13: the 10 MB book's
 * build held 60-90 MB less at every stage). glibc reads them when the process starts, so the
 * launcher starts node again with them; settings the user gave win, and small inputs do not pay
 * the second start.
 */
const MALLOC_SETTINGS = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '131072' };
/** A build's inputs from this much Markdown on (a long book renders on its own thread from 2 MB: build.ts). */
const LARGE_INPUT_BYTES = 2_000_000;

/** Whether the paths named on the command line (else source/) hold at least LARGE_INPUT_BYTES of Markdown. */
function largeInputs(args) {
  const named = args.slice(1).filter((arg) => !arg.startsWith('-') && existsSync(arg));
  let bytes = 0;
  let visited = 0;
  const walk = (path) => {
    if (bytes >= LARGE_INPUT_BYTES || visited++ > 20_000) return;
    let entry;
    try {
      entry = statSync(path);
    } catch {
      return;
    }
    if (entry.isFile()) bytes += /\.(md|markdown)$/i.test(path) ? entry.size : 0;
    else if (entry.isDirectory()) for (const name of readdirSync(path)) if (name !== 'node_modules' && !name.startsWith('.')) walk(join(path, name));
  };
  for (const path of named.length > 0 ? named : ['source']) walk(path);
  return bytes >= LARGE_INPUT_BYTES;
}

/**
 * V8 optimises a function with TurboFan, on threads of its own, once enough bytecode has run in
 * it (the interrupt budget). In a cold build of one document most of that code never pays back
 * its compiles: they were 45% of the seed's instructions (callgrind: 1.9 of 4.2 G, on V8's
 * platform threads), and on two cores they took the main thread's time; the 1 MB document's
 * three editions took 23% less CPU without them (bench/RESULTS-speed.md, session 21). With a
 * budget sixteen times Node 20's default, as the build's pool of document threads runs
 * (pipeline/build/pool.ts), only what stays hot is optimised. Set once the bundle has loaded
 * through its code cache, and only when V8 accepted it: the cache carries a hash of V8's flags,
 * so a cache written after the change (a first run writes one) would be rejected by every later
 * run, as would the one on disk by a thread started after it. One document starts none (no pool
 * for one document, no parse threads or bounded thread for a book under 2 MB) but its PDF's
 * thread, from 50,000 characters on three cores or more (build.ts). The editions do not depend
 * on it; a budget given to node is left alone.
 */
const PATIENT_INTERRUPT_BUDGET = 16 * 67_584;
/** From this much Markdown on, a document may render its PDF on a thread of its own, given three cores or more (build.ts). */
const PDF_THREAD_BYTES = 50_000;

/** Whether the paths named on the command line (else source/) hold one Markdown file at most, which starts no thread (see PATIENT_INTERRUPT_BUDGET). */
function oneDocumentInLine(args) {
  const most = availableParallelism() > 2 ? PDF_THREAD_BYTES : LARGE_INPUT_BYTES;
  const named = args.slice(1).filter((arg) => !arg.startsWith('-') && existsSync(arg));
  let files = 0;
  let bytes = 0;
  let visited = 0;
  const walk = (path) => {
    if (files > 1 || bytes >= most || visited++ > 1_000) return;
    let entry;
    try {
      entry = statSync(path);
    } catch {
      return;
    }
    if (entry.isFile() && /\.(md|markdown)$/i.test(path)) {
      files++;
      bytes += entry.size;
    } else if (entry.isDirectory()) for (const name of readdirSync(path)) if (name !== 'node_modules' && !name.startsWith('.')) walk(join(path, name));
  };
  for (const path of named.length > 0 ? named : ['source']) walk(path);
  return files <= 1 && bytes < most && visited <= 1_000;
}

const args = process.argv.slice(2);
const watching = args.includes('--watch') || args.includes('-w');
if (watching && !process.execArgv.some((flag) => flag.startsWith('--max-semi-space-size'))) {
  relaunch(args, { nodeFlags: WATCH_NODE_FLAGS });
} else if (!watching && process.platform === 'linux' && (args[0] === 'build' || args[0] === 'check') && !Object.keys(MALLOC_SETTINGS).some((name) => name in process.env) && largeInputs(args)) {
  relaunch(args, { env: { ...process.env, ...MALLOC_SETTINGS } });
} else {
  const { main, saveCache, cacheAccepted } = await start();
  const budgetGiven = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].some((flag) => /^--interrupt[-_]budget\b/.test(flag));
  if (cacheAccepted && !watching && !budgetGiven && (args[0] === 'build' || args[0] === 'check') && oneDocumentInLine(args)) setFlagsFromString(`--interrupt-budget=${PATIENT_INTERRUPT_BUDGET}`);
  process.exitCode = await main(args);
  saveCache();
}
