import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { formatMessage } from '../pipeline/cli/cli.ts';
import { expectGolden, fixturesDir, htmlCases, projectRoot } from './helpers.ts';

const cases = htmlCases();
const out = mkdtempSync(join(tmpdir(), 'colophon-html-'));
const built = new Map<string, { html?: string; messages: string }>();

beforeAll(async () => {
  for (const name of cases) {
    const root = join(fixturesDir, name);
    const result = await build({ root, paths: ['input.md'], out: join(out, name), formats: ['html'] });
    const document = result.documents[0]!;
    const messages = `${[...document.file.messages.map(formatMessage), `exit ${result.ok ? 0 : 1}`].join('\n')}\n`;
    const bytes = document.editions[0]?.bytes;
    built.set(name, { html: bytes && result.ok ? new TextDecoder().decode(bytes) : undefined, messages });
  }
});

/** The golden projection: the whole page except the stylesheet, which has its own life. */
function withoutStyle(html: string): string {
  return html.replace(/<style>[\s\S]*?<\/style>/, '<style>/* templates/html/style.css */</style>');
}

describe.each(cases)('fixture %s', (name) => {
  it('matches its golden messages and exit code', () => {
    expectGolden(join(fixturesDir, name, 'messages.txt'), built.get(name)!.messages);
  });

  it('matches its golden HTML (when it builds)', () => {
    const html = built.get(name)!.html;
    if (html === undefined) {
      expect(built.get(name)!.messages).toMatch(/exit 1\n$/);
      return;
    }
    expectGolden(join(fixturesDir, name, 'expected.html'), withoutStyle(html));
  });
});

