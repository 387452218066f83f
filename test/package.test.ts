import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot, runCli, tempProject } from './helpers.ts';
import { WALL_CLOCK_GUARD_MS } from './limits.ts';

/**
 * Colophon as a dependency, the way a user gets it: pack the tarball (the prepack script),
 * install it into an empty project without the network, and run it there: the CLI through npx,
 * the library through `import 'colophon'` on plain Node, and the shipped types through tsc.
 */
const packageJson = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as {
  version: string;
  license: string;
  bin: Record<string, string>;
  engines: Record<string, string>;
  dependencies: Record<string, string>;
  overrides?: Record<string, unknown>;
  scripts: Record<string, string>;
};
const seed = join(projectRoot, 'source', 'sco-blueprint.md');

let destination = '';
let tarball = '';
let files: string[] = [];
let project = '';

function run(command: string, args: string[], cwd: string) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: WALL_CLOCK_GUARD_MS, env: { ...process.env, npm_config_update_notifier: 'false' } });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/**
 * A lockfile for the empty project: the tarball, and every run-time package exactly as this
 * repository's lockfile pins it (`npm ci` already put each one in npm's cache), so `npm ci
 * --offline` installs it all without asking the registry anything.
 */
function writeOfflineProject(folder: string, tarballPath: string): void {
  const lock = JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean; devOptional?: boolean; link?: boolean }> };
  const integrity = `sha512-${createHash('sha512').update(readFileSync(tarballPath)).digest('base64')}`;
  const dependency = `file:${tarballPath}`;
  const packages: Record<string, unknown> = {
    '': { name: 'consumer', dependencies: { colophon: dependency } },
    'node_modules/colophon': { version: packageJson.version, resolved: dependency, integrity, license: packageJson.license, dependencies: packageJson.dependencies, bin: packageJson.bin, engines: packageJson.engines },
  };
  for (const [path, entry] of Object.entries(lock.packages)) if (path && !entry.dev && !entry.devOptional && !entry.link) packages[path] = entry;
  // This repository's overrides too: `npm ci` checks the lock's tree against them (a registry install resolves its own).
  writeFileSync(join(folder, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { colophon: dependency }, overrides: packageJson.overrides }, null, 2));
  writeFileSync(join(folder, 'package-lock.json'), JSON.stringify({ name: 'consumer', lockfileVersion: 3, requires: true, packages }, null, 2));
}

beforeAll(() => {
  destination = tempProject();
  // The prepack script, then a pack that runs no script: `prepare` would rebuild this clone's own
  // start-up bundle under the feet of the other test files. --no-check: tsc emits the same files
  // without type-checking pipeline/ a second time (`npm test` runs `tsc --noEmit` over it).
  expect(packageJson.scripts.prepack).toBe('node bin/pack.mjs');
  execFileSync(process.execPath, [join(projectRoot, 'bin', 'pack.mjs'), '--no-check'], { cwd: projectRoot, stdio: 'pipe' });
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', destination], projectRoot);
  expect(packed.status, packed.stderr).toBe(0);
  const [report] = JSON.parse(packed.stdout) as { filename: string; files: { path: string }[] }[];
  tarball = join(destination, report!.filename);
  files = report!.files.map((file) => file.path).sort();

  project = tempProject({ 'source/seed.md': readFileSync(seed) });
  writeOfflineProject(project, tarball);
  const installed = run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], project);
  expect(installed.status, installed.stderr).toBe(0);
});

// The installed project holds some 460 MB (the fonts): each run used to leave one in the temporary folder.
afterAll(() => {
  for (const folder of [project, destination]) if (folder) rmSync(folder, { recursive: true, force: true });
});

