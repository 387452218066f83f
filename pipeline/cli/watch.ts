import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { watch as chokidarWatch } from 'chokidar';
import { packageRoot } from '../read/assets.ts';
import { isMarkdown, type BuildInputs, type BuildOptions } from '../build/build.ts';
import { readProjectDefaults } from '../build/project.ts';

/**
 * `colophon build --watch`: build once, then rebuild whenever something the last build read
 * changes: its sources, book.yaml files, images, data files and Colophon's templates, or a
 * folder it listed gains a document. Nothing else triggers a rebuild: output folders,
 * node_modules, dot-folders and files no build read (a log another tool writes) are ignored.
 * Changes are debounced; the edition cache makes a rebuild of the untouched documents nearly
 * free. An error in a document is reported and watching goes on. Ctrl-C stops it with exit code 0.
 */
export async function watch(options: BuildOptions, log: (text: string) => void, rebuild: () => Promise<BuildInputs | undefined>): Promise<number> {
  const root = resolve(options.root ?? process.cwd());
  const out = options.out !== undefined ? resolve(root, options.out) : (projectOut(root) ?? resolve(root, 'dist'));
  const templates = [resolve(packageRoot, 'templates'), resolve(root, 'templates')];
  const watched = new Set<string>();
  let inputs: BuildInputs = { files: [], folders: [] };

  const ignoredAlways = (path: string) => isUnder(out, path) || /(^|[/\\])(node_modules|\.[^/\\]+)([/\\]|$)/.test(relative(root, path));
  // depth 0: a listed folder reports its own entries; the build lists sub-folders it cares about itself.
  const watcher = chokidarWatch([], { ignoreInitial: true, depth: 0, atomic: true, awaitWriteFinish: { stabilityThreshold: 50, pollInterval: 10 } });
  const follow = (next: BuildInputs | undefined) => {
    if (!next) return;
    inputs = next;
    // A file that does not exist (yet) is watched through its folder: chokidar cannot watch a missing path.
    const files = next.files.map((path) => (existsSync(path) ? path : dirname(path)));
    const wanted = new Set([...files, ...next.folders, ...templates.flatMap(templateFolders)]);
    const added = [...wanted].filter((path) => !watched.has(path));
    const dropped = [...watched].filter((path) => !wanted.has(path));
    if (added.length > 0) watcher.add(added);
    if (dropped.length > 0) watcher.unwatch(dropped);
    watched.clear();
    for (const path of wanted) watched.add(path);
  };
  /** Whether a change at `path` can change the build. */
  const relevant = (path: string) => {
    if (inputs.files.includes(path)) return true;
    if (templates.some((folder) => isUnder(folder, path))) return true;
    if (ignoredAlways(path)) return false;
    // A new document or chapter, or a new book, in a folder the build listed.
    return inputs.folders.includes(dirname(path)) && (isMarkdown(path) || basename(path) === 'book.yaml' || inputs.folders.includes(path));
  };

  follow(await rebuild());

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const changed = new Set<string>();

  const trigger = () => {
    const paths = [...changed].map((path) => relative(process.cwd(), path) || path);
    changed.clear();
    running = running.then(async () => {
      const started = performance.now();
      const cpu = process.cpuUsage();
      log(`changed: ${paths.join(', ')}\n`);
      try {
        follow(await rebuild());
      } catch (error) {
        log(`colophon: rebuild failed: ${(error as Error).stack ?? error}\n`);
      }
      // CPU time too: on a busy machine the wall time says more about the machine than the rebuild.
      const used = process.cpuUsage(cpu);
      log(`rebuilt in ${Math.round(performance.now() - started)} ms (CPU ${Math.round((used.user + used.system) / 1000)} ms); watching for changes (Ctrl-C stops)\n`);
    });
  };
  watcher.on('all', (_event, path) => {
    const full = resolve(path);
    if (!relevant(full)) return;
    changed.add(full);
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

function isUnder(folder: string, path: string): boolean {
  return path === folder || path.startsWith(folder + sep);
}

/** A templates folder and its sub-folders (html/, pdf/, epub/), each watched for its own files. */
function templateFolders(folder: string): string[] {
  return [folder, ...['html', 'pdf', 'epub'].map((name) => join(folder, name))];
}

/** The project's `out` (colophon.yaml); a broken colophon.yaml is the build's to report. */
function projectOut(root: string): string | undefined {
  try {
    return readProjectDefaults(root).out;
  } catch {
    return undefined;
  }
}
