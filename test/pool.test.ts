import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';

// The flag calls are recorded, not made: V8's flags are the whole process's, the test runner's too.
// The test files share their modules (isolate: false), so pool.ts is imported afresh under the
// mock, and the modules are let go again after this file.
const setFlags = vi.fn();
vi.doMock('node:v8', async (importOriginal) => ({ ...(await importOriginal<typeof import('node:v8')>()), setFlagsFromString: setFlags }));
// `node --v8-options`, where the pool reads V8's default budget, made to fail on demand.
const v8Options = { fail: false };
vi.doMock('node:child_process', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:child_process')>();
  const execFile = (...args: Parameters<typeof original.execFile>) => {
    const callback = args.at(-1) as (error: Error | null, stdout: string, stderr: string) => void;
    if (v8Options.fail && args[1]?.[0] === '--v8-options') {
      callback(new Error('no node here'), '', '');
      return undefined;
    }
    return (original.execFile as (...rest: unknown[]) => unknown)(...args);
  };
  return { ...original, execFile };
});
vi.resetModules();
const { openPool } = await import('../pipeline/build/pool.ts');

describe("a build's pool of document threads", () => {
  afterAll(() => {
    vi.doUnmock('node:v8');
    vi.doUnmock('node:child_process');
    vi.resetModules();
  });

  afterEach(() => {
    setFlags.mockClear();
    vi.unstubAllEnvs();
    v8Options.fail = false;
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

  it('leaves the budget alone when V8’s default cannot be read (it would have nothing to set back)', async () => {
    v8Options.fail = true;
    const pool = await openPool<unknown, unknown>('worker', 1, { patientTiering: true });
    await pool.run({}).catch(() => {});
    await pool.close();
    expect(setFlags).not.toHaveBeenCalled();
  });
});
