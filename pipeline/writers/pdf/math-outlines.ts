import colorString from 'color-string';

/**
 * Shapes as PDF path operators (filled with `f`, or stroked with `S`), in
 * the coordinates of an SVG viewBox (y down), with the colour to fill them in.
 */
export interface VectorOutlines {
  operators: string;
  viewBox: [number, number, number, number];
  color: string;
}

/** A node of MathJax's lite DOM (what its SVG output builds before any serialising). */
export interface SvgElement {
  kind: string;
  attributes?: Record<string, unknown>;
  children?: SvgElement[];
  value?: string;
}

/** x' = a·x + c·y + e, y' = b·x + d·y + f: MathJax's SVG translates and scales, and rotates (`\\cancelto`'s arrow). */
interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  e: number;
  f: number;
}

const IDENTITY: Affine = { a: 1, b: 0, c: 0, d: 1, e: 0, f: 0 };

/**
 * The outlines of MathJax's SVG for a formula (`fontCache: 'none'`: every glyph is a path), as
 * PDF path operators in the SVG's own coordinates. This skips serialising the SVG and parsing it
 * again in svg-to-pdfkit, which was most of the cost of math in the PDF. What MathJax writes for
 * formulas is taken: groups, glyph paths, filled rectangles (rules), stroked lines and frames
 * (array rules, `\cancel`, `\boxed`), and nested viewports (the stretched pieces of braces and
 * arrows), moved, scaled and rotated (`\cancelto`'s arrow), in the text's colour or in their own
 * (`\color`, `\colorbox`). MathJax's stylesheet rules for array lines are applied, which
 * svg-to-pdfkit (reading no CSS) cannot do: it filled an array's frame black. Anything else
 * (text in a font, for characters MathJax's fonts lack; ellipses; styled paths; translucent
 * colours) gives undefined, and the formula goes through svg-to-pdfkit.
 */
export function outlinesOf(svg: SvgElement, color: string, glyphs: Map<string, string | undefined> = new Map()): VectorOutlines | undefined {
  const viewBox = numbers(svg.attributes?.viewBox);
  const [minX, minY, width, height] = viewBox;
  if (viewBox.length !== 4 || minX === undefined || minY === undefined || width === undefined || height === undefined) return undefined;
  const operators: string[] = [];
  for (const child of svg.children ?? []) if (!draw(child, IDENTITY, operators, glyphs, false)) return undefined;
  return { operators: operators.join('\n'), viewBox: [minX, minY, width, height], color };
}

/** Attributes that change nothing drawn, or that `draw` reads itself. */
const READ = new Set(['transform', 'd', 'x', 'y', 'width', 'height', 'x1', 'y1', 'x2', 'y2', 'viewBox', 'stroke-width', 'stroke-thickness', 'fill', 'stroke', 'class']);

function draw(node: SvgElement, outer: Affine, operators: string[], glyphs: Map<string, string | undefined>, inTable: boolean): boolean {
  if (node.kind === '#text') return !node.value?.trim();
  if (node.kind === '#comment') return true;
  const attributes = node.attributes ?? {};
  for (const name of Object.keys(attributes)) {
    if (!name.startsWith('data-') && !READ.has(name)) return false;
  }
  // A colour of its own (`\\color`, `\\colorbox`): what the element draws is painted in it.
  const fill = paint(attributes.fill, true);
  const stroke = paint(attributes.stroke, false);
  if (fill === undefined || stroke === undefined) return false;
  const own = attributes.transform === undefined ? IDENTITY : parseTransform(String(attributes.transform));
  if (!own) return false;
  const matrix = compose(outer, own);
  const children = node.children ?? [];
  if (node.kind !== 'g' && node.kind !== 'svg' && children.length > 0) return false;
  if (fill || stroke) {
    const painted: string[] = [];
    if (!drawShape(node, matrix, painted, glyphs, inTable)) return false;
    operators.push(`q ${fill ? `${fill} rg ` : ''}${stroke ? `${stroke} RG ` : ''}${painted.join('\n')} Q`);
    return true;
  }
  return drawShape(node, matrix, operators, glyphs, inTable);
}

