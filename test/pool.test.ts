import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

// The flag calls are recorded, not made: V8's flags are the whole process's, the test runner's too.
// The test files share their modules (isolate: false), so pool.ts is imported afresh under the
// mock, and the modules are let go again after this file.
const setFlags = vi.fn();
vi.doMock('node:v8', async (importOriginal) => ({ ...(await importOriginal<typeof import('node:v8')>()), setFlagsFromString: setFlags }));
vi.resetModules();
const { openPool } = await import('../pipeline/build/pool.ts');

describe("a build's pool of document threads", () => {
  afterAll(() => {
    vi.doUnmock('node:v8');
    vi.resetModules();
  });

  afterEach(() => {
    setFlags.mockClear();
    vi.unstubAllEnvs();
  });

  it('raises V8’s interrupt budget once its threads have taken a task (and loaded the code) and sets it back once they are gone', async () => {
    const pool = await openPool<unknown, unknown>('worker', 1, { patientTiering: true });
    expect(setFlags).not.toHaveBeenCalled();
    // A task the thread cannot render: it fails, but the thread has started and loaded its code.
    await expect(pool.run({})).rejects.toThrow();
    await expect(pool.run({})).rejects.toThrow();
    expect(setFlags.mock.calls).toEqual([['--interrupt-budget=1081344']]);
    await pool.close();
    expect(setFlags.mock.calls).toEqual([['--interrupt-budget=1081344'], ['--interrupt-budget=67584']]);
  });

  it('leaves the budget alone when not asked (the parse pool), or when node was given one', async () => {
    const parsePool = await openPool<unknown, unknown>('parse-worker', 1);
    await parsePool.run({}).catch(() => {});
    await parsePool.close();
    vi.stubEnv('NODE_OPTIONS', '--max-old-space-size=4096 --interrupt-budget=1000');
    const pool = await openPool<unknown, unknown>('worker', 1, { patientTiering: true });
    await pool.run({}).catch(() => {});
    await pool.close();
    expect(setFlags).not.toHaveBeenCalled();
  });
});
