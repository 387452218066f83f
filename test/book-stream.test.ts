import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { splitIntoChapters } from '../pipeline/build/document.ts';
import { chapterParser } from '../pipeline/build/parse-chapters.ts';
import { createAssetResolver } from '../pipeline/read/assets.ts';
import { joinBook, readBook } from '../pipeline/read/book.ts';
import { runTransforms } from '../pipeline/transforms/index.ts';
import type { Edition, RenderContext } from '../pipeline/types.ts';
import { loadWriter } from '../pipeline/writers/index.ts';

/**
 * A cold build renders a book from its chapters, one at a time (WriterInput.chapters): every
 * edition must be the bytes the writers make from the joined tree. The book puts what a chapter
 * needs of the others everywhere: notes defined chapters away (one citing another), a link
 * definition used before it is written, a macro defined in one chapter's formula and used in
 * another's, the contents and section numbers, links between chapter files, an abstract.
 */
const folder = mkdtempSync(join(tmpdir(), 'colophon-book-stream-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const chapters: Record<string, string> = {
  'one.md': '# One\n\nSee [the guide][guide] and [two](two.md#second-part), a note[^a] and $\\newcommand{\\R}{\\mathbb{R}} x \\in \\R$.\n\n## First part\n\nText.[^b]\n\n[^a]: Defined here, citing another.[^c]\n',
  'two.md': '# Two\n\n## Second part\n\nMore text[^c] and $y \\in \\R$.\n\n$$\\R^2$$\n\n<div id="raw">raw block</div>\n\n[^c]: The note cited from a note.\n',
  'three.md': `# Three\n\n${'A paragraph of some length, so that the book is no short article. '.repeat(40)}\n\n### Deep\n\nLast.[^b]\n\n[^b]: Cited from two chapters.\n\n[guide]: https://example.com/guide\n`,
};

async function editions(yaml: string): Promise<{ joined: Record<string, Uint8Array>; streamed: Record<string, Uint8Array>; messages: [string[], string[]] }> {
  writeFileSync(join(folder, 'book.yaml'), yaml);
  for (const [name, text] of Object.entries(chapters)) writeFileSync(join(folder, name), text);
  const context: RenderContext = { root: folder, formats: ['html', 'epub', 'pdf'], epoch: 0, cwd: folder };
  const render = async (streamed: boolean) => {
    const loaded = await readBook(folder, 'book', context, chapterParser(undefined));
    const file = loaded.file;
    const joinedTree = joinBook(loaded.chapters!);
    const meta = runTransforms(joinedTree, file);
    const split = streamed ? splitIntoChapters(joinedTree) : undefined;
    if (split) expect(split.stream.count).toBe(3);
    const tree = split?.head ?? joinedTree;
    const assets = createAssetResolver({ root: folder, documentDir: folder, file, cache: new Map() });
    const out: Record<string, Uint8Array> = {};
    for (const edition of ['html', 'epub', 'pdf'] as Edition[]) {
      const writer = await loadWriter(edition);
      out[edition] = await writer.render({ tree, chapters: edition === 'pdf' ? split?.lastUse : split?.stream, meta: { ...meta, stylesheets: [] }, file, assets, epoch: 0, lastReader: edition === 'pdf' });
    }
    return { out, messages: file.messages.map(String) };
  };
  const joined = await render(false);
  const streamed = await render(true);
  return { joined: joined.out, streamed: streamed.out, messages: [joined.messages, streamed.messages] };
}

describe('a book rendered one chapter at a time', () => {
  it('gives the editions of the joined tree, with the same messages', async () => {
    const { joined, streamed, messages } = await editions('title: Streamed\nauthor: Ada\ntoc: true\nnumber-sections: true\nabstract: A short *abstract*.\nchapters: [one.md, two.md, three.md]\n');
    for (const edition of ['html', 'epub', 'pdf']) expect(Buffer.from(streamed[edition]!).equals(Buffer.from(joined[edition]!)), edition).toBe(true);
    expect(messages[1]).toEqual(messages[0]);
    expect(new TextDecoder().decode(streamed.html)).toContain('Cited from two chapters.');
  });

  it('the same with notes numbered per chapter and parts cut at a chapter level', async () => {
    const { joined, streamed, messages } = await editions('title: Streamed\nfootnote-numbering: chapter\nchapter-level: 2\nchapters: [one.md, two.md, three.md]\n');
    for (const edition of ['html', 'epub', 'pdf']) expect(Buffer.from(streamed[edition]!).equals(Buffer.from(joined[edition]!)), edition).toBe(true);
    expect(messages[1]).toEqual(messages[0]);
  });
});

describe('a long chapter in the stream', () => {
  // Its blocks are packed a few hundred at a time (document.ts): loaded, they are the chapter's
  // blocks, in order, for every reader; the last reader's load lets them go.
  it('loads as the blocks it was given', () => {
    const blocks = Array.from({ length: 1300 }, (_, index) => ({
      type: 'paragraph' as const,
      children: [{ type: 'text' as const, value: `Block ${index}, ünïcödé` }],
      data: index === 0 ? { chapter: 1 } : index === 700 ? { chapter: 2 } : undefined,
    }));
    const expected = JSON.parse(JSON.stringify(blocks));
    const { stream, lastUse } = splitIntoChapters({ type: 'root', children: blocks });
    expect(stream.count).toBe(2);
    expect([...stream.load(1).children, ...stream.load(2).children]).toEqual(expected);
    expect(lastUse.load(1).children).toEqual(expected.slice(0, 700));
    expect(lastUse.load(1).children).toEqual([]);
    expect(stream.load(2).children).toEqual(expected.slice(700));
  });
});
