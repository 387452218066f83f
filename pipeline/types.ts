import type { ThemeOverride } from './transforms/pdf-theme.ts';
import type { BlockContent, Definition, FootnoteDefinition, Image, ImageReference, Parent, PhrasingContent, Root, Table } from 'mdast';
import type { Limits } from './read/limits.ts';
import type { ReadOptions } from './read/source.ts';
import type { VFile } from 'vfile';
import type { ElementContent } from 'hast';
import type { Node as UnistNode } from 'unist';

export const EDITIONS = ['html', 'pdf', 'epub'] as const;
export type Edition = (typeof EDITIONS)[number];

export interface Author {
  name: string;
  affiliation?: string;
  orcid?: string;
  /** Label of a footnote (defined in the body) that annotates this author in the byline. */
  note?: string;
}

export type PaperSize = 'a4' | 'a5' | 'letter';

/** Front matter after validation and normalisation: what every writer reads. */
export interface DocumentMeta {
  title: string;
  subtitle?: string;
  /** Short title for running heads; defaults to the title. */
  shortTitle: string;
  authors: Author[];
  editors: string[];
  publisher?: string;
  /** ISO 8601 as written: YYYY, YYYY-MM, YYYY-MM-DD or a full date-time. */
  date?: string;
  lang: string;
  rights?: string;
  identifier: string;
  isbn?: string;
  description?: string;
  /** `abstract:` as written (Markdown); the abstract transform sets it in the body. */
  abstract?: string;
  keywords: string[];
  cover?: string;
  papersize: PaperSize;
  toc: boolean;
  /** `toc-title`: the heading of the tables of contents (default: "Contents" in the document's language). */
  tocTitle?: string;
  /** Deepest heading level in the tables of contents (PDF, HTML, EPUB navigation); default 3. */
  tocDepth?: number;
  /** `smart: false` turns smart punctuation off (curly quotes, dashes, ellipses); default on. */
  smart?: boolean;
  /** `emoji: false` keeps GitHub's emoji shortcodes (`:tada:`) as written; default on, as GitHub and Pandoc's gfm. */
  emoji?: boolean;
  /** `number-sections: true`: headings numbered 1, 1.1, 1.2, 2… in every edition. */
  numberSections?: boolean;
  chapterLevel?: number;
  /** Make the PDF edition PDF/A-2b. */
  pdfa?: boolean;
  /**
   * Changes to the PDF theme: values (checked by the metadata transform), or a JSON file that
   * the build reads and checks (build/pdf-theme-file.ts) before the PDF writer applies it.
   */
  pdfTheme?: ThemeOverride | string;
  /**
   * `css`: stylesheets added after the built-in one in the HTML and EPUB editions, each with where
   * the front matter names it (none when they come from the project's colophon.yaml).
   */
  css?: { path: string; at?: import('unist').Point }[];
  /** The texts of those stylesheets, read and checked by the build before the writers run. */
  stylesheets?: string[];
  /** Bibliography files (BibTeX, CSL JSON or CSL YAML), relative to the document. */
  bibliography?: string[];
  /** A CSL style file; Chicago author-date when absent. */
  csl?: string;
  /**
   * Where each top-level front-matter value sits (a Pandoc key's under ours: `cover-image` as
   * `cover`), for problems with a value found later: a cover, theme,
   * bibliography or style file that cannot be used.
   */
  places?: Record<string, import('unist').Point>;
  /** Footnote numbers run through the document, or restart in each chapter of a book. */
  footnoteNumbering?: 'document' | 'chapter';
  /** `float: false`: figures and tables stay where they are written in the PDF. */
  float?: boolean;
  /** Raw HTML in the source: `sanitize` (default: GitHub's safe subset) or `trust` (as written). */
  rawHtml?: 'sanitize' | 'trust';
  /** Who evaluated the accessibility of the EPUB (`a11y-certifier`); never assumed. */
  a11yCertifier?: string;
  /**
   * The id of the heading that became the title and left the body: every edition gives it to
   * the title, so links to that heading still arrive.
   */
  titleId?: string;
}