/** The element itself, under `matrix`, in the colours in force. */
function drawShape(node: SvgElement, matrix: Affine, operators: string[], glyphs: Map<string, string | undefined>, inTable: boolean): boolean {
  const attributes = node.attributes ?? {};
  const children = node.children ?? [];
  const at = (names: string[]) => names.map((name) => Number(attributes[name] ?? 0));
  const width = Number(attributes['stroke-thickness'] ?? attributes['stroke-width'] ?? 0);
  switch (node.kind) {
    case 'g': {
      const table = attributes['data-mml-node'] === 'mtable';
      return children.every((child) => draw(child, matrix, operators, glyphs, table));
    }
    case 'path': {
      if (attributes.fill === 'none' || width !== 0) return false;
      // A glyph keeps its own coordinates under a `cm`: the same glyph is the same text
      // (converted once, and compressed well), wherever it stands.
      const data = String(attributes.d ?? '');
      let path = glyphs.get(data);
      if (!glyphs.has(data)) {
        path = pathOperators(data);
        glyphs.set(data, path);
      }
      if (path === undefined) return false;
      if (path) operators.push(transformed(matrix, path));
      return true;
    }
    case 'rect': {
      const [x, y, w, h] = at(['x', 'y', 'width', 'height']) as [number, number, number, number];
      if (![x, y, w, h, width].every(Number.isFinite)) return false;
      const rectangle = `${number(x)} ${number(y)} ${number(w)} ${number(h)} re`;
      // An array's frame and a box (`\boxed`) are outlines; other rectangles are rules.
      if (inTable && 'data-frame' in attributes) operators.push(transformed(matrix, `${stroke(width || 70, attributes)} ${rectangle} S`));
      else if (attributes.fill === 'none' && width > 0) operators.push(transformed(matrix, `${stroke(width, attributes)} ${rectangle} S`));
      else if (attributes.fill !== 'none' && width === 0) operators.push(transformed(matrix, `${rectangle} f`));
      else return false;
      return true;
    }
    case 'line': {
      const [x1, y1, x2, y2] = at(['x1', 'y1', 'x2', 'y2']) as [number, number, number, number];
      const lineWidth = inTable && 'data-line' in attributes ? width || 70 : width;
      if (![x1, y1, x2, y2, lineWidth].every(Number.isFinite) || lineWidth <= 0) return false;
      operators.push(transformed(matrix, `${stroke(lineWidth, attributes)} ${number(x1)} ${number(y1)} m ${number(x2)} ${number(y2)} l S`));
      return true;
    }
    case 'svg': {
      // A viewport: its viewBox fitted into x, y, width, height (xMidYMid meet), and clipped there.
      const [x, y, w, h] = at(['x', 'y', 'width', 'height']) as [number, number, number, number];
      const [vx = 0, vy = 0, vw = w, vh = h] = attributes.viewBox === undefined ? [] : numbers(attributes.viewBox);
      if (![x, y, w, h, vx, vy, vw, vh].every(Number.isFinite) || vw <= 0 || vh <= 0) return false;
      const scale = Math.min(w / vw, h / vh);
      const inner: Affine = { a: scale, b: 0, c: 0, d: scale, e: x + (w - vw * scale) / 2 - vx * scale, f: y + (h - vh * scale) / 2 - vy * scale };
      const content: string[] = [];
      if (!children.every((child) => draw(child, inner, content, glyphs, false))) return false;
      operators.push(transformed(matrix, `${number(x)} ${number(y)} ${number(w)} ${number(h)} re W n\n${content.join('\n')}`));
      return true;
    }
    default:
      return false;
  }
}

/**
 * An SVG paint as PDF colour operands ("1 0 0"): '' for the text's own colour (currentColor, no
 * attribute, or `none` where `none` may stand), undefined for what cannot be drawn as a plain
 * colour (translucent, a pattern). CSS colour names and notations are read by color-string.
 */
