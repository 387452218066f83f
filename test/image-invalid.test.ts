import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../pipeline/build/build.ts';
import { checkImage } from '../pipeline/read/image-check.ts';
import { normalizeSvg } from '../pipeline/read/svg.ts';
import { epubcheck, fixturesDir, nuCheck, tempProject, tool } from './helpers.ts';

/**
 * An image file that is not a valid image (cut short, noise after a signature, text under an
 * image's name, a broken header, an SVG with no drawing) never reaches a reader: each edition
 * warns at the image, with its file, and shows the alt text instead, and the EPUB passes
 * epubcheck (which calls such files corrupt: PKG-021, OPF-029, MED-004, RSC-016).
 */

const FIXTURE = join(fixturesDir, 'image-invalid');
let out: string;
let result: BuildResult;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'colophon-image-invalid-'));
  result = await build({ root: FIXTURE, paths: ['input.md'], out, formats: ['html', 'pdf', 'epub'], cache: false });
  return () => rmSync(out, { recursive: true, force: true });
});

const fixtureImage = (name: string, mediaType: string) => ({ path: name, mediaType, bytes: readFileSync(join(FIXTURE, name)) });

describe('checkImage', () => {
  it('says why each kind of bad file is not an image', () => {
    const png = readFileSync(join(FIXTURE, 'dot.png'));
    const cases: [Uint8Array, string, RegExp][] = [
      [new Uint8Array(0), 'image/png', /the file is empty/],
      [png.subarray(0, 2), 'image/png', /not a PNG image/],
      [png.subarray(0, 20), 'image/png', /no valid header \(IHDR/],
      [png.subarray(0, 45), 'image/png', /ends inside its IDAT chunk/],
      [png.subarray(0, png.length - 12), 'image/png', /ends before its IEND chunk/],
      [new TextEncoder().encode('plain text'), 'image/png', /not a PNG image/],
      [readFileSync(join(FIXTURE, 'garbage.jpg')), 'image/jpeg', /JPEG is corrupt at byte 2/],
      [readFileSync(join(FIXTURE, 'truncated.jpg')), 'image/jpeg', /no end marker/],
      [readFileSync(join(FIXTURE, 'header.gif')), 'image/gif', /neither GIF87a nor GIF89a/],
      [readFileSync(join(fixturesDir, 'pdf-gif', 'corrupt.gif')), 'image/gif', /GIF is corrupt at byte 13/],
      [normalizeSvg(readFileSync(join(FIXTURE, 'page.svg'))), 'image/svg+xml', /no <svg> element/],
    ];
    for (const [bytes, mediaType, problem] of cases) expect(checkImage({ path: 'x', mediaType, bytes }).problem).toMatch(problem);
  });

  it('passes good images, typed by their bytes, and a GIF cut inside its first image (drawn as far as it goes)', () => {
    expect(checkImage(fixtureImage('dot.png', 'image/png'))).toEqual({ mediaType: 'image/png' });
    expect(checkImage(fixtureImage('photo.png', 'image/png'))).toEqual({ mediaType: 'image/jpeg' });
    expect(checkImage({ path: 'x', mediaType: 'image/gif', bytes: readFileSync(join(fixturesDir, 'pdf-gif', 'truncated.gif')) })).toEqual({ mediaType: 'image/gif' });
    expect(checkImage({ path: 'x', mediaType: 'image/svg+xml', bytes: normalizeSvg(readFileSync(join(FIXTURE, 'prefixed.svg'))) })).toEqual({ mediaType: 'image/svg+xml' });
  });
});

describe('normalizeSvg', () => {
  it('drops attributes and elements whose prefix nothing declares, keeps declared ones', () => {
    const svg = (text: string) => new TextDecoder().decode(normalizeSvg(new TextEncoder().encode(text)));
    expect(svg('<svg xmlns="http://www.w3.org/2000/svg"><rect tool:layer="1" width="2"/><tool:x/></svg>')).toContain('<svg xmlns="http://www.w3.org/2000/svg"><rect width="2"></rect></svg>');
    expect(svg('<svg xmlns="http://www.w3.org/2000/svg" xmlns:ink="urn:ink"><g ink:label="L"><ink:view/></g></svg>')).toContain('<g ink:label="L"><ink:view></ink:view></g>');
  });
});

describe('corrupt images in every edition', () => {
  it('warns at each corrupt image, with its file, once per edition', () => {
    const messages = result.documents[0]!.file.messages;
    expect(result.ok).toBe(true);
    expect(messages.every((message) => message.fatal === false)).toBe(true);
    const seen = messages.map((message) => `${message.line}:${message.column} ${message.ruleId} ${String(message.reason).split(':')[0]}`);
    const each = (place: string, file: string, pdf = 'pdf-image-invalid') => [`${place} epub-image-invalid ${file}`, `${place} html-image-invalid ${file}`, `${place} ${pdf} ${file}`];
    expect(seen).toEqual([
      ...each('13:37', 'truncated.png'),
      ...each('15:1', 'garbage.jpg'),
      ...each('17:35', 'truncated.jpg'),
      ...each('19:22', 'notes.png'),
      // The PDF decodes a GIF itself (writers/pdf/gif.ts), which says so in its own words.
      ...each('20:1', 'header.gif', 'pdf-gif-invalid'),
      ...each('22:1', 'page.svg'),
      ...each('27:40', 'notes.png'),
    ]);
  });

  it('makes an EPUB that epubcheck passes with no message, the JPEG named .png packaged as a JPEG', async () => {
    const epub = join(out, 'input.epub');
    const report = await epubcheck(epub);
    expect(report.stdout).toContain('Messages: 0 fatals / 0 errors / 0 warnings / 0 infos');
    const zip = await JSZip.loadAsync(readFileSync(epub));
    const images = Object.keys(zip.files).filter((name) => name.startsWith('OEBPS/images/') && !name.endsWith('/'));
    expect(images).toEqual(['OEBPS/images/cover.svg', 'OEBPS/images/001-dot.png', 'OEBPS/images/002-photo.jpg', 'OEBPS/images/003-prefixed.svg']);
    const opf = await zip.file('OEBPS/content.opf')!.async('string');
    expect(opf).toMatch(/href="images\/002-photo\.jpg" media-type="image\/jpeg"/);
    const chapter = await zip.file('OEBPS/chapter-01.xhtml')!.async('string');
    for (const alt of ['shows its alt text: the truncated PNG.', '<figure class="figure">The JPEG with noise after its signature<figcaption>', 'the notes file, and', 'the notes, again.']) expect(chapter).toContain(alt);
  });

  it('makes HTML the Nu checker passes, with the alt text in place of each corrupt image', () => {
    const html = readFileSync(join(out, 'input.html'), 'utf8');
    expect(nuCheck([join(out, 'input.html')]).filter((message) => message.type === 'error')).toEqual([]);
    expect(html.match(/<img /g)).toHaveLength(3);
    expect(html).toContain('src="data:image/jpeg;base64,');
    expect(html).toContain('shows its alt text: the truncated PNG.');
    expect(html).toContain('<span>the notes, again</span>');
  });

  it('makes a PDF that qpdf passes, with the alt text of each corrupt image', () => {
    const pdf = join(out, 'input.pdf');
    expect(tool('qpdf', ['--check', pdf])).toContain('No syntax or stream encoding errors');
    const text = tool('pdftotext', [pdf, '-']).replace(/\s+/g, ' ');
    for (const alt of ['[the truncated PNG]', '[The JPEG with noise after its signature]', '[the truncated JPEG]', '[the notes file]', '[the broken GIF]', '[A web page saved as an SVG]', '[the notes, again]']) expect(text).toContain(alt);
    // The good PNG, the JPEG named .png and the SVG are drawn.
    expect(tool('pdfimages', ['-list', pdf]).split('\n').filter((line) => /^\s+1\s/.test(line))).toHaveLength(2);
  });

  it('makes a typographic cover in place of a corrupt cover image, with a warning at the front matter', async () => {
    const root = tempProject({ 'doc.md': '---\ntitle: Covered\ncover: cover.png\n---\n\nText.\n', 'cover.png': new TextEncoder().encode('not a picture') });
    try {
      const built = await build({ root, paths: ['doc.md'], out: join(root, 'dist'), formats: ['epub'], cache: false });
      const messages = built.documents[0]!.file.messages.map((message) => `${message.line}:${message.column} ${message.ruleId}`);
      expect(messages).toEqual(['3:8 epub-cover-invalid']);
      const report = await epubcheck(join(root, 'dist', 'doc.epub'));
      expect(report.stdout).toContain('Messages: 0 fatals / 0 errors / 0 warnings / 0 infos');
      const zip = await JSZip.loadAsync(readFileSync(join(root, 'dist', 'doc.epub')));
      expect(zip.file('OEBPS/images/cover.svg')).not.toBeNull();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
