import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { VFile } from 'vfile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../pipeline/build/build.ts';
import { parse } from '../pipeline/parse/parse.ts';
import { runTransforms } from '../pipeline/transforms/index.ts';
import { conformance, outlineProblems, type ConformanceFacts } from '../pipeline/writers/epub/conformance.ts';
import { HIGHLIGHT_COLORS } from '../pipeline/writers/shared/highlight-colors.ts';
import { projectRoot, tempProject, tool } from './helpers.ts';

/**
 * `dcterms:conformsTo` (EPUB Accessibility 1.1, WCAG 2.1 AA) is claimed only when Colophon's own
 * checks pass: alt text, outline, language, and the colour contrast of the built-in styles
 * (measured here, on the stylesheets and palettes Colophon ships).
 */

const passing: ConformanceFacts = { imagesWithoutAlt: 0, outlineProblems: 0, language: 'declared', ownStylesheets: false };

describe('the conformance claim', () => {
  it('holds when every check passes (a declared or a detected language)', () => {
    expect(conformance(passing)).toEqual({ conforms: true, unmet: [] });
    expect(conformance({ ...passing, language: 'detected' }).conforms).toBe(true);
  });
  it('is not made when an image has no text alternative', () => {
    expect(conformance({ ...passing, imagesWithoutAlt: 2 })).toEqual({ conforms: false, unmet: ['2 images have no text alternative'] });
  });
  it('is not made when the outline is broken', () => {
    expect(conformance({ ...passing, outlineProblems: 1 })).toEqual({ conforms: false, unmet: ['1 heading breaks the outline (a skipped level or no text)'] });
  });
  it('is not made when the language is not known', () => {
    expect(conformance({ ...passing, language: 'unknown' }).unmet).toEqual(['the language of the text is not declared (front matter lang)']);
  });
  it('is not made when the document brings its own stylesheets (their contrast is not checked)', () => {
    expect(conformance({ ...passing, ownStylesheets: true }).unmet).toEqual(['its own stylesheets are not checked for colour contrast']);
  });
  it('counts skipped levels and empty headings left in a tree', () => {
    const tree = parse(new VFile({ value: '## A\n\n#### Skipped\n\n## \n\n### Fine\n' }));
    expect(outlineProblems(tree)).toBe(2);
    // After the outline transform, skipped levels are clamped: only the empty heading is left.
    const file = new VFile({ path: 'doc.md', value: '---\ntitle: T\n---\n\n## A\n\n#### Skipped\n\n## \n' });
    const transformed = parse(file);
    runTransforms(transformed, file);
    expect(outlineProblems(transformed)).toBe(1);
  });
});

