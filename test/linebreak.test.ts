import { describe, expect, it } from 'vitest';
import { firstFit, INFINITY, type Item, knuthPlass } from '../pipeline/writers/pdf/linebreak.ts';

/**
 * Knuth–Plass on made-up paragraphs: words of random widths, long ones with hyphenation points,
 * TeX's glue proportions. A seeded generator keeps the cases the same from run to run.
 */
function paragraphs(count: number): Item[][] {
  let seed = 13;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const out: Item[][] = [];
  for (let n = 0; n < count; n++) {
    const items: Item[] = [];
    const words = 40 + Math.floor(random() * 60);
    for (let w = 0; w < words; w++) {
      if (w > 0) items.push({ type: 'glue', width: 3, stretch: 1.8, shrink: 0.9 });
      const syllables = random() < 0.45 ? 2 + Math.floor(random() * 3) : 1;
      for (let s = 0; s < syllables; s++) {
        if (s > 0) items.push({ type: 'penalty', width: 3.4, penalty: 50, flagged: true });
        items.push({ type: 'box', width: 8 + random() * 14 });
      }
    }
    items.push({ type: 'glue', width: 0, stretch: INFINITY * 10, shrink: 0 }, { type: 'penalty', width: 0, penalty: -INFINITY, flagged: false });
    out.push(items);
  }
  return out;
}

/** Demerits are not returned: the longest run of lines ending at a flagged break is what counts. */
function longestLadder(items: Item[], breaks: { position: number }[]): number {
  let run = 0;
  let longest = 0;
  for (const { position } of breaks) {
    const item = items[position];
    run = item?.type === 'penalty' && item.flagged ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

describe('knuthPlass', () => {
  const cases = paragraphs(150);

  it('left alone, sets ladders of hyphens that TeX’s demerits do not prevent', () => {
    const ladders = cases.map((items) => longestLadder(items, knuthPlass(items, 350, { tolerance: 1.5 }) ?? []));
    expect(Math.max(...ladders)).toBeGreaterThan(2);
  });

  it('with a hyphen limit, never sets more hyphenated lines in a row, and still hyphenates', () => {
    let feasible = 0;
    let hyphens = 0;
    for (const items of cases) {
      const breaks = knuthPlass(items, 350, { tolerance: 1.5, hyphenLimit: 2 });
      if (!breaks) continue;
      feasible++;
      expect(longestLadder(items, breaks)).toBeLessThanOrEqual(2);
      hyphens += breaks.filter(({ position }) => items[position]?.type === 'penalty' && (items[position] as { flagged: boolean }).flagged).length;
    }
    expect(feasible).toBe(cases.length);
    expect(hyphens).toBeGreaterThan(cases.length);
  });

  it('treats hyphenation points as no break at all on a first pass without hyphens', () => {
    for (const items of cases.slice(0, 30)) {
      const breaks = knuthPlass(items, 350, { tolerance: 4, noHyphens: true });
      if (breaks) expect(longestLadder(items, breaks)).toBe(0);
    }
  });
});

describe('firstFit', () => {
  const word = (width: number): Item => ({ type: 'box', width });
  const space: Item = { type: 'glue', width: 3, stretch: 1.8, shrink: 0 };
  const end: Item[] = [{ type: 'glue', width: 0, stretch: INFINITY * 10, shrink: 0 }, { type: 'penalty', width: 0, penalty: -INFINITY, flagged: false }];

  it('gives a word wider than the line a line of its own, and breaks the words after it as usual', () => {
    // "non-`undefined`", two boxes with no break between them, then eight short words, in 60 points
    // (tapable's README, a table cell): the rest of the cell used to follow on the overfull line.
    const items: Item[] = [word(30), word(45), ...Array.from({ length: 8 }, () => [space, word(20)]).flat(), ...end];
    const breaks = firstFit(items, 60);
    const lines: number[] = [];
    let start = 0;
    for (const { position } of breaks) {
      lines.push(items.slice(start, position).reduce((sum, item) => sum + (item.type === 'penalty' ? 0 : item.width), 0));
      start = position + 1;
    }
    expect(lines[0]).toBe(75);
    expect(lines.slice(1).every((width) => width <= 60)).toBe(true);
    expect(breaks.length).toBe(5);
  });

  it('breaks ragged text at a space rather than inside a word when a line holds one word (clippy’s "Default level" header)', () => {
    // "De-fault level" in a column 70 points wide: "Default" then "level", or "De-" then
    // "fault level". Both first lines hold one word and no glue: without a line-end stretch
    // each is infinitely bad, and the first break found (the hyphen) won.
    const ragged: Item = { type: 'glue', width: 4, stretch: 21, shrink: 0 };
    const items: Item[] = [word(14), { type: 'penalty', width: 4, penalty: 300, flagged: true }, word(36), ragged, word(26), ...end];
    for (const tolerance of [1.5, 4, INFINITY]) {
      const breaks = knuthPlass(items, 70, { tolerance, lineEndStretch: 21 })!;
      expect(breaks.map(({ position }) => items[position]?.type)).toEqual(['glue', 'penalty']);
    }
  });
});
