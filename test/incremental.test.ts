import { mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { VFile } from 'vfile';
import { describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { createSharedResources } from '../pipeline/build/resources.ts';
import { parseDocumentText } from '../pipeline/parse/chunked-parse.ts';
import { runTransforms } from '../pipeline/transforms/index.ts';
import { copyInto, countingParses, fixturesDir, tempProject } from './helpers.ts';
import { writeFileSync } from 'node:fs';
import { applyLineEdit } from './random-edits.ts';

// Small pieces, so that a short text has many and an edit reuses most of them.
const smallPieces = { minBytes: 2_000, pieceBytes: 1_500 };

/**
 * Every fixture's Markdown, joined under headings: a long text of many kinds of block. With
 * `every` = n, only every n-th fixture (still of every kind, the fixtures being sorted by name).
 */
function corpus(every = 1): string {
  const texts: string[] = [];
  for (const entry of readdirSync(fixturesDir).sort()) {
    for (const name of readdirSync(join(fixturesDir, entry)).sort()) {
      const path = join(fixturesDir, entry, name);
      if (name.endsWith('.md') && statSync(path).size < 8_000) texts.push(readFileSync(path, 'utf8').replace(/^---\n[\s\S]*?\n---\n/, ''));
    }
  }
  texts.splice(0, texts.length, ...texts.filter((_, index) => index % every === 0));
  return `---\ntitle: Many fixtures\n---\n\n${texts.map((text, index) => `# Part ${index + 1}\n\n${text}`).join('\n\n')}`;
}

/**
 * A text every edition builds from: fixtures cite notes they never define and images this project
 * lacks, on purpose; the notes are defined, and the images keep their alt text. A text that
 * repeats would repeat cross-reference labels too, so they go.
 */
function buildable(text: string): string {
  return `${text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/!\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/<img\b[^>]*>/gi, '')
    .replace(/\{#(?:fig|tbl|sec|eq):[^}]*\}/gi, '')
    .replace(/\[?-?@(?:fig|tbl|sec|eq):[\w-]+(?:;\s*-?@(?:fig|tbl|sec|eq):[\w-]+)*\]?/gi, 'a reference')}\n\n[^missing]: Defined at last.\n\n[^ghost]: Defined at last.\n\nAnd a closing paragraph.\n`;
}

/** One edit as a user makes it: a line typed, a line deleted, or a character changed. */
const edit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  kind: fc.constantFrom('insert-line', 'delete-line', 'replace-char', 'insert-heading', 'insert-definition'),
  text: fc.constantFrom('A new line of *text*.', 'See [site] and a note[^1].', '```', '<!--', '> quoted', '- item', 'Term'),
});

/** An edit of prose, as most are: a paragraph typed between two blocks, a word typed in a line, a line added at the end. */
const plainEdit = fc.record({
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  kind: fc.constantFrom('insert-paragraph', 'insert-word', 'append-line'),
  text: fc.constantFrom('A new line of *text*.', 'Words -- and "quotes"...', 'It’s `code` and **more**', 'See [site] and [the site][site].', '- an item\n- and another', '> quoted', 'Back to [part two](#Part-2), as GitHub finds it.'),
});

type Edit = { at: number; kind: (typeof edit extends fc.Arbitrary<infer T> ? T : never)['kind'] | (typeof plainEdit extends fc.Arbitrary<infer T> ? T : never)['kind']; text: string };

function apply(text: string, change: Edit): string {
  const at = Math.floor(change.at * text.length);
  const lineStart = text.lastIndexOf('\n', at) + 1;
  switch (change.kind) {
    case 'insert-paragraph': {
      const gap = text.indexOf('\n\n', at);
      return gap === -1 ? `${text}\n\n${change.text}\n` : `${text.slice(0, gap)}\n\n${change.text}${text.slice(gap)}`;
    }
    case 'insert-word': {
      const space = text.indexOf(' ', at);
      return space === -1 ? text : `${text.slice(0, space)} ${change.text.replace(/\n/g, ' ')}${text.slice(space)}`;
    }
    case 'append-line':
      return `${text}\n${change.text}\n`;
    case 'insert-definition':
      return `${text.slice(0, lineStart)}\n[site]: https://example.org/${change.text.length}\n\n${text.slice(lineStart)}`;
    default:
      return applyLineEdit(text, at, change.kind, change.text, '#');
  }
}

