import { createRequire } from 'node:module';
// English patterns, which almost every document needs, are imported statically, so they are in
// the CLI bundle and its code cache (bin/bundle.mjs). Others, the Russian and Greek fallbacks
// too, are required when a word first needs them: building the Russian patterns' arrays alone
// cost every PDF 70 ms at start-up.
import enUs from 'hyphen/en-us/index.js';

/** Splits a word at its permitted hyphenation points; [] when the word must not be split. */
export type Hyphenator = (word: string) => string[];

interface HyphenModule {
  hyphenateSync(text: string, options?: { hyphenChar?: string; minWordLength?: number }): string;
}

const require = createRequire(import.meta.url);
const BUNDLED: Record<string, HyphenModule> = { en: enUs, 'en-us': enUs };

/**
 * Liang patterns from the `hyphen` package for the document's language ("en" → en-us; a
 * regional tag falls back to its language). Words in another script than the document's take
 * that script's usual patterns (Cyrillic → ru, Greek → el-monoton, Latin → en-us), so the
 * Russian paragraph of a Chinese document still hyphenates. Chinese, Japanese and Korean text
 * breaks between characters instead.
 */
export function hyphenatorFor(lang: string): Hyphenator | undefined {
  const modules = new Map<string, HyphenModule | undefined>();
  const load = (tag: string): HyphenModule | undefined => {
    if (!modules.has(tag)) {
      let module: HyphenModule | undefined;
      for (const candidate of [tag, tag.split('-')[0]!]) {
        if (module || !/^[a-z]{2,3}(-[a-z0-9]+)*$/.test(candidate)) continue;
        try {
          module = BUNDLED[candidate] ?? (require(`hyphen/${candidate}`) as HyphenModule);
        } catch {
          // No patterns for this language.
        }
      }
      modules.set(tag, module);
    }
    return modules.get(tag);
  };
  const tag = lang.toLowerCase();
  const own = SCRIPT_OF_LANGUAGE[tag.split('-')[0]!] ?? 'latin';
  const cache = new Map<string, string[]>();
  return (word) => {
    let parts = cache.get(word);
    if (!parts) {
      const script = scriptOf(word);
      const module = script === undefined ? undefined : script === own ? load(tag) : load(FALLBACK[script]);
      parts = !module || word.length < 5 ? [] : module.hyphenateSync(word, { hyphenChar: '\u00ad', minWordLength: 5 }).split('\u00ad');
      // Keep at least two letters before and three after a break, as TeX's English defaults do.
      if (parts.length > 1) parts = mergeShort(parts);
      cache.set(word, parts);
    }
    return parts;
  };
}

const SCRIPT_OF_LANGUAGE: Record<string, string> = { ru: 'cyrillic', uk: 'cyrillic', be: 'cyrillic', bg: 'cyrillic', sr: 'cyrillic', mk: 'cyrillic', el: 'greek', zh: 'han', ja: 'han', ko: 'hangul' };
type HyphenatedScript = 'cyrillic' | 'greek' | 'latin';
const FALLBACK: Record<HyphenatedScript, string> = { cyrillic: 'ru', greek: 'el-monoton', latin: 'en-us' };

function scriptOf(word: string): HyphenatedScript | undefined {
  if (/\p{Script=Cyrillic}/u.test(word)) return 'cyrillic';
  if (/\p{Script=Greek}/u.test(word)) return 'greek';
  if (/\p{Script=Latin}/u.test(word)) return 'latin';
  return undefined;
}

function mergeShort(parts: string[]): string[] {
  const out = [...parts];
  while (out.length > 1 && letters(out[0]!) < 2) out.splice(0, 2, out[0]! + out[1]!);
  while (out.length > 1 && letters(out.at(-1)!) < 3) out.splice(-2, 2, out.at(-2)! + out.at(-1)!);
  return out.length > 1 ? out : [];
}

function letters(part: string): number {
  return part.replace(/[^\p{L}]/gu, '').length;
}
