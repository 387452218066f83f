import type { Heading, Root } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { VFile } from 'vfile';
import { compareMessage } from 'vfile-sort';
import { describe, expect, it } from 'vitest';
import { formatMessage } from '../pipeline/cli/cli.ts';
import { parse } from '../pipeline/parse/parse.ts';
import { runTransforms } from '../pipeline/transforms/index.ts';
import { nearestKey } from '../pipeline/transforms/front-matter-keys.ts';
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
      'doc.md:8:1: warning: heading id `#methods` is already used by another heading: using a generated id instead [heading-id-duplicate]',
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
