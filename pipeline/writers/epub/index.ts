import type { Element, ElementContent, Root as HastRoot } from 'hast';
import { h } from 'hastscript';
import type { FootnoteDefinition, Root, RootContent } from 'mdast';
import { definitions as linkDefinitions, type GetDefinition } from 'mdast-util-definitions';
import type { VFile } from 'vfile';
import { packBytes, packValue, unpackBytes, unpackValue } from '../../packed.ts';
import { quoted, report } from '../../messages.ts';
import { checkImage } from '../../read/image-check.ts';
import type { ChapterStream, DocumentMeta, FootnoteInfo, Writer, WriterInput } from '../../types.ts';
import { bylineMdast, colophon, contentToHast, takeFirstElement, titleBlock } from '../shared/render.ts';
import { bookOutline, joinNames, numberedText, type OutlineEntry } from '../shared/format.ts';
import { bodyBlocks, headingFacts } from '../shared/book-facts.ts';
import { toString } from 'mdast-util-to-string';
import { highlightCss } from '../shared/highlight-colors.ts';
import { labelsFor, type Labels } from './labels.ts';
import { definitionsFor, eachPart, partPlan, planFor, type ChapterPart } from './chapters.ts';
import { typographicCover } from './cover.ts';
import { createImageRegistry, embedImages, type ImageRegistry } from './images.ts';
import { createIdIndex } from './links.ts';
import { normalizeUri } from 'micromark-util-sanitize-uri';
import { visit } from '../../visit.ts';
import { packageMetadata } from './metadata.ts';
import { conformance, headingLevels, outlineProblems, outlineProblemsOf, proseOf, proseParts, proseSample, type ConformanceFacts } from './conformance.ts';
import { notesToAsides } from './notes.ts';
import { languageDirection } from '../shared/direction.ts';
import { packageEpub, packageEpubTo, type BookModel, type ManifestItem, type NavEntry, type PackagedDocument, type PackageInput } from './package.ts';
import { toXhtml, validXhtml, type XhtmlFeatures } from './xhtml.ts';

export const epubWriter: Writer = {
  extension: 'epub',
  mediaType: 'application/epub+zip',
  render: renderEpub,
  // The zip goes into the file as it is generated, never whole in memory (nor twice, as its pieces and their join).
  renderTo: async (input, path) => packageEpubTo(await epubPackage(input), path),
};

const COVER_PAGE = 'cover.xhtml';
const EMPTY = new Uint8Array(0);
const NAV_DOCUMENT = 'toc.xhtml';

export async function renderEpub(input: WriterInput): Promise<Uint8Array> {
  return packageEpub(await epubPackage(input));
}

