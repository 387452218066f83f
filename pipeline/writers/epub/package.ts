import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { EPub, type Chapter, type Options } from 'epub-gen-memory';
import type { PackageMetadata } from './metadata.ts';
import { deflatedEntry } from './native-deflate.ts';

/** What the templates in templates/epub/ read, under the `book` option. */
export interface BookModel {
  metadata: PackageMetadata;
  manifest: ManifestItem[];
  spine: { idref: string; linear: boolean }[];
  nav: NavEntry[];
  navDepth: number;
  landmarks: { type: string; href: string; label: string }[];
  labels: { contents: string; landmarks: string };
  /** The document's writing direction: the spine's page progression and each page's `dir`. */
  direction: 'ltr' | 'rtl';
}

export interface ManifestItem {
  id: string;
  href: string;
  mediaType: string;
  properties?: string;
}

export interface NavEntry {
  label: string;
  href: string;
  /** NCX play order: position in a depth-first walk, from 1. */
  order: number;
  children: NavEntry[];
}

/** One XHTML file, rendered by the chapter template from already serialised XHTML. */
export interface PackagedDocument {
  filename: string;
  title: string;
  language: string;
  /** Set on the page's root for a right-to-left document. */
  direction?: 'rtl';
  bodyClass: string;
  /**
   * The page's body as XHTML in UTF-8, asked for once, when the zip is written: a long book's
   * pages are never all held as text at once (the 100 MB book's are about 170 MB of it).
   */
  body: () => Uint8Array;
}

export interface PackageInput {
  book: BookModel;
  documents: PackagedDocument[];
  /** Files added as they are (images), paths relative to the OPF. */
  files: { path: string; bytes: Uint8Array }[];
  templates: { contentOPF: string; tocNCX: string; tocXHTML: string; chapterXHTML: string; css: string };
  /** The one timestamp the package carries, in seconds (zip entry dates). */
  epoch: number;
}

/** The parts of JSZip this module touches (epub-gen-memory's typings for it do not resolve). */
interface Zip {
  files: Record<string, { date: Date; dir: boolean; options: { compression: string | null }; async(type: 'string'): Promise<string>; async(type: 'uint8array'): Promise<Uint8Array> }>;
  file(path: string, data: object, options?: { binary: true }): unknown;
  generateAsync(options: typeof GENERATE & { type: 'uint8array' }): Promise<Uint8Array>;
  generateNodeStream(options: typeof GENERATE & { type: 'nodebuffer' }): NodeJS.ReadableStream;
}

/** How the zip is generated, into memory or into a file: the same bytes. */
const GENERATE = { compression: 'DEFLATE', compressionOptions: { level: 9 } } as const;

/** The earliest time a zip entry can carry (MS-DOS dates start in 1980). */
const DOS_EPOCH = Date.UTC(1980, 0, 1) / 1000;

/**
 * Packaging through epub-gen-memory, with its defects fenced off:
 * - Its chapter normaliser re-parses `content` and drops attributes outside an allow-list
 *   (`start`, `checked`, `width`…) and renames images randomly, and it fetches every image
 *   URL it finds. So `content` is always empty: our chapter template prints the XHTML we
 *   serialised ourselves from a custom chapter field, and it never sees an `<img>`.
 * - Its OPF/NCX templates write a random identifier, the clock's time and a made-up rights
 *   line; our `contentOPF`, `tocNCX` and `tocXHTML` templates print only our metadata.
 * - It stamps zip entries with the current time: we set every entry's date from the epoch
 *   before generating, on its own zip object (it keeps `mimetype` first and stored).
 * - `prependChapterTitles` would repeat every chapter's heading: off, and unused by our template.
 */
