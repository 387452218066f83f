#!/usr/bin/env node
// Bundles the CLI into node_modules/.cache/colophon/bundle/ (run by `npm ci` through `prepare`),
// or, with --pack, into bin/lib/bundle/ for the published package (run by bin/pack.mjs).
// Node 20 cannot run TypeScript itself; loading the sources through tsx costs about half a second
// at every start. The bundle is one CommonJS file holding Colophon and every package it uses
// (pdfkit, fontkit, epub-gen-memory, jszip…), so bin/colophon.mjs can load it all through V8's
// code cache: Node 20 has no compile cache for ES modules or for packages loaded by require().
// A warm-up build of bin/warm-up.md then fills that cache with the functions each edition runs.
// bin/colophon.mjs falls back to the sources whenever they are newer than the bundle, so a
// stale bundle is never run.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pack = process.argv.includes('--pack');
const outdir = pack ? join(root, 'bin', 'lib', 'bundle') : join(root, 'node_modules', '.cache', 'colophon', 'bundle');
rmSync(outdir, { recursive: true, force: true });

/**
 * Packages that find their own files through `import.meta.url` (pdfkit: its ICC profile for
 * PDF/A, its standard-font loaders) still find them once bundled: each use becomes the package
 * file's place, found at run time by Node's own package lookup from the bundle, so it holds in
 * a clone, in a moved project and in a project that installed Colophon (where npm may hoist the
 * package elsewhere). (No bundled package reads files through `__dirname` at run time.)
 */
const ownLocation = {
  name: 'own-location',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]node_modules[\\/].*\.(c?js|mjs)$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (!text.includes('import.meta.url')) return undefined;
      return {
        contents: text.replaceAll('import.meta.url', `__colophonFileUrl(${JSON.stringify(packagePath(args.path))})`),
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
};

/**
 * epub-gen-memory downloads `http(s)` images and reads `file://` ones through its `fetchable`
 * module. Colophon resolves every image itself and never hands it a URL; this stub makes that
 * structural (no network code is even loaded) and fails loudly should that ever change.
 */
const noEpubFetch = {
  name: 'no-epub-fetch',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/fetchable$/ }, (args) => (/epub-gen-memory/.test(args.importer) ? { path: 'fetchable', namespace: 'colophon-stub' } : undefined));
    builder.onLoad({ filter: /^fetchable$/, namespace: 'colophon-stub' }, () => ({
      contents: "exports.type = 'nodebuffer'; exports.default = async (url) => { throw new Error('Colophon never lets epub-gen-memory fetch ' + url); };",
      loader: 'js',
    }));
    builder.onLoad({ filter: /^html-parse$/, namespace: 'colophon-stub' }, () => ({
      contents: "exports.fixHTML = (index, html) => { if (html !== '') throw new Error('Colophon never gives epub-gen-memory chapter content to normalise'); return ''; };",
      loader: 'js',
    }));
  },
};

/**
 * epub-gen-memory passes each chapter's `content` through its normaliser (htmlparser2, css-select,
 * dom-serializer), whose import alone cost every EPUB about 20 ms. Colophon's chapters always
 * have empty `content` (writers/epub/package.ts says why; our template prints our own XHTML),
 * which the normaliser turns into the empty string: the stub does the same, and fails loudly
 * should content ever be given.
 */
const noEpubNormaliser = {
  name: 'no-epub-normaliser',
  setup(builder) {
    builder.onResolve({ filter: /^\.\/html-parse$/ }, (args) => (/epub-gen-memory/.test(args.importer) ? { path: 'html-parse', namespace: 'colophon-stub' } : undefined));
  },
};

/**
 * tiny-inflate decompresses DEFLATE data in JavaScript. unicode-properties, fontkit and linebreak
 * each build a Unicode table from compressed data when they are imported, and inflating those
 * cost every PDF about 50 ms of start-up. In the bundle the same function runs on Node's zlib;
 * DEFLATE decodes to one output only, so the tables are the same bytes. Should zlib refuse a
 * stream, tiny-inflate itself decodes it: whatever it accepted before is decoded as before.
 */
const nativeInflate = {
  name: 'native-inflate',
  setup(builder) {
    builder.onResolve({ filter: /^tiny-inflate$/ }, (args) => (args.namespace === 'colophon-inflate' ? undefined : { path: 'tiny-inflate', namespace: 'colophon-inflate', pluginData: args.resolveDir }));
    builder.onLoad({ filter: /.*/, namespace: 'colophon-inflate' }, (args) => ({
      contents: [
        "const { inflateRawSync } = require('node:zlib');",
        "const javascriptInflate = require('tiny-inflate');",
        // tiny-inflate's contract: decode `source` into `dest`; return `dest`, or a copy of the part written when the output is shorter.
        'module.exports = function inflate(source, dest) {',
        '  let out;',
        '  try { out = inflateRawSync(source); } catch { return javascriptInflate(source, dest); }',
        '  dest.set(out.length > dest.length ? out.subarray(0, dest.length) : out);',
        '  return out.length < dest.length ? dest.slice(0, out.length) : dest;',
        '};',
      ].join('\n'),
      loader: 'js',
      resolveDir: args.pluginData,
    }));
  },
};

