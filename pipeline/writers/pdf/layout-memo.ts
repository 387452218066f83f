import { createHash } from 'node:crypto';
import type { Definition, RootContent } from 'mdast';
import type { Point, Position } from 'unist';
import { report } from '../../messages.ts';
import type { Box, StructNode } from './boxes.ts';
import type { GetDefinition } from 'mdast-util-definitions';
import type { FaceKey, Fonts } from './fonts.ts';
import type { LayoutWatch, Lookup } from './layout-watch.ts';
import type { DrawnText } from './pdf-document.ts';
import { PageMemo } from './draw-pages.ts';
import { DeflateMemo } from './pdfkit-patches.ts';
import type { State } from './state.ts';

/**
 * The laid-out boxes of a document's top-level blocks, kept between the builds of a watch
 * session: a rebuild after an edit lays out again only the blocks whose content changed (line
 * breaking, shaping, hyphenation are most of the layout's time), then paginates and draws the
 * whole document as a cold build does. A block's boxes depend on
 * - its content (the transformed node, positions aside) and whether it follows a paragraph,
 *   which make the key;
 * - the document's settings (theme, language, measure), which make the generation: any change
 *   there forgets everything;
 * - what it looked up: link targets and link definitions (recorded, and checked on reuse), and
 *   whether the notes it cites were cited before (part of the key);
 * - the faces it asked for: pdfkit numbers faces as they are first asked for, so a reused
 *   block asks for its faces again, in its order.
 * A block that read a file (an image: pdfkit numbers images as they are opened, and a watch
 * session watches what a build reads) or used a typeset formula is laid out afresh every time;
 * so is one whose layout reported anything but a warning about one of its own nodes (a report may
 * be once per document). Those warnings (a remote image not fetched, a link with no target) are
 * kept with their places relative to the block, and reported again
 * where the block now is when it is reused with the same places inside it.
 */
export class LayoutMemo {
  private generation = '';
  /** Entries by key; a list, since a block may occur more than once (each occurrence has its own structure nodes). */
  private entries = new Map<string, MemoEntry[]>();
  private used = new Map<string, MemoEntry[]>();
  /** Top-level blocks of the last build: laid out again, and taken from the memo. */
  readonly counts = { laidOut: 0, reused: 0 };
  /** Deflated page streams (drawing happens after the layout: they are kept per build from one `begin` to the next). */
  readonly streams = new DeflateMemo();
  /** Folios by page index, with the faces they asked for. */
  private folios = new Map<number, { boxes: Box[]; faces: string[] }>();
  /** Pages drawn in the last build, to replay (draw-pages.ts). */
  readonly pages = new PageMemo(this.streams);
  /** Text ops of kept boxes as drawn: their operands (Pdf.drawText). */
  readonly drawn = new WeakMap<object, DrawnText>();
  /**
   * Content keys by node: a block the build hands over again as the very same object (a region
   * rebuild keeps the last build's transformed tree, build/region-rebuild.ts) is not written out
   * again. Valid because no node is changed once transformed, save its positions (not in the key).
   */
  private contents = new WeakMap<RootContent, { key: string; notes: string[]; suffix?: string; whole?: string }>();
  private blockFacts = new WeakMap<RootContent, BlockFacts>();
  /** The document's structure root, kept so that reused boxes' structure elements hang from it. */
  root: StructNode | undefined;

  /** This build's link targets and definitions. */
  private facts: DocumentFacts = { destinations: new Set(), definitions: () => undefined };
  /** The parsed fonts of the faces the kept blocks were laid out with. */
  private faceFonts = new Map<FaceKey, unknown>();

  /**
   * Start a build: `generation` covers every document-wide setting a block's layout reads; a
   * face whose font is not the one the kept blocks were set in (its file changed) forgets them too.
   */
  begin(generation: string, fonts: Fonts, facts: DocumentFacts): void {
    this.facts = facts;
    if (generation !== this.generation || [...this.faceFonts].some(([key, font]) => fonts.parsed(key) !== font)) {
      this.generation = generation;
      this.entries = new Map();
      this.faceFonts = new Map();
      this.root = undefined;
      this.folios = new Map();
      this.pages.forget();
    }
    this.pages.begin();
    this.used = new Map();
    this.streams.nextBuild();
    this.counts.laidOut = 0;
    this.counts.reused = 0;
  }

  /** End a build: only the blocks this build used are kept for the next. */
  end(): void {
    this.entries = this.used;
    this.used = new Map();
  }

  /** A top-level block's link definitions and destinations, found once per node (see `contents`). */
  factsOf(node: RootContent, find: (node: RootContent) => BlockFacts): BlockFacts {
    let facts = this.blockFacts.get(node);
    if (!facts) this.blockFacts.set(node, (facts = find(node)));
    return facts;
  }

