import type { Element, Root as HastRoot, RootContent } from 'hast';
import { toString as hastToString } from 'hast-util-to-string';

/**
 * Writing direction in the HTML and EPUB editions. Browsers and reading systems run the
 * Unicode bidi algorithm inside a block, but a block's own direction (which side it starts
 * from, where its punctuation goes) must be said with `dir`. Pandoc takes it from the author;
 * here a block the author gave none gets the direction of its first strong letter, when that
 * differs from the one it inherits (HTML's `dir="auto"` rule, written out so every reader
 * agrees).
 */

export type Direction = 'ltr' | 'rtl';

/** Languages written right to left (BCP 47 primary subtags), and Arabic-script tags of others. */
const RIGHT_TO_LEFT_LANGUAGES = new Set(['ar', 'arc', 'ckb', 'dv', 'fa', 'ha-arab', 'he', 'iw', 'khw', 'ks', 'ku-arab', 'ps', 'sd', 'syr', 'ug', 'ur', 'yi']);

export function languageDirection(lang: string): Direction {
  const tag = lang.toLowerCase();
  if (/-(arab|hebr|syrc|thaa|nkoo|adlm|rohg)\b/.test(tag)) return 'rtl';
  return RIGHT_TO_LEFT_LANGUAGES.has(tag.split('-')[0]!) ? 'rtl' : 'ltr';
}

const LETTER = /\p{L}/u;
const RIGHT_TO_LEFT_LETTER = /[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}\p{Script=Samaritan}\p{Script=Mandaic}\p{Script=Adlam}\p{Script=Hanifi_Rohingya}]/u;
const ANY_RIGHT_TO_LEFT = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]|\ud802[\udc00-\udfff]|\ud803[\udc00-\udfff]|\ud83a[\udc00-\udfff]/;

/** The direction of the first strong letter (digits and punctuation are weak or neutral), if any. */
export function textDirection(text: string): Direction | undefined {
  const match = LETTER.exec(text);
  if (!match) return undefined;
  return RIGHT_TO_LEFT_LETTER.test(match[0]) ? 'rtl' : 'ltr';
}

/** Blocks whose direction their own text decides. */
const BLOCKS = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'li', 'dt', 'dd', 'td', 'th', 'caption', 'figcaption', 'summary', 'blockquote']);

/** Give `dir` to every block whose first strong letter runs against the direction around it. */
export function markDirection(tree: HastRoot, base: Direction): void {
  if (base === 'ltr' && !ANY_RIGHT_TO_LEFT.test(hastToString(tree))) return;
  for (const child of tree.children) walk(child, base);
}

function walk(node: RootContent, inherited: Direction): void {
  if (node.type !== 'element') return;
  let direction = inherited;
  const given = node.properties.dir;
  if (given === 'ltr' || given === 'rtl') direction = given;
  else if (given === undefined && BLOCKS.has(node.tagName) && !isCode(node)) {
    const own = textDirection(hastToString(node));
    if (own && own !== inherited) {
      node.properties.dir = own;
      direction = own;
    }
  }
  for (const child of node.children) walk(child, direction);
}

function isCode(node: Element): boolean {
  return node.tagName === 'pre' || node.tagName === 'code';
}
