import type { Image, Paragraph, PhrasingContent } from 'mdast';
import { toRuns } from '../inline.ts';
import { shift, struct, type Box } from '../boxes.ts';
import type { Context, State } from '../state.ts';
import { keepLines, setText } from '../typeset.ts';
import { figure, tallestPicture } from './image.ts';

export function paragraph(state: State, node: Paragraph, context: Context): Box[] {
  const content = node.children.filter((child) => !(child.type === 'text' && child.value.trim() === ''));
  if (content.length === 1 && (content[0]!.type === 'image' || content[0]!.type === 'imageReference')) {
    const image = content[0]!;
    const url = image.type === 'image' ? image.url : state.definitions(image.identifier)?.url;
    if (url) return figure(state, image as Image, url, context);
  }
  // A raw `<p align>` (a README's centred logo, badges or tagline) is set so, without an indent.
  if (node.data?.align) context = { ...context, align: node.data.align, indentFirst: false };
  // A reference-list entry is a link target, and is never indented; its style may ask for a
  // hanging indent (2 em, as the HTML and EPUB stylesheets set it): the lines after the first
  // are set narrower and moved in, the first line reaching back to the margin.
  const anchor = node.data?.anchor;
  const hang = anchor && node.data?.hangingIndent ? 2 * context.size : 0;
  // A raw `<p lang>` in another language than the document's: its /Lang, for screen readers and extraction.
  const lang = (node.data?.hProperties as { lang?: unknown } | undefined)?.lang;
  const own = typeof lang === 'string' ? lang : undefined;
  const lines = hang > 0 ? shift(setParagraph(state, node.children, { ...context, width: context.width - hang, indentFirst: false }, 'P', -hang, own), hang) : setParagraph(state, node.children, anchor ? { ...context, indentFirst: false } : context, 'P', undefined, own);
  if (anchor && lines[0]) lines[0].dests = [...(lines[0].dests ?? []), anchor];
  return lines;
}

/** Set inline content as a justified paragraph (widows and orphans controlled). */
export function setParagraph(state: State, children: PhrasingContent[], context: Context, tag: string, firstIndent?: number, lang?: string): Box[] {
  const element = struct(tag, context.struct, lang ? { lang } : {});
  const runs = toRuns(state, children, { style: 'regular', size: context.size, color: state.theme.body.color }, element);
  const lines = setText(state, runs, {
    width: context.width,
    leading: context.leading,
    size: context.size,
    align: context.align,
    indent: firstIndent ?? (context.indentFirst ? state.theme.body.indent * (context.size / state.theme.body.size) : 0),
    struct: element,
    hyphenator: state.hyphenator,
    // A picture in the text is never taller than a figure may be.
    maxHeight: tallestPicture(context),
  });
  return keepLines(lines);
}

export function phrasing(state: State, node: PhrasingContent, context: Context): Box[] {
  return setParagraph(state, [node], context, 'P');
}
