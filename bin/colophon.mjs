#!/usr/bin/env node
// Runs the bundle that `npm ci` made (bin/bundle.mjs) when it is newer than every source file;
// otherwise the TypeScript sources directly, through tsx.
import { readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'node_modules', '.cache', 'colophon', 'bundle');

function newestSource() {
  let newest = statSync(join(root, 'package-lock.json')).mtimeMs;
  for (const entry of readdirSync(join(root, 'pipeline'), { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

let stamp = 0;
try {
  stamp = statSync(join(bundle, 'stamp')).mtimeMs;
} catch {}

let main;
if (stamp > 0 && stamp >= newestSource()) {
  ({ main } = await import(join(bundle, 'cli.js')));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../pipeline/cli.ts'));
}
process.exitCode = await main(process.argv.slice(2));
