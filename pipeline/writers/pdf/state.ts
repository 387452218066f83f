import type { RootContent } from 'mdast';
import type { GetDefinition } from 'mdast-util-definitions';
import type { VFile } from 'vfile';
import type { Asset, AssetResolver } from '../../types.ts';
import type { GifFrame, GifProblem } from './gif.ts';
import type { Pdf } from './pdf-document.ts';
import type { ScriptTools } from './bidi.ts';
import type { Fonts } from './fonts.ts';
import type { LayoutWatch } from './layout-watch.ts';
import type { Formulas } from './math.ts';
import type { Hyphenator } from './hyphenate.ts';
import type { Box, StructNode } from './boxes.ts';
import type { Align } from './typeset.ts';
import type { Theme } from './theme.ts';

/** Where a block is being set: the column it fills and the type it inherits. */
export interface Context {
  width: number;
  size: number;
  leading: number;
  /** Space between blocks at this level. */
  blockSpace: number;
  align: Align;
  struct: StructNode;
  /** Paragraphs that follow paragraphs get a first-line indent instead of space. */
  indentParagraphs: boolean;
  /** The tallest a single box may be (images are scaled to fit a page). */
  maxHeight: number;
  /** Set by `all` for a paragraph that follows a paragraph. */
  indentFirst?: boolean;
  /** A tight list: its paragraphs take no space between them. */
  tight?: boolean;
}

/**
 * One state object threaded through every handler (as mdast-util-to-hast does): no module
 * globals, so two documents laid out at once never share anything.
 */
export interface State {
  theme: Theme;
  fonts: Fonts;
  /** Bidi and word segmentation, made only for text that needs them. */
  scripts: ScriptTools;
  file: VFile;
  assets: AssetResolver;
  pdf: Pdf;
  lang: string;
  hyphenator: Hyphenator | undefined;
  /** Link and image definitions by label: the first of a label wins (CommonMark). */
  definitions: GetDefinition;
  /** Names an internal link may point at: heading ids, `fn-N`. */
  destinations: { has(name: string): boolean };
  /** Notes cited so far, so that only the first citation sets the back-link destination. */
  citedNotes: Set<string>;
  /** A GIF's first frame as a PNG, decoded once per build for every use (gif.ts). */
  gifFrame(asset: Asset): GifFrame | GifProblem;
  /** Formulas typeset by MathJax before layout (empty when the document has none). */
  formulas: Pick<Formulas, 'get'>;
  /** Set while a top-level block is laid out for the watch session's memo: what it used (layout-memo.ts). */
  watch?: LayoutWatch;
  one(node: RootContent, context: Context): Box[];
  all(nodes: RootContent[], context: Context): Box[];
}

/**
 * How far a nested block may indent: as much as the theme wants, but never so far that less than
 * about twelve ems of line remain. Deeply nested quotes and lists then stop indenting instead of
 * squeezing their text into a sliver (or off the page).
 */
export function nestedIndent(context: Context, wanted: number): number {
  const minimum = context.size * 12;
  return Math.max(0, Math.min(wanted, context.width - minimum));
}
