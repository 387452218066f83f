/**
 * Colophon against Pandoc on the same inputs, in one run. Reports median wall time, peak RSS
 * and ratios, and writes bench/RESULTS.md. Usage: npm run bench [-- --runs N --only html,epub]
 * Nothing here is asserted: performance is measured, never tested against a clock.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeBook, makeCorpus } from './corpus.ts';

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
}

interface Contender {
  tool: string;
  edition: string;
  command: (input: Input, out: string) => string[];
  available: () => boolean;
}

interface Sample {
  seconds: number;
  rssMb: number;
  ok: boolean;
  detail: string;
}

const has = (command: string) => spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;

const contenders: Contender[] = [
  { tool: 'colophon', edition: 'html', available: () => true, command: (input, out) => ['node', cli, 'build', input.path, '--force', '--format', 'html', '--out', out] },
  { tool: 'pandoc', edition: 'html', available: () => has('pandoc'), command: (input, out) => ['pandoc', '-s', '--quiet', ...input.pandocInputs, '-o', join(out, 'p.html')] },
  { tool: 'colophon', edition: 'pdf', available: () => true, command: (input, out) => ['node', cli, 'build', input.path, '--force', '--format', 'pdf', '--out', out] },
  { tool: 'pandoc+weasyprint', edition: 'pdf', available: () => has('pandoc') && has('weasyprint'), command: (input, out) => ['pandoc', '--quiet', '--pdf-engine=weasyprint', '-c', join(root, 'bench', 'hyphens-manual.css'), ...input.pandocInputs, '-o', join(out, 'p.pdf')] },
  { tool: 'colophon', edition: 'epub', available: () => true, command: (input, out) => ['node', cli, 'build', input.path, '--force', '--format', 'epub', '--out', out] },
  { tool: 'pandoc', edition: 'epub', available: () => has('pandoc'), command: (input, out) => ['pandoc', '--quiet', '-t', 'epub3', ...input.pandocInputs, '-o', join(out, 'p.epub')] },
  { tool: 'colophon', edition: 'all', available: () => true, command: (input, out) => ['node', cli, 'build', input.path, '--force', '--out', out] },
];

/**
 * Every tool runs without a network when the machine allows it (`unshare -n`, as root): Pandoc
 * and WeasyPrint try to download the READMEs' badge images, and on a machine whose network
 * only times out, those waits would count as their work. Without a network they fail at once,
 * so each tool is timed on its own work. Colophon fetches nothing either way.
 */
const offline = spawnSync('unshare', ['-n', 'true']).status === 0 ? ['unshare', '-n'] : [];

