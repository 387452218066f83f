import type { Box, StructNode } from './boxes.ts';
import type { Note } from './notes.ts';

export interface Placed {
  box: Box;
  /** Top of the box, from the top of the body area (body) or of the note area (notes). */
  y: number;
}

export interface Page {
  body: Placed[];
  notes: Placed[];
  /** Height of the note area including the separator; 0 when the page has no notes. */
  noteHeight: number;
  /**
   * The structure blocks (the root's children) drawn on this page of which no box is left to
   * place after it: neither in the boxes the stream holds nor in a note carried over. Set by
   * pageStream; a block is sealed only once it is finished (draw-pages.ts).
   */
  finished?: StructNode[];
  /** The page begins where a page break was asked for (a book's chapter opens it): set by pageStream. */
  opensChapter?: boolean;
}

export interface PageGeometry {
  /** Height between the top and bottom margins. */
  height: number;
  /** Space taken by the separator rule above the notes. */
  separator: number;
  /** Space between two notes. */
  gap: number;
  /**
   * Largest share of a page that notes carried over from earlier pages may take, and notes that
   * overflow the page of the line citing them (whose first note's first two lines may exceed it).
   */
  maxNoteFraction: number;
}

/** What is still to be set of a note: its boxes from `from` on (0: the note has not started). */
interface Pending {
  note: Note;
  from: number;
}

interface Fill {
  end: number;
  body: Box[];
  notes: Box[];
  /** Notes (or their rest) owed to the next page's note area, in reading order. */
  carry: Pending[];
  placed: Set<string>;
}

const EPSILON = 0.01;

/**
 * How many lines' height a page may give up so as not to end with a hyphenated word, and how
 * empty that may leave it (short of the 12% a page may be left blank, measured as a white band).
 */
const HYPHEN_LOOKBACK = 4;
const HYPHEN_SHORT_PAGE = 0.09;
/** The largest share of a page that a page end gives up to keep consecutive headings together. */
const LONGEST_KEPT_HEADINGS = 0.2;

/** A float moves to the top of its own page only to close a gap wider than this share of the page. */
const FLOAT_TOP_GAP = 0.08;

/**
 * A line whose notes cannot all start on its page moves to the next page only when that leaves
 * this page at most this share empty (as short as a page ended early by widow and orphan rules).
 * Beyond that, the line stays and its notes continue on the following pages instead: the reader
 * loses less to a note that starts overleaf than to a page left mostly blank.
 */
const SHORT_PAGE = 0.2;

/**
 * The note area's one job: fit body and notes together. Boxes fill a page while the notes
 * they cite (and the notes those cite) can start at its foot: all but the last whole, the last
 * with at least two lines, its rest continuing at the top of the next page's note area. When a
 * line cites more note than that (several long notes, or a note behind one still continuing),
 * it moves to the next page only if this one is nearly full anyway. Otherwise it stays, its
 * first note starts here with at least two lines (the note area growing to its usual share of
 * the page, or as far as those two lines need), and the rest follows on the next pages, in
 * order and before any later note, as TeX does with split insertions. Notes carried over take
 * at most that share of a page, so the body keeps flowing beside a long note. Page breaks fall
 * only where the box before allows (widows, orphans, headings kept with what follows), and a
 * note cut short leaves the body room to reach such a place; a table row that starts a page
 * brings its header row along.
 */
export function paginate(body: Box[], notes: NoteSource, geometry: PageGeometry): Page[] {
  return [...pageStream([body][Symbol.iterator](), notes, geometry)];
}

/** The notes by number, as pagination asks for them (laid out when first asked for, or before). */
export type NoteSource = Pick<Map<string, Note>, 'get'>;

/**
 * The same pages as `paginate`, each as soon as it is settled, from boxes given block by block:
 * the boxes before a settled page are let go. A page is settled from the boxes that follow its
 * first one only when they run on for PAGES_AHEAD pages of text that neither floats nor is
 * kept with what follows it: every decision about a page looks less far ahead than that (its
 * boxes, the text a float lets move up, a chain of boxes kept together, which now ends inside
 * the boxes held), so it is the one made with the whole document at hand.
 */
