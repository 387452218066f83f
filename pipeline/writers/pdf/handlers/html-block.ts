import type { HtmlBlock, PhrasingContent, RootContent } from 'mdast';
import { toRuns } from '../inline.ts';
import { struct, type Box } from '../boxes.ts';
import type { Context, State } from '../state.ts';
import { keepLines, setText } from '../typeset.ts';
import { setParagraph } from './paragraph.ts';

const PHRASING = new Set(['text', 'emphasis', 'strong', 'delete', 'inlineCode', 'break', 'link', 'linkReference', 'image', 'imageReference', 'footnoteReference', 'anchor', 'htmlInline', 'subscript', 'superscript']);

/**
 * Blocks from raw HTML: a division sets its content; a figure groups its image and caption; a
 * caption is set small, italic and centred; details are printed open, their summary in bold.
 */
export function htmlBlock(state: State, node: HtmlBlock, context: Context): Box[] {
  const phrasing = node.children.every((child) => PHRASING.has(child.type));
  const id = node.properties.id;
  const boxes = (() => {
    switch (node.tagName) {
      case 'figcaption':
        return caption(state, node.children as PhrasingContent[], context);
      case 'summary':
        return keepLines(setText(state, toRuns(state, node.children as PhrasingContent[], { style: 'bold', size: context.size, color: state.theme.body.color }, struct('P', context.struct)), {
          width: context.width,
          leading: context.leading,
          size: context.size,
          align: 'left',
          struct: struct('P', context.struct),
        }));
      case 'figure': {
        const element = struct('Div', context.struct);
        const inner = state.all(node.children as RootContent[], { ...context, struct: element, indentParagraphs: false });
        // The image stays with its caption.
        for (const box of inner.slice(0, -1)) box.keep = true;
        return inner;
      }
      default: {
        // A division's `align` (a README's `<div align="center">`) sets its lines so, without indents.
        const inner = node.align ? { ...context, align: node.align, indentFirst: false, indentParagraphs: false } : context;
        // A division in another language (`<div lang="fr">`) is tagged with it (/Lang), as a paragraph or around its blocks.
        const lang = typeof node.properties.lang === 'string' ? node.properties.lang : undefined;
        if (phrasing) return setParagraph(state, node.children as PhrasingContent[], inner, 'P', undefined, lang);
        return state.all(node.children as RootContent[], lang ? { ...inner, struct: struct('Div', context.struct, { lang }) } : inner);
      }
    }
  })();
  if (id && boxes[0]) boxes[0].dests = [...(boxes[0].dests ?? []), id];
  if (node.tagName === 'summary' && boxes.length > 0) boxes.at(-1)!.keep = true;
  return boxes;
}

function caption(state: State, children: PhrasingContent[], context: Context): Box[] {
  const size = context.size * 0.9;
  const element = struct('Caption', context.struct);
  const runs = toRuns(state, children, { style: 'italic', size, color: state.theme.body.color }, element);
  return keepLines(setText(state, runs, { width: context.width, leading: context.leading * 0.9, size, align: 'center', struct: element }));
}