function paint(value: unknown, none: boolean): string | undefined {
  if (value === undefined || value === 'currentColor' || (none && value === 'none')) return '';
  const rgba = colorString.get.rgb(String(value));
  if (rgba?.[3] !== 1) return undefined;
  return rgba
    .slice(0, 3)
    .map((part) => number(part / 255, 1000))
    .join(' ');
}

/** Line width and dashes (MathJax's classes for dashed and dotted array lines: twice the width). */
function stroke(width: number, attributes: Record<string, unknown>): string {
  const classes = String(attributes.class ?? '');
  const dash = /\bmjx-dashed\b/.test(classes) ? ` [${number(2 * width)}] 0 d` : /\bmjx-dotted\b/.test(classes) ? ` 1 J [0 ${number(2 * width)}] 0 d` : '';
  return `${number(width)} w${dash}`;
}

/** Operators drawn under a matrix, in a graphics state of their own. */
function transformed(matrix: Affine, operators: string): string {
  if (matrix === IDENTITY) return `q ${operators} Q`;
  return `q ${number(matrix.a, 1000)} ${number(matrix.b, 1000)} ${number(matrix.c, 1000)} ${number(matrix.d, 1000)} ${number(matrix.e)} ${number(matrix.f)} cm ${operators} Q`;
}

function numbers(value: unknown): number[] {
  const list = String(value ?? '').trim().split(/[\s,]+/).map(Number);
  return list.every(Number.isFinite) ? list : [];
}

function compose(outer: Affine, inner: Affine): Affine {
  if (inner === IDENTITY) return outer;
  return {
    a: outer.a * inner.a + outer.c * inner.b,
    b: outer.b * inner.a + outer.d * inner.b,
    c: outer.a * inner.c + outer.c * inner.d,
    d: outer.b * inner.c + outer.d * inner.d,
    e: outer.a * inner.e + outer.c * inner.f + outer.e,
    f: outer.b * inner.e + outer.d * inner.f + outer.f,
  };
}

/** `translate(x[, y]) scale(sx[, sy]) rotate(deg[, cx, cy])…`; undefined for skews and matrices. */
function parseTransform(value: string): Affine | undefined {
  let matrix = IDENTITY;
  const rest = value.replace(/\s*(translate|scale|rotate)\(\s*([^)]*)\)\s*/g, (_whole, kind: string, list: string) => {
    const [first = Number.NaN, second, third] = list.split(/[\s,]+/).filter(Boolean).map(Number);
    if (kind === 'rotate') {
      // About (cx, cy): move it to the origin, turn, move it back.
      const [cx = 0, cy = 0] = [second, third];
      const radians = (first * Math.PI) / 180;
      const [cos, sin] = [Math.cos(radians), Math.sin(radians)];
      matrix = compose(compose(compose(matrix, { ...IDENTITY, e: cx, f: cy }), { a: cos, b: sin, c: -sin, d: cos, e: 0, f: 0 }), { ...IDENTITY, e: -cx, f: -cy });
      return '';
    }
    const step: Affine = kind === 'translate' ? { ...IDENTITY, e: first, f: second ?? 0 } : { ...IDENTITY, a: first, d: second ?? first };
    matrix = compose(matrix, step);
    return '';
  });
  if (rest.trim() !== '' || !Object.values(matrix).every(Number.isFinite)) return undefined;
  return matrix;
}

const PATH_TOKEN = /([MmZzLlHhVvCcSsQqTtAa])|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)/g;
const ARGUMENTS: Record<string, number> = { m: 2, z: 0, l: 2, h: 1, v: 1, c: 6, s: 4, q: 4, t: 2 };

/**
 * An SVG path's data as PDF operators (filled): quadratic curves become cubic ones
 * (PDF has none), shorthand curves are spelt out. Arcs (which MathJax's glyphs never use) give undefined.
 */
