import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { build, DeferredEntries, outputFolder, UsageError, type BuildInputs, type BuildOptions } from '../build/build.ts';
import { removeTemporaries } from '../build/write.ts';
import { isInside, packageRoot } from '../read/assets.ts';
import { defaultLimits } from '../read/limits.ts';
import { createReporter, REPORTERS, type ReporterName } from './reporters.ts';
import { createSharedResources } from '../build/resources.ts';
import { TREE_CACHE_BYTES } from '../build/tree-cache.ts';
import { EDITIONS, type Edition } from '../types.ts';

export { formatMessage } from './reporters.ts';

/** The only module that prints and sets the exit code. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // Editions are written into temporary files that are renamed into place once their document
  // succeeded, and a handled signal waits for the running JavaScript to yield: an interrupted
  // build removes its temporary files and never leaves a partial file behind.
  const outputs: string[] = [];
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      for (const folder of outputs) removeTemporaries(folder);
      process.stderr.write(`colophon: interrupted (${signal}); editions already written are complete, nothing partial is left\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  let exitCode = 0;
  const program = new Command('colophon')
    .description('One Markdown source in; HTML, PDF and EPUB 3 editions out.')
    .version(version(), '-v, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', '\nExamples:\n  colophon build                     every edition of source/*.md into dist/\n  colophon build notes.md -f html    one document, HTML only\n  colophon check                     validate without writing\n  colophon build --help              every option of build\n')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text), writeOut: (text) => process.stdout.write(text) });

  const common = (command: Command) =>
    command
      .argument('[paths...]', 'Markdown files, folders of them, or book folders (with a book.yaml)', ['source'])
      .option('-f, --format <list>', `editions, comma-separated (default: the project's formats, else ${EDITIONS.join(',')})`)
      .option('--strict', 'treat warnings as errors')
      .addOption(new Option('--papersize <size>', 'paper size for the PDF edition').choices(['a4', 'a5', 'letter']))
      .addOption(new Option('--encoding <name>', 'source encoding').choices(['utf8', 'latin1']).default('utf8'))
      .option('--root <dir>', "project root: nothing outside it is read (default: the working folder, or the input's own folder when it lies outside)")
      .option('--max-nesting <levels>', `deepest nesting of quotes and lists (default ${defaultLimits.maxNesting})`, positiveInteger)
      .option('--max-input-size <megabytes>', `largest source, in MB (default ${defaultLimits.maxInputBytes / 1024 / 1024})`, positiveInteger)
      .option('--allow-remote', 'fetch remote images (http/https only, 10 s and 20 MB at most, never internal addresses)')
      .option('-j, --jobs <n>', 'worker threads for many documents (default: the number of cores)', positiveInteger)
      .option('--shard <i/n>', 'build only the i-th of n deterministic shards of the documents', parseShard)
      .addOption(new Option('--reporter <name>', 'how to report').choices([...REPORTERS]).default('human'));

  common(program.command('build').description('build the editions (default: every edition of source/ into dist/)'))
    .option('-o, --out <dir>', "output folder (default: the project's out, else dist under the root)")
    .option('--force', 'rebuild even editions whose inputs did not change')
    .option('-w, --watch', 'rebuild when a source, asset or template changes')
    .action(async (paths: string[], options) => {
      const buildOptions = toBuildOptions(paths, options);
      if (options.watch) {
        const { watch } = await import('./watch.ts');
        // Rebuilds keep the fonts and trees they parsed: an edit costs the parse of what changed.
        // Its edition-cache entries are written when it stops: the last of each document (build.ts DeferredEntries).
        const watching = { ...buildOptions, shared: createSharedResources({ treeMemoryBytes: TREE_CACHE_BYTES }), deferredEntries: new DeferredEntries() };
        try {
          exitCode = await watch(watching, (text) => process.stderr.write(text), async () => (await run(watching, options.reporter)).inputs);
        } finally {
          watching.deferredEntries.flush();
        }
        return;
      }
      try {
        outputs.push(outputFolder(buildOptions));
      } catch {
        // A project file the build refuses: it says why, before anything is written.
      }
      exitCode = (await run(buildOptions, options.reporter)).exitCode;
    });

  common(program.command('check').description('validate sources and render every edition without writing anything'))
    .action(async (paths: string[], options) => {
      exitCode = (await run({ ...toBuildOptions(paths, options), dryRun: true }, options.reporter)).exitCode;
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      process.stderr.write(error.positioned ? `${error.message}\n` : `colophon: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  return exitCode;
}

interface CommandOptions {
  format?: string;
  strict?: boolean;
  papersize?: BuildOptions['papersize'];
  encoding: 'utf8' | 'latin1';
  root?: string;
  out?: string;
  maxNesting?: number;
  maxInputSize?: number;
  jobs?: number;
  shard?: { index: number; count: number };
  force?: boolean;
  allowRemote?: boolean;
}

function toBuildOptions(paths: string[], options: CommandOptions): BuildOptions {
  // Every path on the command line is relative to the working directory.
  const absolute = paths.map((path) => resolve(path));
  return {
    paths: absolute,
    root: options.root === undefined ? defaultRoot(absolute) : resolve(options.root),
    out: options.out === undefined ? undefined : resolve(options.out),
    formats: options.format === undefined ? undefined : parseFormats(options.format),
    defaultFormats: [...EDITIONS],
    strict: Boolean(options.strict),
    papersize: options.papersize,
    encoding: options.encoding,
    force: options.force,
    jobs: options.jobs,
    shard: options.shard,
    allowRemote: options.allowRemote,
    limits: {
      ...(options.maxNesting ? { maxNesting: options.maxNesting } : {}),
      ...(options.maxInputSize ? { maxInputBytes: options.maxInputSize * 1024 * 1024 } : {}),
    },
  };
}

async function run(options: BuildOptions, reporterName: ReporterName): Promise<{ exitCode: number; inputs: BuildInputs }> {
  const reporter = createReporter(reporterName, options.dryRun);
  const started = performance.now();
  let done = 0;
  const tty = process.stderr.isTTY && reporterName === 'human';
  const result = await build({
    ...options,
    onDocument(document) {
      done++;
      const { stdout, stderr } = reporter.document(document);
      if (tty) process.stderr.write(`[${done}] ${document.source} (${Math.round(document.ms)} ms)\n`);
      if (stderr) process.stderr.write(stderr);
      if (stdout) process.stdout.write(stdout);
    },
  });
  const { stdout, stderr } = reporter.summary(result, performance.now() - started);
  if (stderr) process.stderr.write(stderr);
  if (stdout) process.stdout.write(stdout);
  return { exitCode: result.ok ? 0 : 1, inputs: result.inputs };
}

/**
 * The working folder, unless an input lies outside it: then, as Typst does, the input's own folder
 * (for several inputs, the folder that holds them all). `--root` sets it explicitly.
 */
