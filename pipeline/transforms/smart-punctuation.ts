import type { Link, Root, Text } from 'mdast';
import remarkSmartypants from 'remark-smartypants';
import { visit } from 'unist-util-visit';

/**
 * Smart punctuation by language (Pandoc's `smart` extension): curly quotes as the document's
 * language writes them, `--` an en dash, `---` an em dash, `...` an ellipsis. remark-smartypants
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

export function smartPunctuation(tree: Root, lang: string): void {
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
  const transform = remarkSmartypants.call(undefined as never, {
    openingQuotes: { double: quotes.double[0], single: quotes.single[0] },
    closingQuotes: { double: quotes.double[1], single: quotes.single[1] },
    dashes: 'oldschool',
    backticks: false,
  }) as unknown as (tree: Root) => void;
  transform(tree);
  for (const node of urls) (node as { type: string }).type = 'text';

  const close = quotes.single[1];
  // An apostrophe is a closing single quote to SmartyPants: right for English, wrong where the
  // closing quote is another mark (German ‘, French ›, Russian “): it's, l'homme, Peter’s.
  const apostrophe = close === '’' ? undefined : new RegExp(`(?<=\\p{L})${escapeRegExp(close)}(?=\\p{L})`, 'gu');
  const skip = new Set(urls);
  // A closing mark with no opening one before it in its block is an apostrophe too (Hans' Idee).
  const [open] = quotes.single;
  for (const block of tree.children) {
    let opened = 0;
    visit(block, 'text', (node: Text) => {
      if (!apostrophe || skip.has(node)) return;
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

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A line of metadata (title, subtitle) with the same punctuation as the body. */
export function smartText(value: string, lang: string): string {
  const text: Text = { type: 'text', value };
  smartPunctuation({ type: 'root', children: [{ type: 'paragraph', children: [text] }] }, lang);
  return text.value;
}
