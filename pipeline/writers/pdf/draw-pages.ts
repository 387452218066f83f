import type { Pdf, StructElement, OutlineItem } from './pdf-document.ts';
import type { Box, Op, StructNode, TextOp } from './boxes.ts';
import type { Page } from './paginate.ts';

export interface Frame {
  size: [number, number];
  top: number;
  left: number;
  width: number;
  height: number;
  /** A right-to-left document: the note separator starts from the right margin. */
  rtl?: boolean;
}

/** Running heads and footers, drawn per page as artifacts: boxes with their absolute top. */
export type Furniture = (pageIndex: number) => { box: Box; y: number }[];

/**
 * Draw the planned pages. Structure elements are created the first time content of theirs is
 * drawn (reading order), text is marked content of its element, and rules, tints, running
 * heads and footers are artifacts.
 */
/** Font names (registered with pdfkit) for text inside SVG images, so that no unembedded standard font creeps in. */
export type SvgFonts = (family: string, bold: boolean, italic: boolean) => string;

/** svg-to-pdfkit, loaded by the writer only when a document has SVG images. */
export type SvgRenderer = typeof import('svg-to-pdfkit').default;

export interface SvgSupport {
  render: SvgRenderer | undefined;
  fonts: SvgFonts;
}

/**
 * Draws pages one after the other (each may be let go once drawn). `svg.render` may be set
 * between pages, before the first page with an SVG image.
 */
export function pageDrawer(pdf: Pdf, frame: Frame, furniture: Furniture, root: StructNode, tagged: boolean, svg: SvgSupport): (page: Page) => void {
  const elements = new Map<StructNode, StructElement>();
  const document = pdf.struct(root.tag, { lang: root.lang });
  if (tagged) pdf.addStructure(document);
  elements.set(root, document);
  const elementFor = (node: StructNode): StructElement => {
    let element = elements.get(node);
    if (!element) {
      const parent = node.parent ? elementFor(node.parent) : document;
      element = pdf.struct(node.tag, { alt: node.alt, lang: node.lang, scope: node.scope, expanded: node.expanded });
      parent.add(element);
      elements.set(node, element);
    }
    return element;
  };
  const outline: { depth: number; item: OutlineItem }[] = [];

  const drawBox = (box: Box, x: number, y: number, artifact: boolean) => {
    for (const name of box.dests ?? []) pdf.destination(name, x, y);
    if (box.outline && !artifact) {
      while (outline.length > 0 && outline.at(-1)!.depth >= box.outline.depth) outline.pop();
      const parent = outline.at(-1)?.item ?? pdf.outline;
      // Bookmarks go to the heading itself, not just to its page.
      outline.push({ depth: box.outline.depth, item: parent.addItem(box.outline.title, { fit: false, top: Math.max(0, y - 8), left: frame.size[0], zoom: 0, expanded: false }) });
    }
    // Decoration first (tints under text), as artifacts.
    const decoration = box.ops.filter((op) => op.op === 'rect' || op.op === 'line');
    const highlighted = box.ops.filter((op): op is TextOp => op.op === 'text' && op.highlight !== undefined);
    if (decoration.length > 0 || highlighted.length > 0) {
      if (tagged) pdf.beginArtifact('Layout');
      for (const op of decoration) drawOp(pdf, op, x, y, svg);
      // A highlighter's band from above the ascenders to below the descenders.
      for (const op of highlighted) pdf.fillRect(x + op.x, y + op.y - op.size * 0.92, op.width, op.size * 1.2, op.highlight!);
      if (tagged) pdf.endContent();
    }
    let group: { node: StructNode | undefined; ops: Op[] } | undefined;
    const flush = () => {
      if (!group) return;
      const { node, ops } = group;
      group = undefined;
      if (!tagged) {
        for (const op of ops) drawOp(pdf, op, x, y, svg);
        return;
      }
      if (artifact || !node || node.tag === 'Artifact') {
        pdf.beginArtifact(artifact ? 'Pagination' : 'Layout');
        for (const op of ops) drawOp(pdf, op, x, y, svg);
        pdf.endContent();
        return;
      }
      const element = elementFor(node);
      const content = pdf.beginContent(node.tag);
      for (const op of ops) drawOp(pdf, op, x, y, svg);
      pdf.endContent();
      element.add(content);
      for (const op of ops) if (op.op === 'text' && op.link) drawLink(pdf, op, x, y, element);
    };
    for (const op of box.ops) {
      if (op.op === 'rect' || op.op === 'line') continue;
      const node = op.op === 'text' || op.op === 'image' ? (op.struct ?? box.struct) : box.struct;
      if (group && group.node !== node) flush();
      group ??= { node, ops: [] };
      group.ops.push(op);
      if (!tagged && op.op === 'text' && op.link) {
        flush();
        drawLink(pdf, op, x, y, undefined);
      }
    }
    flush();
  };

  let index = 0;
  return (page) => {
    pdf.addPage(frame.size);
    for (const { box, y } of page.body) drawBox(box, frame.left, frame.top + y, box.artifact === true);
    if (page.notes.length > 0) {
      const top = frame.top + frame.height - page.noteHeight;
      if (tagged) pdf.beginArtifact('Layout');
      const ruleStart = frame.rtl ? frame.left + frame.width - 72 : frame.left;
      pdf.line(ruleStart, top + 4, ruleStart + 72, top + 4, 0.5, '#777777');
      if (tagged) pdf.endContent();
      for (const { box, y } of page.notes) drawBox(box, frame.left, top + y, false);
    }
    for (const { box, y } of furniture(index)) drawBox(box, frame.left, y, true);
    index++;
  };
}

/** Whether a page has an SVG image to draw (svg-to-pdfkit is loaded only then). */
export function hasSvg(page: Page): boolean {
  return [...page.body, ...page.notes].some(({ box }) => box.ops.some((op) => op.op === 'image' && op.svg));
}

function drawOp(pdf: Pdf, op: Op, x: number, y: number, svg: SvgSupport): void {
  switch (op.op) {
    case 'text':
      pdf.drawText(op.face, op.size, x + op.x, y + op.y, op.text, op.extra, op.color, op.rtl, op);
      if (op.strike) pdf.line(x + op.x, y + op.y - op.size * 0.28, x + op.x + op.width, y + op.y - op.size * 0.28, op.size / 18, op.color);
      return;
    case 'rect':
      if (op.stroke) pdf.strokeRect(x + op.x, y + op.y, op.w, op.h, op.stroke, op.color);
      else pdf.fillRect(x + op.x, y + op.y, op.w, op.h, op.color);
      return;
    case 'line':
      pdf.polyline(op.points.map(([px, py]) => [x + px, y + py]), op.width, op.color);
      return;
    case 'image':
      if (op.bytes) pdf.image(op.bytes, x + op.x, y + op.y, op.w, op.h);
      else if (op.outlines) pdf.outlines(op.outlines, x + op.x, y + op.y, op.w, op.h);
      else if (op.svg && svg.render) svg.render(pdf.raw, op.svg, x + op.x, y + op.y, { width: op.w, height: op.h, assumePt: false, preserveAspectRatio: 'xMidYMid meet', fontCallback: svg.fonts });
      return;
  }
}

function drawLink(pdf: Pdf, op: TextOp, x: number, y: number, parent: StructElement | undefined): void {
  const link = op.link!;
  const top = y + op.y - op.size * 0.85;
  const height = op.size * 1.15;
  if (link.kind === 'uri') pdf.linkUri(x + op.x, top, op.width, height, link.url, parent);
  else pdf.linkInternal(x + op.x, top, op.width, height, link.name, parent);
}
