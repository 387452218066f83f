import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { build } from '../pipeline/build/build.ts';
import { HIGHLIGHT_COLORS } from '../pipeline/writers/shared/highlight-colors.ts';
import { epubcheck, expectGolden, fixturesDir, requireTool, updateGolden } from './helpers.ts';

/**
 * Issue 14 in the three editions: one fixture with every Pandoc extension (goldens for the PDF
 * text and the EPUB chapter; the HTML golden is html.test.ts's), the German and French
 * quotes, the same words in every edition, and highlighted Python in three colours at least.
 */

const FIXTURES = ['pandoc-features', 'pandoc-de', 'pandoc-fr'] as const;
type Fixture = (typeof FIXTURES)[number];
interface Editions {
  html: string;
  epubChapters: string[];
  epubCss: string;
  epubOpf: string;
  pdfPath: string;
  pdfText: string;
}

const out = mkdtempSync(join(tmpdir(), 'colophon-pandoc-'));
const built = new Map<Fixture, Editions>();

beforeAll(async () => {
  requireTool('pdftotext', 'apt-get install poppler-utils');
  for (const name of FIXTURES) {
    const result = await build({ root: join(fixturesDir, name), paths: ['input.md'], out: join(out, name), formats: ['html', 'pdf', 'epub'], cache: false });
    expect(result.ok, result.documents[0]?.file.messages.map(String).join('\n')).toBe(true);
    const bytes = (extension: string) => result.documents[0]!.editions.find((edition) => edition.edition === extension)!.bytes;
    const zip = await JSZip.loadAsync(bytes('epub'));
    const chapterNames = Object.keys(zip.files).filter((path) => /chapter-\d+\.xhtml$/.test(path)).sort();
    const pdfPath = join(out, `${name}.pdf`);
    writeFileSync(pdfPath, bytes('pdf'));
    writeFileSync(join(out, `${name}.epub`), bytes('epub'));
    built.set(name, {
      html: new TextDecoder().decode(bytes('html')),
      epubChapters: await Promise.all(chapterNames.map((path) => zip.file(path)!.async('string'))),
      epubCss: await zip.file(Object.keys(zip.files).find((path) => path.endsWith('style.css'))!)!.async('string'),
      epubOpf: await zip.file(Object.keys(zip.files).find((path) => path.endsWith('.opf'))!)!.async('string'),
      pdfPath,
      pdfText: execFileSync('pdftotext', [pdfPath, '-'], { encoding: 'utf8' }),
    });
  }
});

