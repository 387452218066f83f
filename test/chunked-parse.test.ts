import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { VFile } from 'vfile';
import { visit } from 'unist-util-visit';
import { describe, expect, it } from 'vitest';
import { cutPoints, parseDocumentText } from '../pipeline/parse/chunked-parse.ts';
import { parse } from '../pipeline/parse/parse.ts';
import { createSharedResources } from '../pipeline/build/resources.ts';
import type { TreeStore } from '../pipeline/types.ts';
import { fixturesDir } from './helpers.ts';

// Cut before every eligible heading, so that each case exercises as many pieces as it can.
const everywhere = { minBytes: 0, pieceBytes: 1 };
const whole = (text: string) => parse(new VFile({ value: text }));
const pieces = (text: string) => parseDocumentText(new VFile({ value: text }), everywhere);

describe('parsing a large document in pieces', () => {
  it('gives the tree of a whole parse for every fixture, joined into one long text', () => {
    const texts: string[] = [];
    const corpus: string[] = [];
    for (const entry of readdirSync(fixturesDir)) {
      for (const name of readdirSync(join(fixturesDir, entry))) {
        const path = join(fixturesDir, entry, name);
        if (name.endsWith('.md') && statSync(path).size < 2_000_000) (entry === 'readme-corpus' ? corpus : texts).push(readFileSync(path, 'utf8'));
      }
    }
    for (const text of [...texts, ...corpus]) expect(pieces(text)).toEqual(whole(text));
    // Every piece of a joined text is parsed with stand-ins for the other pieces' labels: the
    // hundred READMEs of the corpus (each compared above) would make it several times slower.
    const joined = texts.map((text) => text.replace(/^---\n[\s\S]*?\n---\n/, '')).join('\n\n# Next fixture\n\n');
    expect(cutPoints(joined, 1).length).toBeGreaterThan(20);
    expect(pieces(joined)).toEqual(whole(joined));
  });

  it('never cuts inside an open fence or raw HTML block, and resolves references across pieces', () => {
    const cases = [
      // A fence left open runs to the end: the heading inside it is code.
      'Intro\n\n```js\nlet a;\n\n# not a heading\n\nstill code\n',
      // Closed with a longer fence of the same kind only.
      '````\n```\n\n# code\n\n````\n\n# Heading\n\nText\n',
      // An HTML comment spans blank lines and a heading line.
      'Intro\n\n<!--\n\n# hidden\n\n-->\n\n# Shown\n\nText\n',
      '<pre>\n\n# in pre\n\n</pre>\n\n# After\n',
      // References to definitions in later and earlier pieces, links and footnotes, in lists and quotes.
      '# One\n\nSee [the site][site], [Case][CASE  label] and a note[^n].\n\n# Two\n\n- [site]: https://example.org\n\n> [case label]: /x "Title"\n\n# Three\n\n[^n]: The note, with [site].\n',
      // A definition-like line inside code must not make a reference elsewhere.
      '# One\n\n[ghost] and [ghost][] stay text.\n\n# Two\n\n```\n[ghost]: /nowhere\n```\n',
      // A label over two lines, defined in another piece.
      '# One\n\n[two\nwords] is a reference.\n\n# Two\n\n[two\nwords]: /x\n',
      // Front matter, a heading right after it, and CRLF line ends.
      '---\ntitle: T\n---\n\n# First\n\nText\n\n# Second\n',
      '# A\r\n\r\nText\r\n\r\n# B\r\n\r\nMore [a]\r\n\r\n# C\r\n\r\n[a]: /a\r\n',
      'Old\rMac\r\r# line ends\r',
      // Lists and quotes are closed by a heading at column 1.
      '- item\n\n  ```\n  code\n\n# Heading\n\n```\nreal fence\n\n# inside\n```\n',
      '> quote\n> ```\n> code\n\n# Heading\n',
      'No final newline\n\n# Last',
      // Found by the random documents: indented code reads the line after it as interrupting (an
      // item numbered 2 is text); a piece opening with `---` must not read as front matter (an
      // unclosed one stops every container); an item's end depends on the next item's marker.
      '3) alpha\nTerm\n\n:   alpha\n\n    more\n\n2. alpha\n+ alpha\n\n  alpha\n',
      '---\n-\n\n\n1. alpha\n   continued\n$$\n',
      '2. alpha\n\n\n---\n- [ ] alpha\n',
      '- Term alpha\n  : alpha\n\n\n-\n[alpha]: /a\n',
      // A piece that seems to define a label it cites, but only in code, while another piece
      // defines it: the piece gets its stand-in after all.
      '# One\n\n[^x]: The note.\n\n# Two\n\nA note[^x] and [y].\n\n```\n[^x]: not a note\n[y]: /not\n```\n\n# Three\n\n[y]: /y\n',
    ];
    for (const text of cases) expect(pieces(text), text).toEqual(whole(text));
  });

  it('remembers in a store the pieces it could not parse alone: an edit at the end parses only the last piece again', () => {
    const text = [
      '# One\n\nSee [site] and a note[^n].',
      // A fence and a comment that run across cuts: the piece is parsed again with the next ones.
      '```\ncode\n\n# not a heading\n\nstill code\n```',
      '<!--\n\n# hidden\n\n-->',
      // Seems to define the label it cites, but only in code: parsed again with a stand-in.
      '# Two\n\nA note[^x] and [y].\n\n```\n[^x]: not a note\n[y]: /not\n```',
      '# Three\n\n[^x]: The note.\n\n[y]: /y\n\n[site]: https://example.org\n\n[^n]: The note, with [site].',
      'Last paragraph.\n',
    ].join('\n\n');
    const session = createSharedResources({ treeMemoryBytes: 16 * 1024 * 1024 });
    const store = session.trees()!;
    const counts = { misses: 0, failed: 0 };
    const counting: TreeStore = {
      get: (key) => store.get(key) ?? void counts.misses++,
      set: (key, tree) => {
        if (tree.data?.pieceFailed) counts.failed++;
        store.set(key, tree);
      },
    };
    expect(parseDocumentText(new VFile({ value: text }), everywhere, counting)).toEqual(whole(text));
    expect(counts.failed).toBeGreaterThanOrEqual(3);
    counts.misses = 0;
    const edited = `${text}One more line.\n`;
    expect(parseDocumentText(new VFile({ value: edited }), everywhere, counting)).toEqual(whole(edited));
    // The whole text's key, and the last piece.
    expect(counts.misses).toBe(2);
  });

  it('matches a whole parse on random documents (fast-check, fixed seed)', () => {
    const word = fc.constantFrom('alpha', 'beta', 'Gamma', 'delta', '*em*', '**strong**', '`code`', '[alpha]', '[Beta][]', '[x][alpha]', '[^n1]', '[^N2]', '<span>', '</span>', '\\[', 'http://a.b');
    const paragraph = fc.array(word, { minLength: 1, maxLength: 12 }).map((words) => words.join(' '));
    const block = fc.oneof(
      paragraph,
      fc.constantFrom('# Heading', '## Sub heading', '#NoSpace', '#'),
      fc.constantFrom('```', '~~~', '````', '```js'),
      fc.constantFrom('<!--', '-->', '<pre>', '</pre>', '<div>', '</div>'),
      fc.constantFrom('[alpha]: /a', '[beta]: /b "t"', '- [Gamma]: /g', '> [x]: /x', '[^n1]: Note one.', '[^n2]: Note two with [alpha].', '    [delta]: /indented-code'),
      paragraph.map((text) => `- ${text}`),
      paragraph.map((text) => `> ${text}`),
      paragraph.map((text) => `1. ${text}\n   continued`),
      fc.constant('| a | b |\n|---|---|\n| 1 | 2 |'),
      // Containers that a cut may fall between: definitions, alerts, lists with other markers,
      // containers inside containers.
      paragraph.map((text) => `Term ${text}\n: ${text}`),
      paragraph.map((text) => `Term\n\n:   ${text}\n\n    more`),
      fc.constantFrom(': stray description', '~ tilde', '    : indented', '* * *', '---', '2024 was a year', '-not an item'),
      paragraph.map((text) => `> [!NOTE]\n> ${text}`),
      paragraph.map((text) => `* ${text}`),
      paragraph.map((text) => `+ ${text}\n\n  ${text}`),
      paragraph.map((text) => `3) ${text}`),
      paragraph.map((text) => `2. ${text}`),
      paragraph.map((text) => `- Term ${text}\n  : ${text}`),
      paragraph.map((text) => `> - > ${text}`),
      paragraph.map((text) => `- [ ] ${text}`),
      paragraph.map((text) => `- ${text}\n\n      indented code`),
      fc.constantFrom('    indented code', '-', '2.', '<custom-element>', '| a |\n|---|'),
      paragraph.map((text) => `[^n1]: ${text}\n\n    ${text}`),
      fc.constantFrom('$$', '$$\nx^2\n$$', '<details>', '</details>'),
    );
    const document = fc.array(fc.tuple(block, fc.constantFrom('\n', '\n\n', '\n\n\n')), { minLength: 1, maxLength: 40 }).map((parts) => parts.map(([text, gap]) => text + gap).join(''));
    fc.assert(
      fc.property(document, (text) => {
        expect(pieces(text)).toEqual(whole(text));
      }),
      { seed: 20261128, numRuns: 300 },
    );
  });

  // Texts dense with containers are cut every few hundred container lines, whatever their size:
  // micromark copies its event list each time a container closes, so one whole parse is quadratic.
  const containerDense: Record<string, (i: number) => string> = {
    quotes: (i) => `> quote ${i}\n\n`,
    alerts: (i) => `> [!NOTE]\n> alert ${i}\n\n`,
    'loose definitions': (i) => `Term ${i}\n: Definition ${i}\n\n`,
    'lists between paragraphs': (i) => `- item ${i}\n\nparagraph ${i}\n\n`,
    'one loose list': (i) => `- item ${i}\n\n  > quoted ${i}\n\n`,
    'definitions in a list': (i) => `- Term ${i}\n  : Definition ${i}\n\n`,
    'footnote definitions between paragraphs': (i) => `[^n${i}]: note ${i}\n\nparagraph ${i}[^n${i}]\n\n`,
    'nested containers': (i) => `> - > item ${i}\n\n`,
    'ordered lists, two delimiters': (i) => `${i}${i % 3 === 0 ? ')' : '.'} item ${i}\n\n`,
  };
  const repeat = (make: (i: number) => string, count: number) => Array.from({ length: count }, (_, i) => make(i + 1)).join('');

  it.each(Object.entries(containerDense))('cuts %s into pieces that give the tree of a whole parse', (_, make) => {
    // 300 blocks: two or more pieces by default, six or more at 50 container lines a piece,
    // and with cuts everywhere (each piece costs a parser's set-up) 40 blocks, a piece each.
    const text = repeat(make, 300);
    expect(cutPoints(text, Number.POSITIVE_INFINITY).length).toBeGreaterThanOrEqual(1);
    const expected = whole(text);
    expect(parseDocumentText(new VFile({ value: text }))).toEqual(expected);
    expect(parseDocumentText(new VFile({ value: text }), { minBytes: 0, pieceBytes: Number.POSITIVE_INFINITY, pieceContainers: 50 })).toEqual(expected);
    const short = repeat(make, 40);
    expect(pieces(short)).toEqual(whole(short));
  });

  it('keeps the work per piece bounded on texts dense with containers (10,000 quotes, 5,000 definitions)', () => {
    // The bound is on work, not time: no piece holds more than a few hundred container lines, so
    // the quadratic part of a parse stays per piece, and the whole is linear in the text. (A whole
    // parse of these took 23 s and 9 s of CPU; bench-size inputs are measured outside the tests.)
    for (const [make, count] of [
      [containerDense.quotes!, 10_000],
      [containerDense['loose definitions']!, 5_000],
    ] as const) {
      const text = repeat(make, count);
      const bounds = [0, ...cutPoints(text, 128 * 1024), text.length];
      const containerLines = bounds.slice(1).map((end, index) => text.slice(bounds[index], end).match(/^[>:]/gm)?.length ?? 0);
      expect(Math.max(...containerLines)).toBeLessThanOrEqual(260);
      const tree = parseDocumentText(new VFile({ value: text }));
      // Every block is there, in order, with its position in the whole text.
      const texts: string[] = [];
      visit(tree, 'text', (node) => {
        texts.push(node.value);
      });
      const last = make(count).trim().split('\n').at(-1)?.replace(/^[>:] /, '');
      expect(texts.at(-1)).toBe(last);
      expect(tree.position?.end.offset).toBe(text.length);
      if (make === containerDense.quotes) {
        expect(tree.children.length).toBe(count);
        expect(tree.children.at(-1)?.position?.start.line).toBe(2 * count - 1);
      } else {
        // One list of all the terms and descriptions, as a whole parse gives.
        expect(tree.children.length).toBe(1);
        const list = tree.children[0];
        expect(list?.type === 'defList' ? list.children.length : 0).toBe(2 * count);
        expect(list?.type === 'defList' ? list.children.at(-1)?.position?.start.line : 0).toBe(3 * count - 1);
      }
    }
  });
});
