import type { AlignType, Table, TableCell, TableRow } from 'mdast';
import { VFile } from 'vfile';
import { languageDirection } from '../../shared/direction.ts';
import { toRuns } from '../inline.ts';
import { shift, struct, type Box, type Op, type Run, type StructNode } from '../boxes.ts';
import type { Context, State } from '../state.ts';
import { setText, type Align } from '../typeset.ts';

/**
 * Column widths from content (CSS auto layout: each column gets at least its longest word,
 * the rest of the width is shared by how much more each column wants; a table whose longest
 * words do not fit side by side is set in smaller text first), cells that wrap, GFM
 * alignment, and the header row repeated at the top of each page the table continues on.
 * A caption (made by `caption` inside the Table element) goes above, kept with the header row.
 * In a right-to-left document the first column is on the right.
 */
export function table(state: State, node: Table, context: Context, caption?: (table: StructNode, width: number) => Box[]): Box[] {
  const theme = state.theme.table;
  const scale = context.size / state.theme.body.size;
  const padding = theme.cellPadding * scale;
  const columns = Math.max(...node.children.map((row) => row.children.length));
  const element = struct('Table', context.struct);
  const head = struct('THead', element);
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
    node.children.forEach((row, rowIndex) =>
      row.children.forEach((cell, column) => {
        const runs = toRuns(probe, cell.children, { style: rowIndex === 0 ? 'bold' : 'regular', size, color: state.theme.body.color }, undefined);
        const wide = setText(probe, runs, { width: 1e6, leading, size, align: 'left' });
        const natural = Math.max(0, ...wide.map((line) => lineWidth(line)));
        // Half a point of slack: measured and set widths differ by rounding.
        max[column] = Math.max(max[column]!, natural + 2 * padding + 0.5);
        longest[column] = Math.max(longest[column]!, longestWord(state, runs));
      }),
    );
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
  const columnStart = (column: number) => (rtl ? widths.slice(column + 1) : widths.slice(0, column)).reduce((sum, width) => sum + width, 0);

  const rowBoxes = (row: TableRow, header: boolean, rowStruct: StructNode): Box[] => {
    const cells: Box[][] = row.children.map((cell, column) => {
      const cellStruct = struct(header ? 'TH' : 'TD', rowStruct, header ? { scope: 'Column' } : {});
      const align: Align = aligns[column] === 'center' ? 'center' : aligns[column] === 'right' ? 'right' : 'left';
      return shift(
        setText(state, runsOf(cell, header, cellStruct), {
          width: widths[column]! - 2 * padding,
          leading,
          size,
          align,
          struct: cellStruct,
          hyphenator: state.hyphenator,
        }),
        columnStart(column) + padding,
      );
    });
    // A row taller than a page would run off it: cut such a row into slices that each fit.
    const limit = Math.max(leading, context.maxHeight * 0.8 - 2 * padding);
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
      // Array.from, not map: a slice is sparse where a cell has already ended.
      const height = Math.max(0, ...Array.from(slice, (lines) => (lines ?? []).reduce((sum, line) => sum + line.height, 0))) + 2 * padding;
      const ops: Op[] = [];
      const notes: string[] = [];
      for (const lines of slice) {
        let y = padding;
        for (const line of lines ?? []) {
          for (const op of line.ops) {
            if (op.op === 'text') ops.push({ ...op, y: op.y + y, struct: op.struct ?? line.struct });
            else ops.push(op);
          }
          notes.push(...line.notes.filter((note) => !notes.includes(note)));
          y += line.height;
        }
      }
      // Booktabs: a light rule under the header only; the bottom rule is drawn under the last row.
      if (header && index === slices.length - 1) ops.push({ op: 'line', points: [[0, height], [tableWidth, height]], width: theme.ruleWidth, color: theme.ruleColor });
      return { height, ops, notes, keep: false, struct: rowStruct };
    });
  };

  const [first, ...rest] = node.children;
  if (!first) return [];
  // The header row is never sliced (a header taller than a page is not a header).
  const [header, ...overflow] = rowBoxes(first, true, struct('TR', head));
  header!.keep = true;
  header!.ops.push({ op: 'line', points: [[0, 0], [tableWidth, 0]], width: theme.headerRuleWidth, color: theme.ruleColor });
  const above = caption ? caption(element, context.width) : [];
  above.forEach((line) => (line.keep = true));
  if (above.length > 0) above.push({ height: theme.leading * scale * 0.4, ops: [], notes: [], keep: true });
  const boxes: Box[] = [...above, header!, ...overflow];
  for (const row of rest) {
    for (const box of rowBoxes(row, false, struct('TR', bodyElement))) {
      box.header = header;
      boxes.push(box);
    }
  }
  const last = boxes.at(-1)!;
  last.ops.push({ op: 'line', points: [[0, last.height], [tableWidth, last.height]], width: theme.headerRuleWidth, color: theme.ruleColor });
  shift([header!, ...overflow, ...boxes.slice(above.length + 1 + overflow.length)], offset);
  return boxes;
}

function longestWord(state: State, runs: Run[]): number {
  let longest = 0;
  for (const run of runs) {
    for (const segment of state.fonts.segments(run.text, run.style)) {
      for (const word of segment.text.split(/\s+/)) longest = Math.max(longest, state.fonts.width(segment.face, word, run.size));
    }
  }
  return longest;
}

function lineWidth(line: Box): number {
  return Math.max(0, ...line.ops.map((op) => (op.op === 'text' ? op.x + op.width : 0)));
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