class Packager extends EPub {
  /** The zip, every entry in it and dated, ready to be generated. */
  async pack(documents: PackagedDocument[], files: PackageInput['files'], epoch: number): Promise<Zip> {
    await this.render();
    const zip = this.zip as unknown as Zip;
    // The chapter template printed a mark where each page's body goes; the page is written into
    // the zip as its bytes, deflated by Node's zlib, the body made only when the zip is generated
    // (one page's text at a time, in the zip's order: native-deflate.ts).
    const pages = this.content as unknown as { filename: string }[];
    const deflated = new Set<string>();
    for (const [index, { filename }] of pages.entries()) {
      const path = `OEBPS/${filename}`;
      deflated.add(path);
      const page = await zip.files[path]!.async('string');
      // Nothing the template prints after the body comes from the author: the body's mark is the last.
      const at = page.lastIndexOf(BODY_MARK);
      const [before, after] = at < 0 ? [page, ''] : [page.slice(0, at), page.slice(at + BODY_MARK.length)];
      const body = at < 0 ? undefined : documents[index]!.body;
      zip.file(path, deflatedEntry(() => pageBytes(before, body, after)), { binary: true });
    }
    for (const file of files) {
      deflated.add(`OEBPS/${file.path}`);
      zip.file(`OEBPS/${file.path}`, deflatedEntry(() => file.bytes), { binary: true });
    }
    // epub-gen-memory's own entries (the package document, navigation, stylesheet), but not the
    // `mimetype` it stores uncompressed, as the EPUB container format requires.
    for (const [path, entry] of Object.entries(zip.files)) {
      if (entry.dir || entry.options.compression === 'STORE' || deflated.has(path)) continue;
      const bytes = await entry.async('uint8array');
      zip.file(path, deflatedEntry(() => bytes), { binary: true });
    }
    const date = new Date(Math.max(epoch, DOS_EPOCH) * 1000);
    for (const entry of Object.values(zip.files)) entry.date = date;
    return zip;
  }
}

/** What the chapter template is given for a page's body, and replaced with the body's bytes in the zip. */
const BODY_MARK = '\u0000colophon-page-body\u0000';

/** A page's bytes: the template's text around its body. */
function pageBytes(before: string, body: (() => Uint8Array) | undefined, after: string): Uint8Array {
  return Buffer.concat([Buffer.from(before, 'utf8'), ...(body ? [body()] : []), Buffer.from(after, 'utf8')]);
}

export async function packageEpub(input: PackageInput): Promise<Uint8Array> {
  return (await pack(input)).generateAsync({ ...GENERATE, type: 'uint8array' });
}

/** As packageEpub, the package written into the file at `path` as it is generated. */
export async function packageEpubTo(input: PackageInput, path: string): Promise<void> {
  await pipeline((await pack(input)).generateNodeStream({ ...GENERATE, type: 'nodebuffer' }), createWriteStream(path));
}

function pack(input: PackageInput): Promise<Zip> {
  const { book, documents, files, templates, epoch } = input;
  const options: Options & { book: BookModel } = {
    title: book.metadata.title,
    author: book.metadata.creators.map((creator) => creator.name),
    publisher: book.metadata.publisher,
    description: book.metadata.description,
    lang: book.metadata.language,
    // Only its own validation reads this (it must parse as a date); our templates print `book.metadata.modified`.
    date: book.metadata.modified,
    css: templates.css,
    contentOPF: templates.contentOPF,
    tocNCX: templates.tocNCX,
    tocXHTML: templates.tocXHTML,
    chapterXHTML: templates.chapterXHTML,
    prependChapterTitles: false,
    numberChaptersInTOC: false,
    fonts: [],
    version: 3,
    verbose: false,
    book,
  };
  const chapters: (Chapter & Omit<PackagedDocument, 'filename' | 'title' | 'body'> & { body: string })[] = documents.map((document) => ({
    title: document.title,
    filename: document.filename,
    content: '',
    language: document.language,
    direction: document.direction,
    bodyClass: document.bodyClass,
    body: BODY_MARK,
  }));
  return new Packager(options, chapters).pack(documents, files, epoch);
}
