import type { FontGlyphs, LinkMemo, LinkRecording, OutlineEntry, PageDrawing, Pdf, PdfFont, PdfMark, StructElement } from './pdf-document.ts';
import { type DeflateMemo, finishStructure, type SealMemo, type SealRecording, type SettledPage } from './pdfkit-patches.ts';
import { SpareBlocks } from './byte-sink.ts';
import type { Box, ImageOp, Op, StructNode, TextOp } from './boxes.ts';
import type { Page, Placed } from './paginate.ts';

export interface Frame {
  size: [number, number];
  top: number;
  left: number;
  width: number;
  height: number;
  /** A right-to-left document: the note separator starts from the right margin. */
  rtl?: boolean;
}

/** Running heads and footers, drawn per page as artifacts: boxes with their absolute top. */
export type Furniture = (pageIndex: number) => { box: Box; y: number }[];

/**
 * Draw the planned pages. Structure elements are created the first time content of theirs is
 * drawn (reading order), text is marked content of its element, and rules, tints, running
 * heads and footers are artifacts.
 */
/** Font names (registered with pdfkit) for text inside SVG images, so that no unembedded standard font creeps in. */
export type SvgFonts = (family: string, bold: boolean, italic: boolean) => string;

/** svg-to-pdfkit, loaded by the writer only when a document has SVG images. */
export type SvgRenderer = typeof import('svg-to-pdfkit').default;

export interface SvgSupport {
  render: SvgRenderer | undefined;
  fonts: SvgFonts;
}

/** Draws one page after another; `finish` once the last was given (a watch session may hold pages back: see PageMemo). */
export type PageDraw = ((page: Page) => void) & { finish(): void };

/**
 * Draws pages one after the other (each may be let go once drawn). `svg.render` may be set
 * between pages, before the first page with an SVG image.
 *
 * In a watch session (`pages`), the document is marked at each chapter's first page (Pdf.mark),
 * and a rebuild whose pages from one such page on are the last build's (same keys, in the same
 * places) does not draw them: it holds them back until a page differs, then resumes from the
 * last build's mark at the latest chapter start before it and draws from there.
 */
