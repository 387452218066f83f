import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const fixturesDir = join(projectRoot, 'test', 'fixtures');
export const cli = join(projectRoot, 'bin', 'colophon.mjs');

/** Set UPDATE_GOLDEN=1 to rewrite golden files instead of comparing; then review the diff. */
export const updateGolden = process.env.UPDATE_GOLDEN === '1';

/** Compare `actual` with the golden file at `path`, or rewrite it under UPDATE_GOLDEN=1. */
export function expectGolden(path: string, actual: string): void {
  if (updateGolden || !existsSync(path)) {
    if (!updateGolden && process.env.CI) throw new Error(`golden file missing: ${path} (run with UPDATE_GOLDEN=1 and commit it)`);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  expect(actual, `golden ${path} differs (UPDATE_GOLDEN=1 rewrites it)`).toBe(readFileSync(path, 'utf8'));
}

/** A fresh temporary project folder, optionally seeded with files. */
export function tempProject(files: Record<string, string | Uint8Array> = {}): string {
  const root = mkdtempSync(join(tmpdir(), 'colophon-test-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

export function copyInto(root: string, from: string, to: string): void {
  cpSync(from, join(root, to), { recursive: true });
}

export interface CliRun {
  status: number;
  stdout: string;
  stderr: string;
}

/** Run the real CLI as a user would, from `cwd`. */
export function runCli(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): CliRun {
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: 120_000 });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A validator the tests need. Missing is a failure, never a skip: CI must install it. */
export function requireTool(command: string, hint: string): string {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`${command} is not installed (${hint}); .ci/run installs it`);
  return found.stdout.trim();
}

export const vnuJar = join(projectRoot, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');

/** Run the Nu HTML checker on files; returns its messages (errors and warnings), empty when clean. */
export function nuCheck(files: string[]): { type: string; message: string; url: string; line?: number }[] {
  requireTool('java', 'apt-get install default-jre-headless');
  const result = spawnSync('java', ['-jar', vnuJar, '--format', 'json', '--also-check-css', ...files], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const report = JSON.parse(result.stderr || '{"messages":[]}') as { messages: { type: string; subType?: string; message: string; url: string; lastLine?: number }[] };
  return report.messages.map((message) => ({
    type: message.subType ?? message.type,
    message: message.message,
    url: message.url,
    line: message.lastLine,
  }));
}

export function sh(command: string, args: string[], cwd = projectRoot): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}
