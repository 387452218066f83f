import { createRequire } from 'node:module';

/** Splits a word at its permitted hyphenation points; [] when the word must not be split. */
export type Hyphenator = (word: string) => string[];

interface HyphenModule {
  hyphenateSync(text: string, options?: { hyphenChar?: string; minWordLength?: number }): string;
}

const require = createRequire(import.meta.url);

/**
 * Liang patterns from the `hyphen` package for the document's language ("en" → en-us,
 * "ru", "de-CH" → de-ch-1901 is not guessed: we try the full tag, then its language).
 * Languages without patterns (or with none worth using, like Chinese) get no hyphenation.
 */
export function hyphenatorFor(lang: string): Hyphenator | undefined {
  const tag = lang.toLowerCase();
  const primary = tag.split('-')[0]!;
  if (primary === 'zh' || primary === 'ja' || primary === 'ko') return undefined;
  for (const candidate of [tag, primary]) {
    if (!/^[a-z]{2,3}(-[a-z0-9]+)*$/.test(candidate)) continue;
    let module: HyphenModule;
    try {
      module = require(`hyphen/${candidate}`) as HyphenModule;
    } catch {
      continue;
    }
    const cache = new Map<string, string[]>();
    return (word) => {
      let parts = cache.get(word);
      if (!parts) {
        parts = word.length < 5 ? [] : module.hyphenateSync(word, { hyphenChar: '\u00ad', minWordLength: 5 }).split('\u00ad');
        // Keep at least two letters before and three after a break, as TeX's English defaults do.
        if (parts.length > 1) parts = mergeShort(parts);
        cache.set(word, parts);
      }
      return parts;
    };
  }
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