export function pageDrawer(pdf: Pdf, frame: Frame, furniture: Furniture, root: StructNode, tagged: boolean, svg: SvgSupport, pages?: PageMemo): PageDraw {
  // Only a tagged document's pages are replayed (replayBox does what drawBox does for one).
  const memo = tagged ? pages : undefined;
  const document = pdf.struct(root.tag, { lang: root.lang });
  if (tagged) pdf.addStructure(document);
  // The elements by their block (the root's child they are in, or are): a block whose content is
  // all drawn is sealed (finishStructure) and its elements go. A block is sealed once it was drawn
  // on one page and not on the next, and the page stream has none of its boxes left to place
  // (Page.finished): a block drawn again after a page without it (which pagination does not do
  // today) stays unsealed until it is done, and is written by pdfkit's end as it is unsealed.
  const blocks = new Map<StructNode, Map<StructNode, StructElement>>();
  const sealed = new WeakSet<StructNode>();
  const finished = new WeakSet<StructNode>();
  let drawnOnPage = new Set<StructNode>();
  let drawnBefore = new Set<StructNode>();
  const elementFor = (node: StructNode): StructElement => {
    if (node === root) return document;
    let block = node;
    while (block.parent && block.parent !== root) block = block.parent;
    drawnOnPage.add(block);
    let elements = blocks.get(block);
    if (!elements) {
      // Drawn after its block was sealed (content of one block placed in another's box: not
      // made today): its elements are made again, as a second element of the block, rather
      // than the document failing.
      if (sealed.has(block)) sealed.delete(block);
      blocks.set(block, (elements = new Map()));
    }
    let element = elements.get(node);
    if (!element) {
      const parent = node.parent ? elementFor(node.parent) : document;
      element = pdf.struct(node.tag, { alt: node.alt, lang: node.lang, scope: node.scope, expanded: node.expanded, colSpan: node.colSpan, rowSpan: node.rowSpan });
      parent.add(element);
      elements.set(node, element);
    }
    return element;
  };
  const sealFinished = (page: Page) => {
    if (page.finished) for (const block of page.finished) finished.add(block);
    for (const block of drawnBefore) {
      if (drawnOnPage.has(block)) continue;
      if (!finished.has(block)) {
        // Not done: looked at again after the next page.
        drawnOnPage.add(block);
        continue;
      }
      const element = blocks.get(block)?.get(block);
      if (!element) continue;
      finishStructure(pdf.raw, element, document, memo?.sealMemo(block));
      blocks.delete(block);
      sealed.add(block);
    }
    drawnBefore = drawnOnPage;
    drawnOnPage = new Set();
  };
  let outline: { depth: number; item: OutlineEntry }[] = [];

  const mark = (box: Box, x: number, y: number, artifact: boolean) => {
    for (const name of box.dests ?? []) pdf.destination(name, x, y);
    if (box.outline && !artifact) {
      while (outline.length > 0 && outline.at(-1)!.depth >= box.outline.depth) outline.pop();
      const parent = outline.at(-1)?.item ?? pdf.outline;
      // Bookmarks go to the heading itself, not just to its page.
      outline.push({ depth: box.outline.depth, item: pdf.addOutlineItem(parent, box.outline.title, { fit: false, top: Math.max(0, y - 8), left: frame.size[0], zoom: 0, expanded: false }) });
    }
  };

  /**
   * A box of a replayed page, whose content is the last build's: what drawBox does besides
   * content, in the same order (artifacts and decoration are content alone, and left out).
   */
  const replayBox = (box: Box, x: number, y: number, artifact: boolean, runs: StructureRun[]) => {
    mark(box, x, y, artifact);
    if (artifact) return;
    for (const { node, links } of runs) {
      const element = elementFor(node);
      const content = pdf.beginContent(node.tag);
      pdf.endContent();
      element.add(content);
      if (links) for (const op of links) drawLink(pdf, op, x, y, linkElement(node, element), memo?.linkMemo(op));
    }
  };
  /** The element a link annotation joins: the Link element, which is a linked picture's Figure's parent. */
  const linkElement = (node: StructNode, element: StructElement): StructElement => (node.tag !== 'Link' && node.parent?.tag === 'Link' ? elementFor(node.parent) : element);

  const drawBox = (box: Box, x: number, y: number, artifact: boolean) => {
    mark(box, x, y, artifact);
    // Decoration first (tints under text), as artifacts.
    const decoration = box.ops.filter((op) => op.op === 'rect' || op.op === 'line');
    const highlighted = box.ops.filter((op): op is TextOp => op.op === 'text' && op.highlight !== undefined);
    if (decoration.length > 0 || highlighted.length > 0) {
      if (tagged) pdf.beginArtifact('Layout');
      for (const op of decoration) drawOp(pdf, op, x, y, svg);
      // A highlighter's band from above the ascenders to below the descenders.
      for (const op of highlighted) pdf.fillRect(x + op.x, y + op.y - op.size * 0.92, op.width, op.size * 1.2, op.highlight!);
      if (tagged) pdf.endContent();
    }
    let group: { node: StructNode | undefined; ops: Op[] } | undefined;
    const flush = () => {
      if (!group) return;
      const { node, ops } = group;
      group = undefined;
      if (!tagged) {
        for (const op of ops) drawOp(pdf, op, x, y, svg);
        return;
      }
      if (artifact || !node || node.tag === 'Artifact') {
        pdf.beginArtifact(artifact ? 'Pagination' : 'Layout');
        for (const op of ops) drawOp(pdf, op, x, y, svg);
        pdf.endContent();
        return;
      }
      const element = elementFor(node);
      const content = pdf.beginContent(node.tag);
      for (const op of ops) drawOp(pdf, op, x, y, svg);
      pdf.endContent();
      element.add(content);
      for (const op of ops) if ((op.op === 'text' || op.op === 'image') && op.link) drawLink(pdf, op, x, y, linkElement(node, element), memo?.linkMemo(op));
    };
    for (const op of box.ops) {
      if (op.op === 'rect' || op.op === 'line') continue;
      const node = op.op === 'text' || op.op === 'image' ? (op.struct ?? box.struct) : box.struct;
      if (group && group.node !== node) flush();
      group ??= { node, ops: [] };
      group.ops.push(op);
      if (!tagged && (op.op === 'text' || op.op === 'image') && op.link) {
        flush();
        drawLink(pdf, op, x, y, undefined);
      }
    }
    flush();
  };

  /** The block a child of the document element is the element of, when that block is done (a mark's open block). */
  const finishedBlockOf = (element: object): StructNode | undefined => {
    for (const [block, elements] of blocks) if (elements.get(block) === element) return finished.has(block) ? block : undefined;
    return undefined;
  };
  /** Where the drawing stood at the last build's mark: the document resumed from it, the pages before it taken as they were. */
  const resume = (checkpoint: Checkpoint) => {
    if (!pdf.resume(checkpoint.pdf, document, (block) => memo!.sealMemo(block).last)) throw new Error(`page ${checkpoint.index + 1}: the last build's checkpoint could not be resumed`);
    blocks.clear();
    drawnOnPage = new Set();
    drawnBefore = new Set();
    outline = checkpoint.outline.slice();
    index = checkpoint.index;
    memo!.resumedAt(checkpoint.index);
  };

  let index = 0;
  /** Pages given so far (drawn, or held back). */
  let given = 0;
  /** Pages held back since `heldFrom`, the last build's checkpoint at the first of them: while set, the pages given are the last build's. */
  let held: { page: Page; key: PageKey | undefined }[] | undefined;
  let heldFrom: Checkpoint | undefined;
  let skipping = memo?.resumable() === true;
  const draw = (page: Page) => {
    const pageKey = memo?.key(page);
    const at = given++;
    if (skipping) {
      const same = pageKey !== undefined && memo!.sameAsLast(at, pageKey.text);
      const checkpoint = same && page.opensChapter ? memo!.lastCheckpoint(at) : undefined;
      if (checkpoint && pdf.canResume(checkpoint.pdf, (block) => memo!.sealMemo(block).last)) {
        // The pages held back so far are the last build's up to its mark here, which stands for them.
        held = [{ page, key: pageKey }];
        heldFrom = checkpoint;
        return;
      }
      if (same && !page.opensChapter) {
        // Before the first chapter's mark the pages are drawn.
        if (held) held.push({ page, key: pageKey });
        else drawPage(page, pageKey);
        return;
      }
      // A page that differs from the last build's (or a chapter's first page the last build's mark cannot stand for).
      skipping = false;
      if (held) {
        resume(heldFrom!);
        const pages = held;
        held = undefined;
        for (const { page: before, key } of pages) drawPage(before, key);
      }
    }
    drawPage(page, pageKey);
  };
  const drawPage = (page: Page, pageKey: PageKey | undefined) => {
    if (memo && page.opensChapter) {
      const mark = pdf.mark(document, finishedBlockOf);
      if (mark) memo.keepCheckpoint({ index, pdf: mark, outline: outline.slice() });
    }
    pdf.addPage(frame.size);
    memo?.noteKey(index, pageKey?.text);
    // A page of the last build, drawn from the same boxes at the same places with the subsets as
    // they were: its body and notes are drawn muted, for all but their content, which is the last build's.
    const key = pageKey?.text;
    const replay = key === undefined ? undefined : memo!.replayable(key, pdf);
    if (replay) {
      pdf.includeGlyphs(replay.drawing);
      pdf.useFonts(replay.drawing);
      pdf.muted = true;
      // Each box's structure runs, found once for the page and kept with it; found again for a
      // page that holds boxes laid out afresh (their structure nodes are this build's).
      const runsOf = () => [...page.body, ...page.notes].map(({ box }) => structureOf(box));
      const runs = pageKey!.fresh ? runsOf() : (replay.runs ??= runsOf());
      page.body.forEach(({ box, y }, index) => replayBox(box, frame.left, frame.top + y, box.artifact === true, runs[index]!));
      const top = frame.top + frame.height - page.noteHeight;
      page.notes.forEach(({ box, y }, index) => replayBox(box, frame.left, top + y, false, runs[page.body.length + index]!));
    } else if (memo) pdf.record();
    try {
      if (!replay) for (const { box, y } of page.body) drawBox(box, frame.left, frame.top + y, box.artifact === true);
      if (!replay && page.notes.length > 0) {
        const top = frame.top + frame.height - page.noteHeight;
        if (tagged) pdf.beginArtifact('Layout');
        const ruleStart = frame.rtl ? frame.left + frame.width - 72 : frame.left;
        pdf.line(ruleStart, top + 4, ruleStart + 72, top + 4, 0.5, '#777777');
        if (tagged) pdf.endContent();
        for (const { box, y } of page.notes) drawBox(box, frame.left, top + y, false);
      }
    } finally {
      pdf.muted = false;
    }
    let kept: PageRecord | undefined;
    if (memo && key !== undefined) {
      if (replay) {
        pdf.replaceContent(replay.drawing.text);
        kept = replay;
        memo.keep(key, replay, true);
      } else {
        const drawing = pdf.endRecording();
        if (drawing) memo.keep(key, (kept = { drawing }), false);
      }
    }
    // The running head and the folio (which depends on the page's number) are drawn afresh.
    for (const { box, y } of furniture(index)) drawBox(box, frame.left, y, true);
    if (kept) kept.stream = pdf.settlePage(kept.stream);
    sealFinished(page);
    index++;
  };
  return Object.assign(draw, {
    finish() {
      // Every page was the last build's: resumed from its last mark, the pages after it drawn.
      if (!held) return;
      skipping = false;
      resume(heldFrom!);
      const pages = held;
      held = undefined;
      for (const { page, key } of pages) drawPage(page, key);
    },
  });
}