  /** The boxes of a top-level block, reused when its content and all it looked up are unchanged. */
  layout(state: State, node: RootContent, indentFirst: boolean, make: () => Box[]): Box[] {
    let known = this.contents.get(node);
    if (!known) {
      const found: string[] = [];
      // The key is kept as the digest of the content written out: the text itself (several times
      // the Markdown's size, built of many pieces) would live as long as the node, beside it.
      known = { key: createHash('sha256').update(contentKey(node, found)).digest('base64'), notes: found };
      this.contents.set(node, known);
    }
    const notes = known.notes;
    // The whole key is made once per node and context: the same string again, whose hash V8
    // keeps, is looked up without reading it (a block's key is its whole content written out).
    const suffix = `${indentFirst ? 1 : 0}${notes.length > 0 ? notes.map((note) => (state.citedNotes.has(note) ? '+' : '-')).join('') : ''}`;
    if (known.suffix !== suffix) {
      known.suffix = suffix;
      known.whole = `${suffix}${known.key}`;
    }
    const key = known.whole!;
    const candidates = this.entries.get(key);
    // A block kept with its warnings is reused only with the same places inside it (the warnings' places move with it).
    let shape: string | undefined;
    const sameShape = (entry: MemoEntry) => !entry.warnings || entry.warnings.shape === (shape ??= placesIn(node));
    const index = candidates?.findIndex((entry) => entry.lookups.every((lookup) => lookup.answer === answer(this.facts, lookup.kind, lookup.name)) && sameShape(entry)) ?? -1;
    if (candidates && index >= 0) {
      const [hit] = candidates.splice(index, 1) as [MemoEntry];
      if (hit.warnings) for (const warning of hit.warnings.list) report(state.file, 'warning', warning.reason, moved(warning.place, node.position), warning.ruleId);
      // The keys were recorded by Fonts.face itself.
      for (const face of hit.faces) state.fonts.face(face as FaceKey);
      for (const note of notes) state.citedNotes.add(note);
      this.keep(key, hit);
      this.counts.reused++;
      return hit.boxes;
    }
    this.counts.laidOut++;
    const watch: LayoutWatch = { faces: [], lookups: [], tainted: false };
    const messages = state.file.messages.length;
    const notices = state.fonts.notices;
    state.watch = watch;
    state.fonts.watch = watch;
    let boxes: Box[];
    try {
      boxes = make();
    } finally {
      state.watch = undefined;
      state.fonts.watch = undefined;
    }
    const reported = state.file.messages.slice(messages);
    if (!watch.tainted && state.fonts.notices === notices && reported.every((message) => message.fatal === false && OWN_WARNINGS.has(message.ruleId ?? '') && node.position)) {
      const warnings = reported.length > 0 ? { shape: placesIn(node), list: reported.map((message) => ({ reason: message.reason, ruleId: message.ruleId!, place: relative(message.place, node.position!) })) } : undefined;
      this.keep(key, { boxes, faces: watch.faces, lookups: watch.lookups, warnings });
      this.pages.keepBoxes(boxes);
      for (const face of watch.faces as FaceKey[]) if (!this.faceFonts.has(face)) this.faceFonts.set(face, state.fonts.parsed(face));
    }
    return boxes;
  }

  /** A page's folio (the number at its foot), set once per page index and the session's settings; its faces asked for again when reused. */
  folio(index: number, fonts: Fonts, make: () => Box[]): Box[] {
    const kept = this.folios.get(index);
    if (kept) {
      for (const face of kept.faces) fonts.face(face as FaceKey);
      return kept.boxes;
    }
    const watch: LayoutWatch = { faces: [], lookups: [], tainted: false };
    const notices = fonts.notices;
    fonts.watch = watch;
    let boxes: Box[];
    try {
      boxes = make();
    } finally {
      fonts.watch = undefined;
    }
    if (fonts.notices === notices) {
      this.folios.set(index, { boxes, faces: watch.faces });
      for (const face of watch.faces as FaceKey[]) if (!this.faceFonts.has(face)) this.faceFonts.set(face, fonts.parsed(face));
    }
    return boxes;
  }

  private keep(key: string, entry: MemoEntry): void {
    const list = this.used.get(key);
    if (list) list.push(entry);
    else this.used.set(key, [entry]);
  }
}

interface MemoEntry {
  boxes: Box[];
  faces: string[];
  lookups: Lookup[];
  /** Warnings the layout reported, their places relative to the block's; `shape`: the places of the block's nodes, likewise. */
  warnings?: { shape: string; list: { reason: string; ruleId: string; place: RelativePlace }[] };
}

