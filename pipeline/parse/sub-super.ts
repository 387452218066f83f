import type { CompileContext, Extension as FromMarkdownExtension, Token } from 'mdast-util-from-markdown';
import { markdownLineEndingOrSpace, unicodeWhitespace } from 'micromark-util-character';
import type { Code, Construct, Effects, Extension, State, TokenizeContext } from 'micromark-util-types';
import type { Processor } from 'unified';

/**
 * Pandoc's subscript and superscript: `H~2~O`, `x^2^`. A micromark extension rather than
 * remark-supersub, which splits text with a regular expression after the parse: it makes
 * `from ~5 m to ~6 m` a subscript and ignores escapes (`\~a\~`).
 *
 * The rules are Pandoc's: the text between the markers is not empty and holds no white space
 * (an escaped marker is allowed), and it is parsed as inline content (`x^*a*^`). A single `~`
 * is never strikethrough here (remark-gfm runs with `singleTilde: false`): `~~a~~` is.
 * Linear: an attempt stops at the first white space or the next marker, so every character is
 * scanned by at most one failed attempt per marker kind.
 */

const TILDE = 126;
const CARET = 94;
const BACKSLASH = 92;

type Kind = 'subscript' | 'superscript';

declare module 'micromark-util-types' {
  interface TokenTypeMap {
    subscript: 'subscript';
    subscriptMarker: 'subscriptMarker';
    subscriptText: 'subscriptText';
    superscript: 'superscript';
    superscriptMarker: 'superscriptMarker';
    superscriptText: 'superscriptText';
  }
}

declare module 'mdast' {
  /** Pandoc's `~x~` and `^x^`; raw `<sub>` and `<sup>` become the same nodes (transforms/raw-html.ts). */
  interface Subscript extends Parent {
    type: 'subscript';
    children: PhrasingContent[];
  }
  interface Superscript extends Parent {
    type: 'superscript';
    children: PhrasingContent[];
  }
  interface PhrasingContentMap {
    subscript: Subscript;
    superscript: Superscript;
  }
  interface RootContentMap {
    subscript: Subscript;
    superscript: Superscript;
  }
}

function construct(marker: number, kind: Kind): Construct {
  const markerType = `${kind}Marker` as const;
  const textType = `${kind}Text` as const;
  function tokenize(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
    const previous = this.previous;
    const closeMarker = (code: Code): State => {
      effects.enter(markerType);
      effects.consume(code);
      effects.exit(markerType);
      return after;
    };
    const inside: State = (code) => {
      if (code === null || markdownLineEndingOrSpace(code) || unicodeWhitespace(code)) return nok(code);
      if (code === marker) {
        effects.exit('chunkText');
        effects.exit(textType);
        return closeMarker(code);
      }
      effects.consume(code);
      return code === BACKSLASH ? escaped : inside;
    };
    const escaped: State = (code) => {
      if (code === marker || code === BACKSLASH) {
        effects.consume(code);
        return inside;
      }
      return inside(code);
    };
    const open: State = (code) => {
      if (code === marker || code === null || markdownLineEndingOrSpace(code) || unicodeWhitespace(code)) return nok(code);
      effects.enter(textType);
      effects.enter('chunkText', { contentType: 'text' });
      return inside(code);
    };
    // `a~b~~`: a doubled closing marker is strikethrough's or literal, never ours.
    const after: State = (code) => {
      if (code === marker) return nok(code);
      effects.exit(kind);
      return ok(code);
    };
    return (code) => {
      // A marker after a marker (`~~`, `^^`) belongs to a longer run.
      if (code !== marker || previous === marker) return nok(code);
      effects.enter(kind);
      effects.enter(markerType);
      effects.consume(code);
      effects.exit(markerType);
      return open;
    };
  }
  return { name: kind, tokenize };
}

export const subSuperSyntax: Extension = {
  text: { [TILDE]: construct(TILDE, 'subscript'), [CARET]: construct(CARET, 'superscript') },
};

function enter(kind: Kind) {
  return function (this: CompileContext, token: Token) {
    this.enter({ type: kind, children: [] }, token);
  };
}
function exit(this: CompileContext, token: Token) {
  this.exit(token);
}

export const subSuperFromMarkdown: FromMarkdownExtension = {
  enter: { subscript: enter('subscript'), superscript: enter('superscript') },
  exit: { subscript: exit, superscript: exit },
};

/** The remark plugin: registers the syntax and its mdast nodes. */
export function remarkSubSuper(this: Processor): void {
  const data = this.data();
  (data.micromarkExtensions ??= []).push(subSuperSyntax);
  (data.fromMarkdownExtensions ??= []).push(subSuperFromMarkdown);
}
