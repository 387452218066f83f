import type { Root } from 'mdast';
import type { Node, Parent } from 'unist';
import type { VFile } from 'vfile';
import { report } from '../messages.ts';

/**
 * Bounds on the work one document may cause. Hostile input (20,000 nested quotes, a 1,000-level
 * list) makes micromark slow (quadratic in depth) and overflows the stack of the recursive tree
 * walkers of unified's ecosystem; inside these bounds every stage is fast and safe.
 */
export interface Limits {
  /** Largest source accepted, in bytes. */
  maxInputBytes: number;
  /** Deepest nesting of blocks (quotes, lists) and of the syntax tree's inline content. */
  maxNesting: number;
  /**
   * Most emphasis markers (`*`, `_`, `~`) in one paragraph: micromark matches openers with
   * closers in quadratic time, so 50,000 of them would take minutes; 10,000 take about a second.
   */
  maxEmphasisMarkers: number;
}

export const defaultLimits: Limits = {
  maxInputBytes: 64 * 1024 * 1024,
  maxNesting: 64,
  maxEmphasisMarkers: 10_000,
};

/**
 * Before parsing: refuse sources too large, and lines whose container prefix (the spaces, tabs
 * and `>` markers before their content) is so long that parsing them would take minutes. A prefix
 * of four columns per level is generous: real Markdown nests in two to four.
 */
export function checkSource(file: VFile, limits: Limits): boolean {
  const text = String(file.value);
  const bytes = Buffer.byteLength(text);
  if (bytes > limits.maxInputBytes) {
    report(file, 'error', `the source is ${megabytes(bytes)}, more than the limit of ${megabytes(limits.maxInputBytes)} (--max-input-size)`, { line: 1, column: 1 }, 'input-too-large');
    return false;
  }
  const maxPrefix = limits.maxNesting * 4;
  let line = 1;
  let lineStart = 0;
  let prefix = 0;
  let quotes = 0;
  let counting = true;
  let markers = 0;
  let blank = true;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 10) {
      // A blank line ends the paragraph, and with it the markers' count.
      if (blank) markers = 0;
      blank = true;
      line++;
      lineStart = index + 1;
      prefix = 0;
      quotes = 0;
      counting = true;
      continue;
    }
    if (code !== 32 && code !== 9 && code !== 13) blank = false;
    if ((code === 42 || code === 95 || code === 126) && ++markers > limits.maxEmphasisMarkers) {
      report(file, 'error', `more than ${limits.maxEmphasisMarkers} emphasis markers (*, _, ~) in one paragraph; parsing them would take minutes (escape them, or split the paragraph)`, { line, column: index - lineStart + 1 }, 'emphasis-limit');
      return false;
    }
    if (counting) {
      if (code === 32 || code === 9 || code === 62 /* > */) {
        prefix++;
        if (code === 62 && ++quotes > limits.maxNesting) {
          report(file, 'error', `nesting too deep: more than ${limits.maxNesting} quote markers (--max-nesting)`, { line, column: index - lineStart + 1 }, 'nesting-limit');
          return false;
        }
      } else {
        counting = false;
        // Deep indentation alone may be code; before a list marker it is list nesting.
        if (prefix > maxPrefix && /^([-*+]|\d{1,9}[.)])([ \t]|$)/.test(text.slice(index, index + 12))) {
          report(file, 'error', `nesting too deep: a list item indented ${prefix} columns, more than ${maxPrefix} (about ${limits.maxNesting} levels, --max-nesting)`, { line, column: index - lineStart + 1 }, 'nesting-limit');
          return false;
        }
      }
    }
  }
  return true;
}

/** After parsing: the tree's depth, walked without recursion, within the nesting limit (three nodes per level: list, item, paragraph). */
export function checkTreeDepth(tree: Root, file: VFile, limits: Limits): boolean {
  const maxDepth = limits.maxNesting * 3;
  const stack: [Node, number][] = [[tree, 0]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > maxDepth) {
      report(file, 'error', `nesting too deep: a ${node.type} ${depth} levels down passes the limit of ${limits.maxNesting} levels (--max-nesting)`, node, 'nesting-limit');
      return false;
    }
    const children = (node as Parent).children;
    if (children) for (const child of children) stack.push([child, depth + 1]);
  }
  return true;
}

function megabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
