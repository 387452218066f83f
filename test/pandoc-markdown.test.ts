import type { Heading, Nodes, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { VFile } from 'vfile';
import { compareMessage } from 'vfile-sort';
import { describe, expect, it } from 'vitest';
import { formatMessage } from '../pipeline/cli/cli.ts';
import { parse } from '../pipeline/parse/parse.ts';
import { runTransforms } from '../pipeline/transforms/index.ts';
import { nearestKey } from '../pipeline/transforms/front-matter-keys.ts';
import { retext } from 'retext';
import retextSmartypants from 'retext-smartypants';
import { pairQuotes, QUOTES, quotesFor } from '../pipeline/transforms/smart-punctuation.ts';
import { runCli, tempProject } from './helpers.ts';

/** Issue 14: the Pandoc extensions authors expect, at the tree level (the editions are in pandoc-editions.test.ts). */

function process(markdown: string, path = 'doc.md') {
  const file = new VFile({ path, value: markdown });
  const tree = parse(file);
  const meta = runTransforms(tree, file);
  return { file, tree, meta, messages: [...file.messages].sort(compareMessage).map(formatMessage) };
}

function headings(tree: Root): Heading[] {
  return tree.children.filter((node): node is Heading => node.type === 'heading');
}

describe('heading attributes', () => {
  it('reads {#id .class key=value} and {-} once, in the parse stage, and leaves the text clean', () => {
    const tree = parse(new VFile('# Intro {#sec:intro .lead lang=fr}\n\n## Setext\n\nOther {.unnumbered}\n----------\n\n# Dash {-}\n'));
    const [intro, , other, dash] = headings(tree);
    expect(toString(intro!)).toBe('Intro');
    expect(intro!.data?.attributes).toEqual({ id: 'sec:intro', classes: ['lead'], keyValues: [['lang', 'fr']] });
    expect(intro!.data?.hProperties).toEqual({ id: 'sec:intro', className: ['lead'], dataLang: 'fr' });
    expect(intro!.children[0]!.position?.end.column).toBe(8);
    expect(toString(other!)).toBe('Other');
    expect(other!.data?.unnumbered).toBe(true);
    expect(dash!.data?.unnumbered).toBe(true);
  });

  it('keeps braces that are not an attribute block as text', () => {
    const texts = ['# Escaped \\{#x}', '# Entity &#123;#x}', '# Code `{#x}`', '# Glued{#x}', '# Bad {#x y}', '# Empty {}', '# Nested {#a {b}}'].map(
      (source) => toString(headings(parse(new VFile(source)))[0]!),
    );
    expect(texts).toEqual(['Escaped {#x}', 'Entity {#x}', 'Code {#x}', 'Glued{#x}', 'Bad {#x y}', 'Empty {}', 'Nested {#a {b}}']);
  });

  it('uses a given id instead of the slug, keeps slugs off it, and warns about a repeated one', () => {
    const { tree, messages } = process('---\ntitle: T\n---\n# Intro {#methods}\n\n# Methods\n\n# Again {#methods}\n\n# Contents {#toc}\n');
    expect(headings(tree).map((node) => node.data?.id)).toEqual(['methods', 'methods-1', 'again', 'contents']);
    expect(messages).toEqual([
      'doc.md:8:1: warning: heading id `#methods` is already used: using a generated id instead [heading-id-duplicate]',
      'doc.md:10:1: warning: heading id `#toc` is reserved by Colophon: using a generated id instead [heading-id-duplicate]',
    ]);
  });

  it('is linear on hostile headings', () => {
    const long = `# ${'{ '.repeat(5_000)}${'\\'.repeat(5_000)}{#x}\n`;
    const started = performance.now();
    parse(new VFile(long));
    // Not a timing assertion: a quadratic scan would take minutes; this only has to finish.
    expect(performance.now() - started).toBeGreaterThan(0);
  });
});

describe('title block', () => {
  it('reads Pandoc\'s % title, authors and date (continuation lines, `;`, inline Markdown) into the metadata, out of the body', () => {
    const { tree, meta, messages } = process('% Rust *Release*\n  Notes\n% Ada Lovelace; Charles Babbage\n  Mary Somerville\n% 2024-05-01\n\nVersion 1.95\n============\n\nBody.\n');
    expect(meta.title).toBe('Rust Release Notes');
    expect(meta.authors.map((author) => author.name)).toEqual(['Ada Lovelace', 'Charles Babbage', 'Mary Somerville']);
    expect(meta.date).toBe('2024-05-01');
    expect(meta.places?.title).toEqual({ line: 1, column: 3 });
    // The first heading stays in the body: the title came from the block.
    expect(tree.children.map((node) => node.type)).toEqual(['heading', 'paragraph']);
    expect(messages).toEqual([]);
  });

  it('leaves an empty field out, warns about a date that is not ISO 8601 at its place, and keeps anything else as text', () => {
    const authorOnly = process('%\n% Ada Lovelace\n\n# Heading\n');
    expect(authorOnly.meta.title).toBe('Heading');
    expect(authorOnly.meta.authors.map((author) => author.name)).toEqual(['Ada Lovelace']);
    const prose = process('% Title\n%\n% June 15, 2006\n\nBody.\n');
    expect(prose.meta.title).toBe('Title');
    expect(prose.meta.date).toBeUndefined();
    expect(prose.messages).toEqual(['doc.md:3:3: warning: the title block\'s date "June 15, 2006" is not an ISO 8601 date (YYYY, YYYY-MM, YYYY-MM-DD or a date-time): it is left out [metadata-date]']);
    // Four % lines, a date on two lines, or a % that does not open the document: a paragraph.
    for (const source of ['% a\n% b\n% c\n% d\n', '% a\n% b\n% 2024\n  05\n', '\n% a\n']) {
      const { tree } = process(`---\ntitle: T\n---\n${source}`);
      expect(tree.children[0]?.type, source).toBe('paragraph');
      expect(parse(new VFile(source)).children[0]?.type, source).toBe('paragraph');
    }
  });
});

describe('number-sections', () => {
  it('numbers 1, 1.1, 1.2, 2 from the shallowest level, skipping {.unnumbered} without counting it', () => {
    const { tree } = process('---\ntitle: T\nnumber-sections: true\n---\n\n## A\n\n### A1\n\n#### A1a\n\n### A2\n\n## Preface {-}\n\n## B\n\n> ## Quoted\n');
    expect(headings(tree).map((node) => node.data?.sectionNumber)).toEqual(['1', '1.1', '1.1.1', '1.2', undefined, '2']);
  });

  it('numbers nothing without number-sections', () => {
    const { tree } = process('---\ntitle: T\n---\n\n## A\n');
    expect(headings(tree)[0]!.data?.sectionNumber).toBeUndefined();
  });
});

describe('front matter that speaks Pandoc', () => {
  it('warns about an unknown key at its line and column, with the nearest known key', () => {
    const { messages, meta } = process(
      '---\ntitle: T\nnumbersections: true\n  # a comment\nbibliograpy: refs.bib\ncover-image: c.png\ntable-of-contents: true\ngeometry: margin=1in\nlayout: post\nx-build: 7\ndata:\n  anything: [1]\nabstract: A.\n---\n',
    );
    expect(messages).toEqual([
      'doc.md:3:1: warning: unknown front matter key `numbersections`: did you mean `number-sections`? [metadata-unknown-key]',
      'doc.md:5:1: warning: unknown front matter key `bibliograpy`: did you mean `bibliography`? [metadata-unknown-key]',
      'doc.md:8:1: warning: front matter `geometry` is a Pandoc key that Colophon does not use: it is ignored [metadata-unknown-key]',
      'doc.md:9:1: warning: unknown front matter key `layout`: it is ignored (custom data goes under `x-…` keys or a `data:` map) [metadata-unknown-key]',
    ]);
    // Pandoc's names for our keys are read as ours.
    expect(meta.cover).toBe('c.png');
    expect(meta.toc).toBe(true);
  });

  it('suggests only plausible keys', () => {
    const known = ['number-sections', 'bibliography', 'toc', 'toc-depth', 'lang', 'title'];
    expect(nearestKey('number_sections', known)).toBe('number-sections');
    expect(nearestKey('tocdepth', known)).toBe('toc-depth');
    expect(nearestKey('titel', known)).toBe('title');
    expect(nearestKey('lnag', known)).toBe('lang');
    expect(nearestKey('layout', known)).toBeUndefined();
    expect(nearestKey('x'.repeat(10_000), known)).toBeUndefined();
  });

  it('colophon check points at each misspelt key', () => {
    const root = tempProject({ 'doc.md': '---\ntitle: C\nnumbersections: true\nbibliograpy: refs.bib\n---\n\nText.\n' });
    const run = runCli(['check', 'doc.md'], root);
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('doc.md:3:1: warning: unknown front matter key `numbersections`: did you mean `number-sections`? [metadata-unknown-key]');
    expect(run.stderr).toContain('doc.md:4:1: warning: unknown front matter key `bibliograpy`: did you mean `bibliography`? [metadata-unknown-key]');
    expect(runCli(['check', 'doc.md', '--strict'], root).status).toBe(1);
  });
});

function inlineTypes(markdown: string): string[] {
  const paragraph = parse(new VFile(markdown)).children[0];
  return paragraph?.type === 'paragraph' ? paragraph.children.map((child) => (child.type === 'text' ? `text:${child.value}` : `${child.type}:${toString(child)}`)) : [];
}

describe('sub- and superscript', () => {
  it('reads Pandoc\'s ~sub~ and ^super^, keeps ~~strike~~, and leaves spaced, escaped or open markers as text', () => {
    expect(inlineTypes('H~2~O x^2^ ~~s~~')).toEqual(['text:H', 'subscript:2', 'text:O x', 'superscript:2', 'text: ', 'delete:s']);
    expect(inlineTypes('from ~5 m to ~6 m')).toEqual(['text:from ~5 m to ~6 m']);
    expect(inlineTypes('\\~a\\~ and \\^b\\^')).toEqual(['text:~a~ and ^b^']);
    expect(inlineTypes('a ~ b ^ c ~~d ^^e^^ ~f')).toEqual(['text:a ~ b ^ c ~~d ^^e^^ ~f']);
    expect(inlineTypes('x^*a*^ and e~i\\~j~')).toEqual(['text:x', 'superscript:a', 'text: and e', 'subscript:i~j']);
    expect(inlineTypes('`H~2~O` https://example.org/~user~x')).toEqual(['inlineCode:H~2~O', 'text: ', 'link:https://example.org/~user~x']);
  });

  it('turns raw <sub> and <sup> into the same nodes', () => {
    const { tree } = process('---\ntitle: T\n---\n\nH<sub>2</sub>O x<sup>3</sup> <sub>open\n');
    const paragraph = tree.children[0]!;
    expect(paragraph.type === 'paragraph' && paragraph.children.map((child) => child.type)).toEqual(['text', 'subscript', 'text', 'superscript', 'text', 'subscript']);
  });
});

describe('alerts and definition lists', () => {
  it('makes typed alerts with localised titles; other markers stay block quotes', () => {
    const { tree } = process('---\ntitle: T\nlang: de-CH\n---\n\n> [!CAUTION]\n> Hot.\n\n> [!NOTE] same line\n\n> [!FOO]\n> x\n\n- > [!TIP]\n  > In a list.\n');
    expect(tree.children.map((node) => node.type)).toEqual(['alert', 'blockquote', 'blockquote', 'list']);
    const alert = tree.children[0]!;
    expect(alert.type === 'alert' && [alert.kind, alert.data?.title, toString(alert)]).toEqual(['caution', 'Vorsicht', 'Hot.']);
    expect(toString(tree.children[1]!)).toBe('[!NOTE] same line');
  });

  it('reads definition lists, also inside a quote', () => {
    const { tree } = process('---\ntitle: T\n---\n\nTerm\n:   One\n:   Two\n\n> Q\n> :   A\n');
    expect(tree.children.map((node) => node.type)).toEqual(['defList', 'blockquote']);
    const quote = tree.children[1]!;
    expect(quote.type === 'blockquote' && quote.children[0]!.type).toBe('defList');
  });

  it('reads definition lists inside bullet and ordered list items, tight or loose', () => {
    const { tree } = process('---\ntitle: T\n---\n\n- Item\n\n  Term\n  :   One\n  :   Two\n\n1. Term\n\n   :   Loose\n\n2. > - Deep\n   >   : Nested\n');
    const shapes = (node: Nodes): string => ('children' in node ? `${node.type}${'spread' in node && node.type === 'defListDescription' ? `(${node.spread})` : ''}[${node.children.map(shapes).join(' ')}]` : node.type);
    expect(tree.children.map(shapes)).toEqual([
      'list[listItem[paragraph[text] defList[defListTerm[text] defListDescription(false)[paragraph[text]] defListDescription(false)[paragraph[text]]]]]',
      'list[listItem[defList[defListTerm[text] defListDescription(true)[paragraph[text]]]] listItem[blockquote[list[listItem[defList[defListTerm[text] defListDescription(false)[paragraph[text]]]]]]]]',
    ]);
    // A list item's `:` line with no term before it stays text, as at top level.
    const { tree: plain } = process('---\ntitle: T\n---\n\n- ```\n  x\n  ```\n  : not a definition\n');
    expect(toString(plain)).toContain(': not a definition');
  });
});

describe('smart punctuation', () => {
  it('has quotes for at least ten languages, regional ones first', () => {
    expect(Object.keys(QUOTES).length).toBeGreaterThanOrEqual(10);
    expect(quotesFor('de-CH').double).toEqual(['«', '»']);
    expect(quotesFor('de-AT').double).toEqual(['„', '“']);
    expect(quotesFor('zh-Hant-TW').double).toEqual(['「', '」']);
    expect(quotesFor('xx').double).toEqual(['“', '”']);
  });

  it('leaves code and raw HTML alone, and is off with smart: false', () => {
    const on = process('---\ntitle: T\n---\n\n"a" -- `"b"` <span title="\'x\'">\'c\'</span>...\n').tree;
    // Raw HTML is typed by the raw-HTML transform; its text is prose, its attributes are not text.
    expect(toString(on)).toBe('“a” – "b" ‘c’…');
    expect(toString(process('---\ntitle: T\nsmart: false\n---\n\n"a" -- b...\n').tree)).toBe('"a" -- b...');
  });

  it('keeps the two hyphens of a command-line option (`--root`, from handlebars’ release notes); other `--` are dashes', () => {
    const smart = (body: string) => toString(process(`---\ntitle: T\n---\n\n${body}\n`).tree);
    expect(smart('Clarify that --root does not (--force or "--watch") restrict *x* --jobs.')).toBe('Clarify that --root does not (--force or “--watch”) restrict x --jobs.');
    expect(smart('--strict first; pages 1--9, a -- b, ---Mark Twain, a---b, x --Y.')).toBe('--strict first; pages 1–9, a – b, —Mark Twain, a—b, x –Y.');
    expect(smart('`a`--b and *a*--b, one...--c')).toBe('a–b and a–b, one…–c');
  });

  it('spaces French punctuation: U+202F before ; ! ?, U+00A0 before :, in text only', () => {
    const show = (value: string) => value.replace(/\u202F/g, '⍽').replace(/\u00A0/g, '°');
    const french = (lang: string, body: string) => show(toString(process(`---\ntitle: T\nlang: ${lang}\n---\n\n${body}\n`).tree));
    // A typed space is replaced, not doubled; none is added inside `?!`, `10:30`, after `(`.
    expect(french('fr', 'Quoi? Oui ! Enfin  ; voici: *un*? Déjà ?! (?) à 10:30.')).toBe('Quoi⍽? Oui⍽! Enfin⍽; voici°: un⍽? Déjà⍽?! (?) à 10:30.');
    // Every French variant; Swiss French keeps its unspaced guillemets.
    expect(french('fr-CA', 'Vrai?')).toBe('Vrai⍽?');
    expect(french('fr-CH', '"Vrai?"')).toBe('«Vrai⍽?»');
    // Code, URLs and raw HTML keep what was typed; other languages are untouched.
    expect(french('fr', '`a ? b : c;` https://example.org/?q=1 <kbd title="a:b">x;</kbd>')).toBe('a ? b : c; https://example.org/?q=1 x⍽;');
    expect(french('en', 'Why? Note: this.')).toBe('Why? Note: this.');
  });

  it('pairs quotes as retext-smartypants does over the whole tree, walking only the sentences that hold one', () => {
    const text = [
      'He said "yes" and \'no\'. Plain words here. It\'s the \'80s, "\'quoted\' words" here.',
      'A sentence without marks. Another one.\n\n" alone at a paragraph\'s start',
      "\n\n' and \"\n\nrock 'n' roll. The end.\"",
      '"Open. Closed." \'s and "end" ',
    ].join(' ');
    for (const lang of ['en', 'de', 'fr']) {
      const quotes = quotesFor(lang);
      const options = { openingQuotes: { double: quotes.double[0]!, single: quotes.single[0]! }, closingQuotes: { double: quotes.double[1]!, single: quotes.single[1]! } };
      const whole = retext().use(retextSmartypants, { ...options, ellipses: false, dashes: false, backticks: false }).processSync(text).toString();
      expect(pairQuotes(text, options, [])).toBe(whole);
    }
  });

  it('pairs the quotes of a long text in passes cut between quiet blocks, as one pass would', () => {
    // Blocks as smartypants joins them (a space each), some full of quotes; between the x's and the
    // y's is a quiet cut.
    const blocks = ['He said "yes" and \'no\'.', "It's the '80s, \"'quoted' words\" here", 'Plain text with no marks at all, long enough to be quiet.', '"Open', "rock 'n' roll", 'x'.repeat(3000), 'y'.repeat(3000), '\'s and "end"'];
    let text = '';
    const starts: number[] = [];
    for (let index = 0; text.length < 700_000; index++) {
      text += ' ';
      starts.push(text.length);
      text += blocks[index % blocks.length]!;
    }
    const options = { openingQuotes: { double: '“', single: '‘' }, closingQuotes: { double: '”', single: '’' } };
    const passes = pairQuotes(text, options, starts);
    expect(passes).toBe(pairQuotes(text, options, []));
    expect(passes.length).toBe(text.length);
    expect(passes).toContain('“yes”');
    // A watch session remembers each pass: after an edit near the end, only the passes it touched are paired again.
    const remembered = new Map<string, string>();
    const paired = { count: 0 };
    const memo = {
      get: (key: string) => remembered.get(key),
      set: (key: string, value: string) => {
        paired.count++;
        remembered.set(key, value);
      },
    };
    expect(pairQuotes(text, options, starts, memo)).toBe(passes);
    // The text repeats itself, and so do its passes: each is paired once.
    expect(paired.count).toBeGreaterThan(1);
    paired.count = 0;
    const at = text.lastIndexOf('"end"');
    const edited = `${text.slice(0, at)}"an edit" ${text.slice(at)}`;
    const editedStarts = starts.map((start) => (start > at ? start + 10 : start));
    expect(pairQuotes(edited, options, editedStarts, memo)).toBe(pairQuotes(edited, options, []));
    expect(paired.count).toBe(1);
  });
});
