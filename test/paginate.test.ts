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

describe('pagination of floats', () => {
  /** A float of one box (a picture with its caption), and the paragraph space after it. */
  const float = (name: string, height: number): Box => ({ height, ops: [], notes: [], keep: false, dests: [name], float: name });
  const space = (): Box => ({ height: 2, ops: [], notes: [], keep: false, space: true });
  const lines = (prefix: string, count: number) => Array.from({ length: count }, (_, index) => line(`${prefix}${index + 1}`));

  it('lets no float pass one placed above it: two floats in a row that do not fit below the first wait together', () => {
    const body = [...lines('a', 4), space(), float('F1', 30), space(), float('F2', 30), space(), float('F3', 30), space(), ...lines('b', 8)];
    const pages = names(paginate(body, none, geometry));
    expect(pages.flat().filter((name) => name.startsWith('F'))).toEqual(['F1', 'F2', 'F3']);
    // The text after them fills the first page; they open the second.
    expect(pages[0]).toEqual(['a1', 'a2', 'a3', 'a4', 'F1', 'b1', 'b2']);
    expect(pages[1]!.slice(0, 2)).toEqual(['F2', 'F3']);
  });

  it('sets a float that goes to the top of its page below the float already waiting there', () => {
    // F1 waits for the second page (the text after it fills the first); there F2, followed at
    // once by F3, does not fit at the foot and goes up the page, but not above F1.
    const body = [...lines('a', 8), space(), float('F1', 40), space(), ...lines('b', 4), space(), float('F2', 45), space(), float('F3', 20), space(), ...lines('c', 12)];
    const pages = names(paginate(body, none, geometry));
    expect(pages.flat().filter((name) => name.startsWith('F'))).toEqual(['F1', 'F2', 'F3']);
  });
});
