import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { createSharedResources } from '../pipeline/build/resources.ts';
import type { SharedResources } from '../pipeline/types.ts';
import type { Box } from '../pipeline/writers/pdf/boxes.ts';
import type { LayoutMemo } from '../pipeline/writers/pdf/layout-memo.ts';
import type { Note } from '../pipeline/writers/pdf/notes.ts';
import { type Page, pageStream, paginate } from '../pipeline/writers/pdf/paginate.ts';
import { fixturesDir, tempProject, tool } from './helpers.ts';
import { applyLineEdit } from './random-edits.ts';

/**
 * A watch session's PDF rebuilds reuse what earlier builds laid out and shaped
 * (writers/pdf): after any edit the PDF must be the bytes a cold build of the same text gives.
 */

/** A short text of many kinds of block (notes, tables, lists, code, links, headings), a few pages long. */
function baseText(): string {
  const pieces = ['pdf-features/features.md', 'notes/input.md', 'pdf-table/table.md', 'pdf-widows/widows.md'].map((name) =>
    readFileSync(join(fixturesDir, name), 'utf8').replace(/^---\n[\s\S]*?\n---\n/, ''),
  );
  return [
    '---',
    'title: Edited in a watch session',
    'author: A. Writer',
    '---',
    '',
    ...pieces.map((text, index) => `# Part ${index + 1}\n\n${text}`),
    // Blocks whose layout warns about a node of theirs (kept by the layout memo with the warnings, which move with them).
    '![A badge](https://example.com/badge.svg)',
    '',
    'A link to [nowhere](#no-such-place) and an ![icon](https://example.com/icon.png) inside a line.',
    '',
    // Pictures set in a line: their blocks read files, and are laid out afresh each build.
    'A ![gradient](gradient.png) picture and a linked [![diagram](diagram.svg)](https://example.org/d) one in a line.',
    '',
    // Enough lines that may open a container (a number does) for the text to be parsed in pieces
    // (parse/chunked-parse.ts), each piece a few hundred of them: a watch session keeps the pieces.
    '# Numbers',
    '',
    ...Array.from({ length: 12 }, (_, block) => `${Array.from({ length: 100 }, (_, line) => `${block * 100 + line} is "said" -- it's${line % 10 === 0 ? '...' : ''}`).join('\n')}\n`),
    ...Array.from({ length: 4 }, (_, list) => `${Array.from({ length: 8 }, (_, item) => `- item ${list}.${item}`).join('\n')}\n`),
    '',
    'Greek αβγ, Hebrew שלום and Arabic سلام in one line, with a [link to part 1](#part-1).',
    '',
    // Glyphs that stand for other letters in other words (Devanagari आ inside ओ, the emoji ⚡ with and without U+FE0F): copies made on the page.
    'Hindi परियोजनाओं and आप, an emoji ⚡️ and ⚡ in one line.',
    '',
    '[^late]: A note defined at the end.',
    '',
  ].join('\n');
}

/** One edit as a user makes it: a line typed, a line deleted, a character changed, a heading or a note added. */
const edit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  kind: fc.constantFrom('insert-line', 'delete-line', 'replace-char', 'insert-heading'),
  // Ω and ∮ are glyphs the text has nowhere else: each page drawn after them numbers its glyphs differently (no page replayed from the last build).
  text: fc.constantFrom('A new line of *text* that runs on long enough to wrap onto a second line of the page.', 'See [a link](#part-2) and a note[^late].', '> quoted', '- item', 'שלום', 'x', 'Ω ∮', 'आप ⚡'),
});

function apply(text: string, change: typeof edit extends fc.Arbitrary<infer T> ? T : never): string {
  // Edits stay below the front matter.
  const start = text.indexOf('\n---\n') + 5;
  return applyLineEdit(text, start + Math.floor(change.at * (text.length - start)), change.kind, change.text, '##');
}

