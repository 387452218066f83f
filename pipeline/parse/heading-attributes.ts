import type { Heading, Root, Text } from 'mdast';
import { visit } from '../visit.ts';

/**
 * Pandoc's header_attributes: `# Title {#id .class key=value}` (and `{-}` for `.unnumbered`).
 *
 * Why not a micromark extension: the only one for micromark 4 (remark-attributes 0.4) is a work
 * in progress (it leaves a trailing space in the heading's text and writes `class` for
 * `className`), and the remark-heading-id family reads only `{#id}`. The attribute block can
 * only stand at the very end of a heading, after micromark has already found the heading and
 * its inline content, so this step reads the heading's last text node right after the parse.
 * It checks that text against the source, so an escaped `\{#x}` or a `{` written as a
 * character reference stays literal, as in Pandoc. One pass over the block's last line: linear.
 */

export interface HeadingAttributes {
  /** `#id`: the heading's anchor instead of the slug of its text. */
  id?: string;
  /** `.class` names, in order (`.unnumbered` and `.unlisted` included). */
  classes: string[];
  /** `key=value` pairs, in order. */
  keyValues: [string, string][];
}

// One attribute: #id, .class, key=value, key="quoted value", or the lone `-` (unnumbered).
const ATTRIBUTE = /^(?:#([^\s{}#.="]+)|\.([^\s{}#.="]+)|([A-Za-z_][\w.:-]*)=(?:"([^"\\]*(?:\\.[^"\\]*)*)"|([^\s"{}]+))|(-))(?=\s|$)/;
const MAX_BLOCK = 1000;

/** Parse the inside of `{…}`; undefined if it is not an attribute block (then it stays text). */
export function parseAttributeBlock(inner: string): HeadingAttributes | undefined {
  const attributes: HeadingAttributes = { classes: [], keyValues: [] };
  let rest = inner.trim();
  if (rest === '') return undefined;
  while (rest !== '') {
    const match = ATTRIBUTE.exec(rest);
    if (!match) return undefined;
    if (match[1] !== undefined) attributes.id = match[1];
    else if (match[2] !== undefined) attributes.classes.push(match[2]);
    else if (match[3] !== undefined) attributes.keyValues.push([match[3], match[4] !== undefined ? match[4].replace(/\\(.)/g, '$1') : match[5]!]);
    else attributes.classes.push('unnumbered');
    rest = rest.slice(match[0].length).trimStart();
  }
  return attributes;
}

/** Move a trailing `{…}` attribute block of every heading into `heading.data.attributes`. */
export function headingAttributes(tree: Root, source: string): void {
  visit(tree, 'heading', (heading) => {
    const last = heading.children.at(-1);
    if (last?.type !== 'text') return;
    const block = trailingBlock(last.value);
    if (!block) return;
    // The same characters must end the source of the text node: `\{` or `&#123;` are literal.
    const end = last.position?.end.offset;
    if (end === undefined || source.slice(end - block.length, end) !== last.value.slice(-block.length)) return;
    if (escaped(source, end - block.length)) return;
    const attributes = parseAttributeBlock(block.inner);
    if (!attributes) return;
    applyAttributes(heading, last, block.length, attributes);
  });
}

/** The `{…}` that ends `value` (after optional spaces), preceded by a space or nothing. */
function trailingBlock(value: string): { inner: string; length: number } | undefined {
  const trimmed = value.trimEnd();
  if (!trimmed.endsWith('}')) return undefined;
  const open = trimmed.lastIndexOf('{');
  if (open === -1 || trimmed.length - open > MAX_BLOCK) return undefined;
  if (open > 0 && trimmed[open - 1] !== ' ' && trimmed[open - 1] !== '\t') return undefined;
  const inner = trimmed.slice(open + 1, -1);
  if (inner.includes('}') || inner.includes('\n')) return undefined;
  return { inner, length: value.length - open };
}

/** Whether the character at `index` is escaped by an odd run of backslashes before it. */
function escaped(source: string, index: number): boolean {
  let count = 0;
  for (let at = index - 1; at >= 0 && source[at] === '\\'; at--) count++;
  return count % 2 === 1;
}

function applyAttributes(heading: Heading, text: Text, length: number, attributes: HeadingAttributes): void {
  const kept = text.value.slice(0, text.value.length - length).trimEnd();
  const removed = text.value.length - kept.length;
  if (kept === '') heading.children.pop();
  else {
    text.value = kept;
    if (text.position) {
      const { end } = text.position;
      text.position = { ...text.position, end: { line: end.line, column: end.column - removed, offset: end.offset === undefined ? undefined : end.offset - removed } };
    }
  }
  const properties: Record<string, string | string[]> = {};
  if (attributes.id) properties.id = attributes.id;
  const classes = attributes.classes.filter((name) => name !== 'unnumbered' && name !== 'unlisted');
  if (classes.length > 0) properties.className = classes;
  // Pandoc writes other key=value pairs as data-* attributes, unless the key already is one.
  for (const [key, value] of attributes.keyValues) if (/^[a-z][a-z0-9-]*$/.test(key)) properties[dataProperty(key)] = value;
  heading.data = {
    ...heading.data,
    attributes,
    unnumbered: attributes.classes.includes('unnumbered') || undefined,
    unlisted: attributes.classes.includes('unlisted') || undefined,
    hProperties: { ...heading.data?.hProperties, ...properties },
  };
}

/** `key` as the hast property of its `data-*` attribute: `lang-x` → `dataLangX`. */
function dataProperty(key: string): string {
  const name = key.startsWith('data-') ? key.slice(5) : key;
  return `data${name.replace(/(^|-)([a-z0-9])/g, (_, _dash: string, letter: string) => letter.toUpperCase())}`;
}
