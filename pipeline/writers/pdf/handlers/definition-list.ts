import type { DefListDescriptionNode, DefListNode, DefListTermNode } from 'mdast-util-definition-list';
import { shift, space, struct, type Box } from '../boxes.ts';
import { nestedIndent, type Context, type State } from '../state.ts';
import { setParagraph } from './paragraph.ts';

/**
 * A definition list as Pandoc's LaTeX sets one: each term in bold on its own line, kept with
 * its first definition, and the definitions hanging under it, indented. Tagged as a list:
 * L › LI › (Lbl: the term, LBody: its definitions).
 */
export function defList(state: State, node: DefListNode, context: Context): Box[] {
  const list = struct('L', context.struct);
  const indent = nestedIndent(context, state.theme.list.indent * (context.size / state.theme.body.size) * 1.5);
  const boxes: Box[] = [];
  let item = struct('LI', list);
  let body = struct('LBody', item);
  let previous: string | undefined;
  for (const child of node.children) {
    if (child.type === 'defListTerm') {
      if (previous !== undefined) boxes.push(space(context.blockSpace));
      item = struct('LI', list);
      body = struct('LBody', item);
      const term = setParagraph(state, [{ type: 'strong', children: child.children }], { ...context, indentFirst: false, align: 'left', struct: item }, 'Lbl');
      for (const box of term) box.keep = true;
      boxes.push(...term);
    } else {
      if (previous === 'defListDescription') boxes.push(space(child.spread ? context.blockSpace : state.theme.list.itemSpace));
      boxes.push(...defListDescription(state, child, { ...context, struct: body }, indent));
    }
    previous = child.type;
  }
  return boxes;
}

export function defListDescription(state: State, node: DefListDescriptionNode, context: Context, indent = state.theme.list.indent): Box[] {
  const inner: Context = { ...context, width: context.width - indent, indentFirst: false, indentParagraphs: false, tight: !node.spread };
  return shift(state.all(node.children, inner), indent);
}

/** A term met outside a list (never from the parser): a bold paragraph. */
export function defListTerm(state: State, node: DefListTermNode, context: Context): Box[] {
  return setParagraph(state, [{ type: 'strong', children: node.children }], context, 'P');
}
