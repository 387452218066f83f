import { EPub, type Chapter, type Options } from 'epub-gen-memory';
import type { PackageMetadata } from './metadata.ts';

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
  body: string;
}

export interface PackageInput {
  book: BookModel;
  /** Each document's `body` is taken (left empty) by packageEpub. */
  documents: PackagedDocument[];
  /** Files added as they are (images), paths relative to the OPF. */
  files: { path: string; bytes: Uint8Array }[];
  templates: { contentOPF: string; tocNCX: string; tocXHTML: string; chapterXHTML: string; css: string };
  /** The one timestamp the package carries, in seconds (zip entry dates). */
  epoch: number;
}

/** The parts of JSZip this module touches (epub-gen-memory's typings for it do not resolve). */
interface Zip {
  files: Record<string, { date: Date }>;
  file(path: string, data: Uint8Array): unknown;
  generateAsync(options: { type: 'uint8array'; compression: 'DEFLATE'; compressionOptions: { level: number } }): Promise<Uint8Array>;
}

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
  async pack(files: PackageInput['files'], epoch: number): Promise<Uint8Array> {
    await this.render();
    // Each chapter is in the zip now, rendered by the chapter template: its XHTML can go.
    for (const chapter of this.content as unknown as { body?: string }[]) if (chapter.body) chapter.body = '';
    const zip = this.zip as unknown as Zip;
    for (const file of files) zip.file(`OEBPS/${file.path}`, file.bytes);
    const date = new Date(Math.max(epoch, DOS_EPOCH) * 1000);
    for (const entry of Object.values(zip.files)) entry.date = date;
    return zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 9 } });
  }
}

export async function packageEpub(input: PackageInput): Promise<Uint8Array> {
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
  const chapters: (Chapter & Omit<PackagedDocument, 'filename' | 'title'>)[] = documents.map((document) => ({
    title: document.title,
    filename: document.filename,
    content: '',
    language: document.language,
    direction: document.direction,
    bodyClass: document.bodyClass,
    body: document.body,
  }));
  const packager = new Packager(options, chapters);
  // The packager copied each chapter: its XHTML is held there alone, and let go once rendered
  // into the zip, not after the whole EPUB is made (the documents are left with empty bodies).
  for (const chapter of chapters) chapter.body = '';
  for (const document of documents) document.body = '';
  return packager.pack(files, epoch);
}
