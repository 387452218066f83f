#!/usr/bin/env node
// Runs the bundle that `npm ci` made (bin/bundle.mjs) when it is newer than every source file,
// with V8's code cache; otherwise the TypeScript sources directly, through tsx.
import { readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'node_modules', '.cache', 'colophon', 'bundle');

function newestSource() {
  let newest = statSync(join(root, 'package-lock.json')).mtimeMs;
  for (const entry of readdirSync(join(root, 'pipeline'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

/** Load the CommonJS bundle through vm.Script, with the code V8 compiled last time. */
function loadBundle() {
  const file = join(bundle, 'cli.cjs');
  const cacheFile = join(bundle, 'cli.cjs.v8-cache');
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {}
  const script = new Script(Module.wrap(readFileSync(file, 'utf8')), { filename: file, cachedData });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, bundle);
  const saveCache = () => {
    // The install's warm-up build (bin/bundle.mjs) writes the cache with every edition's code;
    // a run writes it again only when there is none or V8 rejected it (another Node.js).
    if (cachedData && !script.cachedDataRejected) return;
    const temporary = `${cacheFile}.${process.pid}.tmp`;
    try {
      writeFileSync(temporary, script.createCachedData());
      renameSync(temporary, cacheFile);
    } catch {}
  };
  return { main: module.exports.main, saveCache };
}

let stamp = 0;
try {
  stamp = statSync(join(bundle, 'stamp')).mtimeMs;
} catch {}

// The benchmark pins the bundle it built, so that an edit during a long run cannot switch it to tsx.
if (stamp > 0 && (process.env.COLOPHON_PIN_BUNDLE === '1' || stamp >= newestSource())) {
  const { main, saveCache } = loadBundle();
  process.exitCode = await main(process.argv.slice(2));
  saveCache();
} else {
  const { register } = await import('tsx/esm/api');
  register();
  const { main } = await import('../pipeline/cli/cli.ts');
  process.exitCode = await main(process.argv.slice(2));
}