/**
 * pdfkit imports AES (`cbc`, `ecb`) from @noble/ciphers for encrypted PDFs, and that module
 * builds its tables when it is loaded: about 15 ms of every PDF's start-up, for PDFs that are
 * never encrypted. pdfkit only calls the two functions, so here it gets two that load the module
 * on their first call and pass everything on: the same functions, run only when needed.
 */
const lazyAes = {
  name: 'lazy-aes',
  setup(builder) {
    builder.onResolve({ filter: /^@noble\/ciphers\/aes$/ }, (args) =>
      args.namespace === 'colophon-lazy' || !/[\\/]pdfkit[\\/]/.test(args.importer) ? undefined : { path: '@noble/ciphers/aes', namespace: 'colophon-lazy', pluginData: args.resolveDir },
    );
    builder.onLoad({ filter: /.*/, namespace: 'colophon-lazy' }, (args) => ({
      contents: [
        'let aes;',
        "const load = () => (aes ??= require('@noble/ciphers/aes'));",
        'export function cbc(...args) { return load().cbc(...args); }',
        'export function ecb(...args) { return load().ecb(...args); }',
      ].join('\n'),
      loader: 'js',
      resolveDir: args.pluginData,
    }));
  },
};

/**
 * commander loads child_process when it is imported, for subcommands that run other programs,
 * which Colophon has none of; with it come net, dgram and the rest (about a millisecond of every
 * start). It calls only `spawn`, so here it gets a `spawn` that loads the module on its first
 * call. Should commander's text change, it is left as it is.
 */