describe('incremental rebuilds give what a cold build gives', () => {
  it('a parse that reuses the last parse’s pieces gives the cold tree, and the transforms with remembered highlighting the cold result, after random edits (fast-check)', () => {
    // A third of the fixtures (about 50 KB, 30 pieces): each run parses it several times over.
    const base = corpus(3);
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 3 }), (edits) => {
        const session = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
        const trees = session.trees();
        let text = base;
        runTransforms(parseDocumentText(new VFile({ value: text }), smallPieces, trees), new VFile({ value: text }), { highlights: session.highlights, quotes: session.quotes });
        let warm = parseDocumentText(new VFile({ value: text }), smallPieces, trees);
        let cold = warm;
        for (const change of edits) {
          text = apply(text, change);
          warm = parseDocumentText(new VFile({ value: text }), smallPieces, trees);
          cold = parseDocumentText(new VFile({ value: text }), smallPieces);
          expect(warm).toEqual(cold);
        }
        // The transforms too, after the last edit, with the code highlighted before taken from the memo.
        const warmFile = new VFile({ value: text });
        const coldFile = new VFile({ value: text });
        expect(runTransforms(warm, warmFile, { highlights: session.highlights, quotes: session.quotes })).toEqual(runTransforms(cold, coldFile));
        expect(warm).toEqual(cold);
        expect(warmFile.messages.map(String)).toEqual(coldFile.messages.map(String));
      }),
      { seed: 20261201, numRuns: 8 },
    );
  });

  it('an HTML edition spliced in a watch session after random edits is byte-identical to a cold build, with the same messages (fast-check)', async () => {
    // A twelfth of the fixtures (about 30 KB), of every kind of block.
    // Ending with a label defined three times: the later definitions' warnings move with them.
    const base = `${buildable(corpus(12))}\n[dup]: https://example.org/a\n\n[dup]: https://example.org/b\n\nSee [dup] here.\n\n[dup]: https://example.org/c\n\nThe end.\n`;
    const root = tempProject({ 'source/doc.md': base });
    const options = { root, paths: ['source'], formats: ['html'] as 'html'[], cache: false, dryRun: true, sourceDateEpoch: 0 };
    const result = (built: Awaited<ReturnType<typeof build>>) => ({
      bytes: Buffer.from(built.documents[0]!.editions[0]?.bytes ?? []).toString('utf8'),
      messages: built.documents[0]!.file.messages.map(String),
    });
    // Lines added at the end, as the bench's edits are: each spliced.
    const session = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
    await build({ ...options, shared: session });
    let appended = base;
    for (const line of ['One more line.', 'And a "second" one -- with a [link](https://example.org).']) {
      // And a paragraph before the second definition, whose warning moves down.
      appended = appended.replace('\n\n[dup]: https://example.org/b', '\n\nA paragraph before it.\n\n[dup]: https://example.org/b');
      appended = apply(appended, { at: 1, kind: 'append-line', text: line });
      writeFileSync(join(root, 'source/doc.md'), appended);
      const warm = result(await build({ ...options, shared: session }));
      expect(warm).toEqual(result(await build(options)));
    }
    expect(session.lastBuilds?.spliced).toBe(2);
    let spliced = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(edit, plainEdit, plainEdit), { minLength: 1, maxLength: 3 }), async (edits) => {
        const session = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
        writeFileSync(join(root, 'source/doc.md'), base);
        await build({ ...options, shared: session });
        let text = base;
        for (const change of edits) {
          text = apply(text, change);
          writeFileSync(join(root, 'source/doc.md'), text);
          const warm = result(await build({ ...options, shared: session }));
          expect(warm).toEqual(result(await build(options)));
        }
        spliced += session.lastBuilds?.spliced ?? 0;
      }),
      { seed: 20261202, numRuns: 5 },
    );
    // The property covers both ways: edits spliced into the last edition, and edits built whole.
    expect(spliced).toBeGreaterThan(0);
  });

  it('a spliced rebuild joins two lists when the paragraph between them goes, as a cold build does', async () => {
    const base = '---\ntitle: Lists\n---\n\nFirst paragraph.\n\n- a\n- b\n\nMiddle.\n\n- c\n- d\n\nEnd.\n';
    const root = tempProject({ 'source/doc.md': base });
    const options = { root, paths: ['source'], formats: ['html'] as 'html'[], cache: false, dryRun: true, sourceDateEpoch: 0 };
    const session = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
    await build({ ...options, shared: session });
    writeFileSync(join(root, 'source/doc.md'), base.replace('Middle.\n\n', ''));
    const html = (built: Awaited<ReturnType<typeof build>>) => Buffer.from(built.documents[0]!.editions[0]!.bytes).toString('utf8');
    const warm = html(await build({ ...options, shared: session }));
    expect(warm).toEqual(html(await build(options)));
    // One loose list of four items.
    expect(warm.match(/<ul>/g)).toHaveLength(1);
  });

  it('a spliced rebuild points a new link at the heading its fragment names in another case, as a cold build does', async () => {
    const base = '---\ntitle: Fragments\n---\n\n## makeRe\n\nFirst paragraph.\n\nEnd.\n';
    const root = tempProject({ 'source/doc.md': base });
    const html = (built: Awaited<ReturnType<typeof build>>) => Buffer.from(built.documents[0]!.editions[0]!.bytes).toString('utf8');
    for (const format of ['html', 'pdf'] as const) {
      const options = { root, paths: ['source'], formats: [format], cache: false, dryRun: true, sourceDateEpoch: 0 };
      const session = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
      writeFileSync(join(root, 'source/doc.md'), base);
      await build({ ...options, shared: session });
      writeFileSync(join(root, 'source/doc.md'), base.replace('End.', 'See [makeRe](#makeRe).\n\nEnd.'));
      const warm = html(await build({ ...options, shared: session }));
      expect(warm).toEqual(html(await build(options)));
      if (format === 'html') expect(warm).toContain('<a href="#makere">makeRe</a>');
    }
  });

  it('every edition of a large document rebuilt in one session is byte-identical to a cold build', async () => {
    // Above the size at which documents are parsed in pieces (256 KB).
    let text = corpus();
    while (text.length < 270_000) text += `\n\n# More\n\n${corpus().replace(/^---\n[\s\S]*?\n---\n/, '')}`;
    text = buildable(text);
    const root = tempProject({ 'source/big.md': text, 'source/diagram.svg': '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>' });
    const shared = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
    const options = { root, paths: ['source'], formats: ['html', 'epub', 'pdf'] as const, cache: false, dryRun: true, sourceDateEpoch: 0 };
    // The session's first build need not write every edition: the trees it keeps are the parse's.
    await build({ ...options, formats: ['html'], shared });
    text = apply(text, { at: 0.5, kind: 'insert-line', text: 'A new line of *text*.' });
    writeFileSync(join(root, 'source/big.md'), text);
    const warm = await build({ ...options, formats: [...options.formats], shared });
    const cold = await build({ ...options, formats: [...options.formats] });
    const bytes = (result: typeof warm) => result.documents[0]!.editions.map((edition) => Buffer.from(edition.bytes).toString('base64'));
    expect(warm.documents[0]!.file.messages.filter((message) => message.fatal).map(String)).toEqual([]);
    expect(warm.documents[0]!.editions.map((edition) => edition.edition)).toEqual(['html', 'epub', 'pdf']);
    expect(bytes(warm)).toEqual(bytes(cold));
  });

  it('a book rebuilt in one session after a one-line edit re-parses that chapter only, and its editions equal a cold build', async () => {
    const root = bookProject();
    const { shared, parsed } = countingParses(createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 }));
    const options = { root, paths: ['book'], formats: ['html', 'epub', 'pdf'] as ('html' | 'epub' | 'pdf')[], cache: false, dryRun: true, sourceDateEpoch: 0 };
    await build({ ...options, shared });
    expect(parsed.count).toBe(5);
    parsed.count = 0;
    editNumbers(root);
    const warm = await build({ ...options, shared });
    expect(parsed.count).toBe(1);
    const cold = await build(options);
    expect(warm.documents[0]!.file.messages.filter((message) => message.fatal).map(String)).toEqual([]);
    expect(warm.documents[0]!.editions.map((edition) => edition.edition)).toEqual(['html', 'epub', 'pdf']);
    expect(editionBytes(warm)).toEqual(editionBytes(cold));
    expect(Buffer.from(warm.documents[0]!.editions[0]!.bytes).toString('utf8')).toContain('A third note.');
  });

  /** A book's edition in a watch session after each edit (path, change, rebuilt from the last build or not), against a cold build: bytes and messages. */
  const editBookInWatch = async (format: 'html' | 'pdf', edits: [string, (text: string) => string, boolean][]) => {
    const root = bookProject();
    const chapter = join(root, 'book/numbers.md');
    writeFileSync(chapter, `${readFileSync(chapter, 'utf8')}\nA closing paragraph with a [link](https://example.org).\n`);
    const options = { root, paths: ['book'], formats: [format], cache: false, dryRun: true, sourceDateEpoch: 0 };
    const result = (built: Awaited<ReturnType<typeof build>>) => ({
      bytes: Buffer.from(built.documents[0]!.editions[0]?.bytes ?? []).toString('latin1'),
      messages: built.documents[0]!.file.messages.map(String),
    });
    const session = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
    await build({ ...options, shared: session });
    for (const [path, change, rebuilt] of edits) {
      if (path === 'book/notes.md') writeFileSync(chapter, `${readFileSync(chapter, 'utf8')}\nAnd another.\n`);
      writeFileSync(join(root, path), change(readFileSync(join(root, path), 'utf8')));
      const before = session.lastBuilds?.spliced ?? 0;
      const warm = result(await build({ ...options, shared: session }));
      const cold = result(await build(options));
      expect(warm.messages).toEqual(cold.messages);
      expect(warm.bytes === cold.bytes).toBe(true);
      expect(session.lastBuilds?.spliced).toBe(before + (rebuilt ? 1 : 0));
    }
    return Buffer.from(result(await build(options)).bytes, 'latin1').toString('utf8');
  };

  it('a book’s PDF rebuilt in a watch session from the last tree, after edits of a chapter, is byte-identical to a cold build, with the same messages', async () => {
    await editBookInWatch('pdf', [
      // From the last tree: a word typed in a paragraph, a paragraph added at the end of the chapter, one before a heading (the notes after it move, and the later chapters' lines).
      ['book/numbers.md', (text) => text.replace('A closing paragraph', 'A closing, *typed* paragraph'), true],
      ['book/numbers.md', (text) => `${text}\nOne more line -- "quoted".\n`, true],
      ['book/numbers.md', (text) => text.replace('Same heading text', 'Two lines\nadded.\n\nSame heading text'), true],
      // Spliced: an e-mail address in an autolink (no citation or cross-reference is read in a link), then a line after it.
      ['book/numbers.md', (text) => `${text}\nWritten by <someone@example.org>.\n`, true],
      ['book/numbers.md', (text) => `${text}\nAnd one more line after it.\n`, true],
      // Built whole: a link to another chapter is rewritten to its id in the book.
      ['book/numbers.md', (text) => `${text}\nSee [the notes](notes.md).\n`, false],
    ]);
  });

  it('a book’s HTML spliced in a watch session after edits of a chapter is byte-identical to a cold build, with the same messages', async () => {
    const html = await editBookInWatch('html', [
      // Spliced: a word typed in a paragraph, a paragraph added at the end of the chapter.
      ['book/numbers.md', (text) => text.replace('A closing paragraph', 'A closing, *typed* paragraph'), true],
      ['book/numbers.md', (text) => `${text}\nOne more line -- "quoted".\n`, true],
      // Spliced: an e-mail address in an autolink (no citation or cross-reference is read in a link), then a line after it.
      ['book/numbers.md', (text) => `${text}\nWritten by <someone@example.org>.\n`, true],
      ['book/numbers.md', (text) => `${text}\nAnd one more line after it.\n`, true],
      // Built whole: a link to another chapter is rewritten to its id in the book.
      ['book/numbers.md', (text) => `${text}\nSee [the notes](notes.md).\n`, false],
      // Built whole: two chapters changed at once.
      ['book/notes.md', (text) => `${text}\nMore notes.\n`, false],
    ]);
    expect(html).toContain('One more line – “quoted”.');
  });

  it('a separate run splices an edit into the HTML edition the last run left in the cache; --force and a damaged record build it whole', async () => {
    const text = buildable(corpus(12));
    const root = tempProject({ 'source/doc.md': text });
    const options = { root, paths: ['source'], formats: ['html'] as 'html'[], sourceDateEpoch: 0 };
    const html = (built: Awaited<ReturnType<typeof build>>) => Buffer.from(built.documents[0]!.editions[0]?.bytes ?? []).toString('utf8');
    await build(options);
    const edits = [`${text}\nOne more line.\n`, `${text}\nOne more line, and another.\n`, `${text}\nOne more line, and a third.\n`];
    const runs: { force?: boolean; damage?: boolean; parses: number }[] = [{ parses: 0 }, { force: true, parses: 1 }, { damage: true, parses: 1 }];
    for (const [index, run] of runs.entries()) {
      if (run.damage) {
        const folder = join(root, 'node_modules/.cache/colophon/trees');
        const [version = ''] = readdirSync(folder);
        for (const name of readdirSync(join(folder, version)).filter((entry) => entry.startsWith('splice-'))) {
          const bytes = readFileSync(join(folder, version, name));
          bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 0xff, bytes.length - 1);
          writeFileSync(join(folder, version, name), bytes);
        }
      }
      writeFileSync(join(root, 'source/doc.md'), edits[index]!);
      const counted = countingParses(createSharedResources());
      const warm = await build({ ...options, shared: counted.shared, force: run.force });
      expect(counted.parsed.count).toBe(run.parses);
      expect(html(warm)).toEqual(html(await build({ ...options, cache: false, dryRun: true })));
    }
  });

  it('separate runs take unchanged chapters from the disk cache; a corrupt entry is parsed again, another version’s are removed', async () => {
    const root = bookProject();
    const trees = join(root, 'node_modules/.cache/colophon/trees');
    mkdirSync(join(trees, 'another-version'), { recursive: true });
    writeFileSync(join(trees, 'another-version', 'x.tree'), 'old');
    const options = { root, paths: ['book'], formats: ['html'] as 'html'[], sourceDateEpoch: 0 };
    const first = countingParses(createSharedResources());
    await build({ ...options, shared: first.shared });
    expect(first.parsed.count).toBe(5);
    expect(readdirSync(trees)).toHaveLength(1);
    const [folder = ''] = readdirSync(trees).map((name) => join(trees, name));
    const files = readdirSync(folder).filter((name) => name.endsWith('.tree')).map((name) => join(folder, name));
    expect(files).toHaveLength(5);
    // Damage one entry: it must be detected, not deserialised.
    const damaged = files[0]!;
    const bytes = readFileSync(damaged);
    bytes.writeUInt8((bytes.at(-1) ?? 0) ^ 0xff, bytes.length - 1);
    writeFileSync(damaged, bytes);
    editNumbers(root);
    const second = countingParses(createSharedResources());
    const warm = await build({ ...options, shared: second.shared });
    // The edited chapter and the damaged one.
    expect(second.parsed.count).toBe(2);
    const forced = countingParses(createSharedResources());
    await build({ ...options, shared: forced.shared, force: true });
    expect(forced.parsed.count).toBe(5);
    const cold = await build({ ...options, cache: false, dryRun: true });
    expect(editionBytes(warm)).toEqual(editionBytes(cold));
  });
});