/** Everything the package holds, its pages' bodies made when the zip is generated (see PackagedDocument). */
async function epubPackage({ tree, chapters, meta, file, assets, epoch }: WriterInput): Promise<PackageInput> {
  const footnotes: FootnoteInfo = file.data.footnotes ?? { count: 0, authorNotes: {} };
  const authorNotes = Object.keys(footnotes.authorNotes)
    .map(Number)
    .sort((a, b) => a - b)
    .map((index) => footnotes.authorNotes[index]!);
  // A book rendered from its chapters (WriterInput.chapters): `tree` holds what comes before them,
  // and the other chapters are known from their facts, gathered in the same order as a walk of the
  // joined tree; the parts are made as the chapters are read, one chapter's tree at a time.
  const facts = chapters?.facts;
  const headBlocks = tree.children.filter((node) => node.type !== 'footnoteDefinition');
  const notes = [...tree.children.filter((node): node is FootnoteDefinition => node.type === 'footnoteDefinition'), ...(facts?.notes ?? [])];
  const plan = facts
    ? planFor(meta, toString({ type: 'root', children: headBlocks }).length + facts.textLength, [...headingFacts(tree), ...facts.headings].flatMap((heading) => (heading.top ? [heading.depth] : [])))
    : partPlan(tree.children, headBlocks, meta);
  // The notes are converted with the parts that cite them, not where they stand.
  const body = chapters ? withoutNotes(bodyBlocks(headBlocks, chapters)) : headBlocks;
  const definitions = linkDefinitions(facts ? { type: 'root', children: [...tree.children, ...facts.definitions] } : tree);
  const images = createImageRegistry();
  const labels = meta.tocTitle ? { ...labelsFor(meta.lang), contents: meta.tocTitle } : labelsFor(meta.lang);

  // One part's hast at a time: each is converted, checked and its ids noted, then kept as
  // packed bytes (V8-serialised and deflated: a small fraction of the heap it takes) until every part's ids are known;
  // then each is read back, its links resolved, serialised to XHTML and let go.
  const closing = colophon(meta);
  const ids = createIdIndex(file, otherDocumentEpubs(tree));
  const held: Uint8Array[] = [];
  const features: XhtmlFeatures[] = [];
  const parts: PartInfo[] = [];
  for (const part of eachPart(body, plan, notes, meta, authorNotes)) {
    const root = chapterBody(part, meta, footnotes, definitions, labels);
    if (closing && part.index === plan.count - 1) root.children.push(closing);
    features.push(validXhtml(root, file));
    embedImages(root, images, assets, file);
    ids.add({ filename: part.filename, root });
    held.push(packValue(root));
    const headings = part.blocks.flatMap((block) => (block.type === 'heading' && block.data?.id ? [block.data.id] : []));
    parts.push({ index: part.index, filename: part.filename, title: part.title, headingId: part.heading?.data?.id, headings });
  }
  ids.reportDuplicates();

  const direction = languageDirection(meta.lang) === 'rtl' ? ('rtl' as const) : undefined;
  // Each part's XHTML waits packed (UTF-8, deflated) until the zip takes it: its links are
  // resolved here, in order, so that their warnings come where they always have.
  const partDocuments: PackagedDocument[] = parts.map((part, index) => {
    const root = unpackValue(held[index]!) as HastRoot;
    held[index] = EMPTY;
    ids.rewrite({ filename: part.filename, root }, index);
    let packed = packBytes(Buffer.from(toXhtml(root.children as ElementContent[]), 'utf8'));
    const body = () => {
      const bytes = unpackBytes(packed);
      packed = EMPTY;
      return bytes;
    };
    return { filename: part.filename, title: part.title, language: meta.lang, direction, bodyClass: index === 0 ? 'chapter opening' : 'chapter', body };
  });
  const cover = coverImage(meta, file, assets, labels);
  const coverBody = Buffer.from(toXhtml([coverPage(cover)]), 'utf8');
  const documents: PackagedDocument[] = [{ filename: COVER_PAGE, title: meta.title, language: meta.lang, direction, bodyClass: 'cover', body: () => coverBody }, ...partDocuments];

  const checks: ConformanceFacts = {
    imagesWithoutAlt: images.withoutAlt,
    outlineProblems: facts ? outlineProblemsOf([...headingLevels(tree), ...facts.allHeadings]) : outlineProblems(tree),
    language: await languageFact(meta, () => (facts ? proseOf([...proseParts(tree), ...facts.prose]) : proseSample(tree))),
    ownStylesheets: (meta.stylesheets ?? []).length > 0,
  };
  const claim = conformance(checks);
  // Own stylesheets are a choice the author may not know costs the claim: say so once. The
  // other reasons are in the summary, and images without alt text are warned about already.
  if (!claim.conforms && checks.ownStylesheets) {
    const at = meta.places?.css;
    report(file, 'info', `the EPUB makes no accessibility conformance claim: ${claim.unmet.join('; ')}`, at ? { start: at, end: at } : undefined, 'epub-conformance');
  }
  const book = bookModel(meta, tree, chapters, parts, features, images, cover, footnotes, epoch, labels, checks);
  const own = (name: string) => new TextDecoder().decode(assets.own(`templates/epub/${name}`));
  return {
    book,
    documents,
    files: [{ path: cover.href, bytes: cover.bytes }, ...images.images.map((image) => ({ path: image.href, bytes: image.bytes }))],
    templates: {
      contentOPF: own('content.opf.ejs'),
      tocNCX: own('toc.ncx.ejs'),
      tocXHTML: own('nav.xhtml.ejs'),
      chapterXHTML: own('chapter.xhtml.ejs'),
      // The project's stylesheets follow the built-in one (and the highlighting colours), so their rules win.
      css: [own('style.css'), new TextDecoder().decode(assets.own('templates/shared/content.css')), highlightCss(), ...(meta.stylesheets ?? [])].join('\n'),
    },
    epoch,
  };
}

/**
 * One part through the shared HTML path: the first part also carries the title block, whose
 * byline goes through the same conversion first, so its author notes keep numbers 1….
 */
