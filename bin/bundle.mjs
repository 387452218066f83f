#!/usr/bin/env node
// Bundles the CLI into node_modules/.cache/colophon/bundle/ (run by `npm ci` through `prepare`).
// Node 20 cannot run TypeScript itself; loading the sources through tsx costs about half a second
// at every start. The bundle is one CommonJS file, so bin/colophon.mjs can keep V8's code cache
// for it (Node 20 has no compile cache for ES modules). bin/colophon.mjs falls back to the
// sources whenever they are newer than the bundle, so a stale bundle is never run.
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = join(root, 'node_modules', '.cache', 'colophon', 'bundle');
rmSync(outdir, { recursive: true, force: true });
const common = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node20',
  // Packages that read their own files at run time stay where npm put them.
  external: ['pdfkit', 'fontkit', 'svg-to-pdfkit', 'epub-gen-memory', 'hyphen', 'jszip', 'tinypool'],
  logLevel: 'warning',
  legalComments: 'none',
};
await build({
  ...common,
  entryPoints: [join(root, 'pipeline', 'cli.ts')],
  outfile: join(outdir, 'cli.cjs'),
  format: 'cjs',
  // vm.Script (used for the code cache) cannot import(): external packages are require()d
  // (Node ≥ 20.19 requires ES modules such as tinypool too).
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__colophonUrl' },
  banner: { js: "const __colophonUrl = require('node:url').pathToFileURL(__filename).href;" },
});
await build({
  ...common,
  entryPoints: { worker: join(root, 'pipeline', 'worker.ts'), 'parse-worker': join(root, 'pipeline', 'parse-worker.ts') },
  outdir,
  format: 'esm',
  banner: { js: "import { createRequire as __colophonRequire } from 'node:module'; const require = __colophonRequire(import.meta.url);" },
});
// The stamp is written last: a bundle without one (an interrupted build) is never used.
writeFileSync(join(outdir, 'stamp'), '');
