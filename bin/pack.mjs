#!/usr/bin/env node
// `npm pack` / `npm publish` (prepack): compile what the package ships into bin/lib/, which git
// ignores. bin/lib/*.js and *.d.ts are the library (`import { build } from 'colophon'`); bin/lib/bundle/
// is the CLI as one code-cached file (bin/bundle.mjs), so an installed Colophon starts as fast as
// a clone. A project that installs Colophon runs neither TypeScript nor esbuild.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lib = join(root, 'bin', 'lib');
rmSync(lib, { recursive: true, force: true });

const run = (args) => {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
// --no-check (test/package.test.ts): emit only, byte for byte the same files, at half tsc's cost;
// the type check of these sources is `npm test`'s own `tsc --noEmit`. A real pack checks too.
const noCheck = process.argv.includes('--no-check') ? ['--noCheck'] : [];
run([createRequire(import.meta.url).resolve('typescript/bin/tsc'), '-p', join(root, 'bin', 'tsconfig.pack.json'), ...noCheck]);

// tsc rewrites `./x.ts` to `./x.js` in the JavaScript but not in the declarations.
for (const entry of readdirSync(lib, { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
  const path = join(entry.parentPath ?? entry.path, entry.name);
  const text = readFileSync(path, 'utf8');
  const fixed = text.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1$2.js$3');
  if (fixed !== text) writeFileSync(path, fixed);
}

run([join(root, 'bin', 'bundle.mjs'), '--pack']);
