import type { PhrasingContent } from 'mdast';
import { report } from '../../messages.ts';
import { safeDecode } from '../../url.ts';
import type { FontStyle } from './fonts.ts';
import type { InlineObject, Link, Run, StructNode } from './boxes.ts';
import { struct } from './boxes.ts';
import type { State } from './state.ts';
import { loadPicture } from './handlers/image.ts';

/** The typographic setting inline content inherits. */
export interface InlineStyle {
  style: FontStyle;
  size: number;
  color: string;
  link?: Link;
  strike?: boolean;
  /** Background tint (raw `<mark>`). */
  highlight?: string;
  struct?: StructNode;
  /** Baseline shift of sub- and superscripts, in points. */
  rise?: number;
}

/** Phrasing content → styled runs. Footnote references become superscript runs linked to their note. */
export function toRuns(state: State, nodes: PhrasingContent[], base: InlineStyle, parentStruct: StructNode | undefined): Run[] {
  const runs: Run[] = [];
  const anchors: { at: number; id: string }[] = [];
  const visit = (node: PhrasingContent, style: InlineStyle) => {
    switch (node.type) {
      case 'text':
        runs.push({ text: node.value, style: style.style, size: style.size, color: style.color, rise: style.rise ?? 0, link: style.link, strike: style.strike, highlight: style.highlight, place: node.position, struct: style.struct });
        return;
      case 'emphasis':
        return node.children.forEach((child) => visit(child, { ...style, style: italic(style.style) }));
      case 'strong':
        return node.children.forEach((child) => visit(child, { ...style, style: bold(style.style) }));
      case 'subscript':
      case 'superscript': {
        // Smaller and shifted by the face's own metrics; nested scripts shift from the outer one.
        const script = state.fonts.script(node.type === 'subscript' ? 'sub' : 'super', style.style, style.size);
        return node.children.forEach((child) => visit(child, { ...style, size: script.size, rise: (style.rise ?? 0) + script.rise }));
      }
      case 'delete':
        return node.children.forEach((child) => visit(child, { ...style, strike: true }));
      case 'inlineCode':
        runs.push({
          text: node.value,
          style: style.style === 'bold' || style.style === 'boldItalic' ? 'monoBold' : 'mono',
          size: style.size * state.theme.code.inlineScale,
          color: style.color,
          rise: 0,
          link: style.link,
          highlight: style.highlight,
          breakAnywhere: true,
          place: node.position,
          struct: style.struct,
        });
        return;
      case 'break':
        runs.push({ text: '', style: style.style, size: style.size, color: style.color, rise: 0, hardBreak: true });
        return;
      case 'link':
      case 'linkReference': {
        const target = node.type === 'link' ? node : state.definitions(node.identifier);
        const url = target?.url;
        // A link to another document of the run goes to its PDF (transforms/document-links.ts).
        const document = target?.data?.documentLink;
        const link: Link | undefined = document ? documentLink(document) : url ? toLink(state, url, node) : undefined;
        const linkStruct = link ? struct('Link', parentStruct) : style.struct;
        const color = link ? state.theme.linkColor : style.color;
        const breakAnywhere = node.children.length === 1 && node.children[0]!.type === 'text' && node.children[0]!.value === url;
        const before = runs.length;
        node.children.forEach((child) => visit(child, { ...style, color, link, struct: linkStruct }));
        if (breakAnywhere) for (const run of runs.slice(before)) run.breakAnywhere = true;
        return;
      }
      case 'footnoteReference': {
        const number = node.identifier;
        const first = !state.citedNotes.has(number);
        state.citedNotes.add(number);
        runs.push({
          text: node.label ?? number,
          style: 'regular',
          size: style.size * state.theme.superscriptScale,
          color: state.theme.linkColor,
          rise: style.size * 0.36,
          link: { kind: 'internal', name: `fn-${number}` },
          note: number,
          dest: first ? `fnref-${number}` : undefined,
          struct: struct('Link', parentStruct),
        });
        return;
      }
      case 'image':
      case 'imageReference': {
        // Set on the line like a glyph, at its natural size: its bottom on the baseline (HTML's
        // vertical-align: baseline), a taller one opening the line up as LaTeX and Typst do.
        const alt = node.alt ?? '';
        const url = node.type === 'image' ? node.url : state.definitions(node.identifier)?.url;
        const picture = url === undefined ? undefined : loadPicture(state, node, url);
        if (!picture) {
          // Not drawable (the reason was reported where it was found): its alt text, in italics.
          if (alt) runs.push({ text: `[${alt}]`, style: italic(style.style), size: style.size, color: style.color, rise: 0, link: style.link, place: node.position, struct: style.struct });
          return;
        }
        // A Figure with its alt text; one with none is decorative (an artifact), unless it is all a link shows.
        const element = alt ? struct('Figure', style.struct ?? parentStruct, { alt }) : style.link ? (style.struct ?? parentStruct) : struct('Artifact', style.struct ?? parentStruct);
        runs.push(objectRun(style, node, element, { ...picture.source, width: picture.width, ascent: picture.height, descent: 0, picture: true }));
        return;
      }
      case 'inlineMath': {
        const formula = state.formulas.get(node);
        const element = struct('Formula', style.struct ?? parentStruct, { alt: node.value });
        if (!formula) {
          // Not typeset (the PDF plan was made without MathJax): the TeX, as code.
          runs.push({ text: node.value, style: 'mono', size: style.size * state.theme.code.inlineScale, color: style.color, rise: 0, breakAnywhere: true, place: node.position, struct: element });
          return;
        }
        runs.push(objectRun(style, node, element, { svg: formula.svg, outlines: formula.outlines, width: formula.width * style.size, ascent: formula.height * style.size, descent: formula.depth * style.size }));
        return;
      }
      case 'htmlInline': {
        // Keys are set in the code face, small text smaller, marked text on a highlighter's tint;
        // an abbreviation is a Span whose expansion (`/E`) assistive technology reads.
        const inner: InlineStyle =
          node.tagName === 'kbd' || node.tagName === 'samp'
            ? { ...style, style: style.style === 'bold' || style.style === 'boldItalic' ? 'monoBold' : 'mono', size: style.size * state.theme.code.inlineScale }
            : node.tagName === 'small'
              ? { ...style, size: style.size * 0.85 }
              : node.tagName === 'var' || node.tagName === 'cite' || node.tagName === 'dfn'
                ? { ...style, style: italic(style.style) }
                : node.tagName === 'mark'
                  ? { ...style, highlight: state.theme.markBackground }
                  : node.tagName === 'abbr' && node.properties.title
                    ? { ...style, struct: struct('Span', style.struct ?? parentStruct, { expanded: node.properties.title }) }
                    : style;
        node.children.forEach((child) => visit(child, inner));
        return;
      }
      case 'anchor':
        // The destination goes with the next run of text (the anchor has none of its own).
        if (node.id) anchors.push({ at: runs.length, id: node.id });
        return;
      case 'html':
        // Raw inline HTML has no print rendering; tags are dropped, their text stays.
        return;
      default: {
        // Phrasing types from syntax extensions this switch does not know: keep their text.
        const other = node as unknown as { children?: PhrasingContent[]; value?: unknown; position?: Run['place'] };
        if (other.children) other.children.forEach((child) => visit(child, style));
        else if (typeof other.value === 'string') runs.push({ text: other.value, style: style.style, size: style.size, color: style.color, rise: 0, place: other.position });
      }
    }
  };
  nodes.forEach((node) => visit(node, base));
  for (const { at, id } of anchors) {
    // The first run that draws something (a run of spaces sets no box to carry the destination).
    const run = runs.slice(at).find((candidate) => candidate.text.trim() !== '') ?? runs.slice(0, at).reverse().find((candidate) => candidate.text.trim() !== '');
    if (run) run.anchors = [...(run.anchors ?? []), id];
  }
  return runs;
}

