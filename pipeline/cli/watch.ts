import { relative, resolve } from 'node:path';
import { watch as chokidarWatch } from 'chokidar';
import { packageRoot } from '../read/assets.ts';
import type { BuildOptions } from '../build/build.ts';

/**
 * `colophon build --watch`: build once, then rebuild whenever a file under the project root or
 * Colophon's templates changes. Changes are debounced; the edition cache makes a rebuild of the
 * untouched documents nearly free. An error in a document is reported and watching goes on.
 * Ctrl-C stops it cleanly with exit code 0.
 */
export async function watch(options: BuildOptions, log: (text: string) => void, rebuild: () => Promise<number>): Promise<number> {
  const root = resolve(options.root ?? process.cwd());
  const out = resolve(root, options.out ?? 'dist');
  await rebuild();

  const watcher = chokidarWatch([root, resolve(packageRoot, 'templates')], {
    ignoreInitial: true,
    ignored: (path) => path.startsWith(out) || /(^|[/\\])(node_modules|\.git)([/\\]|$)/.test(path) || /[/\\]\.[^/\\]+\.tmp$/.test(path),
    awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 10 },
  });
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const changed = new Set<string>();

  const trigger = () => {
    const paths = [...changed].map((path) => relative(process.cwd(), path) || path);
    changed.clear();
    running = running.then(async () => {
      const started = performance.now();
      log(`changed: ${paths.join(', ')}\n`);
      try {
        await rebuild();
      } catch (error) {
        log(`colophon: rebuild failed: ${(error as Error).stack ?? error}\n`);
      }
      log(`rebuilt in ${Math.round(performance.now() - started)} ms; watching for changes (Ctrl-C stops)\n`);
    });
  };
  watcher.on('all', (_event, path) => {
    changed.add(path);
    clearTimeout(timer);
    timer = setTimeout(trigger, 100);
  });
  await new Promise<void>((ready) => watcher.once('ready', () => ready()));
  log('watching for changes (Ctrl-C stops)\n');

  return new Promise<number>((done) => {
    const stop = async () => {
      clearTimeout(timer);
      await running;
      await watcher.close();
      log('stopped watching\n');
      done(0);
    };
    // Replace the CLI's exit-on-signal handlers: watching ends cleanly, after any rebuild in flight.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.removeAllListeners(signal);
      process.once(signal, stop);
    }
  });
}
