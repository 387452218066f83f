import { deflateRawSync, deflateSync, inflateRawSync } from 'node:zlib';
import type { ByteSink } from './byte-sink.ts';
import type { RawDocument } from './pdfkit-api.ts';
import { pngPixels } from './png-pixels.ts';
import { escapeXml } from '../shared/xml.ts';

/**
 * Where Colophon replaces pdfkit internals, each for one stated reason. Every patch keeps the
 * bytes pdfkit would write; what changes is memory, or a bug fixed.
 */

/**
 * Take pdfkit's output as it is pushed, into large blocks (or a file), and resolve at the end.
 * pdfkit writes each keyword and dictionary as its own small array, and a Readable keeps
 * them all until it flows, after drawing: over a hundred thousand arrays (35 MB of heap for a
 * 5 MB PDF). Taken as they are pushed, each one goes at once. The header, written by the
 * constructor, is already waiting in the stream.
 */
export function captureOutput(doc: RawDocument, output: ByteSink): Promise<void> {
  const header = doc.read();
  if (header) output.write(header);
  // pdfkit turns each keyword and dictionary it writes into bytes one character at a time, in
  // JavaScript (its fromBinaryString: the low byte of each code unit); Buffer's latin1 does the
  // same natively.
  doc._write = (data) => {
    if (data instanceof Uint8Array) {
      doc.push(data);
      doc._offset += data.length;
      return;
    }
    // Into the sink as it comes (push would take a Buffer): the same bytes, in the same order.
    const text = String(data);
    output.writeText(text);
    output.writeText('\n');
    doc._offset += text.length + 1;
  };
  return new Promise((resolve, reject) => {
    doc.push = (chunk) => {
      if (chunk === null) resolve();
      else output.write(chunk);
      return true;
    };
    doc.on('error', reject);
  });
}

/**
 * Keep each page's content operators as strings and hand them to pdfkit in one piece when the
 * page ends. Every operator drawn (ours, pdfkit's and svg-to-pdfkit's all go through
 * addContent) otherwise becomes a small array held until the page ends, and a long document's
 * hundreds of thousands of them reach the old generation as garbage. They are written just
 * before pdfkit ends the page (flushPages, from addPage and end): the same bytes, since pdfkit
 * ends each piece with a newline.
 *
 * The piece goes in deflated already, as pdfkit would deflate it (zlib's defaults, the same
 * dictionary written in the same key order), so that a watch session can reuse a page's
 * deflated stream when a rebuild draws the same content again (`deflated`).
 */
export function batchPageContent(doc: RawDocument, deflated?: DeflateMemo): PageContent {
  const pageContent: string[] = [];
  // The page's whole stream text, when settled ahead (`settle`).
  let whole: string | undefined;
  const flushPages = doc.flushPages.bind(doc);
  const control: PageContent = {
    muted: false,
    sofar() {
      // The pieces become one: the page's stream is still their join (see flushPages).
      const text = pageContent.join('\n');
      pageContent.length = 0;
      if (text !== '') pageContent.push(text);
      return text;
    },
    replace(text) {
      pageContent.length = 0;
      if (text !== '') pageContent.push(text);
    },
    settle(last) {
      const [first = '', ...rest] = pageContent;
      const tail = `${pageContent.length}:${rest.join("\n")}`;
      const text = last && last.first === first && last.tail === tail ? last.text : pageContent.length > 0 ? `${pageContent.join('\n')}\n` : '';
      pageContent.length = 0;
      whole = text;
      return last && last.text === text ? last : { first, tail, text };
    },
  };
  doc.addContent = (data) => {
    if (!control.muted) pageContent.push(data);
    return doc;
  };
  doc.flushPages = () => {
    if (whole !== undefined) {
      if (whole !== '') writeContent(doc, whole, deflated);
    } else if (pageContent.length > 0) writeContent(doc, `${pageContent.join('\n')}\n`, deflated);
    pageContent.length = 0;
    whole = undefined;
    flushPages();
  };
  return control;
}

/**
 * Let each page's objects go once they are written. pdfkit writes a page's dictionary,
 * resources and content stream as the next page begins (flushPages), but keeps the
 * dictionary's data, and through it the resources, the annotations and their actions, until
 * the end: the page tree, named destinations and outline items refer to the page. They only
 * ever print its reference ("12 0 R"), so the data can go, all but `StructParents` (read again
 * when a structure element is given marked content of an earlier page). The same bytes are
 * written; a long book's pages no longer each hold their objects to the end.
 */
export function releaseWrittenPages(doc: RawDocument): void {
  const flushPages = doc.flushPages.bind(doc);
  const raw = doc as unknown as { _security?: unknown; _root: { data: { StructTreeRoot?: { data: { ParentTree: ParentTree } } } } };
  const store = new ParentIds();
  doc.flushPages = () => {
    const pages = doc._pageBuffer;
    flushPages();
    const tree = raw._security ? undefined : raw._root.data.StructTreeRoot?.data.ParentTree;
    for (const page of pages) {
      const { StructParents } = page.dictionary.data;
      page.dictionary.data = StructParents === undefined ? {} : { StructParents };
      if (tree && StructParents !== undefined) tree.add(StructParents, PageParents.of(tree.get(StructParents), store));
    }
  };
}

/**
 * The object numbers of every written page's parent-tree entry, one after the other in one
 * growing Int32Array: a typed array per page (thousands per build) costs its own buffer, and
 * typed arrays made by the thousand slow the Buffers allocated after them (bench/RESULTS-incremental.md).
 */
class ParentIds {
  values = new Int32Array(4096);
  length = 0;

  push(id: number): void {
    if (this.length === this.values.length) {
      const grown = new Int32Array(2 * this.values.length);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = id;
  }
}

/** pdfkit's parent tree (a PDFNumberTree): per page's key, its marked contents' elements (an array, by MCID); per link's key, its element. */
interface ParentTree {
  get(key: number): unknown;
  add(key: number, value: unknown): void;
}

/**
 * A written page's entry in the parent tree: the object numbers of its marked contents'
 * elements (by MCID; 0 where none), in the document's ParentIds, printed as pdfkit prints the array of
 * references it replaces (`[12 0 R 12 0 R null]`). A long book keeps one per page to the end,
 * where pdfkit writes the tree. The page's entries are all set by then: the writer adds each
 * marked content to its element as soon as it is drawn, on its page (draw-pages.ts), and a
 * structure element given content of a page already written fails (see compactPrototype's
 * `_addContentToParentTree`) rather than writing a tree without it.
 */
class PageParents {
  private constructor(
    private readonly store: ParentIds,
    private readonly start: number,
    private readonly end: number,
  ) {}

  /** The entry kept compact (its numbers in `store`): itself when its values are all references (ObjectNumbers) or null, else as it is. */
  static of(entry: unknown, store: ParentIds): unknown {
    if (!Array.isArray(entry)) return entry;
    const start = store.length;
    for (let index = 0; index < entry.length; index++) {
      const value: unknown = entry[index];
      if (value instanceof ObjectNumber) store.push(value.id);
      else if (value === null || value === undefined) store.push(0);
      else {
        store.length = start;
        return entry;
      }
    }
    return new PageParents(store, start, store.length);
  }

  get [Symbol.toStringTag](): string {
    return 'PageParents';
  }

