import type { DocumentMeta, FootnoteInfo } from '../../types.ts';
import { bylineMdast } from '../shared/byline.ts';
import { formatDate, joinNames } from '../shared/format.ts';
import { toRuns } from './inline.ts';
import { space, struct, type Box, type Run, type StructNode } from './boxes.ts';
import type { Context, State } from './state.ts';
import { setText, type Align } from './typeset.ts';

/**
 * Page 1 opens with the same metadata as the HTML title block: title, subtitle, byline with
 * its author notes (cited here first, so they are notes 1…n, at the foot of page 1),
 * affiliations, and the dateline.
 */
export function titleBlock(state: State, meta: DocumentMeta, footnotes: FootnoteInfo, context: Context): Box[] {
  const theme = state.theme.title;
  const color = state.theme.body.color;
  const element = struct('Sect', context.struct);
  const boxes: Box[] = [];
  const add = (lines: Box[], after = 0) => {
    boxes.push(...lines);
    if (after > 0) boxes.push(space(after, true));
  };
  const set = (runs: Run[], size: number, leading: number, tag: string, align: Align = 'left') =>
    setText(state, runs, { width: context.width, leading, size, align, struct: runs[0]?.struct ?? struct(tag, element) });

  const title = struct('H1', element);
  // Where the title is written (its front-matter value, or the heading it came from), for a warning about a glyph in it.
  const at = meta.places?.title;
  const place = at ? { start: at, end: at } : undefined;
  add(set([{ text: meta.title, style: 'bold', size: theme.size, color, rise: 0, struct: title, place }], theme.size, theme.leading, 'H1'), 6);
  if (meta.subtitle) {
    add(set([{ text: meta.subtitle, style: 'italic', size: theme.subtitleSize, color, rise: 0 }], theme.subtitleSize, theme.subtitleLeading, 'P'), 10);
  } else boxes.push(space(6, true));

  const bylineNode = bylineMdast(meta, footnotes);
  if (bylineNode) {
    const byline = struct('P', element);
    const runs = toRuns(state, bylineNode.children, { style: 'regular', size: theme.subtitleSize * 0.92, color }, byline);
    add(setText(state, runs, { width: context.width, leading: theme.subtitleLeading, size: theme.subtitleSize * 0.92, align: 'left', struct: byline }), 3);
  }
  for (const author of meta.authors.filter((item) => item.affiliation)) {
    add(set([{ text: `${author.name}, ${author.affiliation}`, style: 'italic', size: theme.metaSize, color, rise: 0 }], theme.metaSize, theme.metaLeading, 'P'));
  }
  const dateline = [meta.date ? formatDate(meta.date, meta.lang) : undefined, meta.publisher].filter(Boolean).join(' · ');
  if (dateline) {
    boxes.push(space(4, true));
    add(set([{ text: dateline, style: 'regular', size: theme.metaSize, color, rise: 0 }], theme.metaSize, theme.metaLeading, 'P'));
  }
  // Links to the heading that became the title arrive at the title.
  if (meta.titleId && boxes[0]) boxes[0].dests = [...(boxes[0].dests ?? []), meta.titleId];
  const ruleSpace = theme.spaceAfter;
  boxes.push({ height: ruleSpace, ops: [{ op: 'line', points: [[0, ruleSpace / 2], [context.width, ruleSpace / 2]], width: 0.5, color: theme.ruleColor }], notes: [], keep: false });
  // The title block is one unit: no page break inside it.
  boxes.forEach((box, index) => (box.keep = index < boxes.length - 1));
  return boxes;
}

/** The closing colophon: editors and rights, as in the HTML edition. */
export function colophonBlock(state: State, meta: DocumentMeta, context: Context, root: StructNode): Box[] {
  const lines: string[] = [];
  if (meta.editors.length > 0) lines.push(`${meta.editors.length > 1 ? 'Editors' : 'Editor'}: ${joinNames(meta.editors)}`);
  if (meta.rights) lines.push(meta.rights);
  if (lines.length === 0) return [];
  const theme = state.theme.title;
  const element = struct('Sect', root);
  const boxes: Box[] = [space(context.leading * 1.5), { height: 10, ops: [{ op: 'line', points: [[0, 3], [48, 3]], width: 0.5, color: theme.ruleColor }], notes: [], keep: true }];
  lines.forEach((text, index) => {
    const paragraph = struct('P', element);
    boxes.push(
      ...setText(state, [{ text, style: index === 0 && meta.editors.length > 0 ? 'regular' : 'italic', size: theme.metaSize, color: state.theme.body.color, rise: 0 }], {
        width: context.width,
        leading: theme.metaLeading,
        size: theme.metaSize,
        align: 'left',
        struct: paragraph,
        hyphenator: state.hyphenator,
      }),
    );
  });
  boxes.forEach((box, index) => (box.keep = index > 0 && index < boxes.length - 1));
  return boxes;
}
