import type { Extension as FromMarkdownExtension } from 'mdast-util-from-markdown';
import { mathFromMarkdown } from 'mdast-util-math';
import { math } from 'micromark-extension-math';
import { asciiDigit, markdownLineEnding, markdownLineEndingOrSpace } from 'micromark-util-character';
import type { Code, Construct, Effects, Extension, State, Token, TokenizeContext } from 'micromark-util-types';
import type { Parent, Root } from 'mdast';
import type { Processor } from 'unified';
import type { Node, Point } from 'unist';

const DOLLAR = 36;
const SPACE = 32;
const BACKSLASH = 92;

/**
 * remark-math's syntax (micromark-extension-math and mdast-util-math) with Pandoc's rule for
 * inline `$…$`, so that prices are not formulas: the opening `$` must have a non-space
 * character right after it, and the first unescaped `$` after it closes the formula only if it
 * has a non-space character right before it and no digit right after it; otherwise there is
 * no formula ("$20 and $30" is text). `$$…$$` inside a paragraph has no such rule.
 * Display blocks (`$$` fences on lines of their own) are remark-math's own.
 */
export function remarkPandocMath(this: Processor): void {
  const data = this.data();
  (data.micromarkExtensions ??= []).push(pandocMath());
  (data.fromMarkdownExtensions ??= []).push(mathFromMarkdown(), markDisplay);
}

/** `$$…$$` in a paragraph is display math in Pandoc: say so on the node, from its opening sequence. */
const markDisplay: FromMarkdownExtension = {
  enter: {
    mathTextSequence(token) {
      // mdast-util-math buffers the formula's text: the node is under that buffer.
      const node = [...this.stack].reverse().find((entry) => entry.type === 'inlineMath');
      if (node?.type !== 'inlineMath' || node.data?.display !== undefined) return;
      node.data = { ...node.data, display: token.end.offset - token.start.offset === 2 };
    },
  },
};

function pandocMath(): Extension {
  const remarkMath = math();
  const text = (remarkMath.text as Record<number, Construct>)[DOLLAR]!;
  return {
    flow: remarkMath.flow,
    text: { [DOLLAR]: { ...text, tokenize: tokenizePandocMathText } },
  };
}

/** micromark-extension-math's mathText tokenizer (same tokens, so mdast-util-math builds the nodes), with Pandoc's checks. */
function tokenizePandocMathText(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
  let sizeOpen = 0;
  let size = 0;
  let afterSpace = false;
  let sequence: Token | undefined;

  const start: State = (code) => {
    effects.enter('mathText');
    effects.enter('mathTextSequence');
    return sequenceOpen(code);
  };
  const sequenceOpen: State = (code) => {
    if (code === DOLLAR) {
      // `$$$` opens nothing in Pandoc.
      if (sizeOpen === 2) return nok(code);
      effects.consume(code);
      sizeOpen++;
      return sequenceOpen;
    }
    if (sizeOpen === 1 && (code === null || markdownLineEndingOrSpace(code))) return nok(code);
    effects.exit('mathTextSequence');
    return between(code);
  };
  const between: State = (code) => {
    if (code === null) return nok(code);
    if (code === DOLLAR) {
      // Pandoc gives up on `$…$` at a `$` after a space.
      if (sizeOpen === 1 && afterSpace) return nok(code);
      sequence = effects.enter('mathTextSequence');
      size = 0;
      return sequenceClose(code);
    }
    if (code === SPACE) {
      effects.enter('space');
      effects.consume(code);
      effects.exit('space');
      afterSpace = true;
      return between;
    }
    if (markdownLineEnding(code)) {
      effects.enter('lineEnding');
      effects.consume(code);
      effects.exit('lineEnding');
      afterSpace = true;
      return between;
    }
    effects.enter('mathTextData');
    return data(code);
  };
  const data: State = (code) => {
    if (code === null || code === SPACE || code === DOLLAR || markdownLineEnding(code)) {
      effects.exit('mathTextData');
      return between(code);
    }
    afterSpace = false;
    effects.consume(code);
    return code === BACKSLASH ? escaped : data;
  };
  // `\$` inside a formula is TeX's dollar sign, never the end of the formula.
  const escaped: State = (code) => {
    if (code === null || markdownLineEnding(code)) return data(code);
    effects.consume(code);
    return data;
  };
  const sequenceClose: State = (code: Code) => {
    if (code === DOLLAR && size < sizeOpen) {
      effects.consume(code);
      size++;
      return sequenceClose;
    }
    if (size === sizeOpen) {
      // `$x$5` is not a formula (Pandoc: "to prevent capture of $5").
      if (sizeOpen === 1 && asciiDigit(code)) return nok(code);
      effects.exit('mathTextSequence');
      effects.exit('mathText');
      return ok(code);
    }
    // A lone `$` inside `$$…$$` is part of the formula.
    sequence!.type = 'mathTextData';
    afterSpace = false;
    return data(code);
  };
  return start;
}

/** A closing fence with a pandoc-crossref label: `$$ {#eq:label}` on a line of its own. */
const LABELLED_CLOSING_FENCE = /^[ \t]{0,3}\$\$[ \t]*(\{#eq:[^\s{}]+\})[ \t]*$/m;

/**
 * pandoc-crossref writes a multi-line equation's label after its closing fence (`$$ {#eq:x}`).
 * micromark's math fences close only on a bare `$$`, so such a block runs on to the end of its
 * container, swallowing what follows. Cut it at that line: the formula keeps the label (as the
 * one-line `$$…$$ {#eq:x}` form does) and the text after it is parsed again, with its places.
 */
export function splitLabelledMathFences(tree: Root, source: string, reparse: (text: string) => Root): void {
  const visitNode = (parent: Parent) => {
    for (let index = 0; index < parent.children.length; index++) {
      const node = parent.children[index]!;
      if (node.type === 'math') {
        const match = LABELLED_CLOSING_FENCE.exec(node.value);
        const start = node.position?.start;
        if (!match || !start || start.offset === undefined) continue;
        node.value = node.value.slice(0, match.index).replace(/\n$/, '');
        node.data = { ...node.data, label: match[1]!.slice(2, -1) };
        // The source after the labelled fence's line, parsed as the rest of this container.
        const fenceLine = start.line + 1 + node.value.split('\n').length;
        const lines = source.split('\n');
        const restStart = lines.slice(0, fenceLine).reduce((sum, line) => sum + line.length + 1, 0);
        const end = node.position!.end.offset ?? source.length;
        node.position = { start, end: { line: fenceLine, column: (lines[fenceLine - 1] ?? '').length + 1, offset: restStart - 1 } };
        if (restStart >= end) continue;
        const rest = reparse(source.slice(restStart, end));
        for (const child of rest.children) shiftPositions(child, fenceLine, restStart);
        parent.children.splice(index + 1, 0, ...(rest.children as typeof parent.children));
      } else if ('children' in node) visitNode(node as Parent);
    }
  };
  visitNode(tree);
}

function shiftPositions(node: Node, lines: number, offset: number): void {
  const shift = (point: Point) => {
    point.line += lines;
    if (point.offset !== undefined) point.offset += offset;
  };
  if (node.position) {
    shift(node.position.start);
    shift(node.position.end);
  }
  if ('children' in node) for (const child of (node as Parent).children) shiftPositions(child, lines, offset);
}