function defaultRoot(paths: string[]): string {
  const cwd = process.cwd();
  if (paths.every((path) => isInside(cwd, path))) return cwd;
  const folders = paths.map((path) => (isInside(cwd, path) ? cwd : isFolder(path) ? path : dirname(path)));
  return folders.reduce(commonFolder);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function commonFolder(a: string, b: string): string {
  const left = a.split(sep);
  const right = b.split(sep);
  let same = 0;
  while (same < left.length && same < right.length && left[same] === right[same]) same++;
  return left.slice(0, same).join(sep) || sep;
}

function version(): string {
  return (JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }).version;
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new UsageError(`expected a positive whole number, got "${value}"`);
  return number;
}

function parseShard(value: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(value);
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  if (!match || count < 1 || index < 1 || index > count) throw new UsageError(`--shard takes I/N with 1 ≤ I ≤ N, got "${value}"`);
  return { index, count };
}

function parseFormats(value: string): Edition[] {
  const formats = [...new Set(value.split(',').map((part) => part.trim()).filter(Boolean))];
  for (const format of formats) {
    if (!(EDITIONS as readonly string[]).includes(format)) throw new UsageError(`unknown format "${format}" (choose from ${EDITIONS.join(', ')})`);
  }
  if (formats.length === 0) throw new UsageError('no format given');
  return formats as Edition[];
}
