import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContextOptions, type Page } from 'playwright-core';
import { expect, inject } from 'vitest';
import { WALL_CLOCK_GUARD_MS } from './limits.ts';
import type { SharedResources, TreeStore } from '../pipeline/types.ts';

declare module 'vitest' {
  interface ProvidedContext {
    /** The port of the suite's epubcheck server (test/validators/EpubcheckServer.java). */
    epubcheckPort: number;
  }
}

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const fixturesDir = join(projectRoot, 'test', 'fixtures');
export const cli = join(projectRoot, 'bin', 'colophon.mjs');

/** The words of fixture texts (paths under test/fixtures), split at white space: shaping tests run them through every face. */
export function fixtureWords(files: string[]): string[] {
  return files.flatMap((file) => readFileSync(join(fixturesDir, file), 'utf8').split(/\s+/)).filter((word) => word !== '');
}

/** The HTML fixtures: every case folder with an input.md not owned by another edition's tests. */
export function htmlCases(): string[] {
  return readdirSync(fixturesDir).filter((name) => !/^(pdf|epub|hostile)-/.test(name) && existsSync(join(fixturesDir, name, 'input.md')));
}

/** Set UPDATE_GOLDEN=1 to rewrite golden files instead of comparing; then review the diff. */
export const updateGolden = process.env.UPDATE_GOLDEN === '1';

/**
 * Compare `actual` with the golden file at `path`, or rewrite it under UPDATE_GOLDEN=1. A missing
 * golden is a failure, in CI and out of it: a golden written by the run that checks it proves nothing.
 */
export function expectGolden(path: string, actual: string): void {
  if (updateGolden) {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  if (!existsSync(path)) throw new Error(`golden file missing: ${path} (write it with UPDATE_GOLDEN=1, review it and commit it)`);
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
  const result = spawnSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env }, timeout: WALL_CLOCK_GUARD_MS });
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

const toolPaths = new Map<string, string>();

/** A validator the tests need. Missing is a failure, never a skip: CI must install it. */
export function requireTool(command: string, hint: string): string {
  const known = toolPaths.get(command);
  if (known) return known;
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  if (found.status !== 0) throw new Error(`${command} is not installed (${hint}); .ci/run installs it`);
  toolPaths.set(command, found.stdout.trim());
  return found.stdout.trim();
}

/**
 * The environment of every external tool a test runs (pdfinfo, pdftotext, qpdf, Java, Chromium):
 * UTC and the C locale, so what they print (pdfinfo's dates, sorting, decimal marks) is the same
 * on every machine, whatever TZ and LANG the developer has.
 */
