import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { TestProject } from 'vitest/node';
import { epubcheckJar, javaOptions, projectRoot, requireTool, toolEnv } from './helpers.ts';

/**
 * One epubcheck JVM for the whole run: the test files ask it over a loopback socket (see
 * `epubcheck` in helpers.ts) instead of starting a JVM each, which cost ~4 s of CPU a check.
 * A missing Java or epubcheck fails the run here, before any test.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  requireTool('java', 'apt-get install default-jre-headless');
  if (!existsSync(epubcheckJar)) throw new Error(`${epubcheckJar} is missing (apt-get install epubcheck); .ci/run installs it`);
  const server = spawn('java', [...javaOptions, '-cp', epubcheckJar, join(projectRoot, 'test', 'validators', 'EpubcheckServer.java')], {
    env: toolEnv,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolvePort, reject) => {
    server.once('error', reject);
    server.once('exit', (code) => reject(new Error(`the epubcheck server exited (${code}) before it listened`)));
    createInterface({ input: server.stdout }).once('line', (line) => resolvePort(Number(line)));
  });
  server.removeAllListeners('exit');
  project.provide('epubcheckPort', port);
  // Closing its stdin stops the server; so does this process's end, however it ends.
  return () => server.stdin.end();
}
