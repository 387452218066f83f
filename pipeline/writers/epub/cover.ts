import type { DocumentMeta } from '../../types.ts';
import { joinNames } from '../shared/format.ts';
import { escapeXml } from '../shared/xml.ts';

/**
 * A typographic cover for books without a cover image: title, subtitle, authors and
 * publisher set on a plain ground, as SVG (text, so it stays sharp at every size and needs
 * no font or raster encoder). Lines are broken here, with a conservative width estimate:
 * SVG text does not wrap, and every line is centred, so an estimate that errs wide only
 * makes lines a little shorter.
 */
export function typographicCover(meta: DocumentMeta): string {
  const width = 1200;
  const height = 1800;
  const measure = 940;
  const top = 250;

  // The authors and publisher sit at the foot; title and subtitle share the space above.
  const bottom: string[] = [];
  const names = joinNames(meta.authors.map((author) => author.name));
  let footTop = meta.publisher ? 1600 : 1660;
  if (meta.publisher) bottom.push(textLine(wrap(meta.publisher, 36, measure)[0] ?? '', 1660, 36, 'normal', 'normal', '#c9a227'));
  if (names) {
    const authors = fit(names, measure, [56, 48, 42, 36], 3);
    const leading = Math.round(authors.size * 1.25);
    const last = meta.publisher ? 1570 : 1640;
    authors.lines.forEach((line, index) => bottom.push(textLine(line, last - (authors.lines.length - 1 - index) * leading, authors.size, 'normal')));
    footTop = last - (authors.lines.length - 1) * leading - authors.size;
  }

  // The largest title, then the largest subtitle, that fit above the foot with room to breathe.
  const room = footTop - 120 - top;
  let layout = { title: fit(meta.title, measure, [40], 6), subtitle: meta.subtitle ? fit(meta.subtitle, measure, [24], 8) : undefined };
  search: for (const titleSize of [120, 108, 96, 84, 76, 68, 60, 52, 44]) {
    const title = fit(meta.title, measure, [titleSize], 6);
    if (title.lines.length > 5 && titleSize > 44) continue;
    for (const subtitleSize of meta.subtitle ? [52, 46, 40, 36, 32, 28, 24] : [0]) {
      const subtitle = meta.subtitle ? fit(meta.subtitle, measure, [subtitleSize], 8) : undefined;
      if (blockHeight(title, subtitle) <= room) {
        layout = { title, subtitle };
        break search;
      }
    }
  }

  const lines: string[] = [];
  let y = top + layout.title.size;
  for (const line of layout.title.lines) {
    lines.push(textLine(line, y, layout.title.size, 'bold'));
    y += Math.round(layout.title.size * TITLE_LEADING);
  }
  y += RULE_GAP - Math.round(layout.title.size * TITLE_LEADING) + 40;
  lines.push(`<rect x="${width / 2 - 90}" y="${y}" width="180" height="6" fill="#c9a227"/>`);
  y += RULE_GAP;
  if (layout.subtitle) {
    y += layout.subtitle.size;
    for (const line of layout.subtitle.lines) {
      lines.push(textLine(line, y, layout.subtitle.size, 'normal', 'italic'));
      y += Math.round(layout.subtitle.size * SUBTITLE_LEADING);
    }
  }

  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" xml:lang="${escapeXml(meta.lang)}">`,
    `<title>${escapeXml(meta.title)}</title>`,
    `<rect width="${width}" height="${height}" fill="#1d2b3a"/>`,
    `<rect x="50" y="50" width="${width - 100}" height="${height - 100}" fill="none" stroke="#c9a227" stroke-width="4"/>`,
    ...lines,
    ...bottom,
    '</svg>',
    '',
  ].join('\n');
}

const TITLE_LEADING = 1.18;
const SUBTITLE_LEADING = 1.35;
const RULE_GAP = 90;

interface Block {
  size: number;
  lines: string[];
}

function blockHeight(title: Block, subtitle: Block | undefined): number {
  const titleHeight = title.size + (title.lines.length - 1) * title.size * TITLE_LEADING;
  const subtitleHeight = subtitle ? subtitle.size + (subtitle.lines.length - 1) * subtitle.size * SUBTITLE_LEADING : 0;
  return titleHeight + 40 + RULE_GAP * 2 + subtitleHeight;
}

const FONT = "Georgia, 'Noto Serif', 'Times New Roman', 'Noto Serif CJK SC', 'Songti SC', serif";

function textLine(text: string, y: number, size: number, weight: string, style = 'normal', fill = '#f7f3e8'): string {
  return `<text x="600" y="${y}" text-anchor="middle" font-family="${escapeXml(FONT)}" font-size="${size}" font-weight="${weight}" font-style="${style}" fill="${fill}">${escapeXml(text)}</text>`;
}

/**
 * The largest size at which the text fits in `maxLines`, its lines balanced (the narrowest
 * measure that still gives as few lines), so no word is left alone on the last line. At the
 * smallest size, extra lines are cut with an ellipsis.
 */
function fit(text: string, measure: number, sizes: number[], maxLines: number): Block {
  for (const size of sizes) {
    const lines = wrap(text, size, measure);
    if (lines.length <= maxLines) return { size, lines: balance(text, size, measure, lines) };
  }
  const size = sizes.at(-1)!;
  const lines = wrap(text, size, measure);
  return { size, lines: [...lines.slice(0, maxLines - 1), `${lines[maxLines - 1]}…`] };
}

function balance(text: string, size: number, measure: number, lines: string[]): string[] {
  if (lines.length < 2) return lines;
  let low = measure / 2;
  let high = measure;
  let best = lines;
  while (high - low > 4) {
    const middle = (low + high) / 2;
    const candidate = wrap(text, size, middle);
    if (candidate.length <= lines.length) {
      best = candidate;
      high = middle;
    } else {
      low = middle;
    }
  }
  return best;
}

/** Greedy line breaking: at spaces, and between any two CJK characters (which need no spaces). */
export function wrap(text: string, size: number, measure: number): string[] {
  const tokens = text.trim().split(/(\s+|[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}][、。，！？：；）」』]?)/u).filter((token) => token !== '');
  const lines: string[] = [];
  let line = '';
  for (const token of tokens) {
    const candidate = /^\s+$/.test(token) ? (line ? `${line} ` : '') : line + token;
    if (line && !/^\s+$/.test(token) && advance(candidate.trimEnd(), size) > measure) {
      lines.push(line.trimEnd());
      line = token;
    } else {
      line = candidate;
    }
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}

/** Width estimate in user units: full width for CJK, generous averages for everything else. */
function advance(text: string, size: number): number {
  let em = 0;
  for (const char of text) {
    if (/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303f\uff00-\uffef]/u.test(char)) em += 1;
    else if (char === ' ') em += 0.28;
    else if (/[A-Z\u0410-\u042f]/.test(char)) em += 0.7;
    else if (/[mwMW\u0436\u0448\u0449\u044e]/.test(char)) em += 0.8;
    else if (/[il.,;:'’!|]/.test(char)) em += 0.3;
    else em += 0.56;
  }
  return em * size;
}