/** What the footnote transform leaves for writers: notes are renumbered 1..n. */
export interface FootnoteInfo {
  count: number;
  /** For each author with a note, the note number (by author index). */
  authorNotes: Record<number, string>;
}

declare module 'vfile' {
  interface DataMap {
    meta: DocumentMeta;
    footnotes: FootnoteInfo;
    /** A book's chapter files, relative to its folder with forward slashes, in reading order. */
    bookChapters: string[];
    /** The heading that opened the document and became its title (it left the body). */
    titleHeading: import('mdast').Heading;
  }
}

/**
 * Reads a file that a document refers to (an image, a font, a template).
 * Made for each document by the build (read/assets.ts; build/document.ts records what it reads for
 * the edition cache), so that writers stay pure: they never touch the filesystem.
 * Returns undefined (after reporting a message on the file) when the asset cannot be used.
 */
export interface AssetResolver {
  /** A reference from the document (an image URL), resolved against the document's folder. */
  document(url: string, node?: { position?: import('unist').Position }): Asset | undefined;
  /**
   * A remote (http/https) image fetched before rendering, when the build allows remote files
   * (`--allow-remote`); otherwise undefined, and nothing is fetched. Reports nothing itself.
   */
  remote(url: string): Asset | undefined;
  /** A data file the document names (a JSON theme), inside the project like images are. */
  data(url: string, place?: import('unist').Position): Asset | undefined;
  /** A stylesheet the document (or its project) names: inside the project, CSS text of at most 1 MB. */
  stylesheet(url: string, place?: import('unist').Position): Asset | undefined;
  /** A file of Colophon's own: templates/… or a package under node_modules. */
  own(path: string): Uint8Array;
  /** Whether `own(path)` would give these bytes, found without reading the file whole (a watch session compares its fonts each build). */
  ownHolds?(path: string, bytes: Uint8Array): boolean;
}

export interface Asset {
  /** Path relative to the project root, with forward slashes. */
  path: string;
  bytes: Uint8Array;
  mediaType: string;
}

/** Everything a render needs; plain data, so it crosses into a worker thread unchanged. */
export interface RenderContext extends ReadOptions {
  root: string;
  formats: Edition[];
  strict?: boolean;
  papersize?: PaperSize;
  limits?: Partial<Limits>;
  epoch: number;
  /** The working directory that message paths are relative to. */
  cwd: string;
  /** Fetch remote images (http/https only, never internal addresses). Off by default. */
  allowRemote?: boolean;
  /** The project's defaults (colophon.yaml), already checked: front matter overrides them. */
  project?: ProjectDefaults;
  /** The disk cache of parsed trees, when the build uses its caches. */
  treeCache?: TreeCacheLocation;
  /**
   * Every Markdown document of the run, when there are several (a folder of them): its path
   * relative to the root, with forward slashes → its output name. Links between them become
   * links between their editions (transforms/document-links.ts).
   */
  documents?: Record<string, string>;
  /**
   * The output folder, when the build writes editions: each edition goes into a temporary file
   * there as soon as it is made (and a writer with `renderTo` writes it as it goes), so that a
   * long book's editions are never all in memory together. The build renames them into place
   * when the whole document succeeded, and deletes them when it did not.
   */
  writeTo?: string;
}

/** What a project's colophon.yaml sets for its documents (see build/project.ts). */
export interface ProjectDefaults {
  papersize?: PaperSize;
  pdfTheme?: ThemeOverride;
  /** Absolute paths of stylesheets inside the root, already checked. */
  css?: string[];
}

export interface WriterInput {
  tree: Root;
  meta: DocumentMeta;
  file: VFile;
  assets: AssetResolver;
  /** Seconds since the epoch used for any timestamp an edition needs (never the clock). */
  epoch: number;
  /** Caches shared with the other documents of this process (see resources.ts). */
  shared?: SharedResources;
  /**
   * No one reads the tree after this writer (the build has rendered the other editions): the
   * writer may let each top-level block go once it has used it, by clearing its place in
   * `tree.children`, so that a long book's tree shrinks as the edition is made. The nodes
   * themselves are never changed. Only the PDF writer does so (the build renders it last).
   */
  lastReader?: boolean;
  /**
   * A book's body, one chapter at a time (see ChapterStream): when set, `tree` holds only what
   * comes before the first chapter (the yaml node, an abstract, …: the blocks without
   * `data.chapter`), and the writer takes the chapters from the stream, in order, letting each
   * go once rendered. Unset for a single document, whose `tree` is all of it.
   */
  chapters?: ChapterStream;
}

