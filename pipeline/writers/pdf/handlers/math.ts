import type { Math } from 'mdast-util-math';
import { struct, type Box, type Op } from '../boxes.ts';
import type { Context, State } from '../state.ts';
import { setText } from '../typeset.ts';

/** Display math: the formula centred in the column, its number (if labelled) at the right margin. */
export function math(state: State, node: Math, context: Context): Box[] {
  const group = struct('Div', context.struct);
  const element = struct('Formula', group, { alt: node.value });
  const id = node.data?.id;
  const formula = state.formulas.get(node);
  if (!formula) {
    // Not typeset (the PDF plan was made without MathJax): the TeX, as code.
    const runs = [{ text: node.value, style: 'mono' as const, size: context.size * state.theme.code.inlineScale, color: state.theme.body.color, rise: 0, breakAnywhere: true, struct: element }];
    const lines = setText(state, runs, { width: context.width, leading: context.leading, size: context.size, align: 'center', struct: element });
    if (lines[0] && id) lines[0].dests = [id];
    return lines;
  }
  const size = context.size;
  const number = node.data?.number ? `(${node.data.number})` : undefined;
  const face = state.fonts.face('regular');
  const numberWidth = number ? state.fonts.width(face, number, size) : 0;
  // The formula stays clear of the number on both sides, so that it is centred on the column.
  const room = context.width - (number ? 2 * (numberWidth + size) : 0);
  let width = formula.width * size;
  let height = (formula.height + formula.depth) * size;
  const scale = Math.min(1, room / width, context.maxHeight / height);
  width *= scale;
  height *= scale;
  const pad = size * 0.25;
  const ops: Op[] = [{ op: 'image', x: (context.width - width) / 2, y: pad, w: width, h: height, svg: formula.svg, outlines: formula.outlines, struct: element }];
  if (number) {
    const baseline = pad + formula.height * size * scale;
    ops.push({ op: 'text', x: context.width - numberWidth, y: baseline, text: number, face: face.name, size, color: state.theme.body.color, extra: 0, width: numberWidth, struct: struct('Lbl', group) });
  }
  return [{ height: height + 2 * pad, ops, notes: [], keep: false, struct: element, dests: id ? [id] : undefined }];
}