describe('incremental PDF rebuilds', () => {
  it('give the bytes of a cold build after random edits (fast-check)', async () => {
    const images = ['gradient.png', 'photo.jpg', 'diagram.svg'].map((name) => [`source/${name}`, readFileSync(join(fixturesDir, 'pdf-features', name))]);
    const root = tempProject({ 'source/doc.md': '', ...Object.fromEntries(images) });
    const path = join(root, 'source/doc.md');
    const options = { root, paths: ['source'], formats: ['pdf', 'epub'] as ('pdf' | 'epub')[], cache: false, dryRun: true, sourceDateEpoch: 0 };
    const pdfOf = async (shared?: SharedResources) => {
      const result = await build({ ...options, shared });
      const document = result.documents[0]!;
      expect(document.file.messages.filter((message) => message.fatal).map(String)).toEqual([]);
      expect(document.editions.map((edition) => edition.edition)).toEqual(['pdf', 'epub']);
      return { bytes: Buffer.concat(document.editions.map((edition) => edition.bytes)), messages: document.file.messages.map(String), path: document.file.path };
    };
    writeFileSync(path, baseText());
    const pages = { replayed: 0, drawn: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(edit, { minLength: 1, maxLength: 2 }), async (edits) => {
        const trees = { hits: 0, misses: 0 };
        const session = countingTrees(createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 }), trees);
        let text = baseText();
        writeFileSync(path, text);
        await pdfOf(session);
        for (const change of edits) {
          text = apply(text, change);
          writeFileSync(path, text);
          trees.hits = 0;
          trees.misses = 0;
          const warm = await pdfOf(session);
          // The pieces the edit left alone came from the session's memory.
          expect(trees.hits).toBeGreaterThan(trees.misses);
          const cold = await pdfOf();
          expect(warm.messages).toEqual(cold.messages);
          expect(warm.bytes.equals(cold.bytes)).toBe(true);
          // The warm build did reuse laid-out blocks: most of them.
          const memo = session.writerMemo?.(`pdf-layout:${warm.path}`, () => undefined as LayoutMemo | undefined);
          expect(memo!.counts.reused).toBeGreaterThan(memo!.counts.laidOut);
          pages.replayed += memo!.pages.counts.replayed;
          pages.drawn += memo!.pages.counts.drawn;
        }
      }),
      { seed: Number(process.env.SEED ?? 20261202), numRuns: Number(process.env.RUNS ?? 2) },
    );
    // Pages of the last build were replayed, not drawn again (draw-pages.ts PageMemo).
    expect(pages.replayed).toBeGreaterThan(0);
  });

  it('rebuilt from the last build\'s transformed tree with the edited blocks replaced, give the bytes and messages of a cold build after random edits (fast-check)', async () => {
    const root = tempProject({ 'source/doc.md': '' });
    const path = join(root, 'source/doc.md');
    // The PDF alone: a region rebuild is taken for one edition (build/region-rebuild.ts).
    const options = { root, paths: ['source'], formats: ['pdf'] as 'pdf'[], cache: false, dryRun: true, sourceDateEpoch: 0 };
    const pdfOf = async (shared?: SharedResources) => {
      const document = (await build({ ...options, shared })).documents[0]!;
      return { bytes: Buffer.from(document.editions[0]!.bytes), messages: document.file.messages.map(String), path: document.file.path };
    };
    // Edits a region rebuild takes (plain lines, near the end or among the numbers) and some it does not (a note, a heading, a new glyph).
    const regionEdit = fc.record({
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      plain: fc.boolean(),
      kind: fc.constantFrom('insert-line', 'delete-line', 'replace-char', 'insert-heading'),
      text: fc.constantFrom('A new line of *text* that runs on long enough to wrap onto a second line of the page.', 'A plain line.\n\nAnd a paragraph after it, with a [link](https://example.com/x).', 'See [a link](#part-2) and a note[^late].', 'Back to [part two](#Part-2), as GitHub finds it.', '- item', 'Ω ∮', 'x'),
    });
    // Plain prose between the features and the numbers (whose lines hold `'s`, which a region rebuild leaves to a full build): most edits fall there.
    const plainText = baseText().replace('# Numbers', `# Prose\n\n${Array.from({ length: 40 }, (_, index) => `Paragraph ${index} runs on with plain words, *some stressed*, a \`code span\` and a [link](https://example.com/${index}), long enough to wrap.\n`).join('\n')}\n# Numbers`);
    const applyPlain = (text: string, change: { at: number; kind: Parameters<typeof applyLineEdit>[2]; text: string; plain: boolean }) => {
      const from = change.plain ? text.indexOf('# Prose') + 8 : text.indexOf('\n---\n') + 5;
      const to = change.plain ? text.indexOf('# Numbers') : text.length;
      return applyLineEdit(text, from + Math.floor(change.at * (to - from)), change.kind, change.text, '##');
    };
    let regions = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(regionEdit, { minLength: 1, maxLength: 3 }), async (edits) => {
        const session = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
        let text = plainText;
        writeFileSync(path, text);
        await pdfOf(session);
        for (const change of edits) {
          text = applyPlain(text, change);
          writeFileSync(path, text);
          const before = session.lastBuilds!.spliced;
          const warm = await pdfOf(session);
          const cold = await pdfOf();
          expect(warm.messages).toEqual(cold.messages);
          expect(warm.bytes.equals(cold.bytes)).toBe(true);
          if (session.lastBuilds!.spliced > before) {
            regions++;
            // The blocks the edit left alone were found by identity, their boxes reused.
            const memo = session.writerMemo?.(`pdf-layout:${warm.path}`, () => undefined as LayoutMemo | undefined);
            expect(memo!.counts.reused).toBeGreaterThan(memo!.counts.laidOut);
          }
        }
      }),
      { seed: Number(process.env.SEED ?? 20261202), numRuns: Number(process.env.RUNS ?? 3) },
    );
    // Some rebuilds were region rebuilds.
    expect(regions).toBeGreaterThan(0);
  });

  it('a book rebuilt from the last build\'s tree after random edits of its chapters gives the bytes and messages of a cold build (fast-check)', async () => {
    // Three chapters of prose, each with a link that warns (the warnings name the chapters' files and lines, which move with an edit).
    const chapter = (number: number) =>
      `# Chapter ${number}\n\nIts opening paragraph.\n\n${Array.from({ length: 14 }, (_, index) => `Paragraph ${number}.${index} runs on with plain words, *some stressed*, a \`code span\` and a [link](https://example.com/${number}/${index}), long enough to wrap.\n`).join('\n')}\nA link to [nowhere](#no-such-place-${number}).\n\n${Array.from({ length: 6 }, (_, index) => `More prose ${number}.${index}, plain and long enough to fill a line or two of the page, with Greek αβγ in it.\n`).join('\n')}`;
    const root = tempProject({
      'book/book.yaml': 'title: A book edited in a watch session\nchapters:\n  - one.md\n  - two.md\n  - three.md\n',
      'book/one.md': chapter(1),
      'book/two.md': chapter(2),
      'book/three.md': chapter(3),
    });
    const options = { root, paths: ['book'], formats: ['pdf'] as 'pdf'[], cache: false, dryRun: true, sourceDateEpoch: 0 };
    const pdfOf = async (shared?: SharedResources) => {
      const document = (await build({ ...options, shared })).documents[0]!;
      return { bytes: Buffer.from(document.editions[0]!.bytes), messages: document.file.messages.map((message) => `${message.file}:${String(message)}`), path: document.file.path };
    };
    const bookEdit = fc.record({
      chapter: fc.constantFrom('one.md', 'two.md', 'three.md'),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
      kind: fc.constantFrom('insert-line', 'delete-line', 'replace-char', 'insert-heading'),
      // A link or a note added moves the object numbers of every later chapter (a chapter opens a page: its pages are laid out as before).
      text: fc.constantFrom('A new line of *text* that runs on long enough to wrap onto a second line of the page.', 'A plain line.\n\nAnd a paragraph after it.', '- item', 'x', 'Ω ∮', 'A line with [a new link](https://example.com/new) in it.', 'A line with a note.[^n]\n\n[^n]: The note.'),
    });
    const texts = new Map(['one.md', 'two.md', 'three.md'].map((name, index) => [name, chapter(index + 1)]));
    let regions = 0;
    const reused = { renumbered: 0, linksRewritten: 0, resumed: 0, skipped: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(bookEdit, { minLength: 1, maxLength: 3 }), async (edits) => {
        for (const [name, text] of texts) writeFileSync(join(root, 'book', name), text);
        const session = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
        await pdfOf(session);
        for (const change of edits) {
          const path = join(root, 'book', change.chapter);
          const text = readFileSync(path, 'utf8');
          // Edits stay after the chapter's opening paragraph.
          const from = text.indexOf('Its opening paragraph.') + 24;
          writeFileSync(path, applyLineEdit(text, from + Math.floor(change.at * (text.length - from)), change.kind, change.text, '##'));
          const before = session.lastBuilds!.spliced;
          const warm = await pdfOf(session);
          const cold = await pdfOf();
          expect(warm.messages).toEqual(cold.messages);
          expect(warm.bytes.equals(cold.bytes)).toBe(true);
          if (session.lastBuilds!.spliced > before) regions++;
          const pages = session.writerMemo?.(`pdf-layout:${warm.path}`, () => undefined as LayoutMemo | undefined)?.pages;
          reused.renumbered += pages?.counts.renumbered ?? 0;
          reused.linksRewritten += pages?.counts.linksRewritten ?? 0;
          reused.resumed += pages?.counts.resumed ?? 0;
          reused.skipped += pages?.counts.skipped ?? 0;
        }
        // The warnings name the chapters' files (a book's messages are remapped to them).
        // The warnings are there, each naming its chapter's file (a book's messages are remapped to them).
        expect((await pdfOf(session)).messages.filter((message) => /(one|two|three)\.md:\d+:\d+: link to "#no-such-place-\d"/.test(message))).toHaveLength(3);
      }),
      { seed: Number(process.env.SEED ?? 20261202), numRuns: Number(process.env.RUNS ?? 3) },
    );
    // Some rebuilds were region rebuilds of the book.
    expect(regions).toBeGreaterThan(0);
    // The chapters after an edited one: their sealed blocks and links written from the last build's recordings, renumbered.
    expect(reused.renumbered).toBeGreaterThan(0);
    expect(reused.linksRewritten).toBeGreaterThan(0);
    // Rebuilds resumed from the last build's document at an edited chapter's first page, the pages before it not drawn (draw-pages.ts).
    expect(reused.resumed).toBeGreaterThan(0);
    expect(reused.skipped).toBeGreaterThan(0);
  });

  it.each([true, false])('a book rebuilt after an edit resumes from the last build at the edited chapter\'s first page, and gives the bytes of a cold build (dry run: %s)', async (dryRun) => {
    const chapter = (number: number) =>
      `# Chapter ${number}\n\n${Array.from({ length: 24 }, (_, index) => `Paragraph ${number}.${index} runs on with plain words, *some stressed*, a \`code span\` and a [link](https://example.com/${number}/${index}), long enough to wrap.\n`).join('\n')}`;
    const names = ['one.md', 'two.md', 'three.md', 'four.md'];
    const root = tempProject({
      'book/book.yaml': `title: A book resumed at its chapters\nchapters:\n${names.map((name) => `  - ${name}\n`).join('')}`,
      ...Object.fromEntries(names.map((name, index) => [`book/${name}`, chapter(index + 1)])),
    });
    // Written, and with a second edition (no region rebuild then), the PDF goes into its file as it is made (Writer.renderTo), the output kept by the session besides.
    const options = { root, paths: ['book'], formats: (dryRun ? ['pdf'] : ['pdf', 'html']) as ('pdf' | 'html')[], cache: false, dryRun, sourceDateEpoch: 0 };
    const pdfOf = async (shared?: SharedResources) => {
      const document = (await build({ ...options, shared })).documents[0]!;
      const edition = document.editions.find((made) => made.edition === 'pdf')!;
      return { bytes: dryRun ? Buffer.from(edition.bytes) : readFileSync(resolve(root, edition.path)), messages: document.file.messages.map((message) => `${message.file}:${String(message)}`), path: document.file.path };
    };
    const session = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
    await pdfOf(session);
    // Each edit: the chapter, the text added at its end, and whether a checkpoint stands before it (the first chapter's page is the book's first).
    const edits: [string, string, boolean][] = [
      ['four.md', 'A line added to the last chapter.', true],
      ['one.md', 'A line added to the first chapter.', false],
      // A page more: every later page moves.
      ['two.md', Array.from({ length: 30 }, (_, index) => `A paragraph ${index} added, long enough to take a line or two of the page on its own.`).join('\n\n'), true],
      // Glyphs no page had before: the later pages' subsets differ.
      ['three.md', 'Ω ∮ and ℵ, first used here.', true],
      ['two.md', 'A [new link](https://example.com/new) and a note.[^n]\n\n[^n]: The note.', true],
      ['three.md', '## A heading added\n\nAnd a line under it.', true],
      ['four.md', 'Ω once more, in the last chapter.', true],
    ];
    for (const [name, text, resumed] of edits) {
      const warm = await appendAndCompare(root, name, text, session, pdfOf);
      const counts = session.writerMemo?.(`pdf-layout:${warm.path}`, () => undefined as LayoutMemo | undefined)?.pages.counts;
      expect(counts?.resumed).toBe(resumed ? 1 : 0);
      if (resumed) expect(counts!.skipped).toBeGreaterThan(0);
    }
  });

  it.each([true, false])('a book rebuilt again and again writes its output into the blocks of the build before the last that no mark holds, and gives the bytes of a cold build (dry run: %s)', async (dryRun) => {
    // Chapters of some ten pages each: the output passes several of the sink's blocks (64 KiB, doubling to 1 MiB) between two chapters' marks.
    const chapter = (number: number) =>
      `# Chapter ${number}\n\n${Array.from({ length: 110 }, (_, index) => `Paragraph ${number}.${index} runs on with plain words, *some stressed*, a \`code span\` and a [link](https://example.com/${number}/${index}), long enough to wrap.\n`).join('\n')}`;
    const names = ['one.md', 'two.md', 'three.md', 'four.md', 'five.md'];
    const root = tempProject({
      'book/book.yaml': `title: A book rebuilt into its old blocks\nchapters:\n${names.map((name) => `  - ${name}\n`).join('')}`,
      ...Object.fromEntries(names.map((name, index) => [`book/${name}`, chapter(index + 1)])),
    });
    // Not a dry run, the session writes the PDF into its file (region rebuilds too); the cold builds give their bytes.
    const options = { root, paths: ['book'], formats: ['pdf'] as 'pdf'[], cache: false, dryRun: true, sourceDateEpoch: 0 };
    const pdfOf = async (shared?: SharedResources) => {
      const written = shared !== undefined && !dryRun;
      const document = (await build({ ...options, ...(written ? { dryRun: false, out: 'out' } : {}), shared })).documents[0]!;
      const edition = document.editions[0]!;
      return { bytes: written ? readFileSync(resolve(root, edition.path)) : Buffer.from(edition.bytes), messages: document.file.messages.map((message) => `${message.file}:${String(message)}`), path: document.file.path };
    };
    const session = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
    await pdfOf(session);
    let path = '';
    // Each edit moves the pages after it: the chapters after the resumed one are written into new blocks, the last build's there let go.
    for (const [name, text] of [
      ['three.md', 'A line added to the third chapter, [with a link](https://example.com/added).'],
      ['two.md', 'A paragraph added to the second chapter.\n\nAnd another, with a note.[^n]\n\n[^n]: The note.'],
      ['four.md', 'Ω ∮ and ℵ, first used here.'],
      ['two.md', Array.from({ length: 12 }, (_, index) => `A paragraph ${index} added, long enough to take a line or two of the page on its own.`).join('\n\n')],
      ['three.md', '## A heading added\n\nAnd a line under it.'],
      ['five.md', 'A line added to the last chapter.'],
    ] as const) {
      path = (await appendAndCompare(root, name, text, session, pdfOf)).path;
    }
    const pages = session.writerMemo?.(`pdf-layout:${path}`, () => undefined as LayoutMemo | undefined)?.pages;
    expect(pages?.spareBlocks.taken).toBeGreaterThan(0);
  });

  it('replays the pages an edit leaves alone, and draws again those after a glyph used first (the bytes of a cold build)', async () => {
    const { path, session, pdfOf, memo } = await watchedPdf(baseText());
    const text = baseText();
    const end = text.indexOf('# Numbers');
    for (const [edited, replayedMost] of [
      // A line added near the end: the pages before it are replayed.
      [`${text.slice(0, end)}One more line, said once.\n\n${text.slice(end)}`, true],
      // A glyph no page had before, on the first page of the body: every page after it is drawn again.
      [text.replace('# Part 1\n', '# Part 1\n\nΩ ∮\n'), false],
    ] as const) {
      writeFileSync(path, edited);
      const warm = await pdfOf(session);
      const { replayed, drawn } = memo().pages.counts;
      if (replayedMost) expect(replayed).toBeGreaterThan(drawn);
      else expect(replayed).toBeLessThan(drawn);
      const cold = await pdfOf();
      expect(Buffer.from(warm.editions[0]!.bytes).equals(Buffer.from(cold.editions[0]!.bytes))).toBe(true);
    }
  });

  it('draws again a reused word whose glyph now stands for other letters (Devanagari आ inside an ओं met first), as a cold build does', async () => {
    // The glyph of आ keeps its number in the subset (क before it, then the sign that makes it ओं after it), so
    // only the characters it stands for tell that the word needs a copy of it now.
    const root = tempProject({ 'source/doc.md': '---\ntitle: T\nlang: hi\n---\n\nक\n\nआ\n' });
    const path = join(root, 'source/doc.md');
    const session = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
    const options = { root, paths: ['source'], formats: ['pdf'] as 'pdf'[], cache: false, dryRun: true, sourceDateEpoch: 0 };
    const pdfOf = async (shared?: SharedResources) => (await build({ ...options, shared })).documents[0]!;
    await pdfOf(session);
    writeFileSync(path, '---\ntitle: T\nlang: hi\n---\n\nकओं\n\nआ\n');
    const warm = await pdfOf(session);
    const cold = await pdfOf();
    expect(Buffer.from(warm.editions[0]!.bytes).equals(Buffer.from(cold.editions[0]!.bytes))).toBe(true);
  });

  it('replays a page that made a copy of a glyph for other letters, the copy made again, and draws later words with that copy (the bytes of a cold build)', async () => {
    // The page with आप after परियोजनाओं (Devanagari: the glyph of आ drawn as the body of ओ met first)
    // and the emoji ⚡ after ⚡️ (one glyph, two texts) makes copies. Such a page was drawn again in
    // every rebuild, and a watch session could not resume past it (the 10 MB book's ⚡️ in chapter 6).
    const filler = (from: number) => Array.from({ length: 60 }, (_, index) => `Paragraph ${from + index} of the filler, long enough to take a line or two of the page on its own and push the end along.`).join('\n\n');
    // The faces are first drawn on the first page (a page that draws a face first is never replayed); the copies are made on a later one.
    const text = `---\ntitle: T\nlang: hi\n---\n\nक 😀\n\n${filler(0)}\n\nपरियोजनाओं के लिए। आप आपको आवश्यकता। ⚡️ fast, ⚡ faster.\n\n${filler(60)}\n\nThe end.\n`;
    const { path, session, pdfOf, first, memo } = await watchedPdf(text);
    const pages = Number(/Pages:\s+(\d+)/.exec(tool('pdfinfo', ['-'], { input: Buffer.from(first.editions[0]!.bytes) }))![1]);
    expect(pages).toBeGreaterThan(2);
    // Every page was kept for replay, the one with the copies too.
    expect(memo().pages.counts.drawn).toBe(pages);
    // A line at the end, with words that take the copies: the pages before it are replayed, the copies made again as they were.
    writeFileSync(path, text.replace('The end.', 'The end: आप और आवश्यकता, ⚡ and ⚡️.'));
    const warm = await pdfOf(session);
    const { replayed, drawn } = memo().pages.counts;
    // The last two pages take the longer last paragraph.
    expect(replayed).toBeGreaterThanOrEqual(pages - 2);
    expect(replayed + drawn).toBe(pages);
    const cold = await pdfOf();
    expect(Buffer.from(warm.editions[0]!.bytes).equals(Buffer.from(cold.editions[0]!.bytes))).toBe(true);
  });
});