/** A book's transformed body, one chapter at a time, so that no stage holds the whole tree. */
export interface ChapterStream {
  /** How many chapters (1-based, in the book's order). */
  count: number;
  /**
   * Chapter n's transformed top-level blocks as a fresh Root (read from bytes at each call; the
   * caller lets it go when done, and may change it). Blocks keep `data.chapter = n`.
   */
  load(n: number): Root;
  /**
   * What a writer needs to know about other chapters than the one it renders, gathered by
   * `addChapterFacts` (writers/shared/book-facts.ts), chapter by chapter.
   */
  facts: BookFacts;
}

/**
 * Whole-book facts the writers read while they render one chapter at a time: plain data (arrays
 * and records), filled by `addChapterFacts` once per transformed chapter, in order, and made
 * empty by `emptyBookFacts` (writers/shared/book-facts.ts).
 */
export interface BookFacts {
  /**
   * Every heading the tables of contents and outlines read, in order: the top-level ones (`top`)
   * and those a `raw-html: trust` block keeps.
   */
  headings: HeadingFact[];
  /** Every heading anywhere in the chapters, in a walk's order: its depth, and whether it has no text (the EPUB's outline check). */
  allHeadings: { depth: number; empty: boolean }[];
  /** Every link definition, anywhere in the chapters, in a walk's order (the first of a label wins). */
  definitions: Definition[];
  /** The top-level note definitions (the footnote transform puts them at the end of the book, after the last chapter's blocks). */
  notes: FootnoteDefinition[];
  /** The ids a link may reach (headings, formulas, figures, anchors), in order (the PDF's destinations). */
  destinations: string[];
  /** Each note call's shown label by note identifier (the last call's), for the notes' back links. */
  noteLabels: Record<string, string>;
  /** The length of the plain text of the chapters' blocks, notes left out (the EPUB's "short article" test). */
  textLength: number;
  /** Whether any chapter holds raw HTML (html, trustedHtml or trustedHtmlInline nodes). */
  rawHtml: boolean;
  /** The running text of the first paragraphs (the EPUB's language check), up to about 4000 characters. */
  prose: string[];
  /** Whether a formula defines TeX macros (`\\newcommand`…): the PDF then typesets the book's formulas with a MathJax of its own. */
  macros: boolean;
}

/** A heading as the tables of contents, navigation and outlines read it. */
export interface HeadingFact {
  /** The chapter it is in (1-based). */
  chapter: number;
  depth: number;
  /** Its id (`data.id`), '' when none. */
  id: string;
  /** Its plain text, trimmed, without its number. */
  text: string;
  /** Its section number (`number-sections`), if any. */
  number?: string;
  /** `{.unlisted}`: left out of the tables of contents. */
  unlisted?: boolean;
  /** A top-level block (not one inside a `raw-html: trust` block). */
  top: boolean;
}