function chapterBody(part: ChapterPart, meta: DocumentMeta, footnotes: FootnoteInfo, definitions: GetDefinition, labels: Labels): HastRoot {
  const byline = part.index === 0 ? bylineMdast(meta, footnotes) : undefined;
  // The document's definitions go first: the first definition of a label wins, as in the HTML edition.
  const used = definitionsFor([...part.blocks, ...part.notes], definitions);
  const tree: Root = { type: 'root', children: [...(byline ? [byline] : []), ...used, ...part.blocks, ...part.notes] };
  const content = contentToHast(tree, {
    rawHtml: meta.rawHtml,
    lang: meta.lang,
    direction: languageDirection(meta.lang),
    footnoteLabel: labels.notes,
  });
  const children = content.children as ElementContent[];
  let front: Element[] = [];
  if (part.index === 0) {
    const bylineElement = byline ? takeFirstElement(children) : undefined;
    front = [titleBlock(meta, bylineElement, 'h1')];
  }
  const root: HastRoot = { type: 'root', children: [...front, ...children] };
  notesToAsides(root, labels);
  markAbstract(root);
  return root;
}

/**
 * The links to the run's other documents (transforms/document-links.ts), by their href as the
 * conversion writes it, and the EPUB of each: links.ts drops them, naming that EPUB. A book's
 * chapters have none (they link to each other inside the book).
 */
function otherDocumentEpubs(tree: Root): Map<string, string> {
  const epubs = new Map<string, string>();
  visit(tree, (node) => {
    if ((node.type === 'link' || node.type === 'definition') && node.data?.documentLink) epubs.set(normalizeUri(node.url), `${node.data.documentLink.path}.epub`);
  });
  return epubs;
}

/** The abstract's section, in EPUB's structural semantics and DPUB-ARIA. */
function markAbstract(root: HastRoot): void {
  for (const node of root.children) {
    if (node.type === 'element' && node.tagName === 'section' && node.properties.id === 'abstract') {
      node.properties['epub:type'] = 'abstract';
      node.properties.role = 'doc-abstract';
    }
  }
}

interface Cover {
  href: string;
  mediaType: string;
  bytes: Uint8Array;
  alt: string;
}

/** The front matter's `cover` image when it resolves to a usable image, else a typographic cover. */
function coverImage(meta: DocumentMeta, file: VFile, assets: WriterInput['assets'], labels: Labels): Cover {
  const names = joinNames(meta.authors.map((author) => author.name));
  const alt = `${labels.cover}: ${[meta.title, meta.subtitle, names ? `${labels.by} ${names}`.trim() : undefined].filter(Boolean).map((text) => sentence(text!)).join(' ')}`;
  if (meta.cover) {
    const at = meta.places?.cover;
    const place = at ? { start: at, end: at } : undefined;
    const found = assets.document(meta.cover, { position: place });
    const checked = found && checkImage(found);
    // A corrupt cover fails epubcheck (PKG-021) and shows nothing: the typographic cover stands in.
    if (found && checked?.problem) report(file, 'warning', `the cover "${quoted(meta.cover)}": ${checked.problem}; a typographic cover is made instead`, place, 'epub-cover-invalid');
    const asset = found && checked && !checked.problem ? { ...found, mediaType: checked.mediaType } : undefined;
    if (asset && ['image/png', 'image/jpeg', 'image/gif', 'image/svg+xml'].includes(asset.mediaType)) {
      const extension = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/svg+xml': 'svg' }[asset.mediaType];
      return { href: `images/cover.${extension}`, mediaType: asset.mediaType, bytes: asset.bytes, alt };
    }
    if (asset) report(file, 'error', `the cover "${meta.cover}" is ${asset.mediaType}: use PNG, JPEG, GIF or SVG`, place, 'epub-cover-type');
  }
  return { href: 'images/cover.svg', mediaType: 'image/svg+xml', bytes: new TextEncoder().encode(typographicCover(meta)), alt };
}

/** A phrase as a sentence: a full stop unless it already ends in one (or in ? ! …). */
function sentence(text: string): string {
  const trimmed = text.trim();
  return /[.!?…。！？]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}

function coverPage(cover: Cover): Element {
  return h('section.cover', { 'epub:type': 'cover' }, [h('img', { src: cover.href, alt: cover.alt, role: 'doc-cover' })]);
}

