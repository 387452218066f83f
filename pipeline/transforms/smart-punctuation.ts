import { createHash } from 'node:crypto';
import type { Link, Literal, Node, Root, Text } from 'mdast';
import { retext } from 'retext';
import retextSmartypants, { type Options as SmartypantsOptions } from 'retext-smartypants';
import { visit } from '../visit.ts';
import type { DocumentMeta, QuoteMemo } from '../types.ts';

/**
 * Smart punctuation by language (Pandoc's `smart` extension): curly quotes as the document's
 * language writes them, `--` an en dash, `---` an em dash, `...` an ellipsis. retext-smartypants
 * does the pairing across inline nodes and leaves code alone; raw HTML is never text. Quotes
 * must be single characters for it (it splices by length), so French spacing and apostrophes
 * are fixed in a pass after it.
 */

interface Quotes {
  /** Opening and closing double quotes, then single (inner) quotes. */
  double: [string, string];
  single: [string, string];
  /** A narrow no-break space inside guillemets (French). */
  spaced?: boolean;
  /** French spacing before `; ! ?` and `:` (see `frenchPunctuationSpacing`). */
  spacedPunctuation?: boolean;
}

/** The one table of quotation marks, by BCP 47 tag (a region first, then the language). */
export const QUOTES: Record<string, Quotes> = {
  en: { double: ['“', '”'], single: ['‘', '’'] },
  de: { double: ['„', '“'], single: ['‚', '‘'] },
  'de-ch': { double: ['«', '»'], single: ['‹', '›'] },
  'de-li': { double: ['«', '»'], single: ['‹', '›'] },
  // Every French variant spaces `; ! ? :`; Swiss usage sets guillemets without spaces.
  fr: { double: ['«', '»'], single: ['‹', '›'], spaced: true, spacedPunctuation: true },
  'fr-ch': { double: ['«', '»'], single: ['‹', '›'], spacedPunctuation: true },
  it: { double: ['«', '»'], single: ['“', '”'] },
  es: { double: ['«', '»'], single: ['“', '”'] },
  pt: { double: ['«', '»'], single: ['“', '”'] },
  'pt-br': { double: ['“', '”'], single: ['‘', '’'] },
  nl: { double: ['“', '”'], single: ['‘', '’'] },
  sv: { double: ['”', '”'], single: ['’', '’'] },
  fi: { double: ['”', '”'], single: ['’', '’'] },
  da: { double: ['»', '«'], single: ['›', '‹'] },
  nb: { double: ['«', '»'], single: ['‘', '’'] },
  no: { double: ['«', '»'], single: ['‘', '’'] },
  cs: { double: ['„', '“'], single: ['‚', '‘'] },
  pl: { double: ['„', '”'], single: ['«', '»'] },
  ru: { double: ['«', '»'], single: ['„', '“'] },
  uk: { double: ['«', '»'], single: ['„', '“'] },
  el: { double: ['«', '»'], single: ['“', '”'] },
  ja: { double: ['「', '」'], single: ['『', '』'] },
  zh: { double: ['“', '”'], single: ['‘', '’'] },
  'zh-hant': { double: ['「', '」'], single: ['『', '』'] },
  'zh-tw': { double: ['「', '」'], single: ['『', '』'] },
  'zh-hk': { double: ['「', '」'], single: ['『', '』'] },
};

export function quotesFor(lang: string): Quotes {
  const subtags = lang.toLowerCase().split('-');
  // zh-Hant-TW → zh-hant-tw, zh-hant, zh; de-CH → de-ch, de.
  for (let length = subtags.length; length > 0; length--) {
    const found = QUOTES[subtags.slice(0, length).join('-')] ?? (length === 3 ? QUOTES[`${subtags[0]}-${subtags[2]}`] : undefined);
    if (found) return found;
  }
  return QUOTES.en!;
}

const NARROW_NO_BREAK_SPACE = '\u202F';
const NO_BREAK_SPACE = '\u00A0';

/**
 * French spacing, as the Imprimerie nationale's rules and LaTeX's babel-french set it: a narrow
 * no-break space (U+202F) before `;`, `!` and `?`, and a full-width no-break space (U+00A0) before
 * `:`, which takes a word space, not a thin one. Spaces (or a line break) the author typed there
 * are replaced, not doubled. Only where the mark ends a word: not in `10:30`, `a:b`, `https://`,
 * nor after an opening bracket or quote, nor between the marks of `?!`. Code, URLs and raw HTML
 * are not text nodes, so they keep what was typed.
 */