export const toolEnv: NodeJS.ProcessEnv = { ...process.env, TZ: 'UTC', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', LANGUAGE: '' };

const TOOL_HINTS: Record<string, string> = {
  pdfinfo: 'apt-get install poppler-utils',
  pdftotext: 'apt-get install poppler-utils',
  pdftoppm: 'apt-get install poppler-utils',
  pdffonts: 'apt-get install poppler-utils',
  qpdf: 'apt-get install qpdf',
  java: 'apt-get install default-jre-headless',
  python3: 'apt-get install python3',
};

export interface ToolRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Run an external tool with the pinned environment; a missing tool fails the test. */
export function runTool(command: string, args: string[], options: { input?: Buffer | string; cwd?: string } = {}): ToolRun {
  requireTool(command, TOOL_HINTS[command] ?? `install ${command}`);
  const result = spawnSync(command, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, env: toolEnv, ...options });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Run an external tool that must succeed, and return what it printed. */
export function tool(command: string, args: string[], options: { input?: Buffer | string; cwd?: string } = {}): string {
  const result = runTool(command, args, options);
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`);
  return result.stdout;
}

export const vnuJar = join(projectRoot, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
export const epubcheckJar = '/usr/share/java/epubcheck.jar';

/**
 * JVM options for the validators' short runs: the client compiler only and the serial
 * collector. A run of a few seconds never repays C2's compilation; this halves epubcheck's CPU
 * time on a small book (4.6 s instead of 9.2 s) and changes nothing in what it reports.
 */
export const javaOptions = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

/**
 * epubcheck, the real one, asked through the suite's epubcheck server (test/global-setup.ts):
 * the same command line in a JVM that is already warm. `stdout` holds all it printed. Outside
 * the suite's configuration (no server), it starts epubcheck's own JVM. A missing Java or
 * epubcheck fails the suite, never skips it.
 */
export async function epubcheck(path: string): Promise<ToolRun> {
  const port = inject('epubcheckPort');
  if (port === undefined) {
    if (!existsSync(epubcheckJar)) throw new Error(`${epubcheckJar} is missing (apt-get install epubcheck); .ci/run installs it`);
    return runTool('java', [...javaOptions, '-jar', epubcheckJar, path]);
  }
  const answer = await new Promise<string>((resolveAnswer, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.end(`${resolve(path)}\n`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => resolveAnswer(Buffer.concat(chunks).toString('utf8')));
  });
  const newline = answer.indexOf('\n');
  if (newline < 0) throw new Error(`the epubcheck server gave no answer for ${path}`);
  return { status: Number(answer.slice(0, newline)), stdout: answer.slice(newline + 1), stderr: '' };
}

/** Run the Nu HTML checker on files; returns its messages (errors and warnings), empty when clean. */
export function nuCheck(files: string[]): { type: string; message: string; url: string; line?: number }[] {
  requireTool('java', 'apt-get install default-jre-headless');
  // The checker's schema evaluation recurses deeply: with the client compiler's larger frames the
  // default 1 MB thread stack overflows, and vnu then prints a notice instead of a report.
  const result = runTool('java', [...javaOptions, '-Xss8m', '-jar', vnuJar, '--format', 'json', '--also-check-css', ...files]);
  let report: { messages: { type: string; subType?: string; message: string; url: string; lastLine?: number }[] };
  try {
    report = JSON.parse(result.stderr);
  } catch {
    // No report is no verdict: a check that did not run must fail, never pass as clean.
    throw new Error(`the Nu checker gave no report (exit ${result.status}):\n${result.stdout}${result.stderr}`);
  }
  const failure = report.messages.find((message) => message.type === 'non-document-error');
  if (failure) throw new Error(`the Nu checker could not check ${failure.url}: ${failure.message}`);
  return report.messages.map((message) => ({
    type: message.subType ?? message.type,
    message: message.message,
    url: message.url,
    line: message.lastLine,
  }));
}

/**
 * Chromium from the system (apt-get install chromium), pinned to UTC and the C locale. Flags from
 * env's machines/node.md: the closed network refuses Chromium's background traffic.
 */
export function launchChromium(): Promise<Browser> {
  const executablePath = requireTool('chromium', 'apt-get install chromium');
  return chromium.launch({
    executablePath,
    env: toolEnv,
    timeout: WALL_CLOCK_GUARD_MS,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** A page whose waits (navigation, selectors) end only at the suite's guard, not at Playwright's 30 s. */
export async function openPage(browser: Browser, options: BrowserContextOptions = {}): Promise<Page> {
  const page = await browser.newPage(options);
  page.setDefaultTimeout(WALL_CLOCK_GUARD_MS);
  page.setDefaultNavigationTimeout(WALL_CLOCK_GUARD_MS);
  return page;
}

export function sh(command: string, args: string[], cwd = projectRoot): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: toolEnv });
}

/** A printed line of a PDF page, as `pdftotext -bbox-layout` finds it. */
export interface PrintedLine {
  text: string;
  top: number;
  /** Height of the line's box: the body text's lines share one, notes' and headings' differ. */
  height: number;
}

/** Every page's printed lines, top to bottom (page numbers and running heads included). */
export function printedLines(pdf: string): PrintedLine[][] {
  const xhtml = tool('pdftotext', ['-bbox-layout', pdf, '-']);
  return xhtml
    .split(/<page /)
    .slice(1)
    .map((page) =>
      [...page.matchAll(/<line xMin="[\d.]+" yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([\s\S]*?)<\/line>/g)]
        .map((match) => ({
          top: Number(match[1]),
          height: Math.round((Number(match[2]) - Number(match[1])) * 10) / 10,
          text: [...match[3]!.matchAll(/>([^<]*)<\/word>/g)].map((word) => word[1]).join(' '),
        }))
        .sort((a, b) => a.top - b.top),
    );
}

/**
 * Where each page's text stops: the last line of body text (the document's most common line
 * height) and the last line of all, which is a note's when the note area is not empty (page
 * numbers left out).
 */
export function pageEnds(pdf: string): { body: string; last: string }[] {
  const pages = printedLines(pdf);
  const counts = new Map<number, number>();
  for (const line of pages.flat()) counts.set(line.height, (counts.get(line.height) ?? 0) + 1);
  const bodyHeight = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 0;
  return pages.map((lines) => {
    const text = lines.filter((line) => !/^\d+$/.test(line.text.trim()));
    return { body: text.filter((line) => Math.abs(line.height - bodyHeight) < 0.3).at(-1)?.text ?? '', last: text.at(-1)?.text ?? '' };
  });
}

/** Shared resources that count the trees parsed (each parse stores its tree once). */
export function countingParses(shared: SharedResources) {
  const parsed = { count: 0 };
  const counting: SharedResources = {
    ...shared,
    trees: (disk) => {
      const store = shared.trees(disk);
      if (!store) return undefined;
      return {
        get: (key) => store.get(key),
        set: (key, tree) => {
          parsed.count++;
          store.set(key, tree);
        },
      } satisfies TreeStore;
    },
  };
  return { shared: counting, parsed };
}
