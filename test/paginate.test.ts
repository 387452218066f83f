import { describe, expect, it } from 'vitest';
import type { Box } from '../pipeline/writers/pdf/boxes.ts';
import { paginate, type Page } from '../pipeline/writers/pdf/paginate.ts';

const geometry = { height: 100, separator: 4, gap: 2, maxNoteFraction: 0.5 };
const none = new Map();
const line = (name: string): Box => ({ height: 10, ops: [], notes: [], keep: false, dests: [name] });
/** A one-line heading, kept with what follows, as handlers/heading.ts makes it. */
const heading = (name: string): Box => ({ height: 8, ops: [], notes: [], keep: true, dests: [name], outline: { title: name, depth: 3 }, struct: { tag: 'H3' } });
/** A box kept with the next that is no heading (a picture kept with its caption). */
const kept = (name: string): Box => ({ height: 8, ops: [], notes: [], keep: true, dests: [name] });
const names = (pages: Page[]) => pages.map((page) => page.body.flatMap(({ box }) => box.dests ?? []));

describe('pagination of boxes kept with what follows', () => {
  const text = ['a', 'b', 'c', 'd', 'e', 'f'].map(line);

  it('keeps a heading with the lines after it', () => {
    const pages = paginate([...text, line('g'), line('h'), line('i'), heading('H'), line('j'), line('k')], none, geometry);
    expect(names(pages)).toEqual([['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'], ['H', 'j', 'k']]);
  });

  it('parts a run of headings (a list of options, one heading each) rather than leave over a fifth of the page empty', () => {
    const headings = ['H1', 'H2', 'H3', 'H4', 'H5', 'H6', 'H7', 'H8'].map(heading);
    const pages = paginate([...text, ...headings, line('x')], none, geometry);
    // 60 of 100 taken; the run of eight (64) and its line cannot all follow: four headings go on this page.
    expect(names(pages)).toEqual([
      ['a', 'b', 'c', 'd', 'e', 'f', 'H1', 'H2', 'H3', 'H4'],
      ['H5', 'H6', 'H7', 'H8', 'x'],
    ]);
  });

  it('keeps a short run of headings whole (at most a fifth of the page given up)', () => {
    const pages = paginate([...text, line('g'), line('h'), ...['H1', 'H2'].map(heading), line('x'), line('y')], none, geometry);
    expect(names(pages)).toEqual([['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], ['H1', 'H2', 'x', 'y']]);
  });

  it('never parts a long kept run that holds no two headings in a row', () => {
    const run = ['K1', 'K2', 'K3', 'K4', 'K5', 'K6', 'K7', 'K8'].map(kept);
    const pages = paginate([...text, ...run, line('x')], none, geometry);
    expect(names(pages)).toEqual([['a', 'b', 'c', 'd', 'e', 'f'], ['K1', 'K2', 'K3', 'K4', 'K5', 'K6', 'K7', 'K8', 'x']]);
  });
});
