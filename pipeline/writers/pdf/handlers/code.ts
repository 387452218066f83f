import type { Code } from 'mdast';
import type { ElementContent } from 'hast';
import { colouredText } from '../../shared/highlight-colors.ts';
import type { Face } from '../fonts.ts';
import { struct, type Box, type Op } from '../boxes.ts';
import type { Context, State } from '../state.ts';

/**
 * Monospace on a tint, one box per printed line so a long listing splits across pages.
 * Long lines wrap at the column edge (after a space when possible); continuation lines are
 * marked with a hooked arrow drawn as an artifact, so copying the code gives the code.
 * Highlighted code (the highlight transform's spans) is drawn in the colours the HTML uses.
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
  const colours = characterColours(node.data?.hChildren as ElementContent[] | undefined, node.value, state.theme.body.color);
  let offset = 0;
  for (const sourceLine of node.value.replace(/\t/g, '    ').split('\n')) {
    // Greedy wrapping of one source line; a break goes after the last space when there is one.
    const chars: { char: string; face: Face; width: number; color: string }[] = [];
    let column = offset;
    for (const segment of state.fonts.segments(sourceLine, 'mono', node.position)) {
      for (const char of segment.text) {
        chars.push({ char, face: segment.face, width: state.fonts.width(segment.face, char, size), color: colours[column] ?? state.theme.body.color });
        column += char.length;
      }
    }
    offset += sourceLine.length + 1;
    let start = 0;
    let continued = false;
    while (start < chars.length || (start === 0 && !continued)) {
      const left = continued ? marker : 0;
      let x = left;
      let end = start;
      while (end < chars.length && (x + chars[end]!.width <= inner || end === start)) x += chars[end++]!.width;
      if (end < chars.length) {
        let space = end;
        while (space > start + 1 && chars[space - 1]!.char !== ' ') space--;
        if (space > start + 1) end = space;
      }
      const ops: Op[] = [];
      if (continued) {
        // A hooked arrow drawn as lines, so that copied code carries no marker character.
        const x0 = padding + size * 0.15;
        const x1 = padding + marker - size * 0.35;
        const y0 = baseline - size * 0.7;
        const y1 = baseline - size * 0.3;
        ops.push({ op: 'line', points: [[x0, y0], [x0, y1], [x1, y1]], width: 0.6, color: '#8a8a8a' });
        ops.push({ op: 'line', points: [[x1 - size * 0.22, y1 - size * 0.16], [x1, y1], [x1 - size * 0.22, y1 + size * 0.16]], width: 0.6, color: '#8a8a8a' });
      }
      let runStart = start;
      let runX = left;
      for (let index = start; index <= end; index++) {
        if (index === end || chars[index]!.face !== chars[runStart]!.face || chars[index]!.color !== chars[runStart]!.color) {
          if (index > runStart) {
            const text = chars.slice(runStart, index).map((item) => item.char).join('');
            const width = chars.slice(runStart, index).reduce((sum, item) => sum + item.width, 0);
            ops.push(textOp(chars[runStart]!.face, text, runX, baseline, size, chars[runStart]!.color, width, padding));
            runX += width;
          }
          runStart = index;
        }
      }
      lines.push({ ops });
      if (end >= chars.length) break;
      start = end;
      continued = true;
    }
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

/** The colour of each UTF-16 unit of the code as printed (tabs as four spaces). */
function characterColours(highlighted: ElementContent[] | undefined, value: string, plain: string): string[] {
  const stretches = highlighted ? colouredText(highlighted, plain) : [{ text: value, color: plain }];
  const colours: string[] = [];
  for (const { text, color } of stretches) for (const char of text) for (let unit = 0; unit < (char === '\t' ? 4 : char.length); unit++) colours.push(color);
  return colours;
}

function textOp(face: Face, text: string, x: number, y: number, size: number, color: string, width: number, padding: number): Op {
  return { op: 'text', x: x + padding, y, text, face: face.name, size, color, extra: 0, width };
}