export interface SharedResources {
  /**
   * `parse(bytes)`, or the value it gave for the same key and the same bytes before. Bytes given
   * as a function that reads them may go unread when the resources know their files unchanged,
   * or when `holds` says the bytes parsed before are still the file's.
   */
  parsed<T>(key: string, bytes: Uint8Array | (() => Uint8Array), parse: (bytes: Uint8Array) => T, holds?: (bytes: Uint8Array) => boolean): T;
  /**
   * Parsed trees kept in memory by content hash (see parse/chunked-parse.ts): a rebuild in watch
   * mode parses again only the pieces and chapters whose text changed. The store covers this
   * process's memory when it was made with room for trees (watch mode), and the disk cache at
   * `disk` when one is given; undefined when neither.
   */
  trees(disk?: TreeCacheLocation): TreeStore | undefined;
  /**
   * Highlighted code kept by language and text, in a watch session (undefined otherwise): an
   * edit highlights again only the code blocks it changed (transforms/highlight.ts).
   */
  highlights?: HighlightMemo;
  /**
   * Quotes paired by smart punctuation, by a hash of the text paired and the quote marks, in a
   * watch session (undefined otherwise): an edit pairs again only the pass it falls in
   * (transforms/smart-punctuation.ts).
   */
  quotes?: QuoteMemo;
  /**
   * The size of the pieces large documents are parsed in, when not the default (128 KB): a
   * watch session uses smaller ones, so that an edit re-parses less (parse/chunked-parse.ts).
   */
  pieceBytes?: number;
  /**
   * A value a writer keeps between the builds of a watch session under `key`, made by `make`
   * the first time (undefined outside a watch session): the PDF writer's laid-out blocks of
   * each document (writers/pdf/layout-memo.ts).
   */
  writerMemo?<T>(key: string, make: () => T): T;
  /**
   * A watch session's record of each document's last HTML edition (or PDF build's tree), by source path (the records
   * are build/region-rebuild.ts's own), and how many rebuilds were spliced from one: an edit
   * that touches a few plain blocks re-renders only those (undefined outside watch mode).
   */
  lastBuilds?: { records: Map<string, unknown>; spliced: number };
  /**
   * A watch session's messages of each document's last build, by source path (build/build.ts's
   * own): a rebuild reports again, as the very same objects, the messages it made again (most
   * of a book's thousands), rather than making each anew (undefined outside watch mode).
   */
  lastMessages?: Map<string, unknown>;
}

/** hast children of highlighted code by key (language and text), shared: nothing may change them. */
export interface HighlightMemo {
  get(key: string): ElementContent[] | undefined;
  set(key: string, children: ElementContent[]): void;
}

/** Texts with their quotes paired, by key (see `SharedResources.quotes`). */
export interface QuoteMemo {
  get(key: string): string | undefined;
  set(key: string, paired: string): void;
}

/** The on-disk cache of parsed trees (build/tree-cache.ts); `read: false` only writes it (`--force`). */
export interface TreeCacheLocation {
  folder: string;
  read: boolean;
  /**
   * When not `read` (`--force`): the trees written since this time (ms since the epoch) are read
   * all the same, this run's own (a document parsed for its anchors, then built: run-anchors.ts).
   */
  since?: number;
}

/**
 * Parsed trees by a key that covers everything the tree depends on (a hash of the text parsed).
 * `get` returns a fresh copy, `set` keeps a copy: callers may change the trees they hold.
 */
export interface TreeStore {
  get(key: string): Root | undefined;
  set(key: string, tree: Root): void;
  /** `set` for a tree already packed (a parse worker's, packed.ts): not read back and packed again. */
  setPacked?(key: string, packed: Uint8Array): void;
}

export interface Writer {
  extension: string;
  mediaType: string;
  render(input: WriterInput): Promise<Uint8Array>;
  /**
   * As `render`, but the edition goes into the file at `path` as it is made, and is never whole
   * in memory (a long book's PDF runs to hundreds of megabytes). The build uses it when it writes
   * editions; a writer without it is rendered, and its bytes are written to the file at once.
   */
  renderTo?(input: WriterInput, path: string): Promise<void>;
  /**
   * Work the writer can do from what the parsed tree already says, before the transforms run
   * (on a thread of its own, meanwhile): it only fills `shared` caches that `render` reads, so
   * whether it ran never changes an edition's bytes.
   */
  prepare?(hints: WriterHints, shared: SharedResources): void;
  /**
   * The edition's markup for the top-level blocks of `input.tree` alone, as they stand in the
   * edition's body when nothing around them changes how they are set (HTML only: a watch
   * session splices the blocks an edit touched into the last edition, build/region-rebuild.ts).
   */
  fragment?(input: WriterInput): string;
}

/** What the build tells a writer ahead of the render (see Writer.prepare). */
export interface WriterHints {
  /** Every formula of the parsed tree, each once. */
  formulas: FormulaSource[];
}

/** A formula as written: its TeX, and whether it is set as display math. */
export interface FormulaSource {
  tex: string;
  display: boolean;
}

