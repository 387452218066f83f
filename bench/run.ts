/**
 * Colophon against Pandoc on the same inputs, in one run. Reports median wall time, CPU time
 * (user+sys, children included), peak RSS and ratios, and writes bench/RESULTS.md.
 * Usage: npm run bench [-- --runs N --only html,epub --sizes seed,1mb,batch,10mb,100mb
 *   --results FILE --no-watch --watch-only --no-bundle]
 * Nothing here is asserted: performance is measured, never tested against a clock.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBatch, makeBook, makeCorpus } from './corpus.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'bench', 'work');
const cli = join(root, 'bin', 'colophon.mjs');

interface Input {
  name: string;
  /** What Colophon builds: a Markdown file or a book folder. */
  path: string;
  /** The same content as Pandoc's input files (a book's chapters, in order). */
  pandocInputs: string[];
  runs: number;
  /** A batch: the folder of small documents that rivals are run on one by one, as CI scripts do. */
  batch?: string;
  /** Which contenders this input is measured with (default: every one). */
  with?: (contender: Contender) => boolean;
  /** Longest a run may take (a large book on a busy machine takes many minutes). */
  timeoutSeconds?: number;
}

interface Contender {
  tool: string;
  edition: string;
  command: (input: Input, out: string) => string[];
  /** Why it cannot run here (a tool not installed), or undefined when it can. */
  missing: (input: Input) => string | undefined;
}

interface Sample {
  seconds: number;
  /** User + system CPU seconds of the process and the children it waited for. */
  cpuSeconds: number;
  rssMb: number;
  ok: boolean;
  detail: string;
}

const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const needs = (...commands: string[]) => () => {
  const absent = commands.filter((command) => !has(command));
  return absent.length > 0 ? `${absent.join(', ')} not installed` : undefined;
};

/** Pandoc once per document of a batch folder, each edition in turn (`$0` the folder, `$1` the output). */
const perDocument = (input: Input, out: string, commands: string[]) => [
  'sh',
  '-c',
  `for f in "$0"/*.md; do n=$(basename "$f" .md); ${commands.map((command) => `${command} || exit 1`).join('; ')}; done`,
  input.batch!,
  out,
];
const PANDOC_HTML = 'pandoc -s --quiet "$f" -o "$1/$n.html"';
const PANDOC_EPUB = 'pandoc --quiet -t epub3 "$f" -o "$1/$n.epub"';
const PANDOC_PDF = 'pandoc --quiet --pdf-engine=pdflatex "$f" -o "$1/$n.pdf"';

const contenders: Contender[] = [
  { tool: 'colophon', edition: 'html', missing: () => undefined, command: (input, out) => ['node', cli, 'build', input.path, '--force', '--format', 'html', '--out', out] },
  {
    tool: 'pandoc',
    edition: 'html',
    missing: needs('pandoc'),
    command: (input, out) => (input.batch ? perDocument(input, out, [PANDOC_HTML]) : ['pandoc', '-s', '--quiet', ...input.pandocInputs, '-o', join(out, 'p.html')]),
  },
  { tool: 'colophon', edition: 'pdf', missing: () => undefined, command: (input, out) => ['node', cli, 'build', input.path, '--force', '--format', 'pdf', '--out', out] },
  {
    tool: 'pandoc+weasyprint',
    edition: 'pdf',
    missing: needs('pandoc', 'weasyprint'),
    command: (input, out) => ['pandoc', '--quiet', '--pdf-engine=weasyprint', '-c', join(root, 'bench', 'hyphens-manual.css'), ...input.pandocInputs, '-o', join(out, 'p.pdf')],
  },
  { tool: 'colophon', edition: 'epub', missing: () => undefined, command: (input, out) => ['node', cli, 'build', input.path, '--force', '--format', 'epub', '--out', out] },
  {
    tool: 'pandoc',
    edition: 'epub',
    missing: needs('pandoc'),
    command: (input, out) => (input.batch ? perDocument(input, out, [PANDOC_EPUB]) : ['pandoc', '--quiet', '-t', 'epub3', ...input.pandocInputs, '-o', join(out, 'p.epub')]),
  },
  { tool: 'colophon', edition: 'all', missing: () => undefined, command: (input, out) => ['node', cli, 'build', input.path, '--force', '--out', out] },
  // A batch: Pandoc's HTML and EPUB per document, as a CI script runs it (the issue's comparison).
  { tool: 'pandoc html+epub, per document', edition: 'all', missing: needs('pandoc'), command: (input, out) => perDocument(input, out, [PANDOC_HTML, PANDOC_EPUB]) },
  // A document: Pandoc's three editions, the PDF through pdflatex (LaTeX, Pandoc's default engine).
  {
    tool: 'pandoc html+epub+pdf (pdflatex)',
    edition: 'all',
    missing: needs('pandoc', 'pdflatex'),
    command: (input, out) => ['sh', '-c', `f="$0"; n=p; ${[PANDOC_HTML, PANDOC_EPUB, PANDOC_PDF].join(' && ')}`, input.path, out],
  },
];
/** A batch: Colophon's three editions in one run against Pandoc's HTML and EPUB run per document (the issue's comparison). */
const forBatch = (contender: Contender) => (contender.tool === 'colophon' && contender.edition === 'all') || contender.tool === 'pandoc html+epub, per document';
const forDocument = (contender: Contender) => contender.tool !== 'pandoc html+epub, per document';
/** A large book: Pandoc's HTML and EPUB (their one book-sized comparison), no LaTeX or WeasyPrint run. */
const forBook = (contender: Contender) => contender.tool === 'colophon' || contender.tool === 'pandoc';