/** The last build's document at a chapter's first page (before the page), with the drawing's own state then. */
interface Checkpoint {
  index: number;
  pdf: PdfMark<StructNode>;
  outline: { depth: number; item: OutlineEntry }[];
}

/**
 * The pages a watch session drew in its last build, each by its boxes and their places: a
 * rebuild replays a page that has the same boxes (the same objects: the layout memo's, which
 * it keeps for blocks it did not lay out again; or, for a box laid out afresh in every build,
 * such as the title block, the notes and blocks that read a file, the same content) at the same
 * places, instead of drawing it.
 * What a page's content depends on besides its boxes is its faces' subsets: a glyph's number is
 * the order of its first use in the document. A page is replayed only when each face it draws
 * with holds exactly the glyphs it held before the page in the last build (checked once per
 * glyph and build, against the subsets that build ended with); its marked-content ids count
 * from 0 on every page. Everything else drawing does (structure elements, links, destinations,
 * bookmarks, the page's font resources, the object numbers they take) is done again, muted.
 */
export class PageMemo {
  private readonly ids = new WeakMap<object, number>();
  /** Boxes the layout memo keeps (the same object in the next build when its block is unchanged): known by identity. */
  private readonly kept = new WeakSet<Box>();
  /** Ids of other boxes, by what they draw (`drawnContent`): this build's, and the last one's. */
  private contentIds = new Map<string, number>();
  private lastContentIds = new Map<string, number>();
  /** Each sealed block's recording (finishStructure), by its structure node: kept while the node is. */
  private readonly seals = new WeakMap<StructNode, SealRecording>();
  private serial = 0;
  private last = new Map<string, PageRecord>();
  private current = new Map<string, PageRecord>();
  /** The faces' subsets as the last build's drawing left them, by face id. */
  private subsets = new Map<string, FontGlyphs>();
  /** Per face, how many of its glyphs were found as in the last build (`diverged`: not all). */
  private verified = new Map<string, number>();
  private diverged = new Set<string>();
  /** The last build drew all its pages (one that failed leaves nothing to replay). */
  private ended = false;
  /** Each page's key by its index (none for a page a memo does not key), this build's and the last one's. */
  private keys: (string | undefined)[] = [];
  private lastKeys: (string | undefined)[] = [];
  /** The document at each chapter's first page, by the page's index: this build's, and the last one's. */
  private checkpoints = new Map<number, Checkpoint>();
  private lastCheckpoints = new Map<number, Checkpoint>();