export function* pageStream(blocks: Iterator<Box[]>, notes: NoteSource, geometry: PageGeometry): Generator<Page> {
  let body: Box[] = [];
  let ended = false;
  let carry: Pending[] = [];
  let placed = new Set<string>();
  let index = 0;
  let guard = 0;
  let seen = 0;
  const enough = geometry.height * PAGES_AHEAD;
  // The boxes held (given, not yet placed) per structure block.
  const held = new Map<StructNode, number>();
  const more = () => {
    const next = blocks.next();
    if (next.done) ended = true;
    else {
      for (const box of next.value) {
        body.push(box);
        const block = blockOf(box.struct);
        if (block) held.set(block, (held.get(block) ?? 0) + 1);
      }
      seen += next.value.length;
    }
  };
  // The height of text counted from `index` up to `scanned`, carried from one call of `settled`
  // to the next while the page waits for boxes (only added at the end then): each box is counted
  // once per page, not once per block given, and in the same order (the same sum).
  let ahead = 0;
  let scanned = 0;
  const settled = () => {
    if (ended) return true;
    const last = body.at(-1);
    if (!last || last.keep || last.float !== undefined) return false;
    for (; scanned < body.length && ahead < enough; scanned++) if (!body[scanned]!.space && body[scanned]!.float === undefined) ahead += body[scanned]!.height;
    return ahead >= enough;
  };
  for (;;) {
    ahead = 0;
    scanned = index;
    while (!settled()) more();
    if (!(index < body.length || carry.length > 0)) return;
    if (++guard > seen * 4 + 10000) throw new Error(`pagination does not progress at box ${index} of ${body.length}`);
    const opensChapter = body[index]?.breakBefore === true;
    let fill = fillPage(body, index, body.length, carry, placed, notes, geometry, false);
    if (fill.end < body.length && fill.end > index) fill = endWhereAllowed(body, index, index, fill, carry, placed, notes, geometry) ?? fill;
    const floated =
      fill.end < body.length && fill.end > index
        ? (floatPastGap(body, index, fill.end, carry, placed, notes, geometry, false) ??
          floatToTop(body, index, fill.end, carry, placed, notes, geometry, fill) ??
          floatPastGap(body, index, fill.end, carry, placed, notes, geometry, true))
        : undefined;
    if (floated) fill = floated;
    if (fill.end === index && fill.body.length === 0 && fill.notes.length === 0 && index < body.length) {
      // Nothing fits on an empty page (a box taller than the page): place it alone.
      fill = fillPage(body, index, index + 1, carry, placed, notes, geometry, true);
    }
    for (let at = index; at < fill.end; at++) {
      const block = blockOf(body[at]!.struct);
      if (block) held.set(block, held.get(block)! - 1);
    }
    index = fill.end;
    carry = fill.carry;
    placed = fill.placed;
    const page = toPage(fill, geometry);
    page.finished = finishedBlocks(fill, held, carry);
    if (opensChapter) page.opensChapter = true;
    // Only the box before the next page is looked at again (a table row repeats its header
    // unless that header precedes it): the rest goes once it is half of what is held.
    if (index > 1 && index * 2 > body.length) {
      body = body.slice(index - 1);
      index = 1;
    }
    yield page;
  }
}

/** The root's child a structure node is in (or is); none for the root itself. */
function blockOf(node: StructNode | undefined): StructNode | undefined {
  if (!node?.parent) return undefined;
  while (node.parent!.parent) node = node.parent!;
  return node;
}