/** What a reader reads: tags dropped, entities decoded, white space collapsed. */
function markupText(markup: string): string {
  return markup
    .replace(/<style>[\s\S]*?<\/style>|<head>[\s\S]*?<\/head>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')
    .replace(/[\s\u202F]+/g, ' ');
}
function texts(name: Fixture): Record<'html' | 'epub' | 'pdf', string> {
  const editions = built.get(name)!;
  return { html: markupText(editions.html), epub: markupText(editions.epubChapters.join(' ')), pdf: editions.pdfText.replace(/[\s\u202F]+/g, ' ') };
}

describe('the Pandoc features fixture', () => {
  it('matches its PDF text and EPUB chapter goldens', () => {
    const { pdfPath, epubChapters } = built.get('pandoc-features')!;
    const expectedDir = join(fixturesDir, 'pandoc-features', 'expected');
    if (updateGolden) rmSync(expectedDir, { recursive: true, force: true });
    const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('pdfinfo', [pdfPath], { encoding: 'utf8' }))![1]);
    for (let page = 1; page <= pages; page++) {
      expectGolden(join(expectedDir, `page-${page}.txt`), execFileSync('pdftotext', ['-layout', '-f', String(page), '-l', String(page), pdfPath, '-'], { encoding: 'utf8' }));
    }
    epubChapters.forEach((chapter, index) => expectGolden(join(expectedDir, `chapter-${index + 1}.xhtml`), chapter));
    expect(readdirSync(expectedDir).filter((file) => file.startsWith('page-')).length).toBe(pages);
  });

  it('prints the same quotes, dashes, numbers, scripts and alert titles in every edition', () => {
    const words = [
      '“Double quotes,” ‘single quotes’, it’s 1990–1999 — and then… nothing.',
      'Pandoc’s Markdown, in every edition',
      '1 Punctuation', '1.1 Scripts', '1.2 Definitions', '2 Alerts', '3 Appendix', '3.1 Part', '3.1.1 Deep heading',
      'Note Useful information', 'Tip Helpful advice', 'Important Key information', 'Warning Urgent info', 'Caution Advises about risks',
      '[!UNKNOWN] An ordinary block quote.',
      'from ~5 m to ~6 m, a ^ caret, and escaped ~a~ stay plain',
      'Term one The first definition.',
    ];
    for (const [edition, text] of Object.entries(texts('pandoc-features'))) {
      for (const phrase of words) expect(text, `${edition}: ${phrase}`).toContain(phrase);
      // Code and the URL keep their straight quotes and double hyphens.
      expect(text, edition).toContain('"x" -- \'y\'...');
      expect(text.replace(/\s+/g, ''), edition).toContain('https://example.org/a--b/\'c'); // a URL may break across lines in the PDF
      expect(text, edition).not.toContain('Code 2');
    }
  });

  it('passes epubcheck (every feature, definition lists inside list items included)', async () => {
    const report = await epubcheck(join(out, 'pandoc-features.epub'));
    expect(`${report.stdout}${report.stderr}`).toContain('Messages: 0 fatals / 0 errors / 0 warnings / 0 infos');
  });

  it('prints the title, the author and the derived description with the body’s punctuation in every edition’s metadata', () => {
    const { html, epubOpf, pdfPath } = built.get('pandoc-features')!;
    const title = 'Pandoc’s Markdown, in every edition';
    const author = 'Patrick O’Brian';
    // The first paragraph, as the body prints it: code keeps its straight quotes and hyphens.
    const opening = '“Double quotes,” ‘single quotes’, it’s 1990–1999 — and then… nothing. Code stays straight: "x" -- \'y\'...';
    const decode = (markup: string) => markup.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16))).replace(/&#(\d+);/g, (_, decimal: string) => String.fromCodePoint(Number(decimal))).replace(/&quot;/g, '"').replace(/&amp;/g, '&');
    const page = decode(html);
    expect(page).toContain(`<title>${title}</title>`);
    expect(page).toContain(`<meta name="author" content="${author}">`);
    expect(page).toContain(`<meta name="description" content="${opening}`);
    const opf = decode(epubOpf);
    expect(opf).toMatch(new RegExp(`<dc:title[^>]*>${title}</dc:title>`));
    expect(opf).toMatch(new RegExp(`<dc:creator[^>]*>${author}</dc:creator>`));
    expect(opf).toContain(`<dc:description>${opening}`);
    const info = execFileSync('pdfinfo', [pdfPath], { encoding: 'utf8' });
    expect(info).toContain(`Title:           ${title}`);
    expect(info).toContain(`Author:          ${author}`);
    expect(info).toContain(`Subject:         ${opening}`);
  });

  it('marks sub- and superscripts, definition lists and alerts in HTML and EPUB', () => {
    const { html, epubChapters } = built.get('pandoc-features')!;
    for (const markup of [html, epubChapters.join('')]) {
      expect(markup).toContain('H<sub>2</sub>O');
      expect(markup).toContain('mc<sup>2</sup>');
      expect(markup).toContain('x<sup>3</sup>');
      expect(markup).toContain('<del>this</del>');
      expect(markup).toMatch(/<dl>\s*<dt>Term one<\/dt>/);
      // Definition lists inside a bullet and an ordered list item.
      expect(markup).toMatch(/<ul>\s*<li>\s*<p>A bullet item holding a definition list:<\/p>\s*<dl>\s*<dt>Listed term<\/dt>\s*<dd>Listed definition\.\s*<\/dd>\s*<\/dl>\s*<\/li>/);
      expect(markup).toMatch(/<ol>\s*<li>\s*<p>An ordered item:<\/p>\s*<dl>\s*<dt>Ordered term<\/dt>\s*<dd>Ordered definition\.\s*<\/dd>\s*<dd>Its second definition\.\s*<\/dd>/);
      expect(markup).toContain('<aside class="alert alert-note" role="note"><p class="alert-title">Note</p>');
    }
  });

  it('hangs the definitions of a list inside a list item under their term in the PDF', () => {
    const { pdfPath } = built.get('pandoc-features')!;
    // Every word's left edge, in reading order (pdftotext -bbox).
    const words = [...execFileSync('pdftotext', ['-bbox', pdfPath, '-'], { encoding: 'utf8' }).matchAll(/<word xMin="([\d.]+)"[^>]*>([^<]*)<\/word>/g)].map((match) => ({ x: Number(match[1]), text: match[2]! }));
    const leftOf = (text: string, next: string) => words.find((word, index) => word.text === text && words[index + 1]?.text === next)!.x;
    for (const [itemX, term] of [[leftOf('A', 'bullet'), 'Listed'], [leftOf('An', 'ordered'), 'Ordered']] as const) {
      const termX = leftOf(term, 'term');
      const definitionX = leftOf(term, 'definition.');
      expect(termX, term).toBeCloseTo(itemX, 0); // the term starts where the item's text does
      expect(definitionX - termX, term).toBeGreaterThan(10); // and its definitions hang under it
    }
  });

  it('colours the Python block with at least three token colours in every edition', () => {
    const { html, epubChapters, epubCss, pdfPath } = built.get('pandoc-features')!;
    const coloursIn = (markup: string, css: string) => {
      const block = /<code class="language-python">([\s\S]*?)<\/code>/.exec(markup)![1]!;
      const classes = new Set([...block.matchAll(/class="hljs-([\w-]+)/g)].map((match) => match[1]!));
      const colours = new Set([...classes].map((scope) => new RegExp(`\\.hljs-${scope} \\{ color: (#[0-9a-f]{6}); \\}`).exec(css)?.[1]).filter(Boolean));
      return colours.size;
    };
    expect(coloursIn(html, html)).toBeGreaterThanOrEqual(3);
    expect(coloursIn(epubChapters.join(''), epubCss)).toBeGreaterThanOrEqual(3);
    // The PDF: the page's fill colours (qpdf uncompresses the content streams) include three of the table's.
    const qdf = join(out, 'features-qdf.pdf');
    execFileSync('qpdf', ['--qdf', '--object-streams=disable', pdfPath, qdf]);
    const content = readFileSync(qdf, 'latin1');
    const drawn = Object.values(HIGHLIGHT_COLORS).filter((hex) => {
      const [r, g, b] = [1, 3, 5].map((at) => parseInt(hex.slice(at, at + 2), 16) / 255);
      const near = (value: string, wanted: number) => Math.abs(Number(value) - wanted) < 0.003;
      return [...content.matchAll(/([\d.]+) ([\d.]+) ([\d.]+) (?:rg|scn)/g)].some((match) => near(match[1]!, r!) && near(match[2]!, g!) && near(match[3]!, b!));
    });
    expect(new Set(drawn).size).toBeGreaterThanOrEqual(3);
  });
});

describe('quotes by language', () => {
  it('German gets „…“ and ‚…‘, and apostrophes ’, in every edition', () => {
    for (const [edition, text] of Object.entries(texts('pandoc-de'))) {
      expect(text, edition).toContain('Sie sagte: „Das ist ‚schön‘ – wirklich…“ Peter’s Buch und Hans’ Idee.');
      expect(text, edition).toContain('Warnung Vorsicht mit „Zitaten“.');
    }
  });

  it('French gets « … » with narrow no-break spaces, in every edition', () => {
    const { html } = built.get('pandoc-fr')!;
    expect(html).toContain('«\u202FC’est ‹\u202Fparfait\u202F› – vraiment…\u202F»');
    for (const [edition, text] of Object.entries(texts('pandoc-fr'))) {
      expect(text, edition).toContain('Il a dit : « C’est ‹ parfait › – vraiment… » et l’homme est parti.');
      expect(text, edition).toContain('Astuce Un « conseil » utile.');
    }
  });

  it('French spaces ; ! ? and : with no-break spaces, in every edition, but not in code or URLs', () => {
    const { html, epubChapters, pdfPath } = built.get('pandoc-fr')!;
    const spaced = 'Vraiment\u202F? Oui\u202F! Enfin\u202F; voici la liste\u00A0: <em>un</em>\u202F? Déjà\u202F?! Rendez-vous à 10:30.';
    for (const [edition, markup] of [['html', html], ['epub', epubChapters.join('')]] as const) {
      expect(markup, edition).toContain(spaced);
      expect(markup, edition).toContain('<code>a ? b : c;</code>');
      expect(markup, edition).toContain('>https://example.org/?q=1</a>');
    }
    // pdftotext prints every space as U+0020: the widths tell. A narrow space before ? ! ; is
    // narrower than the no-break word space before :, which is not stretched when the line is.
    const words = [...execFileSync('pdftotext', ['-bbox', pdfPath, '-'], { encoding: 'utf8' }).matchAll(/<word xMin="([\d.]+)"[^>]*xMax="([\d.]+)"[^>]*>([^<]*)<\/word>/g)].map((match) => ({ from: Number(match[1]), to: Number(match[2]), text: match[3]! }));
    const gap = (before: string, mark: string) => {
      const index = words.findIndex((word, at) => word.text === before && words[at + 1]?.text === mark);
      expect(index, `${before} ${mark}`).toBeGreaterThanOrEqual(0);
      return words[index + 1]!.from - words[index]!.to;
    };
    const colon = gap('liste', ':');
    for (const [before, mark] of [['Vraiment', '?'], ['Oui', '!'], ['Enfin', ';']] as const) {
      expect(gap(before, mark), mark).toBeGreaterThan(0.5);
      expect(gap(before, mark), mark).toBeLessThan(colon * 0.8);
    }
  });
});

describe('a % title block', () => {
  it('titles, signs and dates every edition as front matter would (Rust\'s releases.md opens with `% Rust Release Notes`)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'colophon-title-block-'));
    writeFileSync(join(root, 'notes.md'), '% Rust Release Notes\n% The Rust Team\n% 2026-04-16\n\nVersion 1.95 (2026-04-16)\n==========================\n\nLanguage\n--------\n\n- Stabilize `if let` guards on match arms\n');
    const result = await build({ root, paths: ['notes.md'], out: join(root, 'dist'), formats: ['html', 'pdf', 'epub'], cache: false });
    expect(result.documents[0]!.file.messages.map(String)).toEqual([]);
    expect(result.ok).toBe(true);
    const bytes = (extension: string) => result.documents[0]!.editions.find((edition) => edition.edition === extension)!.bytes;
    const html = new TextDecoder().decode(bytes('html'));
    expect(html).toContain('<title>Rust Release Notes</title>');
    expect(html).toMatch(/<h1[^>]*>Rust Release Notes<\/h1>/);
    expect(html).toContain('The Rust Team');
    expect(html).toContain('<h1 id="version-195-2026-04-16">Version 1.95 (2026-04-16)</h1>');
    expect(html).not.toContain('% Rust');

    const zip = await JSZip.loadAsync(bytes('epub'));
    const opf = await zip.file(Object.keys(zip.files).find((path) => path.endsWith('.opf'))!)!.async('string');
    expect(opf).toMatch(/<dc:title[^>]*>Rust Release Notes<\/dc:title>/);
    expect(opf).toMatch(/<dc:creator[^>]*>The Rust Team<\/dc:creator>/);
    expect(opf).toContain('2026-04-16');
    const chapters = await Promise.all(Object.keys(zip.files).filter((path) => path.endsWith('.xhtml')).map((path) => zip.file(path)!.async('string')));
    expect(chapters.join('')).not.toContain('% Rust');
    const epubPath = join(root, 'notes.epub');
    writeFileSync(epubPath, bytes('epub'));
    const report = await epubcheck(epubPath);
    expect(`${report.stdout}${report.stderr}`).toContain('Messages: 0 fatals / 0 errors / 0 warnings / 0 infos');

    const pdfPath = join(root, 'notes.pdf');
    writeFileSync(pdfPath, bytes('pdf'));
    const info = execFileSync('pdfinfo', [pdfPath], { encoding: 'utf8' });
    expect(info).toMatch(/^Title:\s+Rust Release Notes$/m);
    expect(info).toMatch(/^Author:\s+The Rust Team$/m);
    const text = execFileSync('pdftotext', [pdfPath, '-'], { encoding: 'utf8' });
    expect(text).not.toContain('%');
    expect(text).toContain('Version 1.95 (2026-04-16)');
    rmSync(root, { recursive: true, force: true });
  });
});
