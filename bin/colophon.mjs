#!/usr/bin/env node
// Starts Colophon's CLI the fastest way at hand, through V8's code cache (bin/bundle.mjs says why):
// - installed as a package: the bundle that `npm pack` built (bin/lib/bundle/), with its code cache
//   in the installing project's node_modules/.cache/colophon/ (else the user's cache folder);
// - in a clone: the bundle that `npm ci` made when it is newer than every source file, else the
//   TypeScript sources directly, through tsx.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { constants, homedir, tmpdir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
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
  const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
  // The build's worker threads load the same bundle through the same cache (bin/bundle.mjs writes their worker.js).
  if (cacheFile) process.env.COLOPHON_CODE_CACHE = cacheFile;
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, folder);
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
  return { main: module.exports.main, saveCache };
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
  return { main, saveCache: () => {} };
}

/**
 * A watch session rebuilds the same large trees again and again, and a young generation of 64 MB
 * halves its collection pauses (bench/RESULTS-incremental.md). V8 takes that size only when node
 * starts, so the launcher starts node again with it. The session runs in a process group of its
 * own, so that a Ctrl-C reaches it once, forwarded from here, not twice (once from the terminal).
 */
function watchWithLargerYoungGeneration(args) {
  const child = spawn(process.execPath, ['--max-semi-space-size=64', ...process.execArgv, fileURLToPath(import.meta.url), ...args], {
    stdio: 'inherit',
    detached: true,
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 0)));
}

const args = process.argv.slice(2);
if ((args.includes('--watch') || args.includes('-w')) && !process.execArgv.some((flag) => flag.startsWith('--max-semi-space-size'))) {
  watchWithLargerYoungGeneration(args);
} else {
  const { main, saveCache } = await start();
  process.exitCode = await main(args);
  saveCache();
}
