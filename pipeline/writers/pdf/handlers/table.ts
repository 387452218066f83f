import type { AlignType, Table, TableCell, TableRow } from 'mdast';
import { VFile } from 'vfile';
import { languageDirection } from '../../shared/direction.ts';
import { toRuns } from '../inline.ts';
import { moveDown, shift, struct, type Box, type Op, type Run, type StructNode } from '../boxes.ts';
import type { Context, State } from '../state.ts';
import { setText, type Align } from '../typeset.ts';

/**
 * Column widths from content (CSS auto layout: each column gets at least its longest word,
 * the rest of the width is shared by how much more each column wants; a table whose longest
 * words do not fit side by side is set in smaller text first), cells that wrap, GFM
 * alignment, and the header row repeated at the top of each page the table continues on.
 * A caption (made by `caption` inside the Table element) goes above, kept with the header row.
 * In a right-to-left document the first column is on the right. A table from raw HTML may
 * have no header row (its first row is data) and cells spanning columns or rows: a cell spans
 * its columns' width, and a row-spanning cell is set in its first row, its other rows left
 * empty under it (no rules between cells mark where a span ends).
 */
export function table(state: State, node: Table, context: Context, caption?: (table: StructNode, width: number) => Box[]): Box[] {
  const theme = state.theme.table;
  const scale = context.size / state.theme.body.size;
  const padding = theme.cellPadding * scale;
  const heads = Math.min(node.data?.headRows ?? 1, node.children.length);
  // A cell's first grid column and the columns it spans (a GFM table's cells span one each).
  const gridOf = (cell: TableCell, index: number) => ({ column: cell.data?.column ?? index, span: cell.data?.colSpan ?? 1 });
  const columns = Math.max(
    ...node.children.map((row) =>
      row.children.reduce((end, cell, index) => {
        const { column, span } = gridOf(cell, index);
        return Math.max(end, column + span);
      }, 0),
    ),
  );
  const element = struct('Table', context.struct);
  const bodyElement = struct('TBody', element);

  const runsOf = (cell: TableCell, header: boolean, cellStruct: StructNode) =>
    toRuns(state, cell.children, { style: header ? 'bold' : 'regular', size, color: state.theme.body.color }, cellStruct);

  // Measuring must not count as citing a note (the first citation sets the back-link target)
  // nor repeat warnings, so it runs on a scratch copy of the state.
  const probe: State = { ...state, citedNotes: new Set(state.citedNotes), file: new VFile() };
  // Measure: widest unbroken line (max) and longest word (min) per column, at a given text size.
  const measure = (size: number, leading: number) => {
    const longest = new Array<number>(columns).fill(0);
    const max = new Array<number>(columns).fill(0);
    const spanning: { column: number; span: number; max: number; longest: number }[] = [];
    node.children.forEach((row, rowIndex) =>
      row.children.forEach((cell, index) => {
        const runs = toRuns(probe, cell.children, { style: rowIndex < heads ? 'bold' : 'regular', size, color: state.theme.body.color }, undefined);
        const wide = setText(probe, runs, { width: 1e6, leading, size, align: 'left' });
        const natural = Math.max(0, ...wide.map((line) => lineWidth(line)));
        const { column, span } = gridOf(cell, index);
        // Half a point of slack: measured and set widths differ by rounding.
        if (span > 1) spanning.push({ column, span, max: natural + 2 * padding + 0.5, longest: longestWord(state, runs) });
        else {
          max[column] = Math.max(max[column]!, natural + 2 * padding + 0.5);
          longest[column] = Math.max(longest[column]!, longestWord(state, runs));
        }
      }),
    );
    // A cell over several columns widens them evenly where together they are narrower than it,
    // narrowest spans first, as CSS's automatic table layout does. Its columns share one padding.
    spanning.sort((a, b) => a.span - b.span);
    for (const cell of spanning) {
      widen(max, cell.column, cell.span, cell.max);
      widen(longest, cell.column, cell.span, cell.longest - (cell.span - 1) * (2 * padding + 0.5));
    }
    return { longest, max };
  };
  let size = theme.size * scale;
  let leading = theme.leading * scale;
  let { longest, max } = measure(size, leading);
  const cellPadding = columns * (2 * padding + 0.5);
  const wordsWidth = longest.reduce((sum, width) => sum + width, 0);
  // Columns too many for their longest words: set the table's text smaller, down to four fifths
  // (as a LaTeX author reaches for \small), before any word must be cut where it has no hyphen.
  if (wordsWidth + cellPadding > context.width && wordsWidth > 0) {
    const shrink = Math.max(0.8, Math.floor(((context.width - cellPadding) / wordsWidth) * 100) / 100);
    size *= shrink;
    leading *= shrink;
    ({ longest, max } = measure(size, leading));
  }
  // Each column gets at least its longest word when all of them fit side by side; otherwise no
  // column may claim more than its share for one word, and long words are broken.
  const fits = longest.reduce((sum, width) => sum + width, 0) + cellPadding <= context.width;
  const min = longest.map((width) => (fits ? width : Math.min(width, context.width / columns)) + 2 * padding + 0.5);
  const widths = columnWidths(min, max, context.width);
  // The table takes the width its content needs, centred in the column.
  const tableWidth = widths.reduce((sum, width) => sum + width, 0);
  const offset = Math.max(0, (context.width - tableWidth) / 2);
  const aligns: AlignType[] = node.align ?? [];
  // A right-to-left document's table runs its columns from the right, as HTML's does.
  const rtl = languageDirection(state.lang) === 'rtl';
  const sum = (values: number[]) => values.reduce((total, width) => total + width, 0);
  const columnStart = (column: number, span: number) => sum(rtl ? widths.slice(column + span) : widths.slice(0, column));

  const rowBoxes = (row: TableRow, header: boolean, rowStruct: StructNode, ruleBelow = header): Box[] => {
    const cells: Box[][] = row.children.map((cell, index) => {
      const { column, span } = gridOf(cell, index);
      const spans = { ...(span > 1 ? { colSpan: span } : {}), ...(cell.data?.rowSpan ? { rowSpan: cell.data.rowSpan } : {}) };
      const cellStruct = struct(header ? 'TH' : 'TD', rowStruct, header ? { scope: 'Column', ...spans } : spans);
      const wanted = cell.data?.align ?? aligns[column];
      const align: Align = wanted === 'center' ? 'center' : wanted === 'right' ? 'right' : 'left';
      const lines = setText(state, runsOf(cell, header, cellStruct), {
        width: sum(widths.slice(column, column + span)) - 2 * padding,
        leading,
        size,
        align,
        struct: cellStruct,
        hyphenator: state.hyphenator,
      });
      // Lines with nothing on them at a cell's start or end (line breaks around a logo the PDF
      // shows no text for) would only make the row taller.
      let first = 0;
      let end = lines.length;
      while (first < end && lines[first]!.ops.length === 0) first++;
      while (end > first && lines[end - 1]!.ops.length === 0) end--;
      return shift(first === 0 && end === lines.length ? lines : lines.slice(first, end), columnStart(column, span) + padding);
    });
    // A row taller than a page would run off it: cut such a row into slices that each fit. A
    // body row taller than a sixth of the page may also break between its lines (as a row
    // does in Typst, or in a browser's print), so that it leaves no hole at the foot of a page.
    const tallest = Math.max(0, ...cells.map((lines) => lines.reduce((sum, line) => sum + line.height, 0)));
    const breakable = !header && tallest > context.maxHeight / 6;
    const limit = breakable ? Math.max(2 * leading, context.maxHeight / 12) : Math.max(leading, context.maxHeight * 0.8 - 2 * padding);
    const slices: Box[][][] = [];
    cells.forEach((lines, column) => {
      let slice = 0;
      let used = 0;
      for (const line of lines) {
        if (used + line.height > limit && used > 0) {
          slice++;
          used = 0;
        }
        const columns = slices[slice] ?? [];
        slices[slice] = columns;
        const cell = columns[column] ?? [];
        columns[column] = cell;
        cell.push(line);
        used += line.height;
      }
    });
    if (slices.length === 0) slices.push([]);
    return slices.map((slice, index) => {
      // A row cut in slices has its padding above the first and below the last only: its
      // lines run on evenly across the cuts.
      const top = index === 0 ? padding : 0;
      const bottom = index === slices.length - 1 ? padding : 0;
      // Array.from, not map: a slice is sparse where a cell has already ended.
      const height = Math.max(0, ...Array.from(slice, (lines) => (lines ?? []).reduce((sum, line) => sum + line.height, 0))) + top + bottom;
      const ops: Op[] = [];
      const notes: string[] = [];
      for (const lines of slice) {
        let y = top;
        for (const line of lines ?? []) {
          for (const op of line.ops) {
            // Every op of the cell's line moves to the line's place (an image in a cell too).
            if (op.op === 'text') ops.push({ ...op, y: op.y + y, struct: op.struct ?? line.struct });
            else ops.push(moveDown(op, y));
          }
          notes.push(...line.notes.filter((note) => !notes.includes(note)));
          y += line.height;
        }
      }
      // Booktabs: a light rule under the header only; the bottom rule is drawn under the last row.
      if (ruleBelow && index === slices.length - 1) ops.push({ op: 'line', points: [[0, height], [tableWidth, height]], width: theme.ruleWidth, color: theme.ruleColor });
      return { height, ops, notes, keep: false, struct: rowStruct };
    });
  };

  if (node.children.length === 0) return [];
  // A header row is never sliced (a header taller than a page is not a header).
  const headElement = heads > 0 ? struct('THead', element) : undefined;
  const headBoxes = node.children.slice(0, heads).map((row, index) => rowBoxes(row, true, struct('TR', headElement), index === heads - 1));
  const [header, ...overflow] = headBoxes.flat();
  if (header) header.keep = true;
  // Several header rows stay together, and with the first row below them.
  if (headBoxes.length > 1) for (const box of overflow) box.keep = true;
  const above = caption ? caption(element, context.width) : [];
  above.forEach((line) => (line.keep = true));
  if (above.length > 0) above.push({ height: theme.leading * scale * 0.4, ops: [], notes: [], keep: true });
  const bodyRowSlices = node.children.slice(heads).map((row) => rowBoxes(row, false, struct('TR', bodyElement)));
  const bodyRows = bodyRowSlices.flat();
  const rows: Box[] = [...(header ? [header] : []), ...overflow, ...bodyRows];
  rows[0]!.ops.push({ op: 'line', points: [[0, 0], [tableWidth, 0]], width: theme.headerRuleWidth, color: theme.ruleColor });
  const last = rows.at(-1)!;
  last.ops.push({ op: 'line', points: [[0, last.height], [tableWidth, last.height]], width: theme.headerRuleWidth, color: theme.ruleColor });
  shift(rows, offset);
  // Each body row carries the header to repeat when it starts a page: several header rows as one.
  const repeated = headBoxes.length > 1 ? stack(headBoxes.flat()) : header;
  // A row cut in slices has no padding above a later slice, so the header repeated over one
  // brings that padding below its rule: the cell's text does not touch the rule.
  const repeatedOverCut = repeated && { ...repeated, height: repeated.height + padding };
  for (const slices of bodyRowSlices) slices.forEach((box, index) => (box.header = index === 0 ? repeated : repeatedOverCut));
  return [...above, ...rows];
}

