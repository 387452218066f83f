/**
 * The suite's one wall-clock guard, for tests, hooks, spawned CLIs, browsers and waits. It only
 * stops a hang: no test may fail because the machine is busy. It stays at least five times the
 * slowest test or set-up measured on a loaded two-core machine (the EPUB set-up: about 4 min with
 * a load average of 30; see README, Tests). Work is bounded by sizes and counts, never by time.
 */
export const WALL_CLOCK_GUARD_MS = 20 * 60_000;