describe('the packed tarball', () => {
  it('ships the compiled library, its types, the CLI bundle, the templates, the README and the licence; no tests, bench, CI or TypeScript sources', () => {
    expect(files).toContain('bin/colophon.mjs');
    expect(files).toContain('bin/lib/index.js');
    expect(files).toContain('bin/lib/index.d.ts');
    expect(files).toContain('bin/lib/bundle/cli.cjs');
    expect(files).toContain('templates/html/style.css');
    expect(files).toContain('README.md');
    expect(files).toContain('LICENSE');
    const stray = files.filter((path) => /^(test|bench|\.ci|pipeline|source|dist|node_modules)\//.test(path) || /(^|\/)[^/]+(?<!\.d)\.ts$/.test(path) || path === 'bin/bundle.mjs');
    expect(stray).toEqual([]);
  });

  it('declares only what runs as dependencies', () => {
    for (const tool of ['tsx', 'esbuild', 'typescript', 'vitest', 'zod', 'uuid', 'vfile-reporter', 'hast-util-to-html']) expect(Object.keys(packageJson.dependencies)).not.toContain(tool);
  });
});

describe('the lockfile', () => {
  // Every copy of property-information builds its HTML, SVG and ARIA tables when the CLI starts:
  // five copies (four of 7.2.0, nested beside a hoisted 6.5.0 that only hast-util-to-xast asked
  // for) were 2.7% of the seed's instructions. package.json's `overrides` gives that one 7.x too.
  it('holds one copy of property-information', () => {
    const lock = JSON.parse(readFileSync(join(projectRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, unknown> };
    expect(Object.keys(lock.packages).filter((path) => /(^|\/)node_modules\/property-information$/.test(path))).toEqual(['node_modules/property-information']);
  });
});

describe('installed from the tarball into an empty project (offline)', () => {
  it('`npx colophon build` writes all three editions of source/*.md, the same bytes as a build in this repository', () => {
    const built = run('npx', ['--offline', 'colophon', 'build'], project);
    expect(built.status, built.stderr).toBe(0);
    expect(readdirSync(join(project, 'dist')).sort()).toEqual(['seed.epub', 'seed.html', 'seed.pdf']);
    // The installed package ran its bundle, and its first run left V8's code cache in the project's cache folder.
    expect(readdirSync(join(project, 'node_modules', '.cache', 'colophon')).some((name) => new RegExp(`^cli-${packageJson.version}-\\d+-node${process.version}-${process.arch}\\.v8-cache$`).test(name))).toBe(true);

    const inRepo = tempProject({ 'source/seed.md': readFileSync(seed) });
    expect(runCli(['build', '--out', 'dist'], inRepo).status).toBe(0);
    for (const edition of ['html', 'pdf', 'epub']) expect(readFileSync(join(project, 'dist', `seed.${edition}`)).equals(readFileSync(join(inRepo, 'dist', `seed.${edition}`))), edition).toBe(true);
  });

  it('a build that fetches nothing loads no network code (no --allow-remote)', () => {
    // Node lists the built-in modules a process loaded: the preload writes that list out at exit.
    const preload = join(project, 'list-modules.cjs');
    const list = join(project, 'modules.txt');
    writeFileSync(preload, "process.on('exit', () => require('node:fs').writeFileSync(process.env.MODULE_LIST, process.moduleLoadList.join('\\n')));");
    const env = { ...process.env, NODE_OPTIONS: `--require ${preload}`, MODULE_LIST: list };
    const built = spawnSync(join(project, 'node_modules', '.bin', 'colophon'), ['build', '--force', '--out', 'dist-modules'], { cwd: project, encoding: 'utf8', env, timeout: WALL_CLOCK_GUARD_MS });
    expect(built.status, built.stderr).toBe(0);
    expect(readdirSync(join(project, 'dist-modules')).sort()).toEqual(['seed.epub', 'seed.html', 'seed.pdf']);
    const loaded = readFileSync(list, 'utf8').split('\n');
    expect(loaded).toContain('NativeModule fs');
    for (const name of ['http', 'https', 'tls', 'dns', 'child_process']) expect(loaded).not.toContain(`NativeModule ${name}`);
  });

  it('`npx colophon --version` prints the version; --help names the commands', () => {
    const version = run('npx', ['--offline', 'colophon', '--version'], project);
    expect(version.status).toBe(0);
    expect(version.stdout.trim()).toBe(packageJson.version);
    const help = run('npx', ['--offline', 'colophon', '--help'], project);
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/Usage: colophon .*\n[\s\S]*build \[options\] \[paths\.\.\.\][\s\S]*check \[options\]/);
  });

  it("`import { build, check } from 'colophon'` works on plain Node: bytes and messages, nothing written", () => {
    const script = [
      "import { build, check } from 'colophon';",
      "const built = await build({ paths: ['source/seed.md'], formats: ['html', 'epub'], dryRun: true, cache: false });",
      "const checked = await check({ paths: ['source'] });",
      'console.log(JSON.stringify({ ok: built.ok, editions: built.documents[0].editions.map((e) => [e.edition, e.bytes.length > 1000]), checked: checked.ok, messages: checked.documents[0].messages.length }));',
    ].join('\n');
    writeFileSync(join(project, 'library.mjs'), script);
    const result = run(process.execPath, ['library.mjs'], project);
    expect(result.status, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ ok: true, editions: [['html', true], ['epub', true]], checked: true, messages: 0 });
  });

  it('the shipped types compile an example consumer (strict, no skipLibCheck) and reject a wrong edition', () => {
    copyFileSync(join(projectRoot, 'test', 'consumer', 'consumer.ts'), join(project, 'consumer.ts'));
    const options = { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: [] };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: options, files: ['consumer.ts'] }));
    // What `tsc -p .` reports, except that of the packages' declaration files only Colophon's are
    // checked in full: checking valibot's 12,000-line one on its own took four fifths of the time.
    // Theirs are still read and used wherever the consumer or Colophon's types touch them.
    const parsed = ts.getParsedCommandLineOfConfigFile(join(project, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: (diagnostic) => expect.fail(ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')) });
    const program = ts.createProgram({ rootNames: parsed!.fileNames, options: parsed!.options, configFileParsingDiagnostics: parsed!.errors });
    const colophonTypes = join(realpathSync(project), 'node_modules', 'colophon', 'bin', 'lib');
    const checked = program.getSourceFiles().filter((file) => !program.isSourceFileDefaultLibrary(file) && (!file.isDeclarationFile || file.fileName.startsWith(colophonTypes)));
    expect(checked.map((file) => relative(realpathSync(project), file.fileName))).toEqual(expect.arrayContaining(['consumer.ts', 'node_modules/colophon/bin/lib/index.d.ts', 'node_modules/colophon/bin/lib/types.d.ts']));
    const diagnostics = [...program.getConfigFileParsingDiagnostics(), ...program.getOptionsDiagnostics(), ...program.getGlobalDiagnostics(), ...program.getSyntacticDiagnostics(), ...checked.flatMap((file) => program.getSemanticDiagnostics(file))];
    expect(ts.formatDiagnostics(diagnostics, { getCanonicalFileName: (name) => name, getCurrentDirectory: () => project, getNewLine: () => '\n' })).toBe('');
  });
});