describe('the claim in built EPUBs', () => {
  const english = 'This guide explains how the parser reads a document, how the writers print it, and why each edition keeps the same numbers. It is written for people who maintain their own themes and want to know where a change should go.';
  const documents: Record<string, string> = {
    'declared.md': `---\ntitle: Declared\nlang: en-GB\n---\n\nShort text.\n`,
    'detected.md': `---\ntitle: Detected\n---\n\n${english}\n`,
    'french.md': `---\ntitle: Sans langue\n---\n\nCe guide explique comment l'analyseur lit un document, comment les rédacteurs l'impriment, et pourquoi chaque édition garde les mêmes numéros. Il est écrit pour celles et ceux qui entretiennent leurs propres thèmes.\n`,
    'styled.md': `---\ntitle: Styled\nlang: en\ncss: own.css\n---\n\nText.\n`,
    'own.css': 'p { color: #999; }\n',
  };
  let root: string;
  let result: BuildResult;
  beforeAll(async () => {
    root = tempProject(documents);
    result = await build({ root, paths: ['declared.md', 'detected.md', 'french.md', 'styled.md'], out: 'dist', formats: ['epub'], cache: false });
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const opf = (name: string) => tool('unzip', ['-p', join(root, 'dist', `${name}.epub`), 'OEBPS/content.opf']);
  const messages = (name: string) => result.documents.find((document) => document.source.endsWith(name))?.file.messages.map((message) => `${message.line ?? 0}:${message.column ?? 0} ${message.reason} [${message.ruleId}]`) ?? [];

  it('claims conformance with a declared language, or with an undeclared one the text shows to be English', () => {
    expect(result.ok).toBe(true);
    expect(opf('declared')).toContain('<meta property="dcterms:conformsTo">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>');
    expect(opf('detected')).toContain('dcterms:conformsTo');
  });
  it('makes no claim for a text in another language than the English it would be declared as, and says why in the summary', () => {
    expect(opf('french')).not.toContain('dcterms:conformsTo');
    expect(opf('french')).toContain('makes no claim to meet EPUB Accessibility 1.1: the language of the text is not declared');
  });
  it('makes no claim with the document’s own stylesheet, and says so at its css key', () => {
    expect(opf('styled')).not.toContain('dcterms:conformsTo');
    expect(messages('styled.md')).toContain('4:6 the EPUB makes no accessibility conformance claim: its own stylesheets are not checked for colour contrast [epub-conformance]');
  });
});

/** WCAG 2.x relative luminance and contrast ratio. */
function luminance(hex: string): number {
  const full = hex.length === 4 ? `#${[...hex.slice(1)].map((digit) => digit + digit).join('')}` : hex;
  const [r, g, b] = [1, 3, 5].map((start) => Number.parseInt(full.slice(start, start + 2), 16) / 255).map((channel) => (channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}
function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

/**
 * The text colours and the background colours a stylesheet sets (custom properties resolved;
 * `border…` colours are not text). Every text colour is measured on every background, and on
 * the page (white when the sheet leaves the page to the reader, as the EPUB's does).
 */
function palette(css: string): { text: Set<string>; background: Set<string> } {
  const variables = new Map([...css.matchAll(/(--[\w-]+)\s*:\s*(#[\da-f]{3,6})\b/gi)].map((match) => [match[1]!, match[2]!.toLowerCase()]));
  const value = (raw: string) => raw.replace(/var\((--[\w-]+)\)/g, (_all, name: string) => variables.get(name) ?? name).match(/#[\da-f]{6}\b|#[\da-f]{3}\b/i)?.[0]?.toLowerCase();
  const text = new Set<string>();
  const background = new Set<string>(['#ffffff']);
  for (const [, property, raw] of css.matchAll(/(?<![\w-])(color|background(?:-color)?)\s*:\s*([^;}]+)/gi)) {
    const colour = value(raw!);
    if (colour) (property === 'color' ? text : background).add(colour);
  }
  return { text, background };
}

describe('the contrast of the built-in styles (WCAG 2.1 AA: 4.5:1 for text)', () => {
  const own = (path: string) => readFileSync(join(projectRoot, path), 'utf8');
  const highlight = Object.values(HIGHLIGHT_COLORS);

  it.each(['templates/html/style.css', 'templates/epub/style.css'])('%s, with the shared rules and the highlighting colours', (path) => {
    const { text, background } = palette(`${own(path)}\n${own('templates/shared/content.css')}`);
    const low: string[] = [];
    for (const foreground of [...text, ...highlight, '#000000']) {
      for (const ground of background) if (contrast(foreground, ground) < 4.5) low.push(`${foreground} on ${ground}: ${contrast(foreground, ground).toFixed(2)}`);
    }
    expect(text.size + background.size).toBeGreaterThan(2);
    expect(low).toEqual([]);
  });

  it('the PDF theme: body, links, running heads and highlighting on the page, code and mark backgrounds', () => {
    const theme = JSON.parse(own('templates/pdf/theme.json')) as { body: { color: string }; linkColor: string; runningHead: { color: string }; code: { background: string }; markBackground: string };
    const low: string[] = [];
    for (const foreground of [theme.body.color, theme.linkColor, theme.runningHead.color, ...highlight]) {
      for (const ground of ['#ffffff', theme.code.background, theme.markBackground]) if (contrast(foreground, ground) < 4.5) low.push(`${foreground} on ${ground}: ${contrast(foreground, ground).toFixed(2)}`);
    }
    expect(low).toEqual([]);
  });

  it('measures contrast as WCAG defines it', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#777777', '#ffffff')).toBeCloseTo(4.48, 2);
  });
});