function measure(command: string[]): Sample {
  const result = spawnSync('/usr/bin/time', ['-f', '%e %M', ...offline, ...command], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 600_000 });
  const lines = result.stderr.trim().split('\n');
  const [seconds, kilobytes] = lines.at(-1)!.split(' ').map(Number);
  if (result.signal || result.error) {
    return { seconds: NaN, rssMb: NaN, ok: false, detail: result.signal ? `killed by ${result.signal} after the 600 s limit` : String(result.error) };
  }
  return { seconds: seconds!, rssMb: kilobytes! / 1024, ok: result.status === 0, detail: lines.slice(-4, -1).join(' ').slice(0, 200) };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
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

  mkdirSync(work, { recursive: true });
  // Measure the CLI as `npm ci` installs it: bundled, never the tsx fallback.
  spawnSync('node', [join(root, 'bin', 'bundle.mjs')], { stdio: 'inherit' });
  process.env.COLOPHON_PIN_BUNDLE = '1';
  const inputs: Input[] = [];
  const file = (name: string, path: string, runs: number): Input => ({ name, path, pandocInputs: [path], runs: runsOverride ?? runs });
  if (sizes.includes('seed')) inputs.push(file('seed article (5 KB)', join(root, 'source', 'sco-blueprint.md'), 7));
  if (sizes.includes('1mb')) inputs.push(file('1 MB of real READMEs', makeCorpus(root, work, 1_000_000), 3));
  if (sizes.includes('10mb')) {
    const folder = makeBook(root, work, 10_000_000);
    const chapters = readFileSync(join(folder, 'book.yaml'), 'utf8').split('\n').filter((line) => line.startsWith('  - ')).map((line) => join(folder, line.slice(4)));
    inputs.push({ name: '10 MB, 20-chapter book of real READMEs', path: folder, pandocInputs: [...chapters, '--metadata', 'title=Real READMEs'], runs: runsOverride ?? 1 });
  }

  const rows: string[] = [];
  for (const input of inputs) {
    const byEdition = new Map<string, { tool: string; seconds: number; rssMb: number; ok: boolean; detail: string }[]>();
    for (const contender of contenders) {
      if (only && !only.includes(contender.edition)) continue;
      // WeasyPrint takes over a minute on 1 MB already; on 10 MB it is not a useful comparison.
      if (contender.tool === 'pandoc+weasyprint' && input.name.startsWith('10 MB')) continue;
      if (!contender.available()) {
        console.log(`skip ${contender.tool} ${contender.edition}: not installed`);
        continue;
      }
      const out = join(work, 'out', contender.tool, contender.edition);
      rmSync(out, { recursive: true, force: true });
      mkdirSync(out, { recursive: true });
      measure(contender.command(input, out)); // warm the file cache and the bundle
      const samples = Array.from({ length: input.runs }, () => measure(contender.command(input, out)));
      const summary = {
        tool: contender.tool,
        seconds: median(samples.map((sample) => sample.seconds)),
        rssMb: Math.max(...samples.map((sample) => sample.rssMb)),
        ok: samples.every((sample) => sample.ok),
        detail: samples.find((sample) => !sample.ok)?.detail ?? '',
      };
      console.log(`${input.name} · ${contender.edition} · ${contender.tool}: ${summary.seconds.toFixed(3)} s, ${summary.rssMb.toFixed(0)} MB${summary.ok ? '' : ` (FAILED: ${summary.detail})`}`);
      byEdition.set(contender.edition, [...(byEdition.get(contender.edition) ?? []), summary]);
    }
    for (const [edition, results] of byEdition) {
      const ours = results.find((result) => result.tool === 'colophon');
      for (const result of results) {
        const ratio = ours && result !== ours ? `${(result.seconds / ours.seconds).toFixed(2)}× (rival ÷ colophon)` : '';
        rows.push(`| ${input.name} | ${edition} | ${result.tool} | ${result.seconds.toFixed(3)} | ${result.rssMb.toFixed(0)} | ${ratio} | ${result.ok ? 'ok' : `failed: ${result.detail.replace(/\|/g, '/')}`} |`);
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

  const previous = existsSync(join(root, 'bench', 'RESULTS.md')) ? readFileSync(join(root, 'bench', 'RESULTS.md'), 'utf8') : '';
  // Rows of inputs this run did not measure (the 10 MB book is opt-in) stay, marked as older.
  const measured = new Set(inputs.map((input) => input.name));
  const kept = (section: string) =>
    (previous.split(`## ${section}`)[1] ?? '')
      .split('\n## ')[0]!
      .split('\n')
      .filter((line) => /^\| [^-|]/.test(line) && !line.startsWith('| input') && !measured.has(line.split('|')[1]!.replace('(earlier run)', '').trim()))
      .map((line) => (line.includes('(earlier run)') ? line : line.replace(/^\| ([^|]+) \|/, '| $1 (earlier run) |')));
  rows.push(...kept('Results'));
  watchRows.push(...kept('Warm rebuild in watch mode'));
  const report = [
    '# Benchmark results',
    '',
    'Written by `npm run bench` (bench/run.ts). Median wall time of N runs after one warm-up run,',
    'peak resident memory of any run, each tool run as a fresh process on the same input.',
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
    '',
    '## Results',
    '',
    '| input | edition | tool | median s | peak MB | ratio | status |',
    '|---|---|---|---:|---:|---|---|',
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
  writeFileSync(join(root, 'bench', 'RESULTS.md'), report);
  console.log(previous === report ? 'bench/RESULTS.md unchanged' : 'wrote bench/RESULTS.md');
}

await main();
