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
    pool: 'forks',
    maxWorkers: 2,
  },
});
