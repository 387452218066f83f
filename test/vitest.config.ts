import { defineConfig } from 'vitest/config';
import { WALL_CLOCK_GUARD_MS } from './limits.ts';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    // A guard against hangs only (see limits.ts), never a timing assertion.
    testTimeout: WALL_CLOCK_GUARD_MS,
    hookTimeout: WALL_CLOCK_GUARD_MS,
    reporters: ['default', './test/summary-reporter.ts'],
    // One epubcheck JVM serves the whole run (test/global-setup.ts).
    globalSetup: ['./test/global-setup.ts'],
    pool: 'forks',
    // One more worker than this machine's two cores: test files spend much of their time waiting
    // on the validators they start (Java, Chromium, npm), and a third file fills those waits. On
    // a fresh clone `npm test` took 317 s with two workers and 255 s with three.
    maxWorkers: 3,
    // A worker keeps the modules it imported for its next test file: importing the pipeline
    // (pdfkit, fonts, MathJax, citeproc…) anew for each of 30 files cost ~60 s of an idle run.
    // Nothing in the pipeline or the tests keeps state in a module (see GUIDE), so files stay independent.
    isolate: false,
  },
});
