import type { Root, RootContent } from 'mdast';
import { packChapter, unpackChapter } from '../packed.ts';
import type { BookFacts, ChapterStream } from '../types.ts';

/**
 * A chapter's blocks are packed a few hundred at a time: a long chapter's JSON is never whole, as
 * bytes and as a string beside its tree, when it is packed or loaded (a 5.3 MB chapter's is 40 MB
 * of each, its tree 51 MB of heap).
 */
const BLOCKS_PER_SEGMENT = 512;

/**
 * A chapter's blocks as packed segments (packed.ts). `shared`: in memory that a thread they are
 * posted to shares instead of copying (a SharedArrayBuffer), so that two threads reading the
 * book hold its chapters once.
 */
export function packSegments(children: RootContent[], shared = false): Uint8Array[] {
  const segments: Uint8Array[] = [];
  for (let from = 0; from < children.length; from += BLOCKS_PER_SEGMENT) {
    const packed = packChapter(children.slice(from, from + BLOCKS_PER_SEGMENT));
    segments.push(shared ? inSharedMemory(packed) : packed);
  }
  return segments;
}

function inSharedMemory(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(new SharedArrayBuffer(bytes.byteLength));
  copy.set(bytes);
  return copy;
}

function unpackSegments(segments: Uint8Array[]): RootContent[] {
  const children: RootContent[] = [];
  for (const segment of segments) for (const block of unpackChapter(segment) as RootContent[]) children.push(block);
  return children;
}

/**
 * The writers' streams over a book's packed chapters (`held[n - 1]` is chapter n's segments):
 * `stream` loads a chapter as often as asked; `lastUse`, for the last writer, lets each
 * chapter's bytes go as it loads them.
 */
export function chapterStreams(held: Uint8Array[][], facts: BookFacts): { stream: ChapterStream; lastUse: ChapterStream } {
  const load = (n: number): Root => ({ type: 'root', children: unpackSegments(held[n - 1]!) });
  const stream: ChapterStream = { count: held.length, load, facts };
  const lastUse: ChapterStream = {
    count: held.length,
    load: (n) => {
      const chapter = load(n);
      held[n - 1] = [];
      return chapter;
    },
    facts,
  };
  return { stream, lastUse };
}