/**
 * The widest stretch a cell's lines cannot break: a word runs on from one run into the next
 * when no space parts them (`` `callAsync`, `` is code and a comma; `` non-`undefined` `` text
 * and code), as the line breaker sets them.
 */
function longestWord(state: State, runs: Run[]): number {
  let longest = 0;
  let word = 0;
  for (const run of runs) {
    if (run.hardBreak) word = 0;
    // A picture is a word that never breaks.
    if (run.object?.picture) longest = Math.max(longest, (word += run.object.width));
    for (const segment of state.fonts.segments(run.text, run.style)) {
      segment.text.split(/\s+/).forEach((part, index) => {
        if (index > 0) word = 0;
        longest = Math.max(longest, (word += state.fonts.width(segment.face, part, run.size)));
      });
    }
  }
  return longest;
}

/** Boxes one above the other as one box, for a header of several rows repeated on a new page. */
function stack(boxes: Box[]): Box {
  const ops: Op[] = [];
  let y = 0;
  for (const box of boxes) {
    for (const op of box.ops) ops.push(moveDown(op, y));
    y += box.height;
  }
  return { height: y, ops, notes: [], keep: true };
}

/** Widens columns `column` to `column + span - 1` evenly until together they are `wanted` wide. */
function widen(widths: number[], column: number, span: number, wanted: number): void {
  const have = widths.slice(column, column + span).reduce((sum, width) => sum + width, 0);
  if (have >= wanted) return;
  for (let offset = 0; offset < span; offset++) widths[column + offset] = widths[column + offset]! + (wanted - have) / span;
}

function lineWidth(line: Box): number {
  // A picture counts; a formula (tagged Formula) has never been measured here, and its tables keep their columns.
  return Math.max(0, ...line.ops.map((op) => (op.op === 'text' ? op.x + op.width : op.op === 'image' && op.struct?.tag !== 'Formula' ? op.x + op.w : 0)));
}

export function columnWidths(min: number[], max: number[], available: number): number[] {
  const sumMax = max.reduce((a, b) => a + b, 0);
  const sumMin = min.reduce((a, b) => a + b, 0);
  // Everything fits on one line: each column as wide as its content, as LaTeX's `l`/`r` columns.
  if (sumMax <= available) return max;
  if (sumMin >= available) return min.map((width) => (width / sumMin) * available);
  const want = max.map((width, index) => width - min[index]!);
  const sumWant = want.reduce((a, b) => a + b, 0) || 1;
  return min.map((width, index) => width + ((available - sumMin) * want[index]!) / sumWant);
}

export function tableRow(state: State, node: TableRow, context: Context): Box[] {
  return table(state, { type: 'table', children: [node] }, context);
}

export function tableCell(state: State, node: TableCell, context: Context): Box[] {
  return table(state, { type: 'table', children: [{ type: 'tableRow', children: [node] }] }, context);
}
