/**
 * The 1 MB document's HTML against its floor (issue 16: "the parse is the floor"), in one run:
 *
 * - Pandoc's HTML of the 1 MB corpus, and Colophon's, each a process pinned to one core
 *   (`taskset -c 0`), user + system CPU seconds;
 * - in this process (run it pinned too), the parse alone: bare CommonMark (micromark and
 *   mdast-util-from-markdown with no extension), and Colophon's shipped parse (GFM, its own syntax
 *   extensions, the pieces of chunked-parse.ts), both over the pieces the shipped parse cuts.
 *
 * The target is a third of Pandoc's time; the report says what share of that budget the bare parse
 * takes by itself. Usage: `taskset -c 0 npx tsx bench/parse-floor.ts [--rounds N]` (after
 * `node bin/bundle.mjs`; Pandoc must be installed). Nothing is written but what it prints.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fromMarkdown } from 'mdast-util-from-markdown';
import { VFile } from 'vfile';
import { cutPoints, defaultPieces, parseDocumentText } from '../pipeline/parse/chunked-parse.ts';
import { makeCorpus } from './corpus.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const rounds = args.includes('--rounds') ? Number(args[args.indexOf('--rounds') + 1]) : 3;
const corpus = makeCorpus(root, join(root, 'bench', 'work'), 1_000_000);
const text = readFileSync(corpus, 'utf8');

/** User + system CPU seconds of a command pinned to core 0 (GNU time's own report). */
function pinnedCpu(command: string[]): number {
  const run = spawnSync('/usr/bin/time', ['-f', '%U %S', 'taskset', '-c', '0', ...command], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0) throw new Error(`${command.join(' ')} failed: ${run.stderr.slice(-500)}`);
  const [user, system] = run.stderr.trim().split('\n').at(-1)!.split(' ').map(Number);
  return user! + system!;
}

/** CPU seconds of this process spent in `work` (a collection first, so that no earlier garbage is charged to it). */
function cpuOf(work: () => void): number {
  (globalThis as { gc?: () => void }).gc?.();
  const before = process.cpuUsage();
  work();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

const cuts = [0, ...cutPoints(text, defaultPieces.pieceBytes, defaultPieces.pieceContainers), text.length];
const pieces = cuts.slice(1).map((end, index) => text.slice(cuts[index], end));
const out = mkdtempSync(join(tmpdir(), 'parse-floor-'));
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const measured: Record<string, number[]> = { pandoc: [], colophon: [], bare: [], shipped: [] };
try {
  for (let round = 0; round < rounds; round++) {
    measured.pandoc!.push(pinnedCpu(['pandoc', '-s', '--quiet', corpus, '-o', join(out, 'p.html')]));
    measured.colophon!.push(pinnedCpu(['node', join(root, 'bin', 'colophon.mjs'), 'build', corpus, '--force', '--format', 'html', '--out', out]));
    measured.bare!.push(cpuOf(() => pieces.forEach((piece) => fromMarkdown(piece))));
    measured.shipped!.push(cpuOf(() => parseDocumentText(new VFile({ path: corpus, value: text }))));
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
const pandoc = median(measured.pandoc!);
const budget = pandoc / 3;
console.log(`1 MB corpus: ${text.length} characters in ${pieces.length} pieces; ${rounds} rounds, medians of CPU seconds`);
console.log('| step | CPU s (each round) | median | share of the 3× budget |');
console.log('|---|---|---:|---:|');
const row = (name: string, key: string) => {
  const values = measured[key]!;
  console.log(`| ${name} | ${values.map((value) => value.toFixed(2)).join(' ')} | ${median(values).toFixed(2)} | ${((100 * median(values)) / budget).toFixed(0)}% |`);
};
row('Pandoc, HTML (one core)', 'pandoc');
row('Colophon, HTML (one core)', 'colophon');
row('parse only: bare CommonMark (micromark + mdast-util-from-markdown)', 'bare');
row("parse only: Colophon's shipped parse (GFM and its extensions)", 'shipped');
console.log(`budget (a third of Pandoc's): ${budget.toFixed(2)} s; Colophon ${(pandoc / median(measured.colophon!)).toFixed(2)}× Pandoc on one core`);