  constructor(private readonly streams?: DeflateMemo) {}
  /** Output blocks no mark holds any more (see `begin`), for the next build's document; at most 64 (64 MiB). */
  readonly spareBlocks = new SpareBlocks(64);
  /** Each link's objects as written (Pdf.linkUri), by its op: kept while the op is (a laid-out block's, kept by the layout memo). */
  private readonly links = new WeakMap<TextOp | ImageOp, LinkRecording>();
  /**
   * Pages of the last build: replayed, and drawn; sealed blocks whose last recording was
   * renumbered (their object numbers moved); links written from their last recording.
   */
  readonly counts = { replayed: 0, drawn: 0, renumbered: 0, linksRewritten: 0, resumed: 0, skipped: 0 };

  /** A build begins: the last one's pages may be replayed. */
  begin(): void {
    // The marks of the build before the last go (and the last build's too, if it did not end):
    // the output blocks only they held are written again by this build (SpareBlocks).
    const kept = this.ended ? this.checkpoints : new Map<number, Checkpoint>();
    this.spareBlocks.give(droppedBlocks(this.ended ? [this.lastCheckpoints] : [this.lastCheckpoints, this.checkpoints], kept));
    this.last = this.ended ? this.current : new Map();
    this.current = new Map();
    this.lastKeys = this.ended ? this.keys : [];
    this.keys = [];
    this.lastCheckpoints = this.ended ? this.checkpoints : new Map();
    this.checkpoints = new Map();
    this.counts.resumed = 0;
    this.counts.skipped = 0;
    this.verified = new Map();
    this.diverged = new Set();
    this.lastContentIds = this.contentIds;
    this.contentIds = new Map();
    this.ended = false;
    this.counts.replayed = 0;
    this.counts.drawn = 0;
    this.counts.renumbered = 0;
    this.counts.linksRewritten = 0;
  }