  toString(): string {
    const out: string[] = [];
    const { values } = this.store;
    for (let index = this.start; index < this.end; index++) out.push(values[index] === 0 ? 'null' : `${values[index]} 0 R`);
    return `[${out.join(' ')}]`;
  }
}

/**
 * A link annotation's data, let go once the annotation is written (pdfkit's annotate writes it
 * at once): a tagged document's structure element keeps the annotation's object to the end,
 * only to print its reference.
 */
export function releaseLastAnnotation(doc: RawDocument): void {
  const annotations = doc.page.annotations;
  const written = annotations[annotations.length - 1];
  if (written) written.data = {};
}

/**
 * A structure element kept small until the end. pdfkit writes the structure tree only in
 * `end()` (the elements' order and numbers in the file depend on it), so every element lives to
 * the end of a long book unless its block is sealed (`finishStructure`). Three of its parts cost
 * more than they hold: its children's array, which V8 gives 17 slots at the first push (most
 * elements have one or two children), kept at its length instead while short; its dictionary's
 * empty stream buffer (a structure element's dictionary is never a stream), one shared empty
 * array; and the parent tree's entries, which pdfkit makes the element's dictionary itself
 * (keeping its data to the end) where they only ever print its reference: they are given an
 * ObjectNumber instead. The methods are pdfkit's (0.20.2), called with those changes, from one
 * prototype per document.
 */
export function compactStructElement<E extends object>(element: E): E {
  const raw = element as unknown as CompactStructElement;
  raw.dictionary.buffer = NO_CHUNKS;
  const document = raw.document as unknown as { [COMPACT]?: object };
  document[COMPACT] ??= compactPrototype(Object.getPrototypeOf(raw) as PdfkitStructElement);
  Object.setPrototypeOf(raw, document[COMPACT]);
  return element;
}

/**
 * A named destination as pdfkit's `addNamedDestination(name, 'XYZ', x, y, null)` adds it, kept
 * compact until the name tree is written (see Destinations): pdfkit's value is an array of five
 * (the page's reference, the fit, two numbers and null) under its name, and a long book has one
 * per heading and note, all kept to the end.
 */
export function addDestination(doc: RawDocument, name: string, x: number, y: number): void {
  const raw = doc as unknown as { _security?: unknown; _root: { data: { Names: { data: { Dests: NameTree } } } } };
  if (raw._security) {
    doc.addNamedDestination(name, 'XYZ', x, y, null);
    return;
  }
  const tree = raw._root.data.Names.data.Dests;
  tree[DESTINATIONS] ??= new Destinations(tree);
  tree[DESTINATIONS].add(name, (doc.page.dictionary as unknown as { id: number }).id, x, doc.page.height - y);
}

/** pdfkit's PDFNameTree of the document's destinations, and its compact store once one was added. */
interface NameTree {
  _items: Record<string, unknown>;
  [DESTINATIONS]?: Destinations;
}

const DESTINATIONS = Symbol('colophon.destinations');

/**
 * The destinations added to a name tree, in the order added: each one's name, page (object
 * number), left and top, in arrays. fasterObjects writes the tree from them (`order`, `value`),
 * a line at a time. The tree's `_items`, which pdfkit reads only when it writes the tree (at its
 * end, as it does for an encrypted document), becomes a getter that fills pdfkit's own object
 * with what `add` would have put there, in the same order (a later destination of a name
 * replaces an earlier one and keeps its place): each value the text the tree prints for
 * pdfkit's array, `[12 0 R /XYZ left top null]`.
 */
class Destinations {
  private names: string[] = [];
  private pages = new Int32Array(64);
  private places = new Float64Array(128);
  private items: Record<string, unknown> | undefined;

  constructor(tree: NameTree) {
    const items = tree._items;
    Object.defineProperty(tree, '_items', {
      configurable: true,
      enumerable: true,
      get: () => {
        if (!this.items) {
          for (let index = 0; index < this.names.length; index++) items[this.names[index]!] = new PdfText(this.value(index));
          this.items = items;
          this.names = [];
        }
        return this.items;
      },
    });
  }

  /** Whether pdfkit's `_items` was filled in (and holds the destinations since). */
  get filled(): boolean {
    return this.items !== undefined;
  }

  add(name: string, page: number, left: number, top: number): void {
    if (this.items) {
      this.items[name] = new PdfText(`[${page} 0 R /XYZ ${pdfNumber(left)} ${pdfNumber(top)} null]`);
      return;
    }
    const index = this.names.length;
    this.names.push(name);
    this.pages = room(this.pages, index + 1);
    if (2 * index + 2 > this.places.length) {
      const places = new Float64Array(2 * this.places.length);
      places.set(this.places);
      this.places = places;
    }
    this.pages[index] = page;
    this.places[2 * index] = left;
    this.places[2 * index + 1] = top;
  }

  get count(): number {
    return this.names.length;
  }

  /** The first `count` destinations of another document's store (added before a checkpoint) in place of this one's. */
  takeFrom(other: Destinations, count: number): void {
    this.names = other.names.slice(0, count);
    this.pages = other.pages.slice(0, Math.max(64, count));
    this.places = other.places.slice(0, Math.max(128, 2 * count));
  }

  name(index: number): string {
    return this.names[index]!;
  }

  /** What the tree prints for the destination added `index`th. */
  value(index: number): string {
    return `[${this.pages[index]} 0 R /XYZ ${pdfNumber(this.places[2 * index]!)} ${pdfNumber(this.places[2 * index + 1]!)} null]`;
  }

  /**
   * The destinations that pdfkit's `_items` would hold (each name's last), in the order of its
   * keys (`Object.keys`): names that are array indices ("12", not "007") first, in numeric
   * order, then the others in the order each name was first added.
   */
  order(): number[] {
    const last = new Map<string, number>();
    for (let index = 0; index < this.names.length; index++) last.set(this.names[index]!, index);
    const indices: number[] = [];
    const others: number[] = [];
    for (const [name, index] of last) (isArrayIndex(name) ? indices : others).push(index);
    indices.sort((a, b) => Number(this.names[a]) - Number(this.names[b]));
    for (const index of others) indices.push(index);
    return indices;
  }
}

/** Whether a property key is an array index (ECMA-262: a canonical numeric string of an integer below 2^32 - 1), which objects list first. */
function isArrayIndex(key: string): boolean {
  const number = Number(key);
  return Number.isInteger(number) && number >= 0 && number < 4294967295 && String(number) === key;
}

/**
 * The document's bookmarks (outline items), kept compact until pdfkit's end writes them: pdfkit
 * makes each item an object with its options, its data, its reference (and that reference's
 * dictionary) and its children's array, all kept to the end (a long book has one per heading).
 * Here an item is its object number (taken when it is added, as pdfkit's `ref()` takes it), its
 * parent, first and last child and next sibling, in Int32Arrays, and its title and its
 * destination as text. pdfkit's `endOutline` is replaced by one that writes the same objects in
 * the same order with the same bytes: each item after its descendants, its dictionary's keys in
 * pdfkit's order (Dest, Parent, Title, Prev, Next, First, Last). An item is a number, the root 0.
 * An encrypted document keeps pdfkit's items (its strings are encrypted per object).
 */
export class CompactOutline {
  private count = 1;
  private ids = new Int32Array(64);
  private parents = new Int32Array(64);
  private firsts = new Int32Array(64);
  private lasts = new Int32Array(64);
  private nexts = new Int32Array(64);
  private readonly titles: string[] = [''];
  /** Each item's destination: its page's object number, and left, top and zoom (pdfkit's `[page /XYZ left top zoom]`). */
  private pages = new Int32Array(64);
  private places = new Float64Array(3 * 64);
  /** pdfkit's items, for an encrypted document (and its root, index 0). */
  private readonly items: OutlineRoot[];

  constructor(private readonly doc: RawDocument) {
    const raw = doc as unknown as { outline: OutlineRoot; _security?: unknown; endOutline(): unknown };
    this.items = [raw.outline];
    if (raw._security) return;
    const outline = this;
    // pdfkit's OutlineMixin.endOutline reads these three of its root.
    raw.outline = {
      get children() {
        return { length: outline.firsts[0] === 0 ? 0 : 1 };
      },
      get dictionary() {
        return outline.items[0]!.dictionary;
      },
      endOutline: () => this.end(),
    } as unknown as OutlineRoot;
  }

  /** The root, every top-level item's parent. */
  get root(): number {
    return 0;
  }

  /** pdfkit's `parent.addItem(title, options)` on the current page (options as pdfkit reads them, without `pageNumber`). */
  add(parent: number, title: string, options: { expanded?: boolean; fit?: boolean; top?: number; left?: number; zoom?: number }): number {
    const raw = this.doc as unknown as { _security?: unknown; _offsets: (number | null)[]; _waiting: number };
    if (raw._security || options.fit || options.expanded) {
      if (!raw._security) throw new Error('a compact outline keeps closed items with an XYZ destination only');
      this.items.push(this.items[parent]!.addItem(title, options));
      return this.items.length - 1;
    }
    const page = this.doc.page.dictionary as unknown as { id: number; data: { MediaBox: number[] } };
    // pdfkit's ref(): the next object number, written at the end.
    raw._offsets.push(null);
    raw._waiting++;
    const index = this.count++;
    if (index >= this.ids.length) {
      const size = 2 * this.ids.length;
      this.ids = room(this.ids, size);
      this.parents = room(this.parents, size);
      this.firsts = room(this.firsts, size);
      this.lasts = room(this.lasts, size);
      this.nexts = room(this.nexts, size);
      this.pages = room(this.pages, size);
      const places = new Float64Array(3 * size);
      places.set(this.places);
      this.places = places;
    }
    this.ids[index] = raw._offsets.length;
    this.parents[index] = parent;
    this.titles.push(title);
    // What pdfkit's PDFOutline puts in its Dest: the page's width and height less left and top.
    this.pages[index] = page.id;
    this.places[3 * index] = page.data.MediaBox[2]! - (options.left || 0);
    this.places[3 * index + 1] = page.data.MediaBox[3]! - (options.top || 0);
    this.places[3 * index + 2] = options.zoom || 0;
    if (this.firsts[parent] === 0) this.firsts[parent] = index;
    else this.nexts[this.lasts[parent]!] = index;
    this.lasts[parent] = index;
    return index;
  }