/**
 * Every tool runs without a network when the machine allows it (`unshare -n`, as root): Pandoc
 * and WeasyPrint try to download the READMEs' badge images, and on a machine whose network
 * only times out, those waits would count as their work. Without a network they fail at once,
 * so each tool is timed on its own work. Colophon fetches nothing either way.
 */
const offline = spawnSync('unshare', ['-n', 'true']).status === 0 ? ['unshare', '-n'] : [];

function measure(command: string[], timeoutSeconds = 600): Sample {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M %U %S', ...offline, ...command], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: timeoutSeconds * 1000 });
  const lines = result.stderr.trim().split('\n');
  const [seconds, kilobytes, user, system] = lines.at(-1)!.split(' ').map(Number);
  if (result.signal || result.error) {
    const timedOut = (result.error as NodeJS.ErrnoException | undefined)?.code === 'ETIMEDOUT';
    const detail = timedOut ? `stopped at the ${timeoutSeconds} s limit` : result.signal ? `killed by ${result.signal}` : String(result.error);
    return { seconds: NaN, cpuSeconds: NaN, rssMb: NaN, ok: false, detail };
  }
  const detail = lines
    .slice(0, -1)
    .filter((line) => !/^Command exited with non-zero status/.test(line))
    .slice(-3)
    .join(' ')
    .slice(0, 200);
  return { seconds: seconds!, cpuSeconds: user! + system!, rssMb: kilobytes! / 1024, ok: result.status === 0, detail: result.status === 0 ? '' : `exit ${result.status}: ${detail}` };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The load averages (1, 5, 15 minutes): other work on the machine inflates wall times, not CPU times. */
function load(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(', ');
}

function machine(): string {
  const cpu = cpus();
  const version = (command: string[]) => spawnSync(command[0]!, command.slice(1), { encoding: 'utf8' }).stdout.split('\n')[0]?.trim() ?? '?';
  return [
    `- CPU: ${cpu[0]?.model ?? '?'}, ${cpu.length} cores; memory ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    `- Node.js ${process.version}; ${has('pandoc') ? version(['pandoc', '--version']) : 'pandoc not installed'}; ${has('weasyprint') ? version(['weasyprint', '--version']) : 'weasyprint not installed'}`,
    `- \`node -e 0\` takes ${median([0, 0, 0].map(() => measure(['node', '-e', '0']).seconds)).toFixed(3)} s here (the floor for any Node.js tool)`,
  ].join('\n');
}

/**
 * Watch mode's warm rebuild: start `colophon build --watch` on a copy of a document (or of a
 * book's folder), edit one line (a line added to the document, or to a chapter in the middle
 * of the book), and read the rebuild time the watcher reports: wall and CPU, median of `runs` edits.
 */
async function watchRebuild(source: string, edition: string, runs: number): Promise<{ seconds: number; cpuSeconds: number } | undefined> {
  const project = mkdtempSync(join(tmpdir(), 'colophon-bench-watch-'));
  const book = !source.endsWith('.md');
  if (book) cpSync(source, join(project, 'book'), { recursive: true });
  else copyFileSync(source, join(project, 'doc.md'));
  const chapters = book ? readFileSync(join(project, 'book', 'book.yaml'), 'utf8').split('\n').filter((line) => line.startsWith('  - ')).map((line) => line.slice(4)) : [];
  const edited = book ? join(project, 'book', chapters[Math.floor(chapters.length / 2)] ?? '') : join(project, 'doc.md');
  // The watcher's own first build is the cold one; the edits after it are warm.
  const watcher = spawn('node', [cli, 'build', book ? 'book' : 'doc.md', '--watch', '--format', edition], { cwd: project, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  watcher.stderr.on('data', (chunk) => (stderr += chunk));
  const waitFor = async (pattern: RegExp, count: number) => {
    for (let waited = 0; waited < 600_000; waited += 20) {
      if ((stderr.match(new RegExp(pattern.source, 'g')) ?? []).length >= count) return true;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return false;
  };
  const times: number[] = [];
  const cpuTimes: number[] = [];
  if (await waitFor(/watching for changes \(Ctrl-C stops\)\n/, 1)) {
    for (let edit = 1; edit <= runs; edit++) {
      writeFileSync(edited, `${readFileSync(edited, 'utf8')}\nOne more line, edit ${edit}.\n`);
      if (!(await waitFor(/rebuilt in \d+ ms/, edit))) break;
      const last = [...stderr.matchAll(/rebuilt in (\d+) ms(?: \(CPU (\d+) ms\))?/g)].at(-1)!;
      times.push(Number(last[1]));
      cpuTimes.push(Number(last[2] ?? Number.NaN));
    }
  }
  watcher.kill('SIGINT');
  await new Promise((resolve) => watcher.on('exit', resolve));
  rmSync(project, { recursive: true, force: true });
  return times.length > 0 ? { seconds: median(times) / 1000, cpuSeconds: median(cpuTimes) / 1000 } : undefined;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const runsOverride = args.includes('--runs') ? Number(args[args.indexOf('--runs') + 1]) : undefined;
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1]!.split(',') : undefined;
  const sizes = args.includes('--sizes') ? args[args.indexOf('--sizes') + 1]!.split(',') : ['seed', '1mb'];
  const resultsFile = args.includes('--results') ? args[args.indexOf('--results') + 1]! : join(root, 'bench', 'RESULTS.md');
  const loadAtStart = load();

  mkdirSync(work, { recursive: true });
  // Measure the CLI as `npm ci` installs it: bundled, never the tsx fallback (--no-bundle: already built).
  if (!args.includes('--no-bundle')) spawnSync('node', [join(root, 'bin', 'bundle.mjs')], { stdio: 'inherit' });
  process.env.COLOPHON_PIN_BUNDLE = '1';
  const inputs: Input[] = [];
  const file = (name: string, path: string, runs: number): Input => ({ name, path, pandocInputs: [path], runs: runsOverride ?? runs });
  if (sizes.includes('seed')) inputs.push({ ...file('seed article (5 KB)', join(root, 'source', 'sco-blueprint.md'), 7), with: forDocument });
  if (sizes.includes('1mb')) inputs.push({ ...file('1 MB of real READMEs', makeCorpus(root, work, 1_000_000), 3), with: (contender) => forBook(contender) || contender.tool === 'pandoc+weasyprint' });
  if (sizes.includes('batch')) {
    const folder = makeBatch(root, work, 200);
    inputs.push({ name: '200 small documents (real READMEs, 1-8 KB each)', path: folder, pandocInputs: [], batch: folder, runs: runsOverride ?? 1, with: forBatch, timeoutSeconds: 3600 });
  }
  const book = (megabytes: number, only?: (contender: Contender) => boolean) => {
    const folder = makeBook(root, work, megabytes * 1_000_000);
    const chapters = readFileSync(join(folder, 'book.yaml'), 'utf8').split('\n').filter((line) => line.startsWith('  - ')).map((line) => join(folder, line.slice(4)));
    const name = `${megabytes} MB, 20-chapter book of real READMEs`;
    inputs.push({ name, path: folder, pandocInputs: [...chapters, '--metadata', 'title=Real READMEs'], runs: runsOverride ?? 1, with: only ?? forBook, timeoutSeconds: 4 * 3600 });
  };
  if (sizes.includes('10mb')) book(10);
  // The 100 MB book measures memory: Colophon's three editions only (Pandoc's HTML alone needs tens of minutes).
  if (sizes.includes('100mb')) book(100, (contender) => contender.tool === 'colophon' && contender.edition === 'all');

  const rows: string[] = [];
  // --watch-only: the warm rebuilds alone; the rows of the cold runs stay as the last run wrote them.
  const watchOnly = args.includes('--watch-only');
  for (const input of watchOnly ? [] : inputs) {
    const byEdition = new Map<string, { tool: string; seconds: number; cpuSeconds: number; rssMb: number; ok: boolean; detail: string; ran: boolean }[]>();
    for (const contender of contenders) {
      if (only && !only.includes(contender.edition)) continue;
      if (input.with && !input.with(contender)) continue;
      const absent = contender.missing(input);
      if (absent) {
        // Said plainly in the results, never left out silently.
        console.log(`${input.name} · ${contender.edition} · ${contender.tool}: not run (${absent})`);
        byEdition.set(contender.edition, [...(byEdition.get(contender.edition) ?? []), { tool: contender.tool, seconds: NaN, cpuSeconds: NaN, rssMb: NaN, ok: false, detail: `not run: ${absent}`, ran: false }]);
        continue;
      }
      const out = join(work, 'out', input.name.replace(/[^a-z0-9]+/gi, '-'), contender.tool.replace(/[^a-z0-9+]+/gi, '-'), contender.edition);
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out, { recursive: true });
      // Warm the file cache and the bundle; a single run of a large input goes without (the file cache is warm by then).
      if (input.runs > 1) measure(contender.command(input, out), input.timeoutSeconds);
      const samples = Array.from({ length: input.runs }, () => measure(contender.command(input, out), input.timeoutSeconds));
      const summary = {
        tool: contender.tool,
        seconds: median(samples.map((sample) => sample.seconds)),
        cpuSeconds: median(samples.map((sample) => sample.cpuSeconds)),
        rssMb: Math.max(...samples.map((sample) => sample.rssMb)),
        ok: samples.every((sample) => sample.ok),
        detail: samples.find((sample) => !sample.ok)?.detail ?? '',
        ran: true,
      };
      console.log(
        `${input.name} · ${contender.edition} · ${contender.tool}: ${summary.seconds.toFixed(3)} s, CPU ${summary.cpuSeconds.toFixed(2)} s, ${summary.rssMb.toFixed(0)} MB${summary.ok ? '' : ` (FAILED: ${summary.detail})`} · load ${load()}`,
      );
      byEdition.set(contender.edition, [...(byEdition.get(contender.edition) ?? []), summary]);
    }
    const number = (value: number, digits: number) => (Number.isNaN(value) ? '' : value.toFixed(digits));
    for (const [edition, results] of byEdition) {
      const ours = results.find((result) => result.tool === 'colophon');
      for (const result of results) {
        const comparable = ours?.ok && result !== ours && result.ran;
        const ratio = comparable ? `${(result.seconds / ours.seconds).toFixed(2)}× wall, ${(result.cpuSeconds / ours.cpuSeconds).toFixed(2)}× CPU (rival ÷ colophon)` : '';
        const status = result.ok ? 'ok' : result.ran ? `failed: ${result.detail.replace(/\|/g, '/')}` : result.detail;
        rows.push(`| ${input.name} | ${edition} | ${result.tool} | ${number(result.seconds, 3)} | ${number(result.cpuSeconds, 2)} | ${number(result.rssMb, 0)} | ${ratio} | ${status} |`);
      }
    }
  }

  const watchRows: string[] = [];
  if (!args.includes('--no-watch')) {
    for (const input of inputs) {
      for (const edition of ['html', 'pdf', 'epub']) {
        if (only && !only.includes(edition)) continue;
        const rebuild = await watchRebuild(input.path, edition, 3);
        console.log(`${input.name} · ${edition} · warm rebuild in watch mode: ${rebuild ? `${rebuild.seconds.toFixed(3)} s (CPU ${rebuild.cpuSeconds.toFixed(3)} s)` : 'failed'}`);
        watchRows.push(`| ${input.name} | ${edition} | ${rebuild ? rebuild.seconds.toFixed(3) : 'failed'} | ${rebuild ? rebuild.cpuSeconds.toFixed(3) : ''} |`);
      }
    }
  }

  const previous = existsSync(resultsFile) ? readFileSync(resultsFile, 'utf8') : '';
  // Rows of inputs this run did not measure (the 10 MB book is opt-in) stay, marked as older.
  const measured = new Set(inputs.map((input) => input.name));
  const kept = (section: string, measured: Set<string>) =>
    (previous.split(`## ${section}`)[1] ?? '')
      .split('\n## ')[0]!
      .split('\n')
      .filter((line) => /^\| [^-|]/.test(line) && !line.startsWith('| input') && !measured.has(line.split('|')[1]!.replace('(earlier run)', '').trim()))
      .map((line) => (line.includes('(earlier run)') ? line : line.replace(/^\| ([^|]+) \|/, '| $1 (earlier run) |')));
  // Rows from before the CPU column get an empty cell there.
  rows.push(...kept('Results', watchOnly ? new Set() : measured).map((line) => (line.split('|').length === 9 ? line.replace(/^((?:\|[^|]*){4})\|/, '$1| |') : line)));
  watchRows.push(...kept('Warm rebuild in watch mode', args.includes('--no-watch') ? new Set() : measured));
  const report = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts). Median wall time of N runs after one warm-up run,',
    'CPU time (user+sys, with the children a tool waits for: pdflatex under Pandoc, every Pandoc of a batch) and',
    'peak resident memory of any run, each tool run as a fresh process on the same input. A single run (a large',
    'input) has no warm-up run. Wall times depend on what else the machine runs; CPU times much less.',
    'A ratio above 1 means Colophon is faster. Pandoc\'s EPUB writer (and WeasyPrint) try to download',
    `the remote images (badges) in the READMEs. ${
      offline.length > 0
        ? 'Every tool ran in a network namespace of its own without interfaces (`unshare -n`), so those downloads fail at once and no tool is charged for network time-outs.'
        : 'This run could not switch the network off (`unshare -n` needs root); any time-outs of those downloads count as the rival\'s time.'
    }`,
    'Colophon fetches nothing unless `--allow-remote` is given.',
    '',
    '## Machine',
    '',
    machine(),
    `- Load average (1, 5, 15 min) at the start of this run: ${loadAtStart}; at its end: ${load()}`,
    '',
    '## Results',
    '',
    '| input | edition | tool | median s | CPU s | peak MB | ratio | status |',
    '|---|---|---|---:|---:|---:|---|---|',
    ...rows,
    '',
    '## Warm rebuild in watch mode',
    '',
    'Time from a one-line edit to the rebuilt edition, as `colophon build --watch` reports it (median of 3 edits):',
    'wall time, and the CPU time of the watching process. A document gets a line added at its end; a book, at the end',
    'of its middle chapter (the other chapters come from the watch session\'s memory of parsed trees).',
    '',
    '| input | edition | seconds | CPU seconds |',
    '|---|---|---:|---:|',
    ...watchRows,
    '',
  ].join('\n');
  writeFileSync(resultsFile, report);
  console.log(previous === report ? `${resultsFile} unchanged` : `wrote ${resultsFile}`);
}

await main();