  /** Forget every page (the document's settings changed). */
  forget(): void {
    this.current = new Map();
    this.keys = [];
    this.checkpoints = new Map();
    this.ended = false;
  }

  /** Whether the last build left checkpoints this one may resume from. */
  resumable(): boolean {
    return this.lastCheckpoints.size > 0;
  }

  /** Whether the page at `index` has the key the last build's had there, and was kept. */
  sameAsLast(index: number, key: string): boolean {
    return this.lastKeys[index] === key && this.last.has(key);
  }

  lastCheckpoint(index: number): Checkpoint | undefined {
    return this.lastCheckpoints.get(index);
  }

  keepCheckpoint(checkpoint: Checkpoint): void {
    this.checkpoints.set(checkpoint.index, checkpoint);
  }

  noteKey(index: number, key: string | undefined): void {
    this.keys[index] = key;
  }

  /**
   * This build resumed from the last one's checkpoint at page `index`: the pages before it are
   * the last build's, kept for the next as if drawn (their records, deflated streams and the
   * checkpoints among them, which stand for this build's as well).
   */
  resumedAt(index: number): void {
    for (let page = 0; page < index; page++) {
      const key = this.lastKeys[page];
      this.keys[page] = key;
      const record = key === undefined ? undefined : this.last.get(key);
      if (!record) continue;
      this.current.set(key!, record);
      if (record.stream) this.streams?.carry(record.stream.text);
    }
    for (const [at, checkpoint] of this.lastCheckpoints) if (at < index) this.checkpoints.set(at, checkpoint);
    this.counts.resumed++;
    this.counts.skipped += index;
  }

  /** Every page is drawn: the subsets as they stand are what the next build's pages must find. */
  end(pdf: Pdf): void {
    this.subsets = pdf.subsets();
    this.ended = true;
  }

  /** The block's sealed recording of the last build it was sealed in, and where this build's goes. */
  sealMemo(block: StructNode): SealMemo {
    return {
      last: this.seals.get(block),
      keep: (recording) => {
        this.seals.set(block, recording);
        if (recording.template) this.counts.renumbered++;
      },
    };
  }

  /** A link's objects as the last build wrote them, and where this build's go. */
  linkMemo(op: TextOp | ImageOp): LinkMemo {
    return {
      last: this.links.get(op),
      keep: (recording) => this.links.set(op, recording),
      reused: () => this.counts.linksRewritten++,
    };
  }

  /** Boxes the layout memo keeps for the next build (known there by identity). */
  keepBoxes(boxes: readonly Box[]): void {
    for (const box of boxes) this.kept.add(box);
  }

  /**
   * A page's key: its boxes and where they are. A box the layout memo keeps is known by identity
   * (a box is never changed once laid out; a repeated table header is a copy of the header box,
   * with its ops); any other (laid out afresh in each build) by what it draws, when that can be
   * written out (`fresh`: the page holds such a box). A box that draws nothing (space) is left out.
   */
  key(page: Page): PageKey {
    let text = '';
    let fresh = false;
    const add = ({ box, y }: Placed) => {
      if (box.ops.length === 0 && !box.dests?.length && !box.outline) return;
      let id: string | number | undefined = this.ids.get(box.artifact ? box.ops : box);
      if (id === undefined && !this.kept.has(box)) {
        const content = drawnContent(box);
        if (content !== undefined) {
          fresh = true;
          id = `c${this.contentId(content)}`;
        }
      }
      text += `${id ?? (box.artifact ? `a${this.id(box.ops)}` : this.id(box))}@${y},`;
    };
    page.body.forEach(add);
    text += '|';
    page.notes.forEach(add);
    return { text: `${text}|${page.noteHeight}`, fresh };
  }

