import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { VFile } from 'vfile';
import { describe, expect, it } from 'vitest';
import { cutPoints, parseDocumentText } from '../pipeline/parse/chunked-parse.ts';
import { parse } from '../pipeline/parse/parse.ts';
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
    ];
    for (const text of cases) expect(pieces(text), text).toEqual(whole(text));
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
    );
    const document = fc.array(fc.tuple(block, fc.constantFrom('\n', '\n\n', '\n\n\n')), { minLength: 1, maxLength: 40 }).map((parts) => parts.map(([text, gap]) => text + gap).join(''));
    fc.assert(
      fc.property(document, (text) => {
        expect(pieces(text)).toEqual(whole(text));
      }),
      { seed: 20261128, numRuns: 300 },
    );
  });
});