declare module 'unist' {
  interface Data {
    /** In a book, the chapter (1-based) a top-level node comes from. */
    chapter?: number;
  }
}

/**
 * Where a link to another document of the run goes: the target's output name relative to the
 * linking document's, URL-escaped and without extension (each edition adds its own), and what
 * followed the file name in the URL (`#install`, or '').
 */
export interface DocumentLink {
  path: string;
  after: string;
}

declare module 'mdast' {
  interface YamlData {
    /** The front matter is a book's book.yaml, which also lists the chapters. */
    bookYaml?: boolean;
  }
  /**
   * A link target with no content of its own: a raw HTML `<a id>`/`<a name>`, or the opening of
   * a book's chapter. Its id is kept unique with the headings' (transforms/headings.ts); an
   * empty id means a duplicate that was dropped.
   */
  interface Anchor extends UnistNode {
    type: 'anchor';
    id: string;
    data?: Data;
  }
  interface PhrasingContentMap {
    anchor: Anchor;
  }
  interface RootContentMap {
    anchor: Anchor;
  }
  interface LinkData {
    /** The link goes to another document of the run (transforms/document-links.ts). */
    documentLink?: DocumentLink;
  }
  interface DefinitionData {
    /** The definition's URL is another document of the run (transforms/document-links.ts). */
    documentLink?: DocumentLink;
  }
  interface HeadingData {
    /** The heading's anchor, set by the headings transform and shared by every edition. */
    id?: string;
    /** Pandoc attributes written after the heading (`{#id .class key=value}`), read in the parse stage. */
    attributes?: import('./parse/heading-attributes.ts').HeadingAttributes;
    /** `{.unnumbered}` or `{-}`: no section number. */
    unnumbered?: boolean;
    /** `{.unlisted}`: left out of the tables of contents. */
    unlisted?: boolean;
    /** With `number-sections: true`, the heading's number ("1.2"), set once by the sections transform. */
    sectionNumber?: string;
  }
  interface TableData {
    /**
     * From raw HTML: how many rows head the table, when not one as in GFM: the rows of its
     * `<thead>`, else 1 when the first row is all `<th>`, else 0 (a grid of logos, a layout).
     */
    headRows?: number;
    /** From raw HTML: some cell spans columns or rows; every cell then carries its `column`. */
    spanned?: boolean;
  }
  interface TableCellData {
    /** In a spanned table, the grid column (0-based) the cell starts in. */
    column?: number;
    /** `colspan`, when above 1. */
    colSpan?: number;
    /** `rowspan`, when above 1 (cut at the table's last row). */
    rowSpan?: number;
    /** From raw HTML: the cell's own `align` (a centred logo), over its column's. */
    align?: 'left' | 'center' | 'right';
  }
}

/**
 * A numbered float: an image alone in its paragraph (a figure, captioned by its alt text, as
 * Pandoc's implicit_figures) or a table with a Pandoc caption (`Table: …` / `: …`). Its children
 * are in reading order: image then caption; caption then table.
 */
export interface Figure extends Parent {
  type: 'figure';
  kind: 'figure' | 'table';
  children: FigureContent[];
  /** pandoc-crossref id (`fig:x`, `tbl:x`) from `{#…}`, the anchor every edition uses; absent when none was given. */
  identifier?: string;
  /** 1, 2, …: figures and tables are numbered separately, in document order. */
  number: number;
  /** "Figure 1", "Tableau 2": the label in the document's language. */
  label: string;
  /** May move to the top of the next page in the PDF; false with `{.nofloat}` or `float: false`. */
  float: boolean;
}

/** The caption's text (the alt text, or the caption paragraph without its `Table:` prefix). */
export interface Caption extends Parent {
  type: 'caption';
  children: PhrasingContent[];
}

export type FigureContent = Caption | Image | ImageReference | Table;

/** The front matter's `abstract:`, parsed as Markdown and set first in the body, after the title block. */
export interface Abstract extends Parent {
  type: 'abstract';
  children: BlockContent[];
}

declare module 'mdast' {
  interface RootContentMap {
    figure: Figure;
    caption: Caption;
    abstract: Abstract;
  }
  interface BlockContentMap {
    figure: Figure;
  }
}