/** A link to another document of the run goes to its PDF, at the heading its fragment names (the same ids as the HTML's). */
function documentLink(document: { path: string; after: string }): Link {
  const hash = document.after.indexOf('#');
  const destination = hash === -1 ? '' : safeDecode(document.after.slice(hash + 1));
  return { kind: 'file', path: `${safeDecode(document.path)}.pdf`, destination: destination || undefined };
}

function toLink(state: State, url: string, node: PhrasingContent): Link | undefined {
  if (url.startsWith('#')) {
    const name = safeDecode(url.slice(1));
    if (state.destinations.has(name)) return { kind: 'internal', name };
    // A fragment with no target in this document would be a dead link in print.
    report(state.file, 'warning', `link to "${url}" has no target in this document; the PDF shows its text without a link`, node, 'pdf-link-target');
    return undefined;
  }
  return { kind: 'uri', url };
}

/** A formula or picture set on the line like a glyph, in the surrounding text's style and link. */
function objectRun(style: InlineStyle, node: PhrasingContent, element: StructNode | undefined, object: InlineObject): Run {
  return { text: '', style: style.style, size: style.size, color: style.color, rise: 0, link: style.link, place: node.position, struct: element, object };
}

function italic(style: FontStyle): FontStyle {
  return style === 'bold' ? 'boldItalic' : style === 'regular' ? 'italic' : style === 'italic' ? 'regular' : style;
}
function bold(style: FontStyle): FontStyle {
  return style === 'italic' ? 'boldItalic' : style === 'regular' ? 'bold' : style === 'mono' ? 'monoBold' : style;
}

