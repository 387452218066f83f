/**
 * Colophon installed as a dependency against Colophon in this repository, in one run: the seed's
 * three editions, built from the packed tarball installed into an empty project, and built here.
 * Target: the installed package at most 1.3× the in-repo time. Writes bench/RESULTS-package.md.
 * Usage: npx tsx bench/package.ts [--runs N]. Nothing here is asserted.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'bench', 'work', 'package');
const runsArgument = process.argv.indexOf('--runs');
const runs = runsArgument === -1 ? 9 : Number(process.argv[runsArgument + 1]);

function must(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });

// The tarball, as `npm pack` makes it (prepack), and this clone's own start-up bundle (prepare).
must(process.execPath, [join(root, 'bin', 'pack.mjs')], root);
must(process.execPath, [join(root, 'bin', 'bundle.mjs')], root);
const [packed] = JSON.parse(must('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], root)) as { filename: string }[];
const tarball = join(work, packed!.filename);

// An empty project that installs it without the network: a lockfile pinning every run-time
// package as this repository's lockfile does (as test/package.test.ts does).
const consumer = join(work, 'consumer');
mkdirSync(join(consumer, 'source'), { recursive: true });
copyFileSync(join(root, 'source', 'sco-blueprint.md'), join(consumer, 'source', 'seed.md'));
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string; license: string; bin: unknown; engines: unknown; dependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean; link?: boolean }> };
const dependency = `file:${tarball}`;
const packages: Record<string, unknown> = {
  '': { name: 'consumer', dependencies: { colophon: dependency } },
  'node_modules/colophon': { version: manifest.version, resolved: dependency, integrity: `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`, license: manifest.license, dependencies: manifest.dependencies, bin: manifest.bin, engines: manifest.engines },
};
for (const [path, entry] of Object.entries(lock.packages)) if (path && !entry.dev && !entry.devOptional && !entry.link) packages[path] = entry;
writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, dependencies: { colophon: dependency } }, null, 2));
writeFileSync(join(consumer, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }, null, 2));
must('npm', ['ci', '--offline', '--no-audit', '--no-fund'], consumer);

const inRepo = join(work, 'in-repo');
mkdirSync(join(inRepo, 'source'), { recursive: true });
copyFileSync(join(root, 'source', 'sco-blueprint.md'), join(inRepo, 'source', 'seed.md'));

interface Way {
  name: string;
  cwd: string;
  command: string[];
  seconds: number[];
  /** CPU seconds (user + system) of the process tree: less swayed than wall time by a busy machine. */
  cpu: number[];
}
const ways: Way[] = [
  { name: 'in this repository (`node bin/colophon.mjs build`)', cwd: inRepo, command: [process.execPath, join(root, 'bin', 'colophon.mjs'), 'build', '--force'], seconds: [], cpu: [] },
  { name: 'installed from the tarball (`node node_modules/.bin/colophon build`)', cwd: consumer, command: [process.execPath, join(consumer, 'node_modules', 'colophon', 'bin', 'colophon.mjs'), 'build', '--force'], seconds: [], cpu: [] },
  // npx itself (npm's start-up) costs about half a second on either side.
  { name: 'in this repository (`npx colophon build`)', cwd: root, command: ['npx', '--offline', 'colophon', 'build', join(inRepo, 'source'), '--out', join(inRepo, 'dist'), '--force'], seconds: [], cpu: [] },
  { name: 'installed from the tarball (`npx colophon build`)', cwd: consumer, command: ['npx', '--offline', 'colophon', 'build', '--force'], seconds: [], cpu: [] },
];

const timeFile = join(work, 'time.txt');
const once = (way: Way, record = true): number => {
  const started = performance.now();
  // The clone's bundle is pinned, so that an edit during the run cannot switch it to tsx.
  const result = spawnSync('/usr/bin/time', ['-f', '%U %S', '-o', timeFile, ...way.command], { cwd: way.cwd, encoding: 'utf8', env: { ...process.env, COLOPHON_PIN_BUNDLE: '1' } });
  const seconds = (performance.now() - started) / 1000;
  if (result.status !== 0) throw new Error(`${way.name} failed:\n${result.stderr}`);
  if (record) {
    way.seconds.push(seconds);
    way.cpu.push(readFileSync(timeFile, 'utf8').trim().split(/\s+/).map(Number).reduce((a, b) => a + b, 0));
  }
  return seconds;
};
// The first run of each fills what a user's first run fills (the installed package's code cache).
const first = ways.map((way) => once(way, false));
// Interleaved, so a busy spell of the machine falls on every way alike.
for (let run = 0; run < runs; run++) for (const way of ways) once(way);

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
// Each installed way against the in-repo way started the same way (node, or npx).
const versus: Record<number, number> = { 1: 0, 3: 2 };
const rows = ways.map((way, index) => {
  const value = median(way.seconds);
  const cpu = median(way.cpu);
  const other = versus[index] === undefined ? undefined : ways[versus[index]!]!;
  const ratio = other ? `${(value / median(other.seconds)).toFixed(2)}× wall, ${(cpu / median(other.cpu)).toFixed(2)}× CPU` : '';
  return `| ${way.name} | ${first[index]!.toFixed(3)} | ${value.toFixed(3)} | ${Math.min(...way.seconds).toFixed(3)} | ${cpu.toFixed(3)} | ${ratio} |`;
});
const load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const report = `# Colophon as a dependency (bench/package.ts)

The seed article's three editions (\`colophon build --force\`, HTML, PDF and EPUB), built by
Colophon installed from its packed tarball into an empty project, against the same build in
this repository. Target: at most 1.3× the in-repo time. ${runs} interleaved runs after one first run
each; the first run of the installed package writes its V8 code cache.

Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown'}, ${Math.round(totalmem() / 1024 ** 3)} GB, Node ${process.version}.
Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; load average at the end ${load}.

| build | first run s | median s | best s | median CPU s | installed ÷ in-repo, same launcher (medians) |
|---|---:|---:|---:|---:|---|
${rows.join('\n')}
`;
writeFileSync(join(root, 'bench', 'RESULTS-package.md'), report);
process.stdout.write(report);