/** Warnings about a node of the block itself, reported each time it is laid out (the rule ids of report() calls in the handlers). */
const OWN_WARNINGS = new Set(['pdf-image-remote', 'pdf-link-target']);

type RelativePoint = { line: number; column: number; sameLine: boolean; offset: number | undefined };
type RelativePlace = { start: RelativePoint; end?: RelativePoint } | undefined;

/** A point relative to `from`: lines and offsets as differences, the column too when on the same line. */
function relativePoint(point: Point, from: Point): RelativePoint {
  const sameLine = point.line === from.line;
  return { line: point.line - from.line, column: sameLine ? point.column - from.column : point.column, sameLine, offset: point.offset === undefined || from.offset === undefined ? undefined : point.offset - from.offset };
}

function absolutePoint(point: RelativePoint, from: Point): Point {
  return { line: from.line + point.line, column: point.sameLine ? from.column + point.column : point.column, offset: point.offset === undefined || from.offset === undefined ? undefined : from.offset + point.offset };
}

function relative(place: Point | Position | undefined, block: Position): RelativePlace {
  if (!place) return undefined;
  if ('start' in place) return { start: relativePoint(place.start, block.start), end: relativePoint(place.end, block.start) };
  return { start: relativePoint(place, block.start) };
}

function moved(place: RelativePlace, block: Position | undefined): Position | Point | undefined {
  if (!place || !block) return undefined;
  const start = absolutePoint(place.start, block.start);
  return place.end ? { start, end: absolutePoint(place.end, block.start) } : start;
}

/** The places of a block's nodes relative to its start, as a string to compare. */
function placesIn(node: RootContent): string {
  const from = node.position?.start;
  if (!from) return '';
  let out = '';
  const walk = (value: { position?: Position; children?: unknown[] }) => {
    const place = value.position;
    out += place ? `${JSON.stringify(relativePoint(place.start, from))}${JSON.stringify(relativePoint(place.end, from))};` : '-;';
    if (Array.isArray(value.children)) for (const child of value.children) walk(child as typeof value);
    out += ')';
  };
  walk(node);
  return out;
}

/** What a top-level block adds to the document-wide facts: its link definitions and destinations (ids a link may point at). */
export interface BlockFacts {
  definitions: Definition[];
  destinations: string[];
}

/** The document-wide facts a block's layout may look up. */
export interface DocumentFacts {
  destinations: ReadonlySet<string>;
  definitions: GetDefinition;
  /** Whether the build fetched a remote file (--allow-remote). */
  remote?: (url: string) => boolean;
}

/** The answer to a lookup, as a string to compare. */
export function answer(facts: DocumentFacts, kind: Lookup['kind'], name: string): string {
  if (kind === 'destination') return facts.destinations.has(name) ? '1' : '0';
  if (kind === 'remote') return facts.remote?.(name) ? '1' : '0';
  const definition = facts.definitions(name || undefined);
  const document = definition?.data?.documentLink;
  return definition ? `${definition.url}\u0000${definition.title ?? ''}${document ? `\u0000${document.path}\u0000${document.after}` : ''}` : '';
}

/**
 * The state's views of the document-wide facts: each lookup made while a block is watched is
 * recorded with its answer.
 */
export function watchedFacts(facts: DocumentFacts, watch: () => LayoutWatch | undefined): Pick<State, 'destinations' | 'definitions'> {
  const record = (kind: Lookup['kind'], name: string) => watch()?.lookups.push({ kind, name, answer: answer(facts, kind, name) });
  return {
    destinations: {
      has(name) {
        record('destination', name);
        return facts.destinations.has(name);
      },
    },
    definitions: (identifier) => {
      record('definition', identifier ?? '');
      return facts.definitions(identifier);
    },
  };
}

/**
 * A node's content as a string, positions left out (an edit above a block moves it without
 * changing it); the identifiers of the notes it cites are collected into `notes`.
 */
function contentKey(value: unknown, notes: string[]): string {
  // JSON.stringify's output without the positions, written out here: with a replacer function it
  // calls back for every key, which cost about a third more on 1 MB of READMEs.
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index++) out += `${index > 0 ? ',' : ''}${contentKey(value[index], notes)}`;
    return `${out}]`;
  }
  const record = value as Record<string, unknown>;
  let out = '{';
  let first = true;
  for (const key of Object.keys(record)) {
    const child = record[key];
    if (key === 'position' || child === undefined || typeof child === 'function') continue;
    if (key === 'identifier' && record.type === 'footnoteReference' && typeof child === 'string') notes.push(child);
    out += `${first ? '' : ','}${JSON.stringify(key)}:${contentKey(child, notes)}`;
    first = false;
  }
  return `${out}}`;
}