  /** The last build's drawing of the page, when its faces' subsets are as they were then. */
  replayable(key: string, pdf: Pdf): PageRecord | undefined {
    const record = this.last.get(key);
    if (!record) return undefined;
    for (const { id, before } of record.drawing.fonts) {
      const font = pdf.fontById(id);
      // A face drawn first on this page would take its object number in the middle of the page's.
      if (!font || font.dictionary == null || font.subset.glyphs.length !== before || !this.asBefore(id, font, before)) return undefined;
    }
    return record;
  }

  /** Keep a page's drawing for the next build. */
  keep(key: string, record: PageRecord, replayed: boolean): void {
    this.current.set(key, record);
    if (replayed) this.counts.replayed++;
    else this.counts.drawn++;
  }

  /** Whether the face's first `length` glyphs, and their text, are the last build's. */
  private asBefore(id: string, font: PdfFont, length: number): boolean {
    if (this.diverged.has(id)) return false;
    const last = this.subsets.get(id);
    if (!last || last.ids.length < length) return false;
    for (let gid = this.verified.get(id) ?? 0; gid < length; gid++) {
      if (font.subset.glyphs[gid] !== last.ids[gid] || !sameNumbers(font.unicode[gid], last.unicode[gid])) {
        this.diverged.add(id);
        return false;
      }
    }
    if (length > (this.verified.get(id) ?? 0)) this.verified.set(id, length);
    return true;
  }

  /** The id of a box's drawn content: the last build's for the same content, so that its page's key is the same. */
  private contentId(content: string): number {
    let id = this.contentIds.get(content);
    if (id === undefined) this.contentIds.set(content, (id = this.lastContentIds.get(content) ?? ++this.serial));
    return id;
  }

  private id(value: object): number {
    let id = this.ids.get(value);
    if (id === undefined) this.ids.set(value, (id = ++this.serial));
    return id;
  }
}

/**
 * The output blocks the dropped marks hold and the kept ones do not: nothing else holds a
 * resumable document's blocks once it is ended (its sink lets them go; a resumed document took
 * the blocks of a kept mark, and the marks it made since hold those too).
 */
function droppedBlocks(dropped: Map<number, Checkpoint>[], kept: Map<number, Checkpoint>): Set<Uint8Array<ArrayBuffer>> {
  const held = new Set<Uint8Array>();
  for (const checkpoint of kept.values()) for (const block of checkpoint.pdf.sink.blocks) held.add(block);
  const free = new Set<Uint8Array<ArrayBuffer>>();
  for (const marks of dropped) for (const checkpoint of marks.values()) for (const block of checkpoint.pdf.sink.blocks) if (!held.has(block)) free.add(block);
  return free;
}

function sameNumbers(a: number[] | undefined, b: number[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let index = 0; index < a.length; index++) if (a[index] !== b[index]) return false;
  return true;
}

/** A page's key (PageMemo.key); `fresh`: it holds boxes known by their content, not by identity. */
interface PageKey {
  text: string;
  fresh: boolean;
}

/**
 * What a box draws into the page's content stream, written out: each op's operands, and the
 * structure it is marked as (each node's tag, and which ops share a node: drawBox's groups); the
 * rest of a page's drawing (structure elements, links, destinations, bookmarks) is done again
 * on replay from the box itself. Undefined for a box with an image, SVG or formula (its bytes
 * are not written out; such a box keeps being known by identity).
 */
function drawnContent(box: Box): string | undefined {
  const nodes = new Map<StructNode | undefined, number>();
  const node = (value: StructNode | undefined) => {
    let index = nodes.get(value);
    if (index === undefined) nodes.set(value, (index = nodes.size));
    return `${index}${value?.tag ?? ''}`;
  };
  let out = `${box.artifact ? 1 : 0}${node(box.struct)};`;
  for (const op of box.ops) {
    switch (op.op) {
      case 'text':
        out += `t${op.x},${op.y},${op.size},${op.extra},${op.width},${JSON.stringify(op.face)},${JSON.stringify(op.color)},${op.strike ? 1 : 0},${op.rtl ? 1 : 0},${op.link ? 1 : 0},${JSON.stringify(op.highlight ?? '')},${node(op.struct ?? box.struct)},${JSON.stringify(op.text)};`;
        break;
      case 'rect':
        out += `r${op.x},${op.y},${op.w},${op.h},${op.stroke ?? ''},${JSON.stringify(op.color)};`;
        break;
      case 'line':
        out += `l${op.points.join(' ')},${op.width},${JSON.stringify(op.color)};`;
        break;
      default:
        return undefined;
    }
  }
  return out;
}