function pathOperators(data: string): string | undefined {
  const X = number;
  const Y = number;
  const parts: string[] = [];
  let command = '';
  let values: number[] = [];
  let x = 0;
  let y = 0;
  let startX = 0;
  let startY = 0;
  // The last control point, for S (cubic) and T (quadratic) shorthands.
  let cubicX = 0;
  let cubicY = 0;
  let quadX = 0;
  let quadY = 0;
  let previous = '';
  const cubic = (x1: number, y1: number, x2: number, y2: number, x3: number, y3: number) => {
    parts.push(`${X(x1)} ${Y(y1)} ${X(x2)} ${Y(y2)} ${X(x3)} ${Y(y3)} c`);
    cubicX = x2;
    cubicY = y2;
    x = x3;
    y = y3;
  };
  const quadratic = (qx: number, qy: number, x3: number, y3: number) => {
    cubic(x + (2 / 3) * (qx - x), y + (2 / 3) * (qy - y), x3 + (2 / 3) * (qx - x3), y3 + (2 / 3) * (qy - y3), x3, y3);
    quadX = qx;
    quadY = qy;
  };
  const run = (name: string, args: number[]): void => {
    const lower = name.toLowerCase();
    const relative = name !== name.toUpperCase();
    const dx = relative ? x : 0;
    const dy = relative ? y : 0;
    switch (lower) {
      case 'm':
        x = (args[0] ?? 0) + dx;
        y = (args[1] ?? 0) + dy;
        startX = x;
        startY = y;
        parts.push(`${X(x)} ${Y(y)} m`);
        break;
      case 'l':
        x = (args[0] ?? 0) + dx;
        y = (args[1] ?? 0) + dy;
        parts.push(`${X(x)} ${Y(y)} l`);
        break;
      case 'h':
        x = (args[0] ?? 0) + dx;
        parts.push(`${X(x)} ${Y(y)} l`);
        break;
      case 'v':
        y = (args[0] ?? 0) + dy;
        parts.push(`${X(x)} ${Y(y)} l`);
        break;
      case 'c':
        cubic((args[0] ?? 0) + dx, (args[1] ?? 0) + dy, (args[2] ?? 0) + dx, (args[3] ?? 0) + dy, (args[4] ?? 0) + dx, (args[5] ?? 0) + dy);
        break;
      case 's': {
        const [x1, y1] = previous === 'c' || previous === 's' ? [2 * x - cubicX, 2 * y - cubicY] : [x, y];
        cubic(x1, y1, (args[0] ?? 0) + dx, (args[1] ?? 0) + dy, (args[2] ?? 0) + dx, (args[3] ?? 0) + dy);
        break;
      }
      case 'q':
        quadratic((args[0] ?? 0) + dx, (args[1] ?? 0) + dy, (args[2] ?? 0) + dx, (args[3] ?? 0) + dy);
        break;
      case 't': {
        const [qx, qy] = previous === 'q' || previous === 't' ? [2 * x - quadX, 2 * y - quadY] : [x, y];
        quadratic(qx, qy, (args[0] ?? 0) + dx, (args[1] ?? 0) + dy);
        break;
      }
      case 'z':
        parts.push('h');
        x = startX;
        y = startY;
        break;
    }
    previous = lower;
  };
  const flush = (): boolean => {
    if (!command) return values.length === 0;
    const lower = command.toLowerCase();
    const count = ARGUMENTS[lower];
    if (count === undefined) return false;
    if (count === 0) {
      if (values.length > 0) return false;
      run(command, []);
      return true;
    }
    if (values.length === 0 || values.length % count !== 0) return false;
    for (let index = 0; index < values.length; index += count) {
      // Pairs after a moveto are linetos.
      const name = index > 0 && lower === 'm' ? (command === 'm' ? 'l' : 'L') : command;
      run(name, values.slice(index, index + count));
    }
    return true;
  };
  for (const match of data.matchAll(PATH_TOKEN)) {
    if (match[1]) {
      if (!flush()) return undefined;
      command = match[1];
      values = [];
    } else {
      values.push(Number(match[2]));
    }
  }
  if (!flush()) return undefined;
  return parts.length > 0 ? `${parts.join(' ')} f` : '';
}

/** A PDF number: a tenth of a unit is far below what print resolves (units are 1/1000 em); scales keep more. */
function number(value: number, precision = 10): string {
  const rounded = Math.round(value * precision) / precision;
  return rounded === 0 ? '0' : String(rounded);
}