/** The figures book with two chapters more: notes in several chapters, cross-references, numbered sections, a toc. */
function bookProject(): string {
  const root = tempProject({
    'book/numbers.md': [
      '# Numbers {#sec:numbers}',
      '',
      'A claim[^a] and another[^b], shown in @fig:plot and argued in @sec:notes.',
      '',
      '![A plot of nothing](img/dot.png){#fig:plot}',
      '',
      '## Overview',
      '',
      'Same heading text as the first chapter: the id must differ.',
      '',
      '[^a]: The first note.',
      '[^b]: The second note.',
      '',
    ].join('\n'),
    'book/notes.md': '# Notes {#sec:notes}\n\nBack to @sec:numbers and @fig:plot.[^a]\n\n[^a]: This chapter’s own first note.\n',
  });
  copyInto(root, join(fixturesDir, 'book-figures'), 'book');
  writeFileSync(
    join(root, 'book/book.yaml'),
    'title: Figures and Links\nauthor: Ada Lovelace\nlang: en\ndate: 2024-05-01\ntoc: true\nnumber-sections: true\nchapters:\n  - chapters/ch01-intro.md\n  - numbers.md\n  - chapters/ch02-ownership.md\n  - notes.md\n  - appendix.md\n',
  );
  return root;
}

/** A one-line edit with a new note: the notes after it, in this chapter and the next, are renumbered. */
function editNumbers(root: string): void {
  const chapter = join(root, 'book/numbers.md');
  writeFileSync(chapter, readFileSync(chapter, 'utf8').replace('Same heading text', 'A new line of *text*.[^c]\n\n[^c]: A third note.\n\nSame heading text'));
}