describe('every built page', () => {
  it('pins a copy of the seed document that is the one in source/', () => {
    expect(readFileSync(join(fixturesDir, 'seed', 'input.md'), 'utf8')).toBe(readFileSync(join(projectRoot, 'source', 'sco-blueprint.md'), 'utf8'));
  });

  it('contains every word of the seed article, and working note links and backlinks', () => {
    const html = built.get('seed')!.html!;
    // The article as first published, kept beside the fixture: the suite reads nothing outside the repository.
    const seed = readFileSync(join(fixturesDir, 'seed', 'original.txt'), 'utf8');
    const text = html
      .replace(/<style>[\s\S]*?<\/style>|<script[\s\S]*?<\/script>|<head>[\s\S]*?<\/head>/g, ' ')
      .replace(/<sup>[\s\S]*?<\/sup>/g, ' ')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&#x26;|&amp;/g, '&');
    const words = (value: string) => value.split(/[^\p{L}\p{N}’'-]+/u).filter(Boolean);
    const have = new Set(words(text));
    const missing = words(seed).filter((word) => !have.has(word));
    expect(missing).toEqual([]);
    // Each line of the article survives whole, apart from the byline (rendered from metadata with note marks).
    for (const line of seed.split('\n').map((value) => value.trim()).filter(Boolean)) {
      if (line.startsWith('By ')) continue;
      expect(text.replace(/\s+/g, ' ')).toContain(line.replace(/\s+/g, ' '));
    }
    const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((match) => match[1]));
    const noteLinks = [...html.matchAll(/href="#(fn(?:ref)?-[^"]+)"/g)].map((match) => match[1]!);
    expect(noteLinks.filter((id) => id.startsWith('fn-'))).toHaveLength(2);
    expect(noteLinks.filter((id) => id.startsWith('fnref-'))).toHaveLength(2);
    for (const id of noteLinks) expect(ids.has(id), `#${id} has a target`).toBe(true);
  });
});

describe('writing direction', () => {
  it('gives right-to-left blocks of a left-to-right document dir="rtl", and the page stays valid', async () => {
    const result = await build({ root: join(fixturesDir, 'pdf-intl'), paths: ['intl.md'], out: join(out, 'intl'), formats: ['html'] });
    const html = new TextDecoder().decode(result.documents[0]!.editions[0]!.bytes);
    expect(html).toMatch(/<html lang="ru">/);
    expect(html).toContain('<h2 id="العربية" dir="rtl">');
    expect(html).toContain('<p dir="rtl">اللغة العربية');
    expect(html).toContain('<p dir="rtl">עברית היא');
    expect(html).toContain('<p dir="rtl">قال المؤلف');
    // A left-to-right paragraph with Arabic and Hebrew words inside keeps its direction (the browser's bidi handles the words).
    expect(html).toContain('<p>The word for peace is سلام');
    // The Nu checker checks this page too, in html-validators.test.ts.
  });
});

describe('the body handed over a few blocks at a time', () => {
  it('serialises to the same bytes as the whole conversion: notes cited across handovers, right-to-left blocks, the notes section last', async () => {
    const { VFile } = await import('vfile');
    const { unified } = await import('unified');
    const { default: rehypeStringify } = await import('rehype-stringify');
    const stringifier = unified().use(rehypeStringify);
    const toHtml = (root: Parameters<typeof stringifier.stringify>[0]) => stringifier.stringify(root);
    const { parse } = await import('../pipeline/parse/parse.ts');
    const { runTransforms } = await import('../pipeline/transforms/index.ts');
    const { contentToHast } = await import('../pipeline/writers/shared/render.ts');
    // More blocks than one handover takes, and notes cited again far from their first citation.
    const blocks = Array.from({ length: 150 }, (_, index) =>
      index % 37 === 5 ? `مرحبا بالعالم ${index} [^a]` : index % 10 === 0 ? `## Part ${index}\n\n- item [^b]\n- [x] done` : `Paragraph ${index} with *emphasis*${index % 3 === 0 ? ' [^a]' : ''} and $x^${index}$.`,
    );
    const text = `---\ntitle: Streams\nabstract: In short.\n---\n\n${blocks.join('\n\n')}\n\n[^a]: Note a.\n[^b]: Note b.\n`;
    const file = new VFile({ path: 'streams.md', value: text });
    const tree = parse(file);
    runTransforms(tree, file);
    const whole = toHtml(contentToHast(tree, { lang: 'en', direction: 'ltr' }));
    const handed: string[] = [];
    let calls = 0;
    const rest = contentToHast(tree, {
      lang: 'en',
      direction: 'ltr',
      eachBlocks: (nodes) => {
        calls++;
        handed.push(toHtml({ type: 'root', children: nodes }));
      },
    });
    expect(calls).toBeGreaterThan(1);
    expect(handed.join('') + toHtml(rest)).toBe(whole);
    expect(whole).toContain('dir="rtl"');
    expect(toHtml(rest)).toMatch(/^\n<section data-footnotes/);
  });
});

describe('the links back from notes, in the document’s language', () => {
  it('names each back link with the words of terms.ts, in HTML and EPUB alike', async () => {
    const { VFile } = await import('vfile');
    const { unified } = await import('unified');
    const { default: rehypeStringify } = await import('rehype-stringify');
    const stringifier = unified().use(rehypeStringify);
    const { parse } = await import('../pipeline/parse/parse.ts');
    const { runTransforms } = await import('../pipeline/transforms/index.ts');
    const { contentToHast } = await import('../pipeline/writers/shared/render.ts');
    const { labelsFor } = await import('../pipeline/writers/epub/labels.ts');
    const { backLinkLabel } = await import('../pipeline/terms.ts');
    const backLinks = (lang: string) => {
      const file = new VFile({ path: 'notes.md', value: 'One[^a] and again[^a], then[^b].\n\n[^a]: Note a.\n[^b]: Note b.\n' });
      const tree = parse(file);
      runTransforms(tree, file);
      return [...stringifier.stringify(contentToHast(tree, { lang })).matchAll(/data-footnote-backref[^>]*aria-label="([^"]*)"|aria-label="([^"]*)"[^>]*data-footnote-backref/g)].map((match) => match[1] ?? match[2]);
    };
    expect(backLinks('en')).toEqual(['Back to reference 1', 'Back to reference 1, citation 2', 'Back to reference 2']);
    expect(backLinks('de-AT')).toEqual(['Zurück zum Verweis 1', 'Zurück zum Verweis 1 (2)', 'Zurück zum Verweis 2']);
    expect(backLinks('ja')).toEqual(['参照 1 に戻る', '参照 1 に戻る (2)', '参照 2 に戻る']);
    // A language without words of its own falls back to English; the EPUB's note numbers use the same words.
    expect(backLinks('ar')).toEqual(backLinks('en'));
    expect(labelsFor('fr').backToReference('3')).toBe(backLinkLabel('fr', '3', 1));
    expect(labelsFor('fr').backToReference('3')).toBe('Retour à l’appel de note 3');
  });
});

describe('dates in English', () => {
  it('are spelt as Intl.DateTimeFormat spells them, month alone or with the day, rolled over as Date rolls', async () => {
    const { formatDate } = await import('../pipeline/writers/shared/format.ts');
    const intl = (date: string, lang: string) => {
      const [year, month, day] = date.split('-').map(Number);
      const value = new Date(Date.UTC(year!, month! - 1, day ?? 1));
      return new Intl.DateTimeFormat(lang, { year: 'numeric', month: 'long', ...(day ? { day: 'numeric' } : {}), timeZone: 'UTC' }).format(value);
    };
    for (const lang of ['en', 'EN', 'en-US', 'en-us']) {
      for (const date of ['2018-06', '2018-06-05', '1999-12-31', '2024-02-29', '2023-02-29', '2018-13', '2018-06-31', '1000-01-01', '9999-12', '2018-06-00']) {
        expect(formatDate(date, lang)).toBe(intl(date, 'en'));
      }
    }
    // Other languages, and years Intl writes otherwise, still go to Intl.
    expect(formatDate('2018-06-05', 'en-GB')).toBe(intl('2018-06-05', 'en-GB'));
    expect(formatDate('0050-06', 'en')).toBe(intl('0050-06', 'en'));
  });
});

describe('the page written into its file as it is made (Writer.renderTo)', () => {
  it('holds the same bytes as the page made in memory, past the first megabyte of text, with text beyond ASCII', async () => {
    const { tempProject } = await import('./helpers.ts');
    const paragraph = (index: number) => `Paragraph ${index}: naïve café, 日本語の文, مرحبا, emoji 🎉 and *emphasis*, long enough to fill the page quickly.`;
    const text = `---\ntitle: Long\n---\n\n${Array.from({ length: 9000 }, (_, index) => paragraph(index)).join('\n\n')}\n`;
    const root = tempProject({ 'source/long.md': text });
    const written = await build({ root, out: 'dist', formats: ['html'], cache: false });
    const dry = await build({ root, formats: ['html'], dryRun: true, cache: false });
    expect(written.ok).toBe(true);
    const page = readFileSync(join(root, 'dist', 'long.html'));
    // More text than one write takes (a megabyte of characters), in several writes.
    expect(page.toString('utf8').length).toBeGreaterThan(1 << 20);
    expect(Buffer.from(dry.documents[0]!.editions[0]!.bytes).equals(page)).toBe(true);
  });
});
