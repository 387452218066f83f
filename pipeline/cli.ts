import { resolve } from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import type { VFileMessage } from 'vfile-message';
import { build, UsageError, type BuildResult } from './build.ts';
import { defaultLimits } from './limits.ts';
import { EDITIONS, type Edition } from './types.ts';
import { isAvailable } from './writers/index.ts';

/** The only module that prints and sets the exit code. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  // Editions are written with a synchronous write-then-rename, and a handled signal waits for
  // the running JavaScript to yield: an interrupted build never leaves a partial file behind.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`colophon: interrupted (${signal}); editions already written are complete, nothing partial is left\n`);
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
  let exitCode = 0;
  const program = new Command('colophon')
    .description('One Markdown source in; HTML, PDF and EPUB 3 editions out.')
    .exitOverride()
    .configureOutput({ writeErr: (text) => process.stderr.write(text), writeOut: (text) => process.stdout.write(text) });

  program
    .command('build')
    .description('build the editions of Markdown files or folders (default: source/)')
    .argument('[paths...]', 'Markdown files or folders of them', ['source'])
    .option('-o, --out <dir>', 'output folder', 'dist')
    .option('-f, --format <list>', `editions to build, comma-separated (${EDITIONS.join(',')})`, defaultFormats().join(','))
    .option('--strict', 'treat warnings as errors')
    .addOption(new Option('--papersize <size>', 'paper size for the PDF edition').choices(['a4', 'a5', 'letter']))
    .addOption(new Option('--encoding <name>', 'source encoding').choices(['utf8', 'latin1']).default('utf8'))
    .option('--root <dir>', 'project root: nothing outside it is read', '.')
    .option('--max-nesting <levels>', `deepest nesting of quotes and lists (default ${defaultLimits.maxNesting})`, positiveInteger)
    .option('--max-input-size <megabytes>', `largest source, in MB (default ${defaultLimits.maxInputBytes / 1024 / 1024})`, positiveInteger)
    .action(async (paths: string[], options) => {
      const formats = parseFormats(options.format);
      // Every path on the command line is relative to the working directory.
      const result = await build({
        paths: paths.map((path) => resolve(path)),
        root: resolve(options.root),
        out: resolve(options.out),
        formats,
        strict: Boolean(options.strict),
        papersize: options.papersize,
        encoding: options.encoding,
        limits: {
          ...(options.maxNesting ? { maxNesting: options.maxNesting } : {}),
          ...(options.maxInputSize ? { maxInputBytes: options.maxInputSize * 1024 * 1024 } : {}),
        },
      });
      exitCode = printResult(result);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    if (error instanceof UsageError) {
      process.stderr.write(`colophon: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  return exitCode;
}

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1) throw new UsageError(`expected a positive whole number, got "${value}"`);
  return number;
}

function defaultFormats(): Edition[] {
  return EDITIONS.filter((edition) => isAvailable(edition));
}

function parseFormats(value: string): Edition[] {
  const formats = [...new Set(value.split(',').map((part) => part.trim()).filter(Boolean))];
  for (const format of formats) {
    if (!(EDITIONS as readonly string[]).includes(format)) throw new UsageError(`unknown format "${format}" (choose from ${EDITIONS.join(', ')})`);
    if (!isAvailable(format as Edition)) throw new UsageError(`the ${format} edition is not implemented yet; available: ${defaultFormats().join(', ')}`);
  }
  if (formats.length === 0) throw new UsageError('no format given');
  return formats as Edition[];
}

function printResult(result: BuildResult): number {
  for (const document of result.documents) {
    for (const message of document.file.messages) process.stderr.write(`${formatMessage(message)}\n`);
    for (const edition of document.editions) {
      if (document.ok) process.stdout.write(`wrote ${edition.path} (${formatSize(edition.bytes.length)})\n`);
    }
    if (!document.ok) process.stderr.write(`${document.source}: not built (errors above); earlier editions left in place\n`);
  }
  return result.ok ? 0 : 1;
}

/** `path:line:col: severity: message [rule-id]`, one line per message. */
export function formatMessage(message: VFileMessage): string {
  const severity = message.fatal === true ? 'error' : message.fatal === false ? 'warning' : 'info';
  const place = message.line ? `:${message.line}:${message.column ?? 1}` : ':1:1';
  const reason = message.reason.split('\n')[0];
  return `${message.file}${place}: ${severity}: ${reason}${message.ruleId ? ` [${message.ruleId}]` : ''}`;
}

function formatSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}
