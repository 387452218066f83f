/**
 * Knuth–Plass total-fit line breaking ("Breaking Paragraphs into Lines", 1981): boxes, glue
 * and penalties in, the break positions minimising total demerits out.
 */

export interface BoxItem {
  type: 'box';
  width: number;
}
export interface GlueItem {
  type: 'glue';
  width: number;
  stretch: number;
  shrink: number;
}
export interface PenaltyItem {
  type: 'penalty';
  width: number;
  penalty: number;
  flagged: boolean;
}
export type Item = BoxItem | GlueItem | PenaltyItem;

export const INFINITY = 10000;

export interface Break {
  /** Index of the item where the line ends (a glue or penalty), or items.length - 1. */
  position: number;
  /** Adjustment ratio of the line that ends here. */
  ratio: number;
}

interface Active {
  position: number;
  line: number;
  fitness: number;
  width: number;
  stretch: number;
  shrink: number;
  demerits: number;
  ratio: number;
  /** Hyphenated lines in a row ending with this one. */
  hyphens: number;
  previous: Active | undefined;
}

export interface BreakOptions {
  tolerance: number;
  linePenalty?: number;
  flaggedDemerits?: number;
  fitnessDemerits?: number;
  finalHyphenDemerits?: number;
  /** Most hyphenated lines in a row (a "ladder"); unlimited when absent. */
  hyphenLimit?: number;
  /** Treat hyphenation points as illegal (TeX's first pass, under \\pretolerance). */
  noHyphens?: boolean;
  /**
   * Ragged text: the least stretch of any line, as if each line ended in TeX's \\rightskip.
   * Without it a line of one word (no glue inside) has no stretch and is infinitely bad, so a
   * narrow cell's "Default level" was cut "De-" / "fault level" as readily as at its space.
   */
  lineEndStretch?: number;
}

