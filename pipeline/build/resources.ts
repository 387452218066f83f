import type { Root } from 'mdast';
import type { SharedResources } from '../types.ts';

/**
 * Caches that outlive one document: values parsed from bytes (fonts), kept per key while the
 * bytes stay the same. One per build, per worker thread or per watch session, passed down;
 * an edited font file is simply parsed again. Parsing must be pure: the value may serve
 * every later document, so it must not depend on which document asked first.
 */
export function createSharedResources(): SharedResources {
  const entries = new Map<string, { bytes: Uint8Array; value: unknown }>();
  // Per document, only the pieces of its last parse are kept: memory stays one tree per document.
  const pieces = new Map<string, Map<string, Root>>();
  return {
    pieceTrees(document) {
      const next = new Map<string, Root>();
      const previous = pieces.get(document) ?? new Map<string, Root>();
      pieces.set(document, next);
      return { previous, next };
    },
    parsed<T>(key: string, bytes: Uint8Array, parse: (bytes: Uint8Array) => T): T {
      const hit = entries.get(key);
      if (hit && (hit.bytes === bytes || Buffer.from(hit.bytes.buffer, hit.bytes.byteOffset, hit.bytes.byteLength).equals(bytes))) return hit.value as T;
      const value = parse(bytes);
      entries.set(key, { bytes, value });
      return value;
    },
  };
}
