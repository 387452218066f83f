import type { Root, Text } from 'mdast';
import type { Node, Parent } from 'unist';
import { eastAsianWidthType } from 'get-east-asian-width';

/**
 * A line break in the source between two East Asian characters is no space: Chinese and Japanese
 * put none between words, so `資訊，⏎或直接` reads `資訊，或直接`. This is CSS Text 3's segment
 * break rule, which Typst and xeCJK follow and Pandoc offers as `east_asian_line_breaks`; browsers
 * other than Firefox print a space there, so the text itself loses the break, in every edition.
 * The rule: a break beside a zero-width space goes; else one between two characters whose East
 * Asian Width is fullwidth, wide or halfwidth (not ambiguous) goes, unless one is Hangul (Korean
 * spaces its words). Anything else stays a break, which prints as a space.
 */
export function joinEastAsianLines(tree: Root): void {
  joinWithin(tree);
}

/** Inline nodes whose text reads on with the text around them. */
const TRANSPARENT = new Set(['emphasis', 'strong', 'delete', 'link', 'linkReference', 'htmlInline', 'subscript', 'superscript']);

/** Nodes whose text is not prose, or is written as it stands (trusted raw HTML keeps its own markup). */
const OPAQUE = new Set(['code', 'inlineCode', 'math', 'inlineMath', 'html', 'trustedHtml', 'trustedHtmlInline', 'yaml']);

/** A line break, with the spaces a parser may leave around it. */
const SEGMENT_BREAK = /[ \t]*\n[ \t]*/g;

const ZERO_WIDTH_SPACE = 0x200b;
const HANGUL = /\p{Script=Hangul}/u;

/**
 * The texts of one block in reading order, and `undefined` for whatever stands between them
 * (an image, inline code, a note mark): a break next to one of those stays.
 */
function joinWithin(parent: Parent): void {
  const run: (Text | undefined)[] = [];
  const gather = (node: Parent) => {
    for (const child of node.children as Node[]) {
      if (child.type === 'text') run.push(child as Text);
      else if (TRANSPARENT.has(child.type)) gather(child as Parent);
      else {
        run.push(undefined);
        if (!OPAQUE.has(child.type) && 'children' in child) joinWithin(child as Parent);
      }
    }
  };
  gather(parent);
  for (let index = 0; index < run.length; index++) {
    const text = run[index];
    if (!text?.value.includes('\n')) continue;
    const value = text.value;
    text.value = value.replace(SEGMENT_BREAK, (found: string, offset: number) => {
      const before = offset > 0 ? lastCodePoint(value.slice(0, offset)) : lastCodePoint(run[index - 1]?.value);
      const end = offset + found.length;
      const after = end < value.length ? value.codePointAt(end) : run[index + 1]?.value.codePointAt(0);
      return vanishes(before, after) ? '' : found;
    });
  }
}

function vanishes(before: number | undefined, after: number | undefined): boolean {
  if (before === undefined || after === undefined) return false;
  if (before === ZERO_WIDTH_SPACE || after === ZERO_WIDTH_SPACE) return true;
  return eastAsian(before) && eastAsian(after);
}

function eastAsian(codePoint: number): boolean {
  const type = eastAsianWidthType(codePoint);
  return (type === 'fullwidth' || type === 'wide' || type === 'halfwidth') && !HANGUL.test(String.fromCodePoint(codePoint));
}

function lastCodePoint(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const last = value.charCodeAt(value.length - 1);
  // The low half of a surrogate pair (an ideograph beyond the first plane): read the pair.
  return last >= 0xdc00 && last <= 0xdfff && value.length > 1 ? value.codePointAt(value.length - 2) : last;
}