/** The session, with the lookups in its store of parsed trees counted. */
/** A one-document project whose PDF is built once in a watch session (a dry run): `pdfOf(session)` rebuilds, `pdfOf()` builds cold; `memo` is the session's layout memo. */
async function watchedPdf(text: string) {
  const root = tempProject({ 'source/doc.md': text });
  const session = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
  const options = { root, paths: ['source'], formats: ['pdf'] as 'pdf'[], cache: false, dryRun: true, sourceDateEpoch: 0 };
  const pdfOf = async (shared?: SharedResources) => (await build({ ...options, shared })).documents[0]!;
  const first = await pdfOf(session);
  const memo = () => session.writerMemo!(`pdf-layout:${first.file.path}`, () => undefined as LayoutMemo | undefined)!;
  return { path: join(root, 'source/doc.md'), session, pdfOf, first, memo };
}

type BuiltPdf = { bytes: Buffer; messages: string[]; path: string };

/** A line of text added to one of the book's chapters, the book rebuilt in the session and cold: the same bytes and messages. The rebuild. */
async function appendAndCompare(root: string, chapter: string, text: string, session: SharedResources, pdfOf: (shared?: SharedResources) => Promise<BuiltPdf>): Promise<BuiltPdf> {
  const path = join(root, 'book', chapter);
  writeFileSync(path, `${readFileSync(path, 'utf8')}\n${text}\n`);
  const warm = await pdfOf(session);
  const cold = await pdfOf();
  expect(warm.messages).toEqual(cold.messages);
  expect(warm.bytes.equals(cold.bytes)).toBe(true);
  return warm;
}

