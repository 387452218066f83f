import type { SharedResources } from '../types.ts';
import { layeredTreeStore, MemoryTrees } from './tree-cache.ts';

export interface SharedResourceOptions {
  /** Bytes of parsed trees to keep in memory between builds (watch mode); default 0, none. */
  treeMemoryBytes?: number;
}

/**
 * Caches that outlive one document: values parsed from bytes (fonts), kept per key while the
 * bytes stay the same. One per build, per worker thread or per watch session, passed down;
 * an edited font file is simply parsed again. Parsing must be pure: the value may serve
 * every later document, so it must not depend on which document asked first.
 */
export function createSharedResources(options: SharedResourceOptions = {}): SharedResources {
  const entries = new Map<string, { bytes: Uint8Array; value: unknown }>();
  // Trees are keyed by a hash of the text parsed, so one memory serves every document of the session.
  const memory = options.treeMemoryBytes ? new MemoryTrees(options.treeMemoryBytes) : undefined;
  return {
    trees: (disk) => layeredTreeStore(memory, disk),
    parsed<T>(key: string, bytes: Uint8Array, parse: (bytes: Uint8Array) => T): T {
      const hit = entries.get(key);
      if (hit && (hit.bytes === bytes || Buffer.from(hit.bytes.buffer, hit.bytes.byteOffset, hit.bytes.byteLength).equals(bytes))) return hit.value as T;
      const value = parse(bytes);
      entries.set(key, { bytes, value });
      return value;
    },
  };
}