function bookModel(
  meta: DocumentMeta,
  tree: Root,
  chapters: ChapterStream | undefined,
  parts: PartInfo[],
  features: XhtmlFeatures[],
  images: ImageRegistry,
  cover: Cover,
  footnotes: FootnoteInfo,
  epoch: number,
  labels: Labels,
  checks: ConformanceFacts,
): BookModel {
  const metadata = packageMetadata(meta, { ...checks, images: images.occurrences, notes: footnotes.count }, epoch);
  const manifest: ManifestItem[] = [
    { id: 'nav', href: NAV_DOCUMENT, mediaType: 'application/xhtml+xml', properties: 'nav' },
    { id: 'ncx', href: 'toc.ncx', mediaType: 'application/x-dtbncx+xml' },
    { id: 'style', href: 'style.css', mediaType: 'text/css' },
    { id: 'cover-image', href: cover.href, mediaType: cover.mediaType, properties: 'cover-image' },
    { id: 'cover', href: COVER_PAGE, mediaType: 'application/xhtml+xml' },
    ...images.images.map((image) => ({ id: image.id, href: image.href, mediaType: image.mediaType })),
    ...parts.map((part, index) => ({
      id: part.filename.replace(/\.xhtml$/, ''),
      href: part.filename,
      mediaType: 'application/xhtml+xml',
      properties: [features[index]!.svg ? 'svg' : '', features[index]!.mathml ? 'mathml' : ''].filter(Boolean).join(' ') || undefined,
    })),
  ];
  const spine = [
    { idref: 'cover', linear: true },
    // The table of contents is a page in the reading order only when the front matter asks for
    // one (as in the HTML edition); otherwise it is still a spine item, out of the linear
    // order, so the landmarks may point at it.
    { idref: 'nav', linear: meta.toc },
    ...parts.map((part) => ({ idref: part.filename.replace(/\.xhtml$/, ''), linear: true })),
  ];
  const nav = navigation(meta, tree, chapters, parts);
  return {
    direction: languageDirection(meta.lang),
    metadata,
    manifest,
    spine,
    nav: nav.entries,
    navDepth: nav.depth,
    landmarks: [
      { type: 'cover', href: COVER_PAGE, label: labels.cover },
      { type: 'toc', href: `${NAV_DOCUMENT}#toc`, label: labels.contents },
      { type: 'bodymatter', href: parts[0]!.filename, label: labels.start },
    ],
    labels,
  };
}

/** The table of contents: the opening (title block) first, then headings down to `toc-depth` (default 3), each pointing into its chapter file. */
function navigation(meta: DocumentMeta, tree: Root, chapters: ChapterStream | undefined, parts: PartInfo[]): { entries: NavEntry[]; depth: number } {
  const fileOf = new Map<string, PartInfo>();
  for (const part of parts) {
    for (const id of part.headings) fileOf.set(id, part);
  }
  let order = 0;
  let depth = 1;
  const convert = (entry: OutlineEntry, level: number): NavEntry => {
    depth = Math.max(depth, level);
    const part = fileOf.get(entry.id) ?? parts[0]!;
    const opens = part.headingId === entry.id;
    const result: NavEntry = { label: numberedText(entry.text || entry.id, entry.number), href: opens ? part.filename : `${part.filename}#${entry.id}`, order: ++order, children: [] };
    result.children = entry.children.map((child) => convert(child, level + 1));
    return result;
  };
  const opening: NavEntry = { label: meta.title, href: parts[0]!.filename, order: ++order, children: [] };
  return { entries: [opening, ...bookOutline(tree, chapters, meta.tocDepth).map((entry) => convert(entry, 1))], depth };
}

/**
 * Is the language of the text known? Declared by the front matter's `lang`; without it Colophon
 * declares English, which is honest only when the text reads as English (franc, on at least 200
 * characters of running text; loaded only then).
 */
async function languageFact(meta: DocumentMeta, sample: () => string): Promise<ConformanceFacts['language']> {
  if (meta.places?.lang) return 'declared';
  if (meta.lang !== 'en') return 'unknown';
  const { franc } = await import('franc-min');
  return franc(sample(), { minLength: 200 }) === 'eng' ? 'detected' : 'unknown';
}

function* withoutNotes(blocks: Iterable<RootContent>): Generator<RootContent> {
  for (const block of blocks) if (block.type !== 'footnoteDefinition') yield block;
}

/** What the package and navigation need of a part once its blocks are gone. */
interface PartInfo {
  index: number;
  filename: string;
  title: string;
  /** The id of the heading that opens the part, if any. */
  headingId?: string;
  /** The ids of the part's top-level headings. */
  headings: string[];
}