function countingTrees(shared: SharedResources, counts: { hits: number; misses: number }): SharedResources {
  return {
    ...shared,
    trees: (disk) => {
      const store = shared.trees(disk);
      return store && {
        get: (key) => {
          const tree = store.get(key);
          if (tree) counts.hits++;
          else counts.misses++;
          return tree;
        },
        set: (key, tree) => store.set(key, tree),
      };
    },
  };
}

describe('pages drawn as they are settled', () => {
  it('are the pages pagination makes with the whole document at hand (fast-check, synthetic boxes)', () => {
    const geometry = { height: 400, separator: 8, gap: 3, maxNoteFraction: 0.5 };
    let serial = 0;
    const box = (height: number, extra: Partial<Box> = {}): Box => ({ height, ops: [], notes: [], keep: false, dests: [`b${serial++}`], ...extra });
    // Blocks as the handlers make them: paragraphs kept against widows and orphans, headings kept with what follows, spaces, floats, tables repeating their header, lines citing notes.
    const block = fc.oneof(
      fc.record({ kind: fc.constant('paragraph' as const), lines: fc.integer({ min: 1, max: 40 }), note: fc.option(fc.integer({ min: 1, max: 12 }), { nil: undefined }) }),
      fc.record({ kind: fc.constant('heading' as const), lines: fc.integer({ min: 1, max: 2 }), note: fc.constant(undefined) }),
      fc.record({ kind: fc.constant('float' as const), lines: fc.integer({ min: 1, max: 3 }), note: fc.constant(undefined) }),
      fc.record({ kind: fc.constant('table' as const), lines: fc.integer({ min: 2, max: 50 }), note: fc.constant(undefined) }),
      fc.record({ kind: fc.constant('tall' as const), lines: fc.integer({ min: 1, max: 2 }), note: fc.constant(undefined) }),
      fc.record({ kind: fc.constant('kept' as const), lines: fc.integer({ min: 2, max: 120 }), note: fc.constant(undefined) }),
    );
    fc.assert(
      fc.property(fc.array(block, { minLength: 1, maxLength: 120 }), fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 12, maxLength: 12 }), (specs, noteLines) => {
        serial = 0;
        const notes = new Map<string, Note>();
        noteLines.forEach((lines, index) => {
          const boxes = Array.from({ length: lines }, () => box(10));
          notes.set(String(index + 1), { number: String(index + 1), boxes, height: lines * 10, cites: [] });
        });
        const blocks: Box[][] = specs.map((spec, index) => {
          const space = box(8, { space: true });
          switch (spec.kind) {
            case 'paragraph':
              return [space, ...Array.from({ length: spec.lines }, (_, line) => box(14, { keep: line < spec.lines - 1 && !(line >= 1 && line <= spec.lines - 3), notes: spec.note && line === Math.floor(spec.lines / 2) ? [String(spec.note)] : [], hyphenated: line % 7 === 3 }))];
            case 'heading':
              return [box(18, { space: true, keep: true }), ...Array.from({ length: spec.lines }, () => box(20, { keep: true, outline: { title: 'h', depth: 2 }, struct: { tag: 'H2' } }))];
            case 'float':
              return [space, ...Array.from({ length: spec.lines }, (_, line) => box(60, { float: `figure-${index}`, keep: line < spec.lines - 1 })), box(8, { space: true })];
            case 'table': {
              const header = box(16, { keep: true });
              return [space, header, ...Array.from({ length: spec.lines - 1 }, () => box(15, { header }))];
            }
            case 'tall':
              return [space, box(500)];
            case 'kept':
              // A run of boxes no break may fall inside (longer than several pages).
              return [space, ...Array.from({ length: spec.lines }, (_, line) => box(12, { keep: line < spec.lines - 1 }))];
          }
        });
        const view = (pages: Page[]) => JSON.stringify(pages.map((page) => [page.body.map(({ box, y }) => [box.dests?.[0], box.height, y]), page.notes.map(({ box, y }) => [box.dests?.[0], y]), page.noteHeight]));
        const whole = paginate(blocks.flat(), notes, geometry);
        const streamed = [...pageStream(blocks.map((boxes) => [...boxes])[Symbol.iterator](), notes, geometry)];
        expect(view(streamed)).toBe(view(whole));
      }),
      { seed: 20261202, numRuns: 60 },
    );
  });
});

