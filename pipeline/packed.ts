import { deserialize, serialize } from 'node:v8';
import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * Values as they wait off the heap, deflated at level 1 (most of what deflate finds, at a
 * fraction of its time). Two encodings underneath:
 *
 * - V8's serialiser (the structured-clone format): exact for any tree, `undefined` fields
 *   included. For parse results, which the tree cache keeps and serves to later builds, and for
 *   the EPUB's parts. A tree's serialised bytes are about eight times its Markdown; deflated,
 *   about a fifth of that.
 * - JSON: for a book's transformed chapters between the chapter passes and the writers. A
 *   transformed tree is plain data (no Map, Date or class; JSON only leaves out `undefined`
 *   fields, which every reader treats as absent), and JSON.parse takes about a third of the time
 *   of V8's deserialiser on it.
 */
const LEVEL = { level: 1 };

/** A value, V8-serialised and packed. */
export function packValue(value: unknown): Uint8Array {
  return packBytes(serialize(value));
}

/** A value's V8-serialised bytes, packed. */
export function packBytes(serialised: Uint8Array): Uint8Array {
  return deflateRawSync(serialised, LEVEL);
}

/** A fresh value from `packValue`'s bytes. Throws on bytes that are not a packed value. */
export function unpackValue(packed: Uint8Array): unknown {
  return deserialize(unpackBytes(packed));
}

/** Packed bytes read back as V8-serialised bytes (a memory store keeps these: read back faster). */
export function unpackBytes(packed: Uint8Array): Uint8Array {
  return inflateRawSync(packed);
}

/** A book's chapter (its blocks, or a tree) as deflated JSON. */
export function packChapter(value: unknown): Uint8Array {
  return deflateRawSync(JSON.stringify(value), LEVEL);
}

export function unpackChapter(packed: Uint8Array): unknown {
  return JSON.parse(inflateRawSync(packed).toString());
}
