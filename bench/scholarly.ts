/**
 * The scholarly benchmark of issue 15: a paper of about 100 pages with 200 formulas and 100
 * citations, built in all three editions by Colophon, beside Pandoc's HTML with --mathml
 * --citeproc on the same input. Median CPU (user+sys) and wall time of N runs after one warm-up. Nothing is
 * asserted. Usage: npx tsx bench/scholarly.ts [--runs N]; writes bench/RESULTS-scholarly.md.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'bench', 'work', 'scholarly');
const runsArgument = process.argv.indexOf('--runs');
const runs = runsArgument === -1 ? 3 : Number(process.argv[runsArgument + 1]);

const WORDS = 'the sum of a series converges when its terms shrink fast enough and every bound we give here follows from the comparison test applied with care to each partial sum'.split(' ');
function sentence(seed: number, length = 18): string {
  const words = Array.from({ length }, (_, index) => WORDS[(seed * 7 + index * 13) % WORDS.length]!);
  return `${words.join(' ').replace(/^./, (c) => c.toUpperCase())}.`;
}

/** 58 sections of ~1,150 words each (about 100 A4 pages), 200 formulas (150 inline, 50 display), 100 citations. */
export function makePaper(): { markdown: string; bib: string } {
  const entries = 60;
  const bib = Array.from({ length: entries }, (_, i) => `@article{key${i},\n  author = {Author${i}, Alice and Writer${i}, Bob},\n  title = {On the Theory of Series, Part ${i}},\n  journal = {Journal of Analysis},\n  volume = {${i % 30}},\n  pages = {${i}--${i + 20}},\n  year = {${1950 + i}}\n}\n`).join('\n');
  let formulas = 0;
  let citations = 0;
  const sections: string[] = [];
  for (let s = 0; s < 58; s++) {
    const parts = [`# Section ${s + 1} {#sec:s${s}}`];
    for (let p = 0; p < 8; p++) {
      const text: string[] = [];
      for (let k = 0; k < 7; k++) text.push(sentence(s * 100 + p * 10 + k));
      if (formulas < 150 && p < 4) {
        text.splice(2, 0, `Here $\\sum_{k=1}^{${p + 2}} a_k^2 \\le \\frac{${s + 1}}{${p + 2}}$ holds.`);
        formulas++;
      }
      if (citations < 100 && p % 3 === 0) {
        text.splice(4, 0, `This is known [see @key${(s * 3 + p) % entries}, p. ${p + 1}; @key${(s + p + 7) % entries}].`);
        citations++;
      }
      parts.push(text.join(' '));
      if (p === 5 && formulas < 200) {
        parts.push(`$$ \\int_0^{${s + 1}} e^{-x^2}\\,dx = \\frac{\\sqrt{\\pi}}{2}\\operatorname{erf}(${s + 1}) $$ {#eq:e${s}}`);
        formulas++;
      }
    }
    if (s > 0) parts.push(`As @sec:s${s - 1} and @eq:e${s - 1} show, the bound holds.`);
    sections.push(parts.join('\n\n'));
  }
  // The remaining formulas and citations, so the counts are exact.
  const extra: string[] = [];
  while (formulas < 200) extra.push(`Also $x_{${formulas}} = ${formulas}$.`) && formulas++;
  while (citations < 100) extra.push(`Compare @key${citations % entries}.`) && citations++;
  const markdown = `---\ntitle: A Long Paper on Series\nauthor: Bench Mark\ndate: 2024-01-01\nbibliography: refs.bib\nnumber-sections: true\n---\n\n${sections.join('\n\n')}\n\n${extra.join(' ')}\n\n# References {-}\n`;
  return { markdown, bib };
}

