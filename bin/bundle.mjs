#!/usr/bin/env node
// Bundles the CLI into node_modules/.cache/colophon/bundle/ (run by `npm ci` through `prepare`).
// Node 20 cannot run TypeScript itself; loading the sources through tsx costs about half a second
// at every start, the bundle a fraction of that. bin/colophon.mjs falls back to the sources
// whenever they are newer than the bundle, so a stale bundle is never run.
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'node_modules', '.cache', 'colophon', 'bundle');
rmSync(outdir, { recursive: true, force: true });
await build({
  entryPoints: { cli: join(root, 'pipeline', 'cli.ts'), worker: join(root, 'pipeline', 'worker.ts') },
  outdir,
  bundle: true,
  splitting: true,
  minify: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Packages that read their own data files at run time stay where npm put them.
  external: ['pdfkit', 'fontkit', 'svg-to-pdfkit', 'epub-gen-memory', 'hyphen', 'jszip', 'tinypool'],
  banner: { js: "import { createRequire as __colophonRequire } from 'node:module'; const require = __colophonRequire(import.meta.url);" },
  logLevel: 'warning',
  legalComments: 'none',
});
// The stamp is written last: a bundle without one (an interrupted build) is never used.
writeFileSync(join(outdir, 'stamp'), '');