const COMMANDER_CHILD_PROCESS = "const childProcess = require('node:child_process');";
const lazyCommanderChildProcess = {
  name: 'lazy-commander-child-process',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (text.split(COMMANDER_CHILD_PROCESS).length !== 2 || text.split('childProcess.').length - 1 !== text.split('childProcess.spawn(').length - 1) return undefined;
      const lazy = "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
      return { contents: text.replace(COMMANDER_CHILD_PROCESS, lazy), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/**
 * The code the bundle is built from, hashed once here rather than at every start (the build's
 * cache key, pipeline/build/cache.ts `colophonFingerprint`): package-lock.json and every file
 * under pipeline/, by path and bytes.
 */
function codeDigest() {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(root, 'package-lock.json')));
  const files = readdirSync(join(root, 'pipeline'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
  for (const file of files) hash.update(relative(root, file)).update(readFileSync(file));
  return hash.digest('hex');
}

/**
 * restructure (fontkit's table decoder) gives every struct it decodes four hidden properties in
 * one `Object.defineProperties` call, which V8 runs in C++ with a descriptor object per property:
 * 4.6% of the seed's main thread (callgrind), a few thousand structs of the faces' GSUB, GPOS,
 * cmap and glyph tables. Four `Object.defineProperty` calls in the same order make the same
 * object (the same properties, order and attributes) for about a fifth fewer instructions. Should
 * restructure's text change, it is left as it is.
 */
const STRUCT_SETUP = `    Object.defineProperties(res, {
      parent:         { value: parent },
      _startOffset:   { value: stream.pos },
      _currentOffset: { value: 0, writable: true },
      _length:        { value: length }
    });`;
const fasterStructSetup = {
  name: 'faster-struct-setup',
  setup(builder) {
    builder.onLoad({ filter: /[\\/]restructure[\\/]src[\\/]Struct\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      if (text.split(STRUCT_SETUP).length !== 2) return undefined;
      const four = [
        "    Object.defineProperty(res, 'parent', { value: parent });",
        "    Object.defineProperty(res, '_startOffset', { value: stream.pos });",
        "    Object.defineProperty(res, '_currentOffset', { value: 0, writable: true });",
        "    Object.defineProperty(res, '_length', { value: length });",
      ].join('\n');
      return { contents: text.replace(STRUCT_SETUP, four), loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

/** `…/node_modules/pdfkit/js/pdfkit.mjs` → `pdfkit/js/pdfkit.mjs` (the part below the last node_modules). */
function packagePath(path) {
  const parts = relative(root, path).split(/[\\/]/);
  return parts.slice(parts.lastIndexOf('node_modules') + 1).join('/');
}

// --profile: identifiers kept and a source map beside the bundle, for `node --cpu-prof` (bench/RESULTS-speed.md).
const profile = process.argv.includes('--profile');
const common = {
  bundle: true,
  minify: !profile,
  ...(profile ? { sourcemap: 'linked' } : {}),
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
};
await build({
  ...common,
  // The CLI, and what a worker thread of the build runs: the pool's workers load this same file
  // through the same code cache (worker.js, below), instead of compiling their own copy of every package.
  stdin: {
    contents: "export { main } from './pipeline/cli/cli.ts'; export { startWorkerThread } from './pipeline/build/worker-thread.ts';",
    resolveDir: root,
    sourcefile: 'colophon-cli.ts',
    loader: 'ts',
  },
  outfile: join(outdir, 'cli.cjs'),
  format: 'cjs',
  // tinypool starts its workers from its own files, so it stays where npm put it.
  external: ['tinypool'],
  plugins: [ownLocation, noEpubFetch, noEpubNormaliser, nativeInflate, lazyAes, lazyCommanderChildProcess, fasterStructSetup],
  // vm.Script (used for the code cache) cannot import(): external packages are require()d
  // (Node ≥ 20.19 requires ES modules such as tinypool too).
  supported: { 'dynamic-import': false },
  define: { 'import.meta.url': '__colophonUrl', __COLOPHON_CODE_DIGEST__: JSON.stringify(codeDigest()) },
  banner: {
    js: [
      "const __colophonUrl = require('node:url').pathToFileURL(__filename).href;",
      // The first node_modules folder, from the bundle up, that holds the package file.
      "const __colophonFileUrl = (path) => { const { existsSync } = require('node:fs'), { join } = require('node:path'); const folder = require.resolve.paths(path.split('/')[0]).find((candidate) => existsSync(join(candidate, path))); return require('node:url').pathToFileURL(join(folder ?? __dirname, path)).href; };",
    ].join('\n'),
  },
});
/**
 * esbuild writes every non-ASCII character as an escape, except in regular expression literals
 * (the quote, dash and unit signs of our transforms, the CJK punctuation of the PDF writer).
 * One such character makes Node decode the whole 2.7 MB bundle as UTF-8 into a two-byte string
 * at every start (about 12 ms of CPU); pure ASCII is read as latin1, a plain copy, into a
 * one-byte string (about 2 ms). Inside a regular expression literal, `\uXXXX` stands for the
 * same UTF-16 code unit, with or without the `u` flag (a surrogate pair of escapes is one code
 * point under `u`), so each code unit becomes its escape. A character after a backslash (an
 * identity escape, which the escape would break) leaves the bundle as it was: it still loads,
 * as UTF-8.
 */
function escapeToAscii(file) {
  const text = readFileSync(file, 'utf8');
  let out = '';
  let copied = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x80) continue;
    if (text[index - 1] === '\\') return;
    out += `${text.slice(copied, index)}\\u${code.toString(16).padStart(4, '0')}`;
    copied = index + 1;
  }
  if (copied > 0) writeFileSync(file, out + text.slice(copied));
}
escapeToAscii(join(outdir, 'cli.cjs'));

// A worker thread of the build pool (tinypool's contract: an ES module whose default export runs a
// task) loads cli.cjs through the code cache that bin/colophon.mjs names in COLOPHON_CODE_CACHE:
// compiling pdfkit, fontkit and the rest afresh cost each worker about a second of CPU.
writeFileSync(
  join(outdir, 'worker.js'),
  `// Written by bin/bundle.mjs: a worker thread of the build, from the CLI bundle and its code cache.
import { isAscii } from 'node:buffer';
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';

const file = fileURLToPath(new URL('./cli.cjs', import.meta.url));
let cachedData;
try {
  if (process.env.COLOPHON_CODE_CACHE) cachedData = readFileSync(process.env.COLOPHON_CODE_CACHE);
} catch {}
// ASCII (as bin/bundle.mjs writes it) is read as latin1: a plain copy, not a UTF-8 decode.
const bytes = readFileSync(file);
const script = new Script(Module.wrap(bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8')), { filename: file, cachedData });
const module = { exports: {} };
script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
export default module.exports.startWorkerThread();
`,
);
// The parse worker is small: an ES module of its own.
await build({
  ...common,
  entryPoints: { 'parse-worker': join(root, 'pipeline', 'parse', 'parse-worker.ts') },
  outdir,
  format: 'esm',
  external: ['pdfkit', 'fontkit', 'svg-to-pdfkit', 'epub-gen-memory', 'hyphen', 'jszip', 'tinypool'],
  banner: { js: "import { createRequire as __colophonRequire } from 'node:module'; const require = __colophonRequire(import.meta.url);" },
});
// The stamp is written before the warm-up, which must run the bundle (not the sources).
writeFileSync(join(outdir, 'stamp'), '');
// A packed bundle is warmed by its first run, into the installing project's cache (bin/colophon.mjs):
// V8's code cache belongs to one Node.js version, so it is never shipped.
if (pack) process.exit(0);

// Warm-up: render every edition of a small document that uses every kind of block, without
// writing anything; bin/colophon.mjs then saves V8's code cache with all it compiled.
const warmUp = spawnSync(process.execPath, [join(root, 'bin', 'colophon.mjs'), 'check', '--root', root, join(root, 'bin', 'warm-up.md')], {
  cwd: root,
  env: { ...process.env, COLOPHON_PIN_BUNDLE: '1' },
  encoding: 'utf8',
});
if (warmUp.status !== 0) {
  // A failed warm-up costs only speed; say so, but do not fail the install.
  process.stderr.write(`colophon: the warm-up build failed (exit ${warmUp.status}); the code cache will fill on first use\n${warmUp.stderr}`);
}