describe('pages replayed by their content', () => {
  it('replays the pages before an edit whose boxes are laid out afresh in every build (the title block, the notes), and gives the bytes of a cold build', async () => {
    // Notes are set in every build, the title block too: their boxes are new objects each time.
    const paragraph = (index: number) => `Paragraph ${index} runs on with plain words, *some stressed*, a \`code span\` and a [link](https://example.com/${index}), long enough to wrap${index % 6 === 0 ? `, and a note[^n${index}]` : ''}.\n`;
    const notes = Array.from({ length: 25 }, (_, index) => `[^n${index * 6}]: The note of paragraph ${index * 6}, set apart.\n`);
    const text = ['---', 'title: Replayed by content', 'author: A. Writer', '---', '', ...Array.from({ length: 150 }, (_, index) => paragraph(index)), ...notes].join('\n');
    const { path, session, pdfOf, memo } = await watchedPdf(text);
    expect(memo().pages.counts.drawn).toBeGreaterThan(3);
    // A line added after the last paragraph: only its page is drawn again (and a page it may push on).
    const end = text.indexOf('[^n0]:');
    writeFileSync(path, `${text.slice(0, end)}One more line, at the end.\n\n${text.slice(end)}`);
    const warm = await pdfOf(session);
    const { replayed, drawn } = memo().pages.counts;
    // Every page holds a note (8 pages): none was replayed before notes were known by their content.
    expect(drawn).toBeLessThanOrEqual(2);
    expect(replayed).toBeGreaterThanOrEqual(5);
    const cold = await pdfOf();
    expect(Buffer.from(warm.editions[0]!.bytes).equals(Buffer.from(cold.editions[0]!.bytes))).toBe(true);
  });
});