/** The blocks of the page's boxes none of whose boxes is held or carried over (see Page.finished). */
function finishedBlocks(fill: Fill, held: Map<StructNode, number>, carry: Pending[]): StructNode[] {
  const carried = new Set<StructNode>();
  for (const { note } of carry) for (const box of note.boxes) {
    const block = blockOf(box.struct);
    if (block) carried.add(block);
  }
  const finished = new Set<StructNode>();
  for (const boxes of [fill.body, fill.notes]) {
    for (const box of boxes) {
      const block = blockOf(box.struct);
      if (!block || finished.has(block) || carried.has(block)) continue;
      const count = held.get(block);
      if (count === undefined || count <= 0) {
        finished.add(block);
        held.delete(block);
      }
    }
  }
  return [...finished];
}

/** How many pages of text a page is settled ahead of (see pageStream). */
const PAGES_AHEAD = 3;

/**
 * LaTeX's `[tp]` placement: when a floating figure or table is the first thing that does not fit
 * on the page, the text after it moves up to fill the gap, and the float goes to the top of the
 * next page. `withFollowing`: the floats that follow it with no text between wait with it, in
 * order (a later float never passes one that waits); without it, such a float stops the text, and
 * nothing moves. The text that moves stops at the end of the float's section (a
 * heading) and at the next float (floats keep their order); it never moves past the floats by
 * more than this page, so a float is at most one page from its place. Notes cited in the moved
 * text go with it, to this page. `body` is reordered in place; returns the page, or undefined
 * when nothing moves.
 */
function floatPastGap(body: Box[], start: number, end: number, carry: Pending[], placed: Set<string>, notes: NoteSource, geometry: PageGeometry, withFollowing: boolean): Fill | undefined {
  const key = body[end]!.float;
  if (!key || body[end - 1]?.float === key || body[end - 1]?.keep) return undefined;
  let after = pastFloat(body, end);
  // The next floats, when only space parts them from this one (asked for last: they move furthest).
  if (withFollowing) while (body[after]?.space && body[after + 1]?.float !== undefined) after = pastFloat(body, after + 1);
  // The space after the floats goes with them (the gap before them already separates the text),
  // and grows: a float at the top of a page stands further from the text below it (\\textfloatsep).
  const group = body.slice(end, after);
  if (body[after]?.space) group.push({ ...body[after++]!, height: body[after - 1]!.height * 2.5 });
  const rest = body.slice(after);
  let stop = 0;
  while (stop < rest.length && !rest[stop]!.outline && !rest[stop]!.float && !rest[stop]!.header && !rest[stop]!.breakBefore) stop++;
  if (stop === 0) return undefined;
  const candidate = [...body.slice(0, end), ...rest.slice(0, stop)];
  const whole = fillPage(candidate, start, candidate.length, carry, placed, notes, geometry, false);
  const fill = whole.end < candidate.length ? endWhereAllowed(candidate, start, end, whole, carry, placed, notes, geometry) : whole;
  if (!fill || fill.end <= end) return undefined;
  const moved = fill.end;
  // The moved text, then the float: body[end…] becomes text[0…moved-end), group, the rest.
  body.splice(end, after - end + (moved - end), ...rest.slice(0, moved - end), ...group);
  return fill;
}

/** The index past the boxes of the float that starts at `index`. */
function pastFloat(body: Box[], index: number): number {
  const key = body[index]!.float;
  let after = index;
  while (body[after]?.float === key) after++;
  return after;
}

/**
 * A float that ends its section and does not fit below the text before it leaves a gap no text
 * may fill: what follows is the next section, which a float never passes. LaTeX's `t` placement
 * on the current page settles it: the float goes to the top of this page (below the heading, if
 * its section opens on this page), and the text before it flows on below it. Only when the gap
 * is wider than FLOAT_TOP_GAP, and only when the float then fits; `body` is reordered in place.
 */
