import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import type { Root } from 'mdast';
import { packBytes, unpackBytes } from '../packed.ts';
import type { TreeCacheLocation, TreeStore } from '../types.ts';
import { writeAtomic } from './write.ts';

/**
 * Parsed trees kept between rebuilds, as V8-serialised bytes (the structured-clone format: exact
 * for mdast, including `undefined` fields; reading back 1 MB of text's trees costs about a
 * fortieth of parsing it). Two layers, both keyed by a hash of the text parsed:
 *
 * - memory, for a watch session: least recently used first out, within a byte budget;
 * - disk, for separate CLI runs, in the edition cache's folder, one file per tree (packed), under a
 *   folder named after Colophon's fingerprint (its code and dependencies), so that another
 *   version never reads these trees. Each file opens with the SHA-256 of its payload: a file
 *   that is truncated or altered is never deserialised, only deleted and parsed again.
 */

/** Bytes by key, least recently used first out, within a budget. */
export class MemoryTrees {
  private readonly entries = new Map<string, Uint8Array>();
  private size = 0;

  constructor(private readonly budget: number) {}

  get(key: string): Uint8Array | undefined {
    const bytes = this.entries.get(key);
    if (bytes) {
      // Map keeps insertion order: re-inserting makes this the most recently used.
      this.entries.delete(key);
      this.entries.set(key, bytes);
    }
    return bytes;
  }

  set(key: string, bytes: Uint8Array): void {
    if (bytes.length > this.budget) return;
    const old = this.entries.get(key);
    if (old) this.size -= old.length;
    this.entries.delete(key);
    this.entries.set(key, bytes);
    this.size += bytes.length;
    for (const [oldest, value] of this.entries) {
      if (this.size <= this.budget) break;
      this.entries.delete(oldest);
      this.size -= value.length;
    }
  }
}

const DIGEST_BYTES = 32;

/** Trees on disk, one file each: the payload's SHA-256, then the payload. */
export class DiskTrees {
  constructor(private readonly folder: string) {}

  /** The tree by key; with `since`, only one written since then (ms since the epoch). */
  get(key: string, since?: number): Uint8Array | undefined {
    const path = this.path(key);
    let file: Buffer;
    try {
      if (since !== undefined && statSync(path).mtimeMs < since) return undefined;
      file = readFileSync(path);
    } catch {
      return undefined;
    }
    const payload = file.subarray(DIGEST_BYTES);
    if (file.length <= DIGEST_BYTES || !createHash('sha256').update(payload).digest().equals(file.subarray(0, DIGEST_BYTES))) {
      rmSync(path, { force: true });
      return undefined;
    }
    try {
      // Its time of use, for pruning (least recently used first out).
      const now = new Date();
      utimesSync(path, now, now);
    } catch {
      // A read-only cache still serves.
    }
    return payload;
  }

  set(key: string, bytes: Uint8Array): void {
    try {
      writeAtomic(this.path(key), Buffer.concat([createHash('sha256').update(bytes).digest(), bytes]));
    } catch {
      // A cache that cannot be written only costs the next run a parse.
    }
  }

  private path(key: string): string {
    return join(this.folder, `${key}.tree`);
  }
}

/**
 * The file system's time now, as it stamps the files written next (its clock is coarser than
 * Date.now(), and may lag it by a tick): the time a marker file written in `folder` now gets.
 */
export function fileSystemNow(folder: string): number {
  try {
    const marker = join(folder, 'now');
    mkdirSync(folder, { recursive: true });
    writeFileSync(marker, '');
    return statSync(marker).mtimeMs;
  } catch {
    return Date.now();
  }
}

/** The disk cache's folder for this Colophon: trees written by another version are never read. */
export function treeCacheFolder(root: string, fingerprint: string): string {
  return join(root, 'node_modules', '.cache', 'colophon', 'trees', fingerprint.slice(0, 16));
}

/** The default bound on the disk cache of trees, and on a watch session's memory of them. */
export const TREE_CACHE_BYTES = 256 * 1024 * 1024;

/**
 * Keep the disk cache within `budget` bytes: the folders of other Colophon versions go, then
 * the least recently used trees of this one.
 */
export function pruneTreeCache(folder: string, budget = TREE_CACHE_BYTES): void {
  const parent = join(folder, '..');
  try {
    for (const entry of readdirSync(parent, { withFileTypes: true })) {
      if (join(parent, entry.name) !== folder) rmSync(join(parent, entry.name), { recursive: true, force: true });
    }
    const files = readdirSync(folder).flatMap((name) => {
      try {
        const stats = statSync(join(folder, name));
        return [{ path: join(folder, name), size: stats.size, used: stats.mtimeMs }];
      } catch {
        return [];
      }
    });
    let size = files.reduce((sum, file) => sum + file.size, 0);
    for (const file of files.sort((a, b) => a.used - b.used)) {
      if (size <= budget) break;
      rmSync(file.path, { force: true });
      size -= file.size;
    }
  } catch {
    // No cache yet, or one this process may not change: nothing to prune.
  }
}

/**
 * One store over the layers at hand: memory first, then disk (a disk hit is remembered in memory).
 * Memory keeps V8-serialised bytes (read back fastest, for a watch session's rebuilds); disk keeps
 * them packed (packed.ts: a fifth of the size to write, and more of a book in budget).
 */
export function layeredTreeStore(memory: MemoryTrees | undefined, location: TreeCacheLocation | undefined): TreeStore | undefined {
  const disk = location ? new DiskTrees(location.folder) : undefined;
  if (!memory && !disk) return undefined;
  const read = (bytes: () => Uint8Array): Root | undefined => {
    try {
      const tree = deserialize(bytes()) as Root;
      if (tree && tree.type === 'root' && Array.isArray(tree.children)) return tree;
    } catch {
      // Unreadable (checked bytes of a foreign format): parse again.
    }
    return undefined;
  };
  return {
    get(key) {
      const bytes = memory?.get(key);
      if (bytes) return read(() => bytes);
      const packed = disk && (location?.read || location?.since !== undefined) ? disk.get(key, location.read ? undefined : location.since) : undefined;
      if (!packed) return undefined;
      return read(() => {
        const unpacked = unpackBytes(packed);
        memory?.set(key, unpacked);
        return unpacked;
      });
    },
    set(key, tree) {
      const bytes = serialize(tree);
      memory?.set(key, bytes);
      disk?.set(key, packBytes(bytes));
    },
    setPacked(key, packed) {
      if (memory) memory.set(key, unpackBytes(packed));
      disk?.set(key, packed);
    },
  };
}
