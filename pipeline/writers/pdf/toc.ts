import type { Root } from 'mdast';
import type { ChapterStream } from '../../types.ts';
import { bookOutline, numberedText, type OutlineEntry } from '../shared/format.ts';
import { space, struct, type Box, type StructNode, type TextOp } from './boxes.ts';
import type { Page } from './paginate.ts';
import type { Context, State } from './state.ts';
import { setText } from './typeset.ts';

/** A table of contents whose page numbers are filled in once the pages are known. */
export interface Contents {
  boxes: Box[];
  /** Write the page numbers: heading id → 1-based page. */
  fill(pages: Page[]): void;
}

/**
 * `toc: true` in the front matter: headings down to `toc-depth` (default 3), each linked to its heading, page
 * numbers set flush right in a column of fixed width, so filling them in after pagination
 * changes no line breaks and no heights.
 */
export function tableOfContents(state: State, tree: Root, chapters: ChapterStream | undefined, context: Context, depth = 3, label = 'Contents'): Contents | undefined {
  const entries: OutlineEntry[] = [];
  const flatten = (items: OutlineEntry[]) => {
    for (const item of items) {
      entries.push(item);
      flatten(item.children);
    }
  };
  flatten(bookOutline(tree, chapters, depth));
  if (entries.length === 0) return undefined;
  const element = struct('TOC', context.struct);
  const spec = state.theme.headings[1]!;
  const face = state.fonts.face('regular');
  const numberWidth = state.fonts.width(face, '0000', context.size);
  const boxes: Box[] = setText(state, [{ text: label, style: 'bold', size: spec.size, color: state.theme.body.color, rise: 0 }], {
    width: context.width,
    leading: spec.leading,
    size: spec.size,
    align: 'left',
    struct: struct('H2', element),
  });
  boxes.push(space(spec.spaceAfter, true));
  const numbers: { op: TextOp; id: string }[] = [];
  for (const entry of entries) {
    const item: StructNode = struct('TOCI', element);
    const link: StructNode = struct('Link', item);
    const indent = Math.max(entry.depth - 2, 0) * context.size * 1.5;
    const lines = setText(state, [{ text: numberedText(entry.text, entry.number), style: entry.depth <= 2 ? 'regular' : 'italic', size: context.size, color: state.theme.body.color, rise: 0, link: { kind: 'internal', name: entry.id }, struct: link }], {
      width: context.width - indent - numberWidth - context.size,
      leading: context.leading,
      size: context.size,
      align: 'left',
      struct: item,
    });
    for (const line of lines) for (const op of line.ops) if (op.op === 'text') op.x += indent;
    const last = lines.at(-1);
    if (last) {
      const baseline = last.ops.find((op): op is TextOp => op.op === 'text')?.y ?? context.leading * 0.75;
      const op: TextOp = { op: 'text', x: context.width, y: baseline, text: '', face: face.name, size: context.size, color: state.theme.body.color, extra: 0, width: 0, link: { kind: 'internal', name: entry.id }, struct: link };
      last.ops.push(op);
      numbers.push({ op, id: entry.id });
    }
    lines.forEach((line, index) => (line.keep = index < lines.length - 1));
    boxes.push(...lines);
  }
  return {
    boxes,
    fill(pages) {
      const pageOf = new Map<string, number>();
      pages.forEach((page, index) => {
        for (const { box } of page.body) for (const name of box.dests ?? []) if (!pageOf.has(name)) pageOf.set(name, index + 1);
      });
      for (const { op, id } of numbers) {
        op.text = String(pageOf.get(id) ?? '');
        op.width = state.fonts.width(face, op.text, op.size);
        op.x = context.width - op.width;
      }
    },
  };
}
