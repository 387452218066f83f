import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('..', import.meta.url).pathname,
    include: ['test/**/*.test.ts'],
    // Validators (Java, Chromium, epubcheck) are slow to start: generous per-test limits, never timing assertions.
    testTimeout: 180_000,
    hookTimeout: 180_000,
    reporters: ['default', './test/summary-reporter.ts'],
    pool: 'forks',
    maxWorkers: 2,
  },
});