/** Shared resources whose tree store counts the trees parsed (each parsed tree is stored once). */
function editionBytes(result: Awaited<ReturnType<typeof build>>): string[] {
  return result.documents[0]!.editions.map((edition) => Buffer.from(edition.bytes).toString('base64'));
}

describe('messages in a watch session', () => {
  it('a rebuild reports the messages it made again as the last build\'s objects, and the messages of a cold build', async () => {
    const root = tempProject({
      'book/book.yaml': 'title: Messages\nchapters:\n  - one.md\n  - two.md\n',
      'book/one.md': '# One\n\nA [link][dup] to it.\n\n[dup]: https://example.org/a\n[dup]: https://example.org/b\n\n![badge](https://example.org/badge.svg)\n',
      'book/two.md': '# Two\n\nSee [it][twice].\n\n[twice]: https://example.org/c\n[twice]: https://example.org/d\n\nA closing paragraph.\n',
    });
    const options = { root, paths: ['book'], formats: ['pdf'] as 'pdf'[], cache: false, dryRun: true, sourceDateEpoch: 0 };
    const plain = (built: Awaited<ReturnType<typeof build>>) => built.documents[0]!.file.messages.map((message) => ({ text: String(message), ruleId: message.ruleId, fatal: message.fatal }));
    const session = createSharedResources({ treeMemoryBytes: 64 * 1024 * 1024 });
    const first = await build({ ...options, shared: session });
    const chapter = join(root, 'book/two.md');
    writeFileSync(chapter, `${readFileSync(chapter, 'utf8')}\nOne more line.\n`);
    const warm = await build({ ...options, shared: session });
    expect(session.lastBuilds?.spliced).toBe(1);
    expect(plain(warm)).toEqual(plain(await build(options)));
    const before = first.documents[0]!.file.messages;
    const after = warm.documents[0]!.file.messages;
    // The first chapter's warnings (a duplicate definition, a remote image the PDF does not embed) are the same objects.
    const ofFirst = after.filter((message) => message.file?.endsWith('one.md'));
    expect(ofFirst.map((message) => message.ruleId).sort()).toEqual(['definition-duplicate', 'pdf-image-remote']);
    for (const message of ofFirst) expect(before).toContain(message);
  });
});
