import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VFile } from 'vfile';
import { compareMessage } from 'vfile-sort';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import { afterAll, describe, expect, it } from 'vitest';
import { transformBook } from '../pipeline/build/book-pass.ts';
import { renderDocument } from '../pipeline/build/document.ts';
import { createSharedResources } from '../pipeline/build/resources.ts';
import { chapterParser } from '../pipeline/build/parse-chapters.ts';
import { joinBook, readBook } from '../pipeline/read/book.ts';
import { runTransforms } from '../pipeline/transforms/index.ts';
import type { RenderContext } from '../pipeline/types.ts';

/**
 * A book transformed a chapter at a time (build/book-pass.ts) must give what the joined book
 * gives through runTransforms: the same tree, metadata, facts and messages, hence the same
 * editions. The chapters reach across each other: references to figures, equations and sections
 * in later chapters, links to headings of later chapters, notes with the same labels, inline
 * notes, headings that slug alike, raw ids that headings must step aside for, a quote at a
 * chapter's start, number-sections and footnote-numbering per chapter, a figure inside a list
 * (numbered after every top-level one), dropped raw elements inside and between blocks.
 */
const work = mkdtempSync(join(tmpdir(), 'colophon-book-pass-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const chapters: Record<string, string> = {
  'one.md': [
    '# Beginnings {#sec:start}',
    '',
    'It opens, as "books" do, with a note.[^1] See @fig:later and @eq:energy, and [the rules](two.md#rules), and [the end](three.md).',
    '',
    '![A first figure](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==){#fig:first}',
    '',
    '## Overview',
    '',
    'An inline note.^[Said in passing.] A formula $x^2$ and @sec:rules. [Up](#OVERVIEW) and [across](two.md#OverView), as GitHub finds them.',
    '',
    '#### Too deep',
    '',
    '<script>alert(1)</script>',
    '',
    '- ![A figure in a list, numbered after every top-level one](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==)',
    '',
    '<a name="overview-2"></a>',
    '',
    '[^1]: The first note.',
    '',
    '[ref]: two.md#overview',
  ].join('\n'),
  'two.md': [
    '"Quoted," she said, opening the chapter.',
    '',
    '## Overview',
    '',
    'Back to [the start](one.md#beginnings) and [the overview][ref], @fig:first, and a note.[^1] Another inline.^[Twice.]',
    '',
    '## Rules {#sec:rules}',
    '',
    '$$E = mc^2$$ {#eq:energy}',
    '',
    '![A later figure](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==){#fig:later}',
    '',
    '| a | b |',
    '|---|---|',
    '| 1 | 2 |',
    '',
    ': A table {#tbl:one}',
    '',
    '[^1]: The second chapter\'s own first note, with [a link](one.md#overview).',
    '',
    '[ref]: one.md#overview',
  ].join('\n'),
  'sub/three.md': ['<p>Raw HTML opens the chapter.</p>', '', 'A script <script>inline()</script> inside a paragraph.', '', '![A last figure](data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==)', '', '### Overview', '', 'See @tbl:one, and [outside](elsewhere.md).[^2]', '', '[^2]: A note defined.', '', '[^3]: A note never cited.'].join('\n'),
};

function writeBook(name: string, yaml: string): string {
  const folder = join(work, name);
  mkdirSync(join(folder, 'sub'), { recursive: true });
  for (const [file, text] of Object.entries(chapters)) writeFileSync(join(folder, file), `${text}\n`);
  writeFileSync(join(folder, 'book.yaml'), `${yaml}\nchapters:\n  - one.md\n  - two.md\n  - sub/three.md\n`);
  return folder;
}

const context = (root: string, allowRemote = false): RenderContext => ({ root, cwd: root, formats: ['html', 'epub', 'pdf'], epoch: 0, allowRemote });

async function bothWays(folder: string) {
  const joined = await readBook(folder, 'book', context(folder), chapterParser());
  const tree = joinBook(joined.chapters!);
  const joinedMeta = runTransforms(tree, joined.file);
  const passed = await readBook(folder, 'book', context(folder), chapterParser());
  const book = transformBook(passed.chapters!, passed.file, {}, () => true);
  // A part at a time (each chapter's body, then the tail): the last pass runs as they are read, so before the messages are.
  const parts = book ? [...book.parts()] : [];
  // The build sorts the messages (build.ts): the chapter pass reports a chapter's before the next one's.
  const message = (file: VFile) => [...file.messages].sort(compareMessage).map((entry) => `${entry.line}:${entry.column} ${entry.ruleId} ${entry.reason}`);
  return { joined: { tree, meta: joinedMeta, file: joined.file, messages: message(joined.file) }, book, parts, passed: { file: passed.file, messages: message(passed.file) } };
}

describe('a book transformed a chapter at a time', () => {
  for (const [name, yaml] of [
    ['plain', 'title: A book in three chapters'],
    ['numbered', 'title: Numbered\nnumber-sections: true\nfootnote-numbering: chapter\nlang: de'],
    ['untitled', 'lang: fr'],
  ] as const) {
    it(`gives the joined book's tree, metadata, facts and messages (${name})`, async () => {
      const { joined, book, parts, passed } = await bothWays(writeBook(name, yaml));
      expect(book).toBeDefined();
      // The joined tree's blocks.
      expect(parts).toHaveLength(book!.count + 1);
      expect(JSON.stringify({ type: 'root', children: parts.flat() })).toBe(JSON.stringify(joined.tree));
      expect(book!.meta).toEqual(joined.meta);
      expect(passed.file.data).toEqual(joined.file.data);
      expect(passed.messages).toEqual(joined.messages);
      expect(joined.messages.length).toBeGreaterThan(3);
    });
  }

  it('points a fragment at the heading it names in another case, in its own chapter or another, as GitHub does', async () => {
    const { joined } = await bothWays(writeBook('fragments', 'title: Fragments'));
    const urls: string[] = [];
    visit(joined.tree, 'link', (node) => {
      if (/^Up$|^across$/.test(toString(node))) urls.push(node.url);
    });
    expect(urls).toEqual(['#overview', '#two-overview']);
  });

  it('leaves a book with a bibliography to the joined transforms, with nothing reported twice', async () => {
    const folder = writeBook('cited', 'title: Cited\nbibliography: refs.bib');
    writeFileSync(join(folder, 'refs.bib'), '@book{knuth, title={The Art}, author={Knuth, Donald}, year={1968}}\n');
    const passed = await readBook(folder, 'book', context(folder), chapterParser());
    const before = passed.file.messages.length;
    expect(transformBook(passed.chapters!, passed.file, {}, () => true)).toBeUndefined();
    expect(passed.file.messages.length).toBe(before);
    expect(passed.file.data.meta).toBeUndefined();
  });

  it('renders the same editions and messages as through the joined book', async () => {
    const folder = writeBook('editions', 'title: Editions\nnumber-sections: true');
    const source = { kind: 'book' as const, path: folder, name: 'editions' };
    // A build that may fetch remote images transforms the joined book (document.ts).
    const [passed, joined] = [await renderDocument(source, context(folder)), await renderDocument(source, context(folder, true))];
    expect(passed.editions.map((edition) => edition.edition)).toEqual(['html', 'epub', 'pdf']);
    const sorted = (messages: typeof passed.messages) => [...messages].sort((a, b) => compareMessage(a as never, b as never));
    expect(sorted(passed.messages)).toEqual(sorted(joined.messages));
    for (const [index, edition] of passed.editions.entries()) expect(Buffer.from(edition.bytes!).equals(Buffer.from(joined.editions[index]!.bytes!)), edition.edition).toBe(true);
  });

  it('renders a book from its joined tree in a watch session, whatever its editions', async () => {
    const folder = writeBook('watched', 'title: Watched\nnumber-sections: true');
    const source = { kind: 'book' as const, path: folder, name: 'watched' };
    const [passed, joined] = [await renderDocument(source, context(folder)), await renderDocument(source, context(folder, true))];
    // A watch session's resources (cli.ts): three editions, so no splice, yet no chapter passes
    // either (a warm rebuild would pay for them at every edit). The messages come in the joined
    // book's order, not in the passes' (a chapter's before the next one's).
    const watched = await renderDocument(source, context(folder), createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 }));
    expect(passed.messages).not.toEqual(joined.messages);
    expect(watched.messages).toEqual(joined.messages);
    for (const [index, edition] of watched.editions.entries()) expect(Buffer.from(edition.bytes!).equals(Buffer.from(passed.editions[index]!.bytes!)), edition.edition).toBe(true);
  });
});
