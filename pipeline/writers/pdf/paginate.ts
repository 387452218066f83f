import type { Box } from './model.ts';
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
}

export interface PageGeometry {
  /** Height between the top and bottom margins. */
  height: number;
  /** Space taken by the separator rule above the notes. */
  separator: number;
  /** Space between two notes. */
  gap: number;
  /** Largest share of a page that notes carried over from earlier pages may take. */
  maxNoteFraction: number;
}

interface Fill {
  end: number;
  body: Box[];
  notes: Box[];
  carry: Box[];
  placed: Set<string>;
}

const EPSILON = 0.01;

/**
 * The note area's one job: fit body and notes together. Boxes fill a page while the notes
 * they cite (and the notes those cite) fit at its foot; a note too long for what is left
 * starts here, at least two lines of it, and continues at the top of the next page's note
 * area. Page breaks fall only where the box before allows (widows, orphans, headings kept
 * with what follows); a table row that starts a page brings its header row along.
 */
export function paginate(body: Box[], notes: Map<string, Note>, geometry: PageGeometry): Page[] {
  const pages: Page[] = [];
  let carry: Box[] = [];
  let placed = new Set<string>();
  let index = 0;
  let guard = 0;
  while (index < body.length || carry.length > 0) {
    if (++guard > body.length * 4 + 10000) throw new Error(`pagination does not progress at box ${index} of ${body.length}`);
    let fill = fillPage(body, index, body.length, carry, placed, notes, geometry, false);
    if (fill.end < body.length && fill.end > index) {
      // Move back to the last place where a break is allowed.
      let end = fill.end;
      while (end > index && body[end - 1]!.keep) end--;
      if (end > index && end < fill.end) fill = fillPage(body, index, end, carry, placed, notes, geometry, false);
    }
    if (fill.end === index && fill.body.length === 0 && fill.notes.length === 0 && index < body.length) {
      // Nothing fits on an empty page (a box taller than the page): place it alone.
      fill = fillPage(body, index, index + 1, carry, placed, notes, geometry, true);
    }
    pages.push(toPage(fill, geometry));
    index = fill.end;
    carry = fill.carry;
    placed = fill.placed;
  }
  return pages;
}

function fillPage(body: Box[], start: number, stop: number, carryIn: Box[], placedIn: Set<string>, notes: Map<string, Note>, geometry: PageGeometry, force: boolean): Fill {
  const placed = new Set(placedIn);
  const pageBody: Box[] = [];
  const pageNotes: Box[] = [];
  let carry: Box[] = [];
  let bodyHeight = 0;
  let noteHeight = 0;

  // Notes carried over come first, up to a share of the page.
  const carryLimit = geometry.height * geometry.maxNoteFraction;
  carryIn.forEach((box, index) => {
    if (carry.length === 0 && (index === 0 || geometry.separator + noteHeight + box.height <= carryLimit)) {
      pageNotes.push(box);
      noteHeight += box.height;
    } else carry.push(box);
  });
  if (pageNotes.length > 0) noteHeight += geometry.separator;

  let index = start;
  if (body[index]?.header && index > 0 && body[index - 1] !== body[index]!.header) {
    const header = { ...body[index]!.header!, artifact: true, notes: [], keep: true };
    pageBody.push(header);
    bodyHeight += header.height;
  }
  while (index < stop) {
    const box = body[index]!;
    if (box.space && pageBody.length === 0) {
      index++;
      continue;
    }
    const fresh = newNotes(box.notes, placed, notes);
    const freshHeight = fresh.reduce((sum, note) => sum + note.height, 0) + gaps(fresh.length, pageNotes.length, geometry);
    const separator = pageNotes.length === 0 && fresh.length > 0 ? geometry.separator : 0;
    const fits = bodyHeight + box.height + noteHeight + separator + freshHeight <= geometry.height + EPSILON;
    if (fits || (force && index === start)) {
      pageBody.push(box);
      bodyHeight += box.height;
      for (const note of fresh) {
        if (pageNotes.length > 0) pageNotes.push(gap(geometry));
        pageNotes.push(...note.boxes);
        placed.add(note.number);
      }
      noteHeight += separator + freshHeight;
      index++;
      continue;
    }
    if (fresh.length > 0 && carry.length === 0) {
      // Split the last new note: all others whole, then as much of it as fits (two lines at least).
      const last = fresh.at(-1)!;
      const others = fresh.slice(0, -1);
      const fixed = bodyHeight + box.height + noteHeight + separator + others.reduce((sum, note) => sum + note.height, 0) + gaps(fresh.length, pageNotes.length, geometry);
      let room = geometry.height - fixed;
      let lines = 0;
      for (const noteBox of last.boxes) {
        if (noteBox.height > room + EPSILON) break;
        room -= noteBox.height;
        lines++;
      }
      if (lines >= Math.min(2, last.boxes.length) && lines < last.boxes.length) {
        pageBody.push(box);
        for (const note of fresh) {
          if (pageNotes.length > 0) pageNotes.push(gap(geometry));
          pageNotes.push(...(note === last ? note.boxes.slice(0, lines) : note.boxes));
          placed.add(note.number);
        }
        carry = last.boxes.slice(lines);
        index++;
      }
    }
    break;
  }
  return { end: index, body: pageBody, notes: pageNotes, carry, placed };
}

/** The notes a box brings to its page: those it cites first, and those they cite in turn. */
function newNotes(cited: string[], placed: Set<string>, notes: Map<string, Note>): Note[] {
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

function gaps(count: number, existing: number, geometry: PageGeometry): number {
  return (existing > 0 ? count : Math.max(0, count - 1)) * geometry.gap;
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
