import type { Code } from 'mdast';
import type { Face } from '../fonts.ts';
import { struct, type Box, type Op } from '../model.ts';
import type { Context, State } from '../state.ts';

/**
 * Monospace on a tint, one box per printed line so a long listing splits across pages.
 * Long lines wrap at the column edge; continuation lines are marked with an arrow drawn as an
 * artifact (not part of the text, so copying the code gives the code).
 */
export function code(state: State, node: Code, context: Context): Box[] {
  const theme = state.theme.code;
  const scale = context.size / state.theme.body.size;
  const size = theme.size * scale;
  const leading = theme.leading * scale;
  const padding = theme.padding * scale;
  const element = struct('Code', context.struct);
  const marker = state.fonts.width(state.fonts.face('mono'), '→ ', size);
  const inner = context.width - 2 * padding;
  const baseline = leading - ((leading - size) / 2 + size * 0.22);
  const lines: { ops: Op[] }[] = [];
  for (const sourceLine of node.value.replace(/\t/g, '    ').split('\n')) {
    let ops: Op[] = [];
    let x = 0;
    let continued = false;
    const flush = () => {
      lines.push({ ops });
      ops = [];
      x = continued ? marker : 0;
    };
    for (const segment of state.fonts.segments(sourceLine, 'mono', node.position)) {
      let text = '';
      let start = x;
      for (const char of segment.text) {
        const width = state.fonts.width(segment.face, char, size);
        if (x + width > inner && x > (continued ? marker : 0)) {
          if (text) ops.push(textOp(segment.face, text, start, baseline, size, state.theme.body.color, x - start, padding));
          text = '';
          continued = true;
          flush();
          ops.push({ op: 'text', x: padding, y: baseline, text: '→', face: 'mono', size, color: '#8a8a8a', extra: 0, width: marker, struct: { tag: 'Artifact' } });
          start = x;
        }
        text += char;
        x += width;
      }
      if (text) ops.push(textOp(segment.face, text, start, baseline, size, state.theme.body.color, x - start, padding));
    }
    lines.push({ ops });
  }
  const boxes: Box[] = lines.map(({ ops }, index) => ({
    height: leading + (index === 0 ? padding : 0) + (index === lines.length - 1 ? padding : 0),
    ops: ops.map((op) => (index === 0 && op.op === 'text' ? { ...op, y: op.y + padding } : op)),
    notes: [],
    keep: false,
    struct: element,
  }));
  boxes.forEach((box, index) => {
    box.ops.unshift({ op: 'rect', x: 0, y: 0, w: context.width, h: box.height, color: theme.background });
    // Two lines at least on each side of a page break.
    box.keep = index < boxes.length - 1 && (index < 1 || index >= boxes.length - 2);
  });
  return boxes;
}

function textOp(face: Face, text: string, x: number, y: number, size: number, color: string, width: number, padding: number): Op {
  return { op: 'text', x: x + padding, y, text, face: face.name, size, color, extra: 0, width };
}
