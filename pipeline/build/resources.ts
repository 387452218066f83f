import type { ElementContent } from 'hast';
import type { HighlightMemo, QuoteMemo, SharedResources } from '../types.ts';
import { layeredTreeStore, MemoryTrees } from './tree-cache.ts';

export interface SharedResourceOptions {
  /** Bytes of parsed trees to keep in memory between builds (watch mode); default 0, none. */
  treeMemoryBytes?: number;
  /**
   * The files read through `parsed` do not change while these resources live (a worker thread
   * of one build): a value parsed once is served without reading its file again to compare.
   */
  sameFiles?: boolean;
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
    // A session that keeps trees keeps highlighted code too: both serve its next rebuild.
    highlights: memory ? highlightMemo(HIGHLIGHT_ENTRIES) : undefined,
    quotes: memory ? quoteMemo(QUOTE_CHARACTERS) : undefined,
    // Pieces of 32 KB instead of 128 KB: on 1 MB of READMEs a one-line edit re-parses in about
    // half the time, and the session's first parse costs about a tenth more.
    pieceBytes: memory ? 32 * 1024 : undefined,
    writerMemo: memory ? writerMemo() : undefined,
    lastBuilds: memory ? { records: new Map(), spliced: 0 } : undefined,
    lastMessages: memory ? new Map() : undefined,
    parsed<T>(key: string, read: Uint8Array | (() => Uint8Array), parse: (bytes: Uint8Array) => T, holds?: (bytes: Uint8Array) => boolean): T {
      const hit = entries.get(key);
      // A file given as a way to read it is read only when needed (fonts: each is 0.5-15 MB, and every document asks).
      if (hit && options.sameFiles && typeof read === 'function') return hit.value as T;
      // Compared without being read whole: a watch session's fonts read each build were about 50 MB
      // of array buffers a rebuild, which count towards V8's next full collection (bench/RESULTS-incremental.md, session 21).
      if (hit && typeof read === 'function' && holds?.(hit.bytes)) return hit.value as T;
      const bytes = typeof read === 'function' ? read() : read;
      if (hit && (hit.bytes === bytes || Buffer.from(hit.bytes.buffer, hit.bytes.byteOffset, hit.bytes.byteLength).equals(bytes))) return hit.value as T;
      const value = parse(bytes);
      entries.set(key, { bytes, value });
      return value;
    },
  };
}

/** Values the writers keep for the session, by key (each writer's memo keeps itself bounded). */
function writerMemo(): <T>(key: string, make: () => T) => T {
  const values = new Map<string, unknown>();
  return <T>(key: string, make: () => T): T => {
    if (!values.has(key)) values.set(key, make());
    return values.get(key) as T;
  };
}

/** Code blocks a watch session remembers highlighted: far more than a large document holds. */
const HIGHLIGHT_ENTRIES = 20_000;

/**
 * Highlighted code by key, least recently used first out. The children are handed out as they
 * are, not copied: they become part of the tree, which writers never change (one build's
 * editions already share them), and the transforms are done before highlighting.
 */
function highlightMemo(limit: number): HighlightMemo {
  return leastRecentlyUsed<ElementContent[]>(limit, () => 1);
}

/** Characters of paired text a watch session keeps: a 10 MB book's passes, several times over. */
const QUOTE_CHARACTERS = 64 * 1024 * 1024;

/** Paired texts by key, least recently used first out, within a number of characters. */
function quoteMemo(limit: number): QuoteMemo {
  return leastRecentlyUsed<string>(limit, (paired) => paired.length);
}

/** Values by key within a budget (`sizeOf` each), least recently used first out. */
function leastRecentlyUsed<V>(limit: number, sizeOf: (value: V) => number): { get(key: string): V | undefined; set(key: string, value: V): void } {
  const entries = new Map<string, V>();
  let size = 0;
  return {
    get(key) {
      const value = entries.get(key);
      if (value === undefined) return undefined;
      // A Map keeps insertion order: put back, the entry is now the most recently used.
      entries.delete(key);
      entries.set(key, value);
      return value;
    },
    set(key, value) {
      const old = entries.get(key);
      if (old !== undefined) size -= sizeOf(old);
      entries.delete(key);
      entries.set(key, value);
      size += sizeOf(value);
      for (const [oldest, kept] of entries) {
        if (size <= limit) break;
        entries.delete(oldest);
        size -= sizeOf(kept);
      }
    },
  };
}