/** Wall time, and CPU time (user + sys, children included) through /usr/bin/time: on a shared machine the CPU time is the steadier figure. */
function time(command: string[], cwd: string): { seconds: number; cpu: number; ok: boolean; detail: string } {
  const usage = join(work, `.time-${process.pid}`);
  const timed = existsSync('/usr/bin/time') ? ['/usr/bin/time', '-f', '%U %S', '-o', usage, ...command] : command;
  const started = process.hrtime.bigint();
  const result = spawnSync(timed[0]!, timed.slice(1), { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const [user = Number.NaN, sys = Number.NaN] = existsSync(usage) ? readFileSync(usage, 'utf8').trim().split('\n').at(-1)!.split(' ').map(Number) : [];
  return { seconds, cpu: user + sys, ok: result.status === 0, detail: (result.stderr || result.stdout).trim().split('\n').slice(-2).join(' | ') };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const { markdown, bib } = makePaper();
  writeFileSync(join(work, 'paper.md'), markdown);
  writeFileSync(join(work, 'refs.bib'), bib);
  const pandoc = spawnSync('sh', ['-c', 'command -v pandoc']).status === 0;
  const rows: string[] = [];
  const contenders: [string, string[]][] = [
    ['colophon html+pdf+epub', ['node', join(root, 'bin', 'colophon.mjs'), 'build', 'paper.md', '--force', '--out', 'out']],
    ['colophon html', ['node', join(root, 'bin', 'colophon.mjs'), 'build', 'paper.md', '--force', '--format', 'html', '--out', 'out-html']],
    ...(pandoc ? ([['pandoc html --mathml --citeproc', ['pandoc', '-s', '--quiet', '--mathml', '--citeproc', '--bibliography', 'refs.bib', 'paper.md', '-o', 'p.html']]] as [string, string[]][]) : []),
  ];
  for (const [name, command] of contenders) {
    time(command, work);
    const samples = Array.from({ length: runs }, () => time(command, work));
    const ok = samples.every((sample) => sample.ok);
    rows.push(`| ${name} | ${median(samples.map((sample) => sample.cpu)).toFixed(2)} | ${Math.min(...samples.map((sample) => sample.cpu)).toFixed(2)} | ${median(samples.map((sample) => sample.seconds)).toFixed(2)} | ${ok ? 'ok' : `failed: ${samples[0]!.detail}`} |`);
    console.log(rows.at(-1));
  }
  const pages = spawnSync('pdfinfo', [join(work, 'out', 'paper.pdf')], { encoding: 'utf8' }).stdout.match(/Pages:\s+(\d+)/)?.[1] ?? '?';
  const report = [
    '# Scholarly benchmark (issue 15)',
    '',
    `Written by \`npx tsx bench/scholarly.ts\`: a generated paper of ${Math.round(markdown.length / 1024)} KB (${pages} PDF pages), 200 formulas (150 inline, 50 numbered display equations), 100 citations against a 60-entry BibTeX file, numbered sections and cross-references. Median of ${runs} runs after one warm-up; each run is a fresh process.`,
    '',
    loadLine(),
    `- Node.js ${process.version}; ${pandoc ? spawnSync('pandoc', ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0] : 'pandoc not installed'}`,
    '',
    '| tool | median CPU s (user+sys) | least CPU s | median wall s | status |',
    '|---|---:|---:|---:|---|',
    ...rows,
    '',
  ].join('\n');
  writeFileSync(join(root, 'bench', 'RESULTS-scholarly.md'), report);
  console.log(report);
}

/** The load when the run ended, and whether the rows can be read as an idle machine's. */
function loadLine(): string {
  const cores = Number(spawnSync('nproc', { encoding: 'utf8' }).stdout.trim());
  const [lastMinute = 0] = loadavg();
  const reading = lastMinute > cores ? 'other jobs were running: compare the rows with each other, not with an idle machine' : 'no more runnable jobs than cores in the last minute';
  return `- Load average when it finished: ${loadavg().map((value) => value.toFixed(1)).join(', ')} on ${cores} cores (${reading})`;
}