/** A page of the last build: its drawing, and its boxes' structure runs once it was replayed. */
interface PageRecord {
  drawing: PageDrawing;
  runs?: StructureRun[][];
  /** The page's whole stream text as the last build wrote it. */
  stream?: SettledPage;
}

/** A box's structure as drawBox marks it (tagged): each run of its ops with one structure node, and the links among them. */
interface StructureRun {
  node: StructNode;
  /** None when the run has no link (most have none: no empty array kept for each). */
  links?: (TextOp | ImageOp)[];
}

/** The runs of a box that has none (a session keeps a page's runs for every box of every page). */
const NO_RUNS: StructureRun[] = [];

/** The runs of a box's ops drawn as marked content of a structure element (drawBox's groups that are not artifacts). */
function structureOf(box: Box): StructureRun[] {
  let runs: StructureRun[] | undefined;
  let current: { node: StructNode | undefined; links?: (TextOp | ImageOp)[] } | undefined;
  const close = () => {
    if (current?.node && current.node.tag !== 'Artifact') (runs ??= []).push(current.links ? { node: current.node, links: current.links } : { node: current.node });
    current = undefined;
  };
  for (const op of box.ops) {
    if (op.op === 'rect' || op.op === 'line') continue;
    const node = op.op === 'text' || op.op === 'image' ? (op.struct ?? box.struct) : box.struct;
    if (current && current.node !== node) close();
    current ??= { node };
    if ((op.op === 'text' || op.op === 'image') && op.link) (current.links ??= []).push(op);
  }
  close();
  return runs ?? NO_RUNS;
}

/** Whether a page has an SVG image to draw (svg-to-pdfkit is loaded only then). */
export function hasSvg(page: Page): boolean {
  // Asked of every page of a document without SVG: no array made for it.
  for (const placed of [page.body, page.notes]) for (const { box } of placed) for (const op of box.ops) if (op.op === 'image' && op.svg) return true;
  return false;
}

function drawOp(pdf: Pdf, op: Op, x: number, y: number, svg: SvgSupport): void {
  switch (op.op) {
    case 'text':
      pdf.drawText(op.face, op.size, x + op.x, y + op.y, op.text, op.extra, op.color, op.rtl, op);
      if (op.strike) pdf.line(x + op.x, y + op.y - op.size * 0.28, x + op.x + op.width, y + op.y - op.size * 0.28, op.size / 18, op.color);
      return;
    case 'rect':
      if (op.stroke) pdf.strokeRect(x + op.x, y + op.y, op.w, op.h, op.stroke, op.color);
      else pdf.fillRect(x + op.x, y + op.y, op.w, op.h, op.color);
      return;
    case 'line':
      pdf.polyline(op.points.map(([px, py]) => [x + px, y + py]), op.width, op.color);
      return;
    case 'image':
      if (op.bytes) pdf.image(op.bytes, x + op.x, y + op.y, op.w, op.h);
      else if (op.outlines) pdf.outlines(op.outlines, x + op.x, y + op.y, op.w, op.h);
      else if (op.svg && svg.render) {
        pdf.spoil();
        svg.render(pdf.raw, op.svg, x + op.x, y + op.y, { width: op.w, height: op.h, assumePt: false, preserveAspectRatio: 'xMidYMid meet', fontCallback: svg.fonts });
      }
      return;
  }
}

/** A link's area: a run of text's from above its ascenders to below its descenders, a picture's own. */
function drawLink(pdf: Pdf, op: TextOp | ImageOp, x: number, y: number, parent: StructElement | undefined, memo?: LinkMemo): void {
  const link = op.link!;
  const [top, width, height] = op.op === 'image' ? [y + op.y, op.w, op.h] : [y + op.y - op.size * 0.85, op.width, op.size * 1.15];
  if (link.kind === 'uri') pdf.linkUri(x + op.x, top, width, height, link.url, parent, memo);
  else if (link.kind === 'file') pdf.linkFile(x + op.x, top, width, height, link.path, link.destination, parent, memo);
  else pdf.linkInternal(x + op.x, top, width, height, link.name, parent, memo);
}
