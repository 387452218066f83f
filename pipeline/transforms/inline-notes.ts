import type { FootnoteDefinition, FootnoteReference, Parent, PhrasingContent, Root, Text } from 'mdast';
import { visit } from '../visit.ts';

/**
 * Pandoc-style inline notes, `^[text]`. No maintained micromark extension exists for
 * micromark 4. CommonMark leaves `^[text]` as literal text (it is no link), with any markup
 * inside already parsed, so we find the `^[` … `]` run among a parent's phrasing children
 * and replace it by a footnote reference plus a definition appended to the document.
 *
 * Identifiers are `^N`: a caret cannot start a GFM label (`[^^1]` is not a reference), so
 * these never collide with the author's own labels.
 */
export function inlineNotes(tree: Root, state: { count: number } = { count: 0 }): void {
  const definitions: FootnoteDefinition[] = [];
  visit(tree, (node) => {
    if (!('children' in node)) return;
    const parent = node as Parent;
    if (!parent.children.some((child) => child.type === 'text' && child.value.includes('^['))) return;
    parent.children = rewrite(parent.children as PhrasingContent[], definitions, state.count);
  });
  tree.children.push(...definitions);
  state.count += definitions.length;
}

function rewrite(children: PhrasingContent[], definitions: FootnoteDefinition[], numbered: number): PhrasingContent[] {
  const output: PhrasingContent[] = [];
  let index = 0;
  while (index < children.length) {
    const child = children[index]!;
    const open = child.type === 'text' ? child.value.indexOf('^[') : -1;
    if (child.type !== 'text' || open === -1) {
      output.push(child);
      index++;
      continue;
    }
    const close = findClose(children, index, open + 2);
    if (!close) {
      output.push(child);
      index++;
      continue;
    }
    const before = child.value.slice(0, open);
    if (before) output.push(textNode(before, child, 0, open));

    const inner: PhrasingContent[] = [];
    if (close.child === index) {
      inner.push(textNode(child.value.slice(open + 2, close.offset), child, open + 2, close.offset));
    } else {
      const head = child.value.slice(open + 2);
      if (head) inner.push(textNode(head, child, open + 2, child.value.length));
      inner.push(...children.slice(index + 1, close.child));
      const last = children[close.child] as Text;
      const tail = last.value.slice(0, close.offset);
      if (tail) inner.push(textNode(tail, last, 0, close.offset));
    }

    const identifier = `^${numbered + definitions.length + 1}`;
    const end = children[close.child] as Text;
    const reference: FootnoteReference = {
      type: 'footnoteReference',
      identifier,
      label: identifier,
      position: spanPosition(child, open, end, close.offset + 1),
    };
    definitions.push({
      type: 'footnoteDefinition',
      identifier,
      label: identifier,
      children: [{ type: 'paragraph', children: inner, position: reference.position }],
      position: reference.position,
      data: { inline: true } as FootnoteDefinition['data'],
    });
    output.push(reference);

    // Continue after the closing bracket, in the same text node.
    const rest = end.value.slice(close.offset + 1);
    index = close.child + 1;
    if (rest) {
      children = [...children.slice(0, index - 1), textNode(rest, end, close.offset + 1, end.value.length), ...children.slice(index)];
      index--;
    }
  }
  return output;
}

/** Find the `]` that balances `^[`, counting brackets in text only (links and code are already nodes). */
function findClose(children: PhrasingContent[], start: number, from: number): { child: number; offset: number } | undefined {
  let depth = 0;
  for (let index = start; index < children.length; index++) {
    const child = children[index]!;
    if (child.type !== 'text') continue;
    const value = child.value;
    for (let offset = index === start ? from : 0; offset < value.length; offset++) {
      const char = value[offset];
      if (char === '[') depth++;
      else if (char === ']') {
        if (depth === 0) return { child: index, offset };
        depth--;
      }
    }
  }
  return undefined;
}

/** A slice of a text node, with its position when the node's source is one line (offsets are then exact). */
function textNode(value: string, from: Text, start: number, end: number): Text {
  const node: Text = { type: 'text', value };
  const position = from.position;
  if (position && position.start.line === position.end.line && position.end.column - position.start.column === from.value.length) {
    node.position = {
      start: { line: position.start.line, column: position.start.column + start, offset: (position.start.offset ?? 0) + start },
      end: { line: position.start.line, column: position.start.column + end, offset: (position.start.offset ?? 0) + end },
    };
  }
  return node;
}

function spanPosition(first: Text, start: number, last: Text, end: number) {
  const from = textNode('', first, start, start).position?.start ?? first.position?.start;
  const to = textNode('', last, end, end).position?.end ?? last.position?.end;
  return from && to ? { start: from, end: to } : undefined;
}
