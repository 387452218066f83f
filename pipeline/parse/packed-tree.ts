import { deserialize, serialize } from 'node:v8';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { Root } from 'mdast';

/**
 * A parsed tree as it waits off the heap: V8-serialised (the structured-clone format, exact for
 * mdast, `undefined` fields included), then deflated at level 1. A tree's serialised bytes are
 * about eight times its Markdown; deflated, about a fifth of that (a 100 MB book's parse results
 * wait in about 170 MB instead of 850 MB).
 */
export function packTree(tree: Root): Uint8Array {
  return packBytes(serialize(tree));
}

/** A tree's V8-serialised bytes, packed. */
export function packBytes(serialised: Uint8Array): Uint8Array {
  return deflateRawSync(serialised, { level: 1 });
}

/** A fresh tree from packed bytes. Throws on bytes that are not a packed value. */
export function unpackTree(packed: Uint8Array): Root {
  return deserialize(inflateRawSync(packed)) as Root;
}

/** Packed bytes read back as V8-serialised bytes (a memory store keeps these: read back faster). */
export function unpackBytes(packed: Uint8Array): Uint8Array {
  return inflateRawSync(packed);
}