const SPACE_BEFORE = /(^|[^\s([{«‹;!?:\u00A0\u202F])[ \t\n\u00A0\u202F]*(?:([;!?])(?![\p{L}\p{N}])|(:)(?![\p{L}\p{N}/]))/gu;

export function frenchPunctuationSpacing(value: string, afterInline: boolean): string {
  return value.replace(SPACE_BEFORE, (whole, before: string, thin: string | undefined, colon: string | undefined, offset: number) => {
    // At the start of the text, only after an inline node (emphasis, code, a link): not a line's first mark.
    if (before === '' && (offset > 0 || !afterInline)) return whole;
    return thin ? `${before}${NARROW_NO_BREAK_SPACE}${thin}` : `${before}${NO_BREAK_SPACE}${colon}`;
  });
}

/** With `memo` (a watch session's), a pass of quote pairing over a text paired before is taken from it (see `pairQuotes`). */
export function smartPunctuation(tree: Root, lang: string, memo?: QuoteMemo): void {
  const quotes = quotesFor(lang);
  // A URL shown as its own text (an autolink) is not prose: hidden from the plugin as code,
  // which it counts by length but never changes, then given back.
  const urls: Text[] = [];
  visit(tree, 'link', (node: Link) => {
    for (const child of node.children) {
      if (child.type === 'text' && (child.value === node.url || `mailto:${child.value}` === node.url || /^(https?:\/\/|www\.)/.test(child.value))) urls.push(child);
    }
  });
  for (const node of urls) (node as { type: string }).type = 'inlineCode';
  smartypants(tree, {
    openingQuotes: { double: quotes.double[0], single: quotes.single[0] },
    closingQuotes: { double: quotes.double[1], single: quotes.single[1] },
    dashes: 'oldschool',
    backticks: false,
  }, memo);
  for (const node of urls) (node as { type: string }).type = 'text';

  const close = quotes.single[1];
  // An apostrophe is a closing single quote to SmartyPants: right for English, wrong where the
  // closing quote is another mark (German ‘, French ›, Russian “): it's, l'homme, Peter’s.
  const apostrophe = close === '’' ? undefined : new RegExp(`(?<=\\p{L})${escapeRegExp(close)}(?=\\p{L})`, 'gu');
  const skip = new Set(urls);
  // A closing mark with no opening one before it in its block is an apostrophe too (Hans' Idee).
  const [open] = quotes.single;
  if (apostrophe) {
    for (const block of tree.children) {
      let opened = 0;
      visit(block, 'text', (node: Text) => {
        if (skip.has(node)) return;
        node.value = node.value.replace(apostrophe, '’');
        let value = '';
        for (const char of node.value) {
          if (char === open && open !== close) opened++;
          else if (char === close && open !== close) {
            if (opened === 0) {
              value += '’';
              continue;
            }
            opened--;
          }
          value += char;
        }
        node.value = value;
      });
    }
  }
  if (!quotes.spacedPunctuation && !quotes.spaced) return;
  visit(tree, 'text', (node: Text, index, parent) => {
    if (skip.has(node)) return;
    if (quotes.spacedPunctuation) {
      const previous = index === undefined ? undefined : parent?.children[index - 1];
      node.value = frenchPunctuationSpacing(node.value, previous !== undefined && previous.type !== 'break');
    }
    if (quotes.spaced) {
      node.value = node.value
        .replace(/([«‹])[ \u00A0\u202F]?/g, `$1${NARROW_NO_BREAK_SPACE}`)
        .replace(/[ \u00A0\u202F]?([»›])/g, `${NARROW_NO_BREAK_SPACE}$1`);
    }
  });
}

/**
 * `--` at the start of a word and before a lowercase letter names a command-line option (`pass
 * --root`, in a release note), which an en dash would garble; `---Name` and `a--b` stay dashes.
 */
const OPTION_DASHES = /(?<![^\s([{"'“‘«])--(?=[a-z])/g;

// Blocks whose text starts fresh (a quote at their start opens); inline parents are joined seamlessly.
const SMART_BLOCKS = new Set(['paragraph', 'heading', 'tableCell']);
const SMART_LITERALS = new Set(['text', 'inlineCode']);

/**
 * remark-smartypants' method, with its two retext passes run only where they can change
 * something: on 1 MB of READMEs the plugin as published took 1.6 s, mostly retext parsing text
 * that holds no quote, dash or dots. The quotes are paired over all the text at once, with code
 * counted by its length and each block opened by a space; dashes and ellipses are then made
 * node by node (they change lengths).
 */
function smartypants(tree: Root, options: SmartypantsOptions, memo: QuoteMemo | undefined): void {
  const nodes: Node[] = [];
  const blockStarts: number[] = [];
  let allText = '';
  visit(tree, (node, _index, parent) => {
    if (!parent) return;
    if (SMART_LITERALS.has(node.type)) {
      const { value } = node as Literal;
      allText += node.type === 'text' ? value : 'A'.repeat(value.length);
      nodes.push(node);
    } else if (SMART_BLOCKS.has(node.type)) {
      allText += ' ';
      blockStarts.push(allText.length);
      nodes.push(node);
    }
  });
  allText = pairQuotes(allText, options, blockStarts, memo);
  const dashesAndDots = retext().use(retextSmartypants, { ...options, quotes: false });
  let start = 0;
  for (const node of nodes) {
    if (!SMART_LITERALS.has(node.type)) {
      start += 1;
      continue;
    }
    const literal = node as Literal;
    const end = start + literal.value.length;
    if (node.type === 'text') {
      const text = allText.slice(start, end);
      // Two dashes, an en dash before a hyphen (an em dash, oldschool), or dots (with or without
      // spaces between them) are all it changes.
      const smarten = (part: string) => (/--|–-|\.\s*\./.test(part) ? dashesAndDots.processSync(part).toString() : part);
      if (text.includes('--')) {
        // The character before the node decides whether a `--` at its start begins a word.
        const parts = `${start > 0 ? allText[start - 1]! : ' '}${text}`.split(OPTION_DASHES);
        parts[0] = parts[0]!.slice(1);
        literal.value = parts.map(smarten).join('--');
      } else literal.value = smarten(text);
    }
    start = end;
  }
}

/**
 * Below this, the text's quotes are paired in one pass; a longer text is cut into passes of at
 * least this. Small passes are also cheaper: parse-latin's plugins splice a paragraph's list of
 * sentences, and the text given to retext is one paragraph (blocks are joined by a space), so a
 * pass costs more than linearly in its length, and its tree (about five objects per word, with
 * their places) outlived V8's young generation. Pairing 1 MB of READMEs took 2.1-2.8 s of CPU in
 * passes of 16 KB against 2.8-4.3 s in passes of 256 KB (load 12, in process).
 */
const QUOTE_PASS_CHARACTERS = 16 * 1024;
/** Quote-free text each side of a cut between two passes. */
const QUIET_CHARACTERS = 2048;

/**
 * Curly quotes for the straight ones in `text` (the same length: each quote stays one character).
 * retext-smartypants decides each quote from the tokens beside it (the one before, the two after,
 * within its sentence), but retext parses the whole text into one tree first: for a book, hundreds
 * of megabytes that all live until the pass ends. So a long text is paired in passes of at least
 * 16 KB (QUOTE_PASS_CHARACTERS), each cut at the start of a block (`blockStarts`, offsets just after the space that
 * stands for a block break) with no quote within 2,048 characters on either side, so that no
 * quote's neighbours or sentence change. A pass is a pure function of its text and the quote
 * marks: with `memo`, a pass over a text paired before (in an earlier build of a watch session:
 * an edit changes one pass of a long text) is taken from there.
 */
export function pairQuotes(text: string, options: SmartypantsOptions, blockStarts: number[], memo?: QuoteMemo): string {
  const quote = /["']/;
  if (!quote.test(text)) return text;
  let parser: { parse(text: string): unknown } | undefined;
  let transform: ((tree: unknown) => void) | undefined;
  const run = (part: string) => {
    parser ??= retext();
    // The plugin's transformer alone, on retext's tree: no unified run, no serialisation of the tree.
    transform ??= (retextSmartypants as (options: SmartypantsOptions) => (tree: unknown) => void)({ ...options, ellipses: false, dashes: false, backticks: false });
    const quoted = quotedSentences(parser.parse(part) as NlcstParent, part);
    transform(quoted);
    return withChangedMarks(part, quoted);
  };
  const marks = JSON.stringify([options.openingQuotes, options.closingQuotes]);
  const pass = (part: string) => {
    if (!quote.test(part)) return part;
    if (!memo) return run(part);
    const key = createHash('sha256').update(marks).update('\0').update(part).digest('base64');
    const known = memo.get(key);
    if (known !== undefined) return known;
    const paired = run(part);
    memo.set(key, paired);
    return paired;
  };
  // Passes are cut where they change nothing, short enough that an edit in a watch session pairs little again.
  if (text.length <= QUOTE_PASS_CHARACTERS) return pass(text);
  const quotes = /["']/g;
  let result = '';
  let start = 0;
  for (const cut of blockStarts) {
    if (cut - start < QUOTE_PASS_CHARACTERS || cut + QUIET_CHARACTERS >= text.length) continue;
    quotes.lastIndex = cut - QUIET_CHARACTERS;
    const near = quotes.exec(text);
    if (near && near.index < cut + QUIET_CHARACTERS) continue;
    result += pass(text.slice(start, cut));
    start = cut;
  }
  return result + pass(text.slice(start));
}

/** A node of retext's tree (nlcst): a leaf with a value, or a parent. */
interface NlcstNode {
  type: string;
  value?: string;
  children?: NlcstNode[];
  position?: { start: { offset?: number }; end: { offset?: number } };
}
type NlcstParent = NlcstNode & { children: NlcstNode[] };

/**
 * The sentences of retext's tree that hold a straight quote, under copies of their paragraphs and
 * root. The quote pass changes a `"` or `'` leaf only, deciding from its siblings alone (the node
 * before it, the two after it), so a sentence without one keeps every mark, and the plugin's walk
 * over these alone changes the same leaves as over the whole tree (where most of a README's
 * sentences hold no quote; the walk was a third of pairing the 1 MB corpus's quotes). A paragraph or
 * the root with a quote among its own children is kept whole. The leaves are the tree's own.
 */
export function quotedSentences(tree: NlcstParent, text: string): NlcstParent {
  const quotes: number[] = [];
  for (const match of text.matchAll(/["']/g)) quotes.push(match.index);
  let next = 0;
  // Nodes are asked in the order of the text, so one pointer runs along the quotes.
  const holdsQuote = (node: NlcstNode): boolean => {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    if (start === undefined || end === undefined) return true;
    while (next < quotes.length && quotes[next]! < start) next++;
    return next < quotes.length && quotes[next]! < end;
  };
  const isQuote = (node: NlcstNode) => !node.children && (node.value === '"' || node.value === "'");
  const prune = (parent: NlcstParent, inParagraph: boolean): NlcstParent => {
    if (parent.children.some(isQuote)) return parent;
    const children: NlcstNode[] = [];
    for (const child of parent.children) {
      if (!child.children) continue;
      if (!inParagraph && child.type === 'ParagraphNode') {
        const kept = prune(child as NlcstParent, true);
        if (kept.children.length > 0) children.push(kept);
      } else if (holdsQuote(child)) children.push(child);
    }
    return { ...parent, children };
  };
  return prune(tree, false);
}

/**
 * `text` with the marks retext-smartypants changed in its tree put back at their places. The
 * quote pass changes punctuation and symbol leaves' values and never adds or drops a node, so
 * a leaf whose value is not its own stretch of `text` is a changed mark; every other character
 * stays as it was, which is what serialising the whole tree would give.
 */
function withChangedMarks(text: string, tree: NlcstParent): string {
  let result = '';
  let last = 0;
  const walk = (parent: NlcstParent) => {
    for (const node of parent.children) {
      if (node.children) walk(node as NlcstParent);
      else if ((node.type === 'PunctuationNode' || node.type === 'SymbolNode') && node.value !== undefined) {
        const start = node.position?.start.offset;
        const end = node.position?.end.offset;
        if (start === undefined || end === undefined || start < last) throw new Error('a quote mark without its place in the text');
        if (text.slice(start, end) === node.value) continue;
        result += text.slice(last, start) + node.value;
        last = end;
      }
    }
  };
  walk(tree);
  return last === 0 ? text : result + text.slice(last);
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A line of metadata (title, subtitle) with the same punctuation as the body. */
export function smartText(value: string, lang: string): string {
  const text: Text = { type: 'text', value };
  smartPunctuation({ type: 'root', children: [{ type: 'paragraph', children: [text] }] }, lang);
  return text.value;
}

/**
 * The metadata the editions print (HTML <title> and meta, EPUB dc:title/dc:creator, PDF Info,
 * title pages and bylines), with the body's punctuation, as Pandoc smartens every Markdown value
 * of its front matter. Keywords and identifiers are data, not prose: left as written. A derived
 * description is read later from the smartened body (description.ts).
 */
export function smartMetadata(meta: DocumentMeta): void {
  const smart = (value: string) => smartText(value, meta.lang);
  meta.title = smart(meta.title);
  meta.shortTitle = smart(meta.shortTitle);
  for (const key of ['subtitle', 'description', 'tocTitle', 'publisher', 'rights'] as const) {
    const value = meta[key];
    if (value !== undefined) meta[key] = smart(value);
  }
  meta.authors = meta.authors.map((author) => (author.affiliation === undefined ? { ...author, name: smart(author.name) } : { ...author, name: smart(author.name), affiliation: smart(author.affiliation) }));
  meta.editors = meta.editors.map(smart);
}