/** Breaks for a paragraph whose items end with a forced break; undefined when no feasible set exists. */
export function knuthPlass(items: Item[], lineWidth: number, options: BreakOptions): Break[] | undefined {
  // TeX's plain defaults: \doublehyphendemerits 10000, \finalhyphendemerits 5000, \adjdemerits 10000.
  const { tolerance, linePenalty = 10, flaggedDemerits = 10000, finalHyphenDemerits = 5000, fitnessDemerits = 10000, hyphenLimit, noHyphens = false, lineEndStretch = 0 } = options;
  // One best node per fitness class and, under a ladder limit, per count of hyphens in a row.
  const runs = hyphenLimit === undefined ? 1 : hyphenLimit + 1;
  let sumWidth = 0;
  let sumStretch = 0;
  let sumShrink = 0;
  let actives: Active[] = [{ position: 0, line: 0, fitness: 1, width: 0, stretch: 0, shrink: 0, demerits: 0, ratio: 0, hyphens: 0, previous: undefined }];

  // Totals from the start up to the first box after a break at `index` (what the next line starts with).
  const after = (index: number) => {
    let width = sumWidth;
    let stretch = sumStretch;
    let shrink = sumShrink;
    for (let i = index; i < items.length; i++) {
      const item = items[i]!;
      if (item.type === 'glue') {
        width += item.width;
        stretch += item.stretch;
        shrink += item.shrink;
      } else if (item.type === 'box' || (item.type === 'penalty' && item.penalty === -INFINITY && i > index)) break;
    }
    return { width, stretch, shrink };
  };

  for (let index = 0; index < items.length; index++) {
    const item = items[index]!;
    const legal =
      (item.type === 'penalty' && item.penalty < INFINITY && !(noHyphens && item.flagged)) || (item.type === 'glue' && index > 0 && items[index - 1]!.type === 'box');
    if (legal) {
      const penalty = item.type === 'penalty' ? item : undefined;
      const candidates: (Active | undefined)[] = new Array(4 * runs).fill(undefined);
      const next: Active[] = [];
      for (const active of actives) {
        const width = sumWidth - active.width + (penalty ? penalty.width : 0);
        let ratio: number;
        if (width < lineWidth) {
          const stretch = Math.max(sumStretch - active.stretch, lineEndStretch);
          ratio = stretch > 0 ? (lineWidth - width) / stretch : INFINITY;
        } else if (width > lineWidth) {
          const shrink = sumShrink - active.shrink;
          ratio = shrink > 0 ? (lineWidth - width) / shrink : -INFINITY;
        } else ratio = 0;
        const forced = penalty !== undefined && penalty.penalty <= -INFINITY;
        // An active node that is already overfull, or is passed by a forced break, can reach no further.
        if (ratio >= -1 && !forced) next.push(active);
        const hyphens = penalty?.flagged ? active.hyphens + 1 : 0;
        if (ratio >= -1 && ratio <= tolerance && (hyphenLimit === undefined || hyphens <= hyphenLimit)) {
          const badness = 100 * Math.abs(ratio) ** 3;
          let demerits: number;
          const p = penalty?.penalty ?? 0;
          if (p >= 0) demerits = (linePenalty + badness) ** 2 + p * p;
          else if (p > -INFINITY) demerits = (linePenalty + badness) ** 2 - p * p;
          else demerits = (linePenalty + badness) ** 2;
          const previousItem = items[active.position];
          if (penalty?.flagged && previousItem?.type === 'penalty' && previousItem.flagged) demerits += flaggedDemerits;
          // No hyphen on the second-last line of a paragraph.
          if (index === items.length - 1 && previousItem?.type === 'penalty' && previousItem.flagged) demerits += finalHyphenDemerits;
          const fitness = ratio < -0.5 ? 0 : ratio <= 0.5 ? 1 : ratio <= 1 ? 2 : 3;
          if (Math.abs(fitness - active.fitness) > 1) demerits += fitnessDemerits;
          demerits += active.demerits;
          const slot = fitness * runs + (hyphenLimit === undefined ? 0 : hyphens);
          const best = candidates[slot];
          if (!best || demerits < best.demerits) {
            candidates[slot] = { position: index, line: active.line + 1, fitness, width: 0, stretch: 0, shrink: 0, demerits, ratio, hyphens, previous: active };
          }
        }
      }
      actives = next;
      const totals = after(index);
      for (const candidate of candidates) {
        if (!candidate) continue;
        candidate.width = totals.width;
        candidate.stretch = totals.stretch;
        candidate.shrink = totals.shrink;
        actives.push(candidate);
      }
      if (actives.length === 0) return undefined;
    }
    if (item.type === 'box') sumWidth += item.width;
    else if (item.type === 'glue') {
      sumWidth += item.width;
      sumStretch += item.stretch;
      sumShrink += item.shrink;
    }
  }

  // The paragraph ends with a forced break: the best node that broke there wins.
  let best: Active | undefined;
  for (const active of actives) if (active.position === items.length - 1 && (!best || active.demerits < best.demerits)) best = active;
  if (!best) return undefined;
  const breaks: Break[] = [];
  for (let node: Active | undefined = best; node?.previous; node = node.previous) breaks.push({ position: node.position, ratio: node.ratio });
  return breaks.reverse();
}

/**
 * First fit, never overfull where any break allows it: the last resort when no total-fit
 * solution exists within any tolerance (boxes wider than the line).
 */
export function firstFit(items: Item[], lineWidth: number): Break[] {
  const breaks: Break[] = [];
  let width = 0;
  let lastLegal = -1;
  let start = 0;
  for (let index = 0; index < items.length; index++) {
    const item = items[index]!;
    const legal = (item.type === 'penalty' && item.penalty < INFINITY) || (item.type === 'glue' && index > start && items[index - 1]!.type === 'box');
    if (item.type === 'penalty' && item.penalty <= -INFINITY) {
      breaks.push({ position: index, ratio: 0 });
      width = 0;
      lastLegal = -1;
      start = index + 1;
      continue;
    }
    if (legal && width + (item.type === 'penalty' ? item.width : 0) <= lineWidth) lastLegal = index;
    // A line already overfull with no break before: it ends at the first break there is, so one
    // unbreakable word wider than the line overruns that line only, not the rest of the paragraph.
    else if (legal && lastLegal < start) lastLegal = index;
    if (item.type !== 'penalty') width += item.width;
    if (width > lineWidth && lastLegal >= start) {
      breaks.push({ position: lastLegal, ratio: 0 });
      start = lastLegal + 1;
      while (start < items.length && items[start]!.type !== 'box') start++;
      index = start - 1;
      width = 0;
      lastLegal = -1;
    }
  }
  if (breaks.at(-1)?.position !== items.length - 1) breaks.push({ position: items.length - 1, ratio: 0 });
  return breaks;
}