function floatToTop(body: Box[], start: number, end: number, carry: Pending[], placed: Set<string>, notes: NoteSource, geometry: PageGeometry, current: Fill): Fill | undefined {
  const key = body[end]!.float;
  if (!key || body[end - 1]?.float === key || emptiness(current, geometry) <= FLOAT_TOP_GAP) return undefined;
  let after = pastFloat(body, end);
  const group = body.slice(end, after);
  // The space after the float stands between it and the text below, wider at the top of a page (\\textfloatsep).
  if (body[after]?.space) group.push({ ...body[after++]!, height: body[after - 1]!.height * 2.5 });
  // Below the page's last heading, and below any float already on the page (floats keep their order).
  let top = start;
  for (let index = start; index < end; index++) if (/^H\d$/.test(body[index]!.struct?.tag ?? '') || body[index]!.float !== undefined) top = index + 1;
  while (body[top]?.space && top < end) top++;
  // Not between a table's rows, nor with nothing of its section above it on an earlier page.
  if (body[top]?.header || top >= end) return undefined;
  const reordered = [...body.slice(start, top), ...group, ...body.slice(top, end)];
  const candidate = [...body.slice(0, start), ...reordered, ...body.slice(after)];
  const whole = fillPage(candidate, start, candidate.length, carry, placed, notes, geometry, false);
  const floatEnd = top + group.length;
  const fill = endWhereAllowed(candidate, start, floatEnd, whole, carry, placed, notes, geometry);
  if (!fill || fill.end <= floatEnd || emptiness(fill, geometry) >= emptiness(current, geometry)) return undefined;
  body.splice(start, after - start, ...reordered);
  return fill;
}

/**
 * The page `fill` cut back to end where a break is allowed (widows, orphans, headings kept with
 * what follows), giving up no box before `keepFrom`; and not after a line that ends in a hyphen
 * (TeX's \\brokenpenalty) when an allowed place lies a few lines higher and moving there leaves
 * the page at most HYPHEN_SHORT_PAGE empty. Undefined when no allowed place is left.
 */
function endWhereAllowed(body: Box[], start: number, keepFrom: number, fill: Fill, carry: Pending[], placed: Set<string>, notes: NoteSource, geometry: PageGeometry): Fill | undefined {
  // A forced break ends the page where it stands.
  if (body[fill.end]?.breakBefore) return fill;
  let allowed = fill.end;
  // The latest place inside the kept run before a heading that follows another heading.
  let betweenHeadings: number | undefined;
  let givenUp = 0;
  while (allowed > keepFrom && body[allowed - 1]!.keep) {
    if (betweenHeadings === undefined && allowed < fill.end && body[allowed]!.outline && followsHeading(body, allowed)) betweenHeadings = allowed;
    allowed--;
    givenUp += body[allowed]!.height;
  }
  // A run of headings with nothing between them (a list of options, each a heading: Node.js's
  // cli.md) is kept together only up to a share of the page; past it, the page ends between two
  // of them rather than leave the rest of the page empty.
  if (givenUp > geometry.height * LONGEST_KEPT_HEADINGS && betweenHeadings !== undefined) allowed = betweenHeadings;
  if (allowed <= keepFrom) return undefined;
  const last = body[allowed - 1]!;
  if (last.hyphenated) {
    const budget = last.height * HYPHEN_LOOKBACK + EPSILON;
    let given = 0;
    for (let unbroken = allowed - 1; unbroken > keepFrom; unbroken--) {
      const box = body[unbroken]!;
      if (!box.space) given += box.height;
      if (given > budget) break;
      const before = body[unbroken - 1]!;
      if (before.keep || before.hyphenated) continue;
      const shorter = fillPage(body, start, unbroken, carry, placed, notes, geometry, false);
      if (emptiness(shorter, geometry) <= HYPHEN_SHORT_PAGE) return shorter;
      break;
    }
  }
  return allowed < fill.end ? fillPage(body, start, allowed, carry, placed, notes, geometry, false) : fill;
}

/** Whether the box before `index` (past any vertical space) is a heading's, as the box at `index` is. */
function followsHeading(body: Box[], index: number): boolean {
  let before = index - 1;
  while (before >= 0 && body[before]!.space) before--;
  return before >= 0 && body[before]!.keep && (body[before]!.outline !== undefined || /^H[1-6]$/.test(body[before]!.struct?.tag ?? ''));
}

