import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * A book's chapter (its top-level blocks, or a tree) while it waits between the chapter passes
 * (book-pass.ts) and between the writers (document.ts streamChapters): JSON, deflated at level 1
 * (about 8 bytes per byte of Markdown, then 6 times less). A transformed tree is plain JSON data
 * (no undefined, Map, Date or class): JSON gives the same tree back, at about half the CPU of V8's
 * serialiser (whose `deserialize` was the largest share of a cold book's extra CPU), and its
 * bytes deflate a little smaller. Level 1: most of what deflate finds, at a fraction of its time.
 */
export function packChapter(value: unknown): Uint8Array {
  return deflateRawSync(JSON.stringify(value), { level: 1 });
}

export function unpackChapter(bytes: Uint8Array): unknown {
  return JSON.parse(inflateRawSync(bytes).toString());
}