  /** How many items there are, and their titles (pdfkit's end lets them go): see `takeFrom`. */
  mark(): OutlineMark {
    return { count: this.count, titles: this.titles.slice(0, this.count) };
  }

  /** Another document's outline as it was at `mark` (its items only gained children and siblings since) in place of this one's. */
  takeFrom(other: CompactOutline, mark: OutlineMark): void {
    const count = mark.count;
    const size = Math.max(64, count);
    this.count = count;
    this.ids = other.ids.slice(0, size);
    this.parents = other.parents.slice(0, size);
    this.pages = other.pages.slice(0, size);
    this.places = other.places.slice(0, 3 * size);
    this.titles.length = 0;
    this.titles.push(...mark.titles);
    // Children and siblings again, from the parents alone: items are added in order, each its parent's last child so far.
    this.firsts = new Int32Array(size);
    this.lasts = new Int32Array(size);
    this.nexts = new Int32Array(size);
    for (let index = 1; index < count; index++) {
      const parent = this.parents[index]!;
      if (this.firsts[parent] === 0) this.firsts[parent] = index;
      else this.nexts[this.lasts[parent]!] = index;
      this.lasts[parent] = index;
    }
  }

  /** pdfkit's root.endOutline(): each item written after its children, then the root. */
  private end(): void {
    const Reference = (this.doc as unknown as { [REFERENCE]: new (doc: unknown, id: number, data: object) => PdfRef })[REFERENCE];
    const reference = (index: number) => new PdfText(`${index === 0 ? this.items[0]!.dictionary.id : this.ids[index]} 0 R`);
    const write = (index: number, prev: number) => {
      const data: Record<string, unknown> = {};
      if (index > 0) {
        const [left, top, zoom] = this.places.subarray(3 * index, 3 * index + 3);
        data.Dest = new PdfText(`[${this.pages[index]} 0 R /XYZ ${pdfNumber(left!)} ${pdfNumber(top!)} ${pdfNumber(zoom!)}]`);
        data.Parent = reference(this.parents[index]!);
        data.Title = new String(this.titles[index]!);
        if (prev) data.Prev = reference(prev);
        if (this.nexts[index]) data.Next = reference(this.nexts[index]!);
      }
      const first = this.firsts[index]!;
      if (first) {
        if (index === 0 && this.items[0]!.options.expanded) {
          let count = 0;
          for (let child = first; child; child = this.nexts[child]!) count++;
          data.Count = count;
        }
        data.First = reference(first);
        data.Last = reference(this.lasts[index]!);
        for (let child = first, before = 0; child; before = child, child = this.nexts[child]!) write(child, before);
      }
      if (index === 0) {
        Object.assign(this.items[0]!.outlineData, data);
        this.items[0]!.dictionary.end();
      } else new Reference(this.doc, this.ids[index]!, data).end();
      // Written: its text goes.
      this.titles[index] = '';
    };
    write(0, 0);
  }
}

/** pdfkit's PDFOutline, as far as CompactOutline reads it. */
interface OutlineRoot {
  options: { expanded?: boolean };
  outlineData: Record<string, unknown>;
  dictionary: { id: number; end(): void };
  addItem(title: string, options: object): OutlineRoot;
}

/** The document's reference class (fasterObjects'), to write objects whose numbers were taken earlier. */
const REFERENCE = Symbol('colophon.reference');

/** A PDF value kept as the text it prints as (pdfkit's convert and fasterObjects write an object they do not know as its toString()). */
class PdfText {
  constructor(private readonly text: string) {}
  get [Symbol.toStringTag](): string {
    return 'PdfText';
  }
  toString(): string {
    return this.text;
  }
}

/** A number as pdfkit's convert prints it (and fasterObjects' convert, through this). */
function pdfNumber(value: number): string {
  if (value > -1e21 && value < 1e21) return `${Math.round(value * 1e6) / 1e6}`;
  throw new Error(`unsupported number: ${value}`);
}

/**
 * Seal a finished structure element: pdfkit's own `end()` of it and its descendants, run now
 * with the document's output recorded instead of written, and the recording written in its
 * place when pdfkit's `end()` reaches it. The element must be finished (nothing more added to
 * it or below it, which pdfkit then refuses) and a child of the document's root element (the
 * caller's "block"). pdfkit writes a subtree in post-order with nothing of its own between, each
 * object's text from its data alone, with one exception: an OBJR's /Pg is the page current when
 * the element is written (pdfkit 0.20.2 `_flushChild`: `this.document.page.dictionary`), i.e.
 * the document's last page. It is recorded as a mark and filled in when the recording is
 * written. The element's descendants and their data can then go: only the text stays (50-100
 * bytes an element), and the same bytes are written at the same place, with the same object
 * numbers and offsets. An encrypted document is left to pdfkit (its strings depend on the object).
 */
export function finishStructure(doc: RawDocument, element: object, parent: object, memo?: SealMemo): void {
  const raw = doc as unknown as RecordingDocument;
  const top = element as unknown as CompactStructElement;
  const siblings = (parent as CompactStructElement)._children;
  // Sealed soon after it was added: near the end of its parent's children.
  const at = siblings.lastIndexOf(top);
  if (raw._security || top._ended || at === -1 || Object.getPrototypeOf(top) !== (raw as { [COMPACT]?: object })[COMPACT]) return;
  // The last build's recording of the same block, when everything its text is made of is as it
  // was (its elements then go unended: only the stand-in below stays reachable).
  // A block after an edit keeps its elements' shape but its object numbers move: the last
  // build's text with the new numbers filled in (relocated).
  const print = memo ? structurePrint(top) : undefined;
  const known = memo?.last;
  const reused = known && print ? relocated(known, print) : undefined;
  const recorded = reused ?? recordStructure(raw, top);
  if (memo && print && recorded !== known) memo.keep(reused ?? { shape: print.shape, numbers: print.numbers, text: recorded.text, ends: recorded.ends });
  const { text, ends } = recorded;
  // The text joins the document's open chunk (deflated once it is full). A watch session keeps
  // the text in its memo anyway: it is held as that very string, in a chunk of its own, neither
  // joined, deflated nor inflated again (a tenth of a warm rebuild's main thread went to those:
  // bench/RESULTS-incremental.md, session 12).
  const store = ((raw as { [SEALED]?: SealedStore })[SEALED] ??= { chunk: { parts: [], length: 0, deflated: undefined, text: undefined }, run: undefined });
  const chunk: Chunk = memo ? { parts: undefined, length: text.length, deflated: undefined, text } : store.chunk;
  const start = memo ? 0 : chunk.length;
  if (!memo) {
    chunk.parts!.push(text);
    chunk.length += text.length;
  }
  // In its parent's children, a stand-in that pdfkit's end finds flushable, prints as the
  // element's reference in its parent's K, and writes the recording when ended. A block sealed
  // right after the sibling before it, which was sealed last, joins that sibling's stand-in (a
  // run): pdfkit's end writes consecutive children one after the other with nothing between,
  // and K prints their references joined by spaces, as the run's reference prints.
  const before = siblings[at - 1] as CompactStructElement | undefined;
  const run = before?._sealed;
  if (run && run === store.run) {
    run.add(top.dictionary.id, chunk, start, chunk.length, ends);
    // Near the end: only the blocks begun on the page after it follow.
    siblings.splice(at, 1);
  } else {
    const stub = Object.create(Object.getPrototypeOf(top) as object) as CompactStructElement;
    stub.document = top.document;
    const fresh = new SealedRun(top.dictionary.id, chunk, start, chunk.length, ends);
    stub.dictionary = fresh as unknown as CompactStructElement['dictionary'];
    stub._sealed = fresh;
    store.run = fresh;
    siblings[at] = stub;
  }
  if (!memo && chunk.length >= CHUNK_LENGTH) {
    // UTF-8, not latin1: the page mark must come back as itself.
    chunk.deflated = deflateRawSync(Buffer.from(chunk.parts!.join(''), 'utf8'));
    chunk.parts = undefined;
    store.chunk = { parts: [], length: 0, deflated: undefined, text: undefined };
  }
}

/** pdfkit's end of a finished element's subtree, recorded (see finishStructure): its text, and each object's number and offset in it. */
function recordStructure(raw: RecordingDocument, top: CompactStructElement): { text: string; ends: number[] } {
  const parts: string[] = [];
  const ends: number[] = [];
  const page = new PageMark();
  const write = Object.getOwnPropertyDescriptor(raw, '_write');
  const offset = raw._offset;
  const current = raw.page;
  raw._offset = 0;
  // As captureOutput and pdfkit write: a string is one line, in bytes the low byte of each code unit.
  raw._write = (data) => {
    const text = typeof data === 'string' ? `${data}\n` : Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1');
    parts.push(text);
    raw._offset += text.length;
  };
  raw._refEnd = (ref) => {
    ends.push(ref.id, ref.offset);
  };
  raw.page = { dictionary: page } as unknown as RawDocument['page'];
  try {
    top.end();
  } finally {
    if (write) Object.defineProperty(raw, '_write', write);
    else delete (raw as Partial<RecordingDocument>)._write;
    delete (raw as Partial<RecordingDocument>)._refEnd;
    raw._offset = offset;
    raw.page = current;
  }
  const text = parts.join('');
  if (!top._flushed || text.split(PAGE_MARK).length - 1 !== page.count) throw new Error('a structure element sealed before pdfkit could write it');
  // The offsets' array at its length (pushed, it had grown by half again).
  return { text, ends: ends.slice() };
}

/**
 * A sealed block's recording kept by a watch session (draw-pages.ts PageMemo), by the block's
 * structure node: `last` is the last build's, `keep` records this build's.
 */
export interface SealMemo {
  last: SealRecording | undefined;
  keep(recording: SealRecording): void;
}

export interface SealRecording {
  /** structurePrint of the element when it was recorded. */
  shape: string;
  numbers: readonly number[];
  text: string;
  ends: readonly number[];
  /** Where the text holds object numbers (sealTemplate), found when it is first relocated; null: it cannot be. */
  template?: SealTemplate | null;
}

/**
 * Everything pdfkit's end writes of a finished element's subtree is made of, but for what its
 * structure nodes fix (tags and attributes; a block's node is the same object only while its
 * layout is): each element's tag, and in order each child element, each marked-content
 * reference (its MCID) and each annotation (`shape`); and the object numbers among them
 * (`numbers`: the parent's, each element's, each marked-content reference's page and each
 * annotation's), holes in the shape. The same block's node with the same shape writes the same
 * text but for its object numbers, as long as the numbers are equal where they were equal (an
 * OBJR's page is filled in when the text is written: PAGE_MARK).
 */
interface StructurePrint {
  shape: string;
  numbers: number[];
}

function structurePrint(top: CompactStructElement): StructurePrint {
  const numbers: number[] = [(top.dictionary.data.P as { id?: number } | undefined)?.id ?? -1];
  let shape = '';
  const walk = (element: CompactStructElement) => {
    numbers.push(element.dictionary.id);
    shape += ` e ${String(element.dictionary.data.S)}`;
    for (const child of element._children) {
      const value = child as { _children?: unknown[]; refs?: { pageRef: { id: number }; mcid: number }[]; annotationRef?: { id: number } };
      if (value._children) walk(child as CompactStructElement);
      else if (value.refs) {
        for (const { pageRef, mcid } of value.refs) {
          numbers.push(pageRef.id);
          shape += ` c ${mcid}`;
        }
      } else if (value.annotationRef) {
        numbers.push(value.annotationRef.id);
        shape += ' a';
      } else shape += ` ? ${String(child)}`;
    }
    shape += ' )';
  };
  walk(top);
  return { shape, numbers };
}

/**
 * The last build's recording of a block for this build's print: itself when nothing moved; its
 * text with each object number replaced by this build's when only numbers moved, each to one
 * number (equal numbers stay equal, different ones different); undefined otherwise.
 */
function relocated(known: SealRecording, print: StructurePrint): SealRecording | undefined {
  const before = known.numbers;
  const after = print.numbers;
  if (known.shape !== print.shape || before.length !== after.length) return undefined;
  let moved = false;
  for (let index = 0; index < after.length; index++) {
    if (before[index] !== after[index]) {
      moved = true;
      break;
    }
  }
  if (!moved) return known;
  const forward = new Map<number, number>();
  const backward = new Map<number, number>();
  for (let index = 0; index < after.length; index++) {
    const from = before[index]!;
    const to = after[index]!;
    const mapped = forward.get(from);
    if (mapped === undefined) {
      if (backward.has(to)) return undefined;
      forward.set(from, to);
      backward.set(to, from);
    } else if (mapped !== to) return undefined;
  }
  if (known.template === undefined) known.template = sealTemplate(known.text, known.ends, before);
  const template = known.template;
  if (!template) return undefined;
  // The text again, each hole with its new number; the holes' places in it, and each object's offset.
  const { starts, lengths, holes, endHoles } = template;
  const text = known.text;
  const parts: string[] = [];
  const newStarts: number[] = new Array(starts.length);
  const newLengths: number[] = new Array(starts.length);
  let from = 0;
  let length = 0;
  for (let hole = 0; hole < starts.length; hole++) {
    const start = starts[hole]!;
    parts.push(text.slice(from, start));
    length += start - from;
    const number = String(after[holes[hole]!]!);
    parts.push(number);
    newStarts[hole] = length;
    newLengths[hole] = number.length;
    length += number.length;
    from = start + lengths[hole]!;
  }
  parts.push(text.slice(from));
  const ends: number[] = [];
  for (let index = 0; index < endHoles.length; index++) {
    const hole = endHoles[index]!;
    ends.push(after[holes[hole]!]!, newStarts[hole]!);
  }
  return { shape: print.shape, numbers: after, text: parts.join(''), ends, template: { starts: newStarts, lengths: newLengths, holes, endHoles } };
}

/**
 * Where a recorded text holds object numbers: each hole's place and length, which of the print's
 * numbers it is, and the hole each object starts at. Plain arrays, not typed ones: a session keeps
 * one per sealed block (hundreds of thousands), and as many array buffers slowed every Buffer
 * allocated after them (a profile of the 10 MB book, bench/RESULTS-incremental.md).
 */
interface SealTemplate {
  starts: readonly number[];
  lengths: readonly number[];
  /** Per hole, the index in the print's numbers of the number it holds. */
  holes: readonly number[];
  /** Per object of `ends`, its hole (the number of its `N 0 obj` line). */
  endHoles: readonly number[];
}

/**
 * The holes of a recorded text: every `N 0 R` and `N 0 obj` outside strings (pdfkit writes
 * literal strings in parentheses and hex strings in angle brackets; names and numbers never end
 * in ` 0 R`). Null when a number there is none of the print's, or an object does not start at one.
 */
function sealTemplate(text: string, ends: readonly number[], numbers: readonly number[]): SealTemplate | null {
  const indexOf = new Map<number, number>();
  numbers.forEach((number, index) => {
    if (!indexOf.has(number)) indexOf.set(number, index);
  });
  const starts: number[] = [];
  const lengths: number[] = [];
  const holes: number[] = [];
  let at = 0;
  while (at < text.length) {
    const code = text.charCodeAt(at);
    if (code === 0x28) {
      // A literal string: balanced parentheses, a backslash escapes the next character.
      let depth = 1;
      at++;
      while (at < text.length && depth > 0) {
        const inner = text.charCodeAt(at);
        if (inner === 0x5c) at += 2;
        else {
          if (inner === 0x28) depth++;
          else if (inner === 0x29) depth--;
          at++;
        }
      }
      continue;
    }
    if (code === 0x3c) {
      if (text.charCodeAt(at + 1) === 0x3c) at += 2;
      else {
        // A hex string.
        const close = text.indexOf('>', at);
        if (close === -1) return null;
        at = close + 1;
      }
      continue;
    }
    if (isDigit(code) && (at === 0 || startsToken(text.charCodeAt(at - 1)))) {
      let end = at + 1;
      while (end < text.length && isDigit(text.charCodeAt(end))) end++;
      const tail = text.startsWith(' 0 R', end) ? 4 : text.startsWith(' 0 obj', end) ? 6 : 0;
      if (tail > 0 && (end + tail === text.length || endsToken(text.charCodeAt(end + tail)))) {
        const index = indexOf.get(Number(text.slice(at, end)));
        if (index === undefined) return null;
        starts.push(at);
        lengths.push(end - at);
        holes.push(index);
      }
      at = end;
      continue;
    }
    at++;
  }
  const endHoles: number[] = [];
  for (let index = 0; index < ends.length; index += 2) {
    const hole = starts.indexOf(ends[index + 1]!);
    if (hole === -1 || numbers[holes[hole]!] !== ends[index]) return null;
    endHoles.push(hole);
  }
  return { starts, lengths, holes, endHoles };
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

/** Whitespace and the delimiters a number may follow in pdfkit's dictionaries and arrays. */
function startsToken(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09 || code === 0x5b || code === 0x5d || code === 0x3c || code === 0x3e;
}

function endsToken(code: number): boolean {
  return startsToken(code) || code === 0x2f || code === 0x28;
}

/**
 * Sealed blocks' texts, kept together and deflated by the 64 KB: they are what pdfkit's end
 * writes of the structure tree (about 3 MB per MB of Markdown, 555 bytes a block, repetitive:
 * `/S /P`, `/P 12 0 R`, `/K [0]`…). Inflated again when pdfkit's end writes the first of them.
 */
interface Chunk {
  /** The texts while the chunk is open. */
  parts: string[] | undefined;
  length: number;
  deflated: Uint8Array | undefined;
  /** The texts, inflated for writing. */
  text: string | undefined;
}

const CHUNK_LENGTH = 65536;

const SEALED = Symbol('colophon.sealedStructure');

/** A chunk's inflated text let go once a piece that ends at its end is written (an open chunk keeps its parts). */
function releaseChunkText(chunk: Chunk, end: number): void {
  // A watch session's chunk (one block's text, never deflated) is the seal memo's string: kept,
  // since a later build may resume from a checkpoint whose runs hold it (resumeDocument).
  if (chunk.parts === undefined && chunk.deflated !== undefined && end === chunk.length) chunk.text = undefined;
}

function chunkText(chunk: Chunk): string {
  if (chunk.text === undefined) chunk.text = chunk.parts ? chunk.parts.join('') : inflateRawSync(chunk.deflated!).toString('utf8');
  return chunk.text;
}

/** The document's sealed texts: the open chunk, and the run the last sealed block joined. */
interface SealedStore {
  chunk: Chunk;
  run: SealedRun | undefined;
}

/**
 * What pdfkit's end would have written of consecutive sealed elements (siblings, sealed in their
 * order): their subtrees' texts, in pieces of chunks, and each object's number and offset, kept
 * in typed arrays (a long book seals hundreds of thousands of blocks). It prints as the
 * elements' references, as their parent's K lists them.
 */
class SealedRun {
  /** The elements' object numbers. */
  private ids = new Int32Array(4);
  private count = 0;
  /** Pieces of text: per piece its chunk, and its start and end in the chunk's text. */
  readonly chunks: Chunk[] = [];
  private bounds = new Int32Array(4);
  /** Pairs: object number, offset in the run's text (before any page mark is filled in). */
  private ends = new Int32Array(16);
  private endCount = 0;
  /** The run's text length so far. */
  private length = 0;

  constructor(id: number, chunk: Chunk, start: number, end: number, ends: readonly number[]) {
    this.add(id, chunk, start, end, ends);
  }

  get [Symbol.toStringTag](): string {
    return 'SealedRun';
  }

  add(id: number, chunk: Chunk, start: number, end: number, ends: readonly number[]): void {
    this.ids = room(this.ids, this.count + 1);
    this.ids[this.count++] = id;
    const pieces = this.chunks.length;
    if (pieces > 0 && this.chunks[pieces - 1] === chunk && this.bounds[2 * pieces - 1] === start) this.bounds[2 * pieces - 1] = end;
    else {
      this.bounds = room(this.bounds, 2 * pieces + 2);
      this.chunks.push(chunk);
      this.bounds[2 * pieces] = start;
      this.bounds[2 * pieces + 1] = end;
    }
    this.ends = room(this.ends, this.endCount + ends.length);
    for (let index = 0; index < ends.length; index += 2) {
      this.ends[this.endCount++] = ends[index]!;
      this.ends[this.endCount++] = this.length + ends[index + 1]!;
    }
    this.length += end - start;
  }

  /** How far the run reached at one point (it only grows until written): see `upTo`. */
  mark(): RunMark {
    const pieces = this.chunks.length;
    return { count: this.count, pieces, end: this.bounds[2 * pieces - 1]!, endCount: this.endCount, length: this.length };
  }

  /** A new run holding what this one held at `mark` (its chunks' texts are a watch session's, never let go). */
  upTo(mark: RunMark): SealedRun {
    const run = Object.create(SealedRun.prototype) as SealedRun;
    const fields = run as unknown as { ids: Int32Array; count: number; chunks: Chunk[]; bounds: Int32Array; ends: Int32Array; endCount: number; length: number };
    fields.ids = this.ids.slice(0, Math.max(4, mark.count));
    fields.count = mark.count;
    fields.chunks = this.chunks.slice(0, mark.pieces);
    fields.bounds = this.bounds.slice(0, Math.max(4, 2 * mark.pieces));
    fields.bounds[2 * mark.pieces - 1] = mark.end;
    fields.ends = this.ends.slice(0, Math.max(16, mark.endCount));
    fields.endCount = mark.endCount;
    fields.length = mark.length;
    return run;
  }

  /** The elements' references, as K prints each (`${id} 0 R`), joined by spaces as K joins them. */
  toString(): string {
    return [...this.references()].join('');
  }

  /** toString's text, in pieces of a few thousand references (the document element's K holds a long book's every block). */
  *references(): Generator<string> {
    const out: string[] = [];
    for (let index = 0; index < this.count; index++) {
      out.push(`${index > 0 ? ' ' : ''}${this.ids[index]} 0 R`);
      if (out.length === 4096) {
        yield out.join('');
        out.length = 0;
      }
    }
    if (out.length > 0) yield out.join('');
  }

  /** Written where pdfkit's end writes the elements: each piece with its page marks filled in, its objects' offsets counted from where it goes. */
  write(doc: RecordingDocument): void {
    const page = String(doc.page.dictionary);
    const grow = page.length - PAGE_MARK.length;
    let next = 0;
    let base = 0;
    for (let piece = 0; piece < this.chunks.length; piece++) {
      const chunk = this.chunks[piece]!;
      const text = chunkText(chunk).slice(this.bounds[2 * piece]!, this.bounds[2 * piece + 1]!);
      // Let a chunk's text go once its last piece is written (a chunk's pieces are written in order).
      if (piece + 1 === this.chunks.length || this.chunks[piece + 1] !== chunk) releaseChunkText(chunk, this.bounds[2 * piece + 1]!);
      const start = doc._offset;
      const written: { id: number; offset: number }[] = [];
      let marks = 0;
      let mark = text.indexOf(PAGE_MARK);
      for (; next < this.endCount && this.ends[next + 1]! - base < text.length; next += 2) {
        const at = this.ends[next + 1]! - base;
        while (mark !== -1 && mark < at) {
          marks++;
          mark = text.indexOf(PAGE_MARK, mark + 1);
        }
        written.push({ id: this.ends[next]!, offset: start + at + marks * grow });
      }
      doc._write(Buffer.from(text.includes(PAGE_MARK) ? text.split(PAGE_MARK).join(page) : text, 'latin1'));
      for (const ref of written) doc._refEnd(ref);
      base += text.length;
    }
  }
}

/** An Int32Array with room for `size` values: itself, or a copy twice as long. */
function room(array: Int32Array<ArrayBuffer>, size: number): Int32Array<ArrayBuffer> {
  if (size <= array.length) return array;
  const grown = new Int32Array(Math.max(size, 2 * array.length));
  grown.set(array);
  return grown;
}

/** A recorded OBJR's /Pg, filled in with the current page's reference when the recording is written. */
const PAGE_MARK = '\uffff';

/** The page that pdfkit reads while a sealed element is recorded: it prints as PAGE_MARK (a code unit no PDF object's text has). */
class PageMark {
  count = 0;
  get [Symbol.toStringTag](): string {
    return 'PageMark';
  }
  toString(): string {
    this.count++;
    return PAGE_MARK;
  }
}

/**
 * An object's reference as the parent tree prints it (pdfkit's PDFReference `toString`:
 * `${id} ${gen} R`, every pdfkit reference of generation 0), without the object: pdfkit's
 * convert and fasterObjects write an object they do not know as its toString() (its tag keeps
 * it from being taken for a dictionary).
 */
class ObjectNumber {
  constructor(readonly id: number) {}
  get [Symbol.toStringTag](): string {
    return 'ObjectNumber';
  }
  toString(): string {
    return `${this.id} 0 R`;
  }
}

const COMPACT = Symbol('colophon.compactStructElement');

interface PdfkitStructElement {
  add(child: unknown): PdfkitStructElement;
  end(): void;
  _addContentToParentTree(content: unknown): void;
  _addAnnotationToParentTree(annotation: unknown): void;
  _isFlushable(): boolean;
}

interface CompactStructElement extends PdfkitStructElement {
  document: RawDocument;
  _children: unknown[];
  _ended: boolean;
  _flushed: boolean;
  /** A sealed element's stand-in: its recording, null once written. */
  _sealed?: SealedRun | null;
  dictionary: { id: number; buffer: readonly Uint8Array[]; data: { P?: unknown; S?: unknown } } & object;
}

interface RecordingDocument {
  _security?: unknown;
  _offset: number;
  page: RawDocument['page'];
  _write(data: string | Uint8Array): void;
  _refEnd(ref: { id: number; offset: number }): void;
}

const NO_CHUNKS: readonly Uint8Array[] = Object.freeze([]);

/** pdfkit's structure element's methods, with the changes of compactStructElement and the sealed elements' end. */
function compactPrototype(base: PdfkitStructElement): object {
  // Consecutive entries of one element (the lines of a paragraph) share one ObjectNumber.
  let last: { dictionary: object; number: ObjectNumber } | undefined;
  const numberOf = (element: CompactStructElement): ObjectNumber => {
    if (last?.dictionary !== element.dictionary) last = { dictionary: element.dictionary, number: new ObjectNumber(element.dictionary.id) };
    return last.number;
  };
  // pdfkit's method with `this.dictionary` (all it puts in the parent tree) an ObjectNumber.
  const withNumber = (element: CompactStructElement, method: (this: unknown, child: unknown) => void, child: unknown) => {
    const dictionary = element.dictionary;
    element.dictionary = numberOf(element) as unknown as CompactStructElement['dictionary'];
    try {
      method.call(element, child);
    } finally {
      element.dictionary = dictionary;
    }
  };
  const methods: ThisType<CompactStructElement> & PdfkitStructElement = {
    add(child) {
      base.add.call(this, child);
      if (this._children.length <= 8) this._children = this._children.slice();
      return this;
    },
    end() {
      const sealed = this._sealed;
      if (sealed === null) return;
      if (!sealed) {
        base.end.call(this);
        return;
      }
      this._sealed = null;
      sealed.write(this.document as unknown as RecordingDocument);
    },
    _isFlushable() {
      return this._sealed !== undefined || base._isFlushable.call(this);
    },
    _addContentToParentTree(content) {
      const tree = (this.document as unknown as { _root: { data: { StructTreeRoot: { data: { ParentTree: ParentTree } } } } })._root.data.StructTreeRoot.data.ParentTree;
      for (const { pageRef } of (content as { refs: { pageRef: { data: { StructParents?: number } } }[] }).refs) {
        const key = pageRef.data.StructParents;
        if (key !== undefined && tree.get(key) instanceof PageParents) throw new Error('marked content added to its structure element after its page was written');
      }
      withNumber(this, base._addContentToParentTree, content);
    },
    _addAnnotationToParentTree(annotation) {
      withNumber(this, base._addAnnotationToParentTree, annotation);
    },
  };
  return Object.assign(Object.create(base) as object, methods);
}

/** The current page's content operators, as batchPageContent holds them until the page ends. */
export interface PageContent {
  /** While set, operators drawn are dropped: a page replayed from the last build gets its content whole (`put`). */
  muted: boolean;
  /** The page's content so far, as one text (what its stream holds of it, each piece ended by a newline but the last). */
  sofar(): string;
  /** The page's content so far replaced by content given whole (even while muted). */
  replace(text: string): void;
  /**
   * The page is drawn: its stream's text made now, or taken from `last` (the same page's, from
   * the last build) when its first piece is the same string and the rest the same, so that a
   * replayed page's text is neither joined nor hashed again (DeflateMemo finds it by the same string).
   */
  settle(last: SettledPage | undefined): SettledPage;
}

/** A page's stream text, with what it was joined from: its first piece (a replayed page's content) and the rest. */
export interface SettledPage {
  first: string;
  tail: string;
  text: string;
}

/** pdfkit's `page.write(text)`, deflating as its stream would at its end (and as pdfkit, the low byte of each code unit). */
function writeContent(doc: RawDocument, text: string, deflated: DeflateMemo | undefined): void {
  const content = doc.page.content;
  // Only a stream of one piece, ended with nothing more (no open marked content to close), can be deflated ahead.
  if (!content.compress || content.buffer.length > 0 || doc.page.markings.length > 0) {
    content.write(Buffer.from(text, 'latin1'));
    return;
  }
  content.compress = false;
  content.write(deflated ? deflated.deflate(text) : deflateSync(Buffer.from(text, 'latin1')));
  content.data.Filter = 'FlateDecode';
}

/**
 * Deflated page streams by their text, kept from one build of a watch session to the next
 * (LayoutMemo): pages an edit leaves unchanged are not deflated again.
 */
export class DeflateMemo {
  private last = new Map<string, Uint8Array>();
  private current = new Map<string, Uint8Array>();

  /** The text's bytes (the low byte of each code unit) deflated; made from the text only when not kept. */
  deflate(text: string): Uint8Array {
    const deflated = this.current.get(text) ?? this.last.get(text) ?? deflateSync(Buffer.from(text, 'latin1'));
    this.current.set(text, deflated);
    return deflated;
  }

  /** A page of the last build, taken as it was (a checkpoint stood for it): its stream kept for the next build. */
  carry(text: string): void {
    const deflated = this.last.get(text);
    if (deflated) this.current.set(text, deflated);
  }

  /** A new build begins: only the last one's pages are kept. */
  nextBuild(): void {
    this.last = this.current;
    this.current = new Map();
  }
}

/**
 * pdfkit writes Info values into the XMP packet unescaped, so a title with `&` or `<` makes
 * malformed XML. Swap in escaped copies while the packet is written (the Info dictionary was
 * already written from the originals by then), then restore them.
 */
export function escapeXmp(doc: RawDocument): void {
  const original = doc.endMetadata.bind(doc);
  doc.endMetadata = () => {
    const info = doc.info;
    const escaped: Record<string, string | Date | undefined> = {};
    for (const [key, value] of Object.entries(info)) escaped[key] = typeof value === 'string' ? escapeXml(value) : value;
    doc.info = escaped;
    // pdfkit writes no xmp:ModifyDate; PDF/A wants the XMP to agree with Info's ModDate.
    const modified = info.ModDate instanceof Date ? `${info.ModDate.toISOString().split('.')[0]}Z` : undefined;
    if (modified) {
      doc.appendXML(`<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:ModifyDate>${modified}</xmp:ModifyDate><xmp:MetadataDate>${modified}</xmp:MetadataDate></rdf:Description>`);
    }
    try {
      original();
    } finally {
      doc.info = info;
    }
  };
}


/**
 * A PDF text string written as pdfkit writes a `String` (PDFObject.convert: UTF-16BE with a
 * byte-order mark when any character is above U+007F, else its bytes; then escaped), made once:
 * convert writes an object it does not know as its toString(). Link annotations repeat their
 * URLs, and convert turns each string into bytes and back one character at a time.
 */
export class PdfLiteral {
  readonly text: string;
  get [Symbol.toStringTag](): string {
    return 'PdfLiteral';
  }
  constructor(value: string) {
    let binary = '';
    let unicode = false;
    for (let index = 0; index < value.length && !unicode; index++) unicode = value.charCodeAt(index) > 0x7f;
    if (unicode) {
      binary = '\u00fe\u00ff';
      for (let index = 0; index < value.length; index++) {
        const code = value.charCodeAt(index);
        binary += String.fromCharCode(code >> 8, code & 0xff);
      }
    } else binary = value;
    this.text = `(${binary.replace(/[\n\r\t\b\f()\\]/g, (char) => ESCAPED[char]!)})`;
  }
  toString(): string {
    return this.text;
  }
}

const ESCAPED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '(': '\\(', ')': '\\)', '\\': '\\\\' };

/**
 * Write each object's dictionary as pdfkit's PDFObject.convert does, faster: a plain-ASCII
 * string (names of destinations, structure titles) is escaped as it is, not turned into bytes
 * and back one character at a time. pdfkit's end writes the structure tree, the destinations
 * and the annotations (tens of thousands of objects in a long document) through it. Objects made
 * after this call are written so, and the two of pdfkit's own (made before) that hold a tree:
 * the name tree of destinations and the structure tree root's parent tree. An object holding a
 * tree, or sealed runs (the document element's K), is written a piece at a time (LONG_PIECE): a
 * long book's parent tree, destinations and block references print as tens of megabytes, which
 * pdfkit makes as an array of lines, their join, the object's text around it and its bytes, all
 * at once. An encrypted document keeps pdfkit's way.
 */
export function fasterObjects(doc: RawDocument): void {
  const raw = doc as unknown as { _root: { data: { Names?: object; StructTreeRoot?: object } }; _security?: unknown; _offsets: (number | null)[]; _waiting: number; ref(data?: object): PdfRef };
  const Reference = Object.getPrototypeOf(Object.getPrototypeOf(raw._root)).constructor as new () => object;
  const convert = (object: unknown): string => {
    if (typeof object === 'string') return `/${object}`;
    if (object instanceof String) return pdfString(object.valueOf());
    if (object instanceof Uint8Array) return `<${Buffer.from(object.buffer, object.byteOffset, object.byteLength).toString('hex')}>`;
    if (isTree(object)) return [...treeLines(object)].join('\n');
    if (object instanceof Reference) return `${object}`;
    if (object instanceof Date) return `(D:${pad(object.getUTCFullYear(), 4)}${pad(object.getUTCMonth() + 1, 2)}${pad(object.getUTCDate(), 2)}${pad(object.getUTCHours(), 2)}${pad(object.getUTCMinutes(), 2)}${pad(object.getUTCSeconds(), 2)}Z)`;
    if (Array.isArray(object)) {
      let out = '[';
      for (let index = 0; index < object.length; index++) out += `${index > 0 ? ' ' : ''}${convert(object[index] ?? null)}`;
      return `${out}]`;
    }
    if (Object.prototype.toString.call(object) === '[object Object]') {
      let out = '<<';
      const record = object as Record<string, unknown>;
      for (const key in record) {
        const value = record[key];
        if (value !== undefined) out += `\n/${key} ${convert(value)}`;
      }
      return `${out}\n>>`;
    }
    if (typeof object === 'number') return pdfNumber(object);
    return `${object}`;
  };
  /**
   * The lines of pdfkit's PDFTree.toString (which joins them with newlines): the keys in the
   * order of `Object.keys` of its items, sorted (stably) with the tree's own comparison. A name
   * tree of compact destinations (Destinations) is printed from its arrays, in the same order.
   */
  function* treeLines(tree: PdfTree): Generator<string> {
    const store = (tree as Partial<NameTree>)[DESTINATIONS];
    const compact = store && !store.filled ? store : undefined;
    let keys: string[] | number[];
    let keyOf: (at: number) => string;
    if (compact) {
      const order = compact.order();
      const compare = keyComparison(tree, order.map((at) => compact.name(at)));
      order.sort((a, b) => compare(compact.name(a), compact.name(b)));
      keys = order;
      keyOf = (at) => compact.name(order[at]!);
    } else {
      const names = Object.keys(tree._items);
      const compare = keyComparison(tree, names);
      const sorted = names.sort(compare);
      keys = sorted;
      keyOf = (at) => sorted[at]!;
    }
    yield '<<';
    if (tree.limits && keys.length > 1) yield `  /Limits ${convert([tree._dataForKey(keyOf(0)), tree._dataForKey(keyOf(keys.length - 1))])}`;
    yield `  /${tree._keysName()} [`;
    for (let at = 0; at < keys.length; at++) {
      const key = keyOf(at);
      yield `    ${convert(tree._dataForKey(key))} ${compact ? compact.value(keys[at] as number) : convert(tree._items[key])}`;
    }
    yield ']';
    yield '>>';
  }
  /** A value's text as convert prints it, in fragments: a tree by its lines, an array by its items (a sealed run by its references). */
  function* fragmentsOf(value: unknown): Generator<string> {
    if (isTree(value)) {
      let first = true;
      for (const line of treeLines(value)) {
        yield first ? line : `\n${line}`;
        first = false;
      }
    } else if (Array.isArray(value)) {
      yield '[';
      for (let index = 0; index < value.length; index++) {
        if (index > 0) yield ' ';
        const item: unknown = value[index] ?? null;
        if (item instanceof SealedRun) yield* item.references();
        else yield convert(item);
      }
      yield ']';
    } else yield convert(value);
  }
  /** A dictionary, as convert prints it, in pieces of about LONG_PIECE characters. */
  function* piecesOf(data: Record<string, unknown>): Generator<string> {
    const parts: string[] = ['<<'];
    let length = 2;
    for (const key in data) {
      const value = data[key];
      if (value === undefined) continue;
      parts.push(`\n/${key} `);
      for (const fragment of fragmentsOf(value)) {
        parts.push(fragment);
        length += fragment.length;
        if (length >= LONG_PIECE) {
          yield parts.join('');
          parts.length = 0;
          length = 0;
        }
      }
    }
    parts.push('\n>>');
    yield parts.join('');
  }
  // Every reference made from here on is of a class made once per document, whose finalize
  // converts here: no closures of its own per reference (a long book's structure elements all
  // live to the end: two functions and a context each were about 5 MB per MB of Markdown).
  const PdfReference = (raw._root as unknown as { constructor: new (document: unknown, id: number, data?: object) => PdfRef }).constructor;
  class FasterReference extends PdfReference {
    override finalize(): void {
      if (raw._security) {
        super.finalize();
        return;
      }
      // What pdfkit's finalize does, with the dictionary converted here (`data` stays pdfkit's object, filled in as pdfkit fills it).
      const self = this as unknown as PdfRef & { offset: number; document: { _offset: number; _write(data: string | Uint8Array): void; _refEnd(ref: unknown): void }; id: number; gen: number; compress: boolean; buffer: Uint8Array[] | Uint8Array; data: Record<string, unknown> };
      self.offset = self.document._offset;
      let buffer: Uint8Array | undefined;
      if (self.buffer.length) {
        const parts = self.buffer as Uint8Array[];
        buffer = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
        if (self.compress) buffer = deflateSync(buffer);
        self.data.Length = buffer.length;
      }
      // pdfkit's lines (each string written is a line), joined: one write where pdfkit makes three to six.
      if (buffer) {
        self.document._write(`${self.id} ${self.gen} obj\n${convert(self.data)}\nstream`);
        self.document._write(buffer);
        self.buffer = [];
        self.document._write('\nendstream\nendobj');
      } else if (holdsLong(self.data)) {
        // The same lines as bytes (a string's bytes are the low byte of each code unit, as captureOutput and pdfkit write them).
        self.document._write(Buffer.from(`${self.id} ${self.gen} obj\n`, 'latin1'));
        for (const piece of piecesOf(self.data)) self.document._write(Buffer.from(piece, 'latin1'));
        self.document._write(Buffer.from('\nendobj\n', 'latin1'));
      } else self.document._write(`${self.id} ${self.gen} obj\n${convert(self.data)}\nendobj`);
      self.document._refEnd(this);
    }
  }
  (doc as unknown as { [REFERENCE]: unknown })[REFERENCE] = FasterReference;
  // pdfkit's own objects that hold a tree, made before this: written by the class above.
  for (const holder of [raw._root.data.Names, raw._root.data.StructTreeRoot]) if (holder) Object.setPrototypeOf(holder, FasterReference.prototype);
  // pdfkit's ref(), with the class above.
  raw.ref = (data) => {
    const made = new FasterReference(doc, raw._offsets.length + 1, data);
    raw._offsets.push(null);
    raw._waiting++;
    return made;
  };
}

/** About how many characters of a long object (holdsLong) are written at a time. */
const LONG_PIECE = 1 << 20;

interface PdfRef {
  finalize(): void;
  end(): void;
}

interface PdfTree {
  _items: Record<string, unknown>;
  limits: boolean;
  _keysName(): string;
  _compareKeys(a: string, b: string): number;
  _dataForKey(key: string): unknown;
}

/** Names that sort as their UTF-16 code units under `localeCompare`: lowercase ASCII letters, digits, `-` and `.` (heading slugs, fn-1, fnref-1). */
const CODE_UNIT_ORDERED = /^[a-z0-9.-]*$/;

/**
 * How a tree's keys are sorted: with the tree's own comparison (pdfkit's name tree uses
 * `localeCompare`), save that names made only of lowercase ASCII letters, digits, `-` and `.`
 * are compared as code units, which gives the same order (the Unicode root collation and
 * English's put `-` before `.`, both before the digits, and those before the letters, as ASCII
 * does; no two such names compare equal). The first `localeCompare` of a process builds V8's
 * table of the collation locales ICU has: 3% of the seed's main thread (callgrind), for its five
 * destinations. It also keeps such names in this order whatever the machine's locale.
 */
function keyComparison(tree: PdfTree, keys: readonly string[]): (a: string, b: string) => number {
  if (tree._keysName() !== 'Names' || !keys.every((key) => CODE_UNIT_ORDERED.test(key))) return (a, b) => tree._compareKeys(a, b);
  return (a, b) => (a < b ? -1 : a > b ? 1 : 0);
}

/** Whether a dictionary holds what may print as megabytes: a tree, or sealed runs (the document element's K). */
function holdsLong(data: Record<string, unknown>): boolean {
  for (const key in data) {
    const value = data[key];
    if (isTree(value) || (Array.isArray(value) && value.some((item) => item instanceof SealedRun))) return true;
  }
  return false;
}

function isTree(value: unknown): value is PdfTree {
  return typeof value === 'object' && value !== null && '_items' in value && typeof (value as PdfTree)._dataForKey === 'function';
}

function pad(value: number, length: number): string {
  return String(value).padStart(length, '0').slice(-length);
}

/** A PDF text string as pdfkit writes a `String`: its bytes when all are ASCII, else UTF-16BE with a byte-order mark; then escaped. */
function pdfString(value: string): string {
  let unicode = false;
  for (let index = 0; index < value.length && !unicode; index++) unicode = value.charCodeAt(index) > 0x7f;
  let binary = value;
  if (unicode) {
    binary = '\u00fe\u00ff';
    for (let index = 0; index < value.length; index++) {
      const code = value.charCodeAt(index);
      binary += String.fromCharCode(code >> 8, code & 0xff);
    }
  }
  return `(${binary.replace(/[\n\r\t\b\f()\\]/g, (char) => ESCAPED[char]!)})`;
}

/** What a sealed run held at a checkpoint (SealedRun.mark). */
interface RunMark {
  count: number;
  pieces: number;
  end: number;
  endCount: number;
  length: number;
}

/** What the outline held at a checkpoint (CompactOutline.mark). */
export interface OutlineMark {
  count: number;
  titles: string[];
}

/**
 * pdfkit's document at a checkpoint of a watch session's build: as a page begins, the page
 * before it written (see draw-pages.ts). Everything in it is the last build's (arrays only
 * ever appended to are kept with their lengths then), so that the next build, whose pages up to
 * there are the same, takes it in place of drawing them (resumeDocument).
 */
export interface DocumentMark<Block> {
  /** Objects numbered so far (`_offsets.length`), those still to be written, and the bytes written. */
  objects: number;
  waiting: number;
  offset: number;
  /** The document's `_offsets` (filled in as objects are written after the mark: an offset past `offset` was not written then). */
  offsets: (number | null)[];
  kids: unknown[];
  flushed: number;
  /** The parent tree (entries only added since: those below `parentKey` are the mark's) and its next key. */
  parentTree: ParentTreeItems;
  parentKey: number;
  /** The catalog's keys (pdfkit adds some as first needed): a resumed document must have made the same. */
  rootKeys: string;
  destinations: { store: Destinations; count: number } | undefined;
  /** The document element's children: sealed runs as far as they reached, and open blocks' elements (sealed later, from their recordings). */
  children: ({ run: SealedRun; mark: RunMark; last: boolean } | { block: Block; id: number })[];
}

interface ParentTreeItems {
  _items: Record<string, unknown>;
}

interface MarkedDocument {
  _security?: unknown;
  _offsets: (number | null)[];
  _waiting: number;
  _offset: number;
  _pageBuffer: unknown[];
  _pageBufferStart: number;
  _root: { data: Record<string, unknown> & { Pages: { data: { Kids: unknown[]; Count: number } }; StructTreeRoot?: { data: { ParentTree: ParentTreeItems; ParentTreeNextKey: number } }; Names?: { data: { Dests: NameTree } } } };
  [SEALED]?: SealedStore;
}

/**
 * pdfkit's document as it stands between two pages (none open), with the document element's
 * open children known by `blockOf`; undefined when it cannot be taken up again (encrypted, or a
 * child of the document element that is neither sealed nor a block).
 */
export function markDocument<Block>(doc: RawDocument, documentElement: object, blockOf: (element: object) => Block | undefined): DocumentMark<Block> | undefined {
  const raw = doc as unknown as MarkedDocument;
  const tree = raw._root.data.StructTreeRoot;
  if (raw._security || raw._pageBuffer.length > 0 || !tree) return undefined;
  const store = raw[SEALED];
  const children: DocumentMark<Block>['children'] = [];
  for (const child of (documentElement as CompactStructElement)._children) {
    const element = child as CompactStructElement;
    if (element._sealed) children.push({ run: element._sealed, mark: element._sealed.mark(), last: element._sealed === store?.run });
    else {
      const block = blockOf(element);
      if (block === undefined || element._ended) return undefined;
      children.push({ block, id: element.dictionary.id });
    }
  }
  const dests = raw._root.data.Names?.data.Dests;
  const destinations = dests?.[DESTINATIONS];
  if (destinations?.filled) return undefined;
  return {
    objects: raw._offsets.length,
    waiting: raw._waiting,
    offset: raw._offset,
    offsets: raw._offsets,
    kids: raw._root.data.Pages.data.Kids.slice(),
    flushed: raw._pageBufferStart,
    parentTree: tree.data.ParentTree,
    parentKey: tree.data.ParentTreeNextKey,
    rootKeys: Object.keys(raw._root.data).join(),
    destinations: destinations ? { store: destinations, count: destinations.count } : undefined,
    children,
  };
}

/**
 * A document (another build's, between two pages, none open) made to stand where a mark left
 * the last build's: its numbered objects, bytes written so far (the caller restores the output),
 * pages, parent tree, destinations and the document element's children. The mark's open blocks
 * are sealed here from their recordings (`sealed`: each one's text as finishStructure wrote it,
 * the same since its elements and their numbers are the mark's), as the next page's end would
 * have sealed them. False (nothing changed) when the documents differ in a way this does not take up.
 */
export function canResumeDocument<Block>(doc: RawDocument, mark: DocumentMark<Block>, sealed: (block: Block) => SealRecording | undefined): boolean {
  const raw = doc as unknown as MarkedDocument;
  if (raw._security || !raw._root.data.StructTreeRoot || Object.keys(raw._root.data).join() !== mark.rootKeys) return false;
  if (mark.destinations && !raw._root.data.Names?.data.Dests) return false;
  return mark.children.every((child) => 'run' in child || sealed(child.block) !== undefined);
}

export function resumeDocument<Block>(doc: RawDocument, documentElement: object, mark: DocumentMark<Block>, sealed: (block: Block) => SealRecording | undefined): boolean {
  const raw = doc as unknown as MarkedDocument;
  const tree = raw._root.data.StructTreeRoot;
  if (!canResumeDocument(doc, mark, sealed) || raw._pageBuffer.length > 0 || !tree) return false;
  const dests = raw._root.data.Names?.data.Dests;
  const recordings: SealRecording[] = [];
  for (const child of mark.children) if (!('run' in child)) recordings.push(sealed(child.block)!);
  const offsets = new Array<number | null>(mark.objects);
  for (let index = 0; index < mark.objects; index++) {
    const offset = mark.offsets[index];
    offsets[index] = offset != null && offset < mark.offset ? offset : null;
  }
  raw._offsets = offsets;
  raw._waiting = mark.waiting;
  raw._offset = mark.offset;
  raw._pageBufferStart = mark.flushed;
  const pages = raw._root.data.Pages.data;
  pages.Kids = mark.kids.slice();
  pages.Count = mark.kids.length;
  const items: Record<string, unknown> = {};
  for (let key = 0; key < mark.parentKey; key++) if (key in mark.parentTree._items) items[key] = mark.parentTree._items[key];
  tree.data.ParentTree._items = items;
  tree.data.ParentTreeNextKey = mark.parentKey;
  if (mark.destinations && dests) {
    dests[DESTINATIONS] ??= new Destinations(dests);
    dests[DESTINATIONS].takeFrom(mark.destinations.store, mark.destinations.count);
  }
  const parent = documentElement as CompactStructElement;
  const prototype = Object.getPrototypeOf(parent) as object;
  const store: SealedStore = { chunk: { parts: [], length: 0, deflated: undefined, text: undefined }, run: undefined };
  raw[SEALED] = store;
  const children: CompactStructElement[] = [];
  const stubOf = (run: SealedRun) => {
    const stub = Object.create(prototype) as CompactStructElement;
    stub.document = parent.document;
    stub.dictionary = run as unknown as CompactStructElement['dictionary'];
    stub._sealed = run;
    return stub;
  };
  let next = 0;
  for (const child of mark.children) {
    if ('run' in child) {
      const run = child.run.upTo(child.mark);
      children.push(stubOf(run));
      if (child.last) store.run = run;
      continue;
    }
    // Sealed as finishStructure seals a watch session's block: its text a chunk of its own, joining the run sealed last when that is the sibling before.
    const { text, ends } = recordings[next++]!;
    const chunk: Chunk = { parts: undefined, length: text.length, deflated: undefined, text };
    const before = children.at(-1);
    if (before?._sealed && before._sealed === store.run) store.run.add(child.id, chunk, 0, text.length, ends);
    else {
      const run = new SealedRun(child.id, chunk, 0, text.length, ends);
      children.push(stubOf(run));
      store.run = run;
    }
  }
  parent._children = children;
  return true;
}

/** A reference to an object numbered earlier (a checkpoint's), of the document's reference class: it prints as `${id} 0 R` and is written when ended. */
export function referenceTo(doc: RawDocument, id: number): unknown {
  const Reference = (doc as unknown as { [REFERENCE]: new (doc: unknown, id: number, data: object) => PdfRef })[REFERENCE];
  return new Reference(doc, id, {});
}

/**
 * Decode each PNG the document opens at once when pdfkit asks for its pixels (to split off its
 * alpha channel or a palette's transparency, or to undo interlacing). png-js inflates them with
 * zlib's asynchronous `inflate`, so pdfkit wrote such an image's objects whenever the thread
 * pool was done: two images with transparency could land in either order (one document, two
 * different PDFs), and corrupt data threw from zlib's callback, which ended the process.
 * Decoded synchronously (the same pixels), the objects are written where the image is first
 * drawn, and corrupt data throws there, in the writer. The document's own `openImage` is
 * wrapped, not only Pdf's: svg-to-pdfkit opens an SVG's embedded (data: URI) images through it.
 */
export function decodePngsAtOnce(doc: RawDocument): void {
  const openImage = doc.openImage;
  doc.openImage = function (this: RawDocument, src) {
    const image = openImage.call(this, src);
    const png = image.image;
    if (png) png.decodePixels = (done) => done(pngPixels(png));
    return image;
  };
}