/** The share of the page's height that `fill` leaves empty. */
function emptiness(fill: Fill, geometry: PageGeometry): number {
  const sum = (boxes: Box[]) => boxes.reduce((height, box) => height + box.height, 0);
  const notes = fill.notes.length > 0 ? sum(fill.notes) + geometry.separator : 0;
  return (geometry.height - sum(fill.body) - notes) / geometry.height;
}

function fillPage(body: Box[], start: number, stop: number, carryIn: Pending[], placedIn: Set<string>, notes: NoteSource, geometry: PageGeometry, force: boolean): Fill {
  const placed = new Set(placedIn);
  const pageBody: Box[] = [];
  const share = geometry.height * geometry.maxNoteFraction;

  // Notes carried over come first, up to a share of the page (one line at least, so they progress).
  const carried = takeNotes(carryIn, share - geometry.separator, false, geometry, true);
  const pageNotes: Box[] = carried.boxes;
  let carry = carried.rest;
  let noteHeight = pageNotes.length > 0 ? carried.height + geometry.separator : 0;
  let bodyHeight = 0;

  let index = start;
  if (body[index]?.header && index > 0 && body[index - 1] !== body[index]!.header) {
    const header = { ...body[index]!.header!, artifact: true, notes: [], keep: true };
    pageBody.push(header);
    bodyHeight += header.height;
  }
  const placeBox = (box: Box) => {
    pageBody.push(box);
    bodyHeight += box.height;
    index++;
  };
  while (index < stop) {
    const box = body[index]!;
    if (box.breakBefore && !force && pageBody.some((placed) => !placed.artifact)) break;
    if (box.space && pageBody.length === 0) {
      index++;
      continue;
    }
    const forced = force && index === start;
    const fresh = newNotes(box.notes, placed, notes);
    if (fresh.length === 0) {
      if (bodyHeight + box.height + noteHeight > geometry.height + EPSILON && !forced) break;
      placeBox(box);
      continue;
    }
    const separator = pageNotes.length === 0 ? geometry.separator : 0;
    const room = geometry.height - bodyHeight - box.height - noteHeight - separator;
    // Notes carried over precede the new ones: the whole queue is set in order.
    const queue = [...carry, ...fresh.map((note) => ({ note, from: 0 }))];
    let taken = takeNotes(queue, room + EPSILON, pageNotes.length > 0, geometry, false);
    // Notes that continue overleaf end the page soon: leave the body room to reach a place where
    // it may end, or the break would move back above this line and take it overleaf after all.
    const reserve = keptWith(body, index);
    if (taken.rest.length > 0 && reserve > 0) taken = takeNotes(queue, room - reserve + EPSILON, pageNotes.length > 0, geometry, false);
    // Every new note starts here when nothing is left over but the rest of the last one.
    const allStart = taken.rest.length === 0 || (taken.rest.length === 1 && taken.rest[0]!.note === fresh.at(-1) && taken.rest[0]!.from > 0);
    if (!allStart) {
      const left = geometry.height - bodyHeight - noteHeight;
      if (!forced && pageBody.some((placed) => !placed.artifact) && left <= geometry.height * SHORT_PAGE + EPSILON) break;
      // The box stays. Its first note needs its first two lines here, unless notes carried
      // over still hold the note area: then the new notes queue behind them.
      const first = fresh[0]!;
      const lines = first.boxes.slice(0, Math.min(2, first.boxes.length)).reduce((sum, line) => sum + line.height, 0);
      const need = carry.length > 0 ? 0 : (pageNotes.length > 0 ? geometry.gap : 0) + lines;
      if (need > room - reserve + EPSILON && !forced) break;
      // The notes take their usual share of the page (or what those two lines need): the body
      // still gets its lines below the citing one, and the notes continue overleaf anyway.
      taken = takeNotes(queue, Math.min(room - reserve, Math.max(share - noteHeight - separator, need)) + EPSILON, pageNotes.length > 0, geometry, false);
    }
    placeBox(box);
    if (taken.boxes.length > 0) {
      pageNotes.push(...taken.boxes);
      noteHeight += separator + taken.height;
    }
    carry = taken.rest;
    for (const note of fresh) placed.add(note.number);
  }
  return { end: index, body: pageBody, notes: pageNotes, carry, placed };
}

interface Taken {
  boxes: Box[];
  /** Height of the boxes, gaps between notes included (the separator is not). */
  height: number;
  rest: Pending[];
}

/**
 * Set a queue of notes, in order, into `room`. A note that starts here brings at least its first
 * two lines (a lone first line would be cut off from the rest of it); the first note that does
 * not fit whole ends the area, and everything after it waits, so notes read in order across
 * pages. `started` says whether the area already holds notes; `atLeastOne` sets one box even
 * without room, so that a long carried note always progresses.
 */
function takeNotes(queue: Pending[], room: number, started: boolean, geometry: PageGeometry, atLeastOne: boolean): Taken {
  const boxes: Box[] = [];
  let height = 0;
  for (const [position, { note, from }] of queue.entries()) {
    // A gap separates two notes, never the two parts of one.
    const before = from === 0 && (started || boxes.length > 0) ? geometry.gap : 0;
    const forceOne = atLeastOne && boxes.length === 0;
    let used = height + before;
    let end = from;
    while (end < note.boxes.length && (used + note.boxes[end]!.height <= room || (forceOne && end === from))) {
      used += note.boxes[end]!.height;
      end++;
    }
    const least = from === 0 ? Math.min(2, note.boxes.length) : 1;
    // A note that continues overleaf does not stop on a hyphen either, if a line can go with it.
    while (end < note.boxes.length && end - from > least && note.boxes[end - 1]!.hyphenated) {
      end--;
      used -= note.boxes[end]!.height;
    }
    if (end - from < least && !forceOne) return { boxes, height, rest: queue.slice(position) };
    if (before > 0) boxes.push(gap(geometry));
    boxes.push(...note.boxes.slice(from, end));
    height = used;
    if (end < note.boxes.length) return { boxes, height, rest: [{ note, from: end }, ...queue.slice(position + 1)] };
  }
  return { boxes, height, rest: [] };
}

/** Height of the boxes that must follow box `index` on its page before a break is allowed. */
function keptWith(body: Box[], index: number): number {
  let height = 0;
  for (let next = index; body[next]?.keep && next + 1 < body.length; next++) height += body[next + 1]!.height;
  return height;
}

/** The notes a box brings to its page: those it cites first, and those they cite in turn. */
function newNotes(cited: string[], placed: Set<string>, notes: NoteSource): Note[] {
  const out: Note[] = [];
  const seen = new Set<string>();
  const visit = (number: string) => {
    if (placed.has(number) || seen.has(number)) return;
    seen.add(number);
    const note = notes.get(number);
    if (!note) return;
    out.push(note);
    note.cites.forEach(visit);
  };
  cited.forEach(visit);
  return out.sort((a, b) => Number(a.number) - Number(b.number));
}

function gap(geometry: PageGeometry): Box {
  return { height: geometry.gap, ops: [], notes: [], keep: false, space: true };
}

function toPage(fill: Fill, geometry: PageGeometry): Page {
  let y = 0;
  const body = fill.body.map((box) => {
    const placed = { box, y };
    y += box.height;
    return placed;
  });
  let noteY = fill.notes.length > 0 ? geometry.separator : 0;
  const notes = fill.notes.map((box) => {
    const placed = { box, y: noteY };
    noteY += box.height;
    return placed;
  });
  return { body, notes, noteHeight: fill.notes.length > 0 ? noteY : 0 };
}
