import type { Element, ElementContent, Root as HastRoot } from 'hast';
import { toString as hastToString } from 'hast-util-to-string';
import { h } from 'hastscript';
import type { Alert, Anchor, FootnoteReference, Heading, Root, RootContent, Subscript, Superscript, Table, TrustedHtml, TrustedHtmlInline } from 'mdast';
import { defListHastHandlers } from 'mdast-util-definition-list';
import { defaultHandlers, type Handler, type Handlers, type Options as ToHastOptions, type State } from 'mdast-util-to-hast';
import { normalizeUri } from 'micromark-util-sanitize-uri';
import rehypeRaw from 'rehype-raw';
import rehypeSanitize, { defaultSchema, type Options as SanitizeSchema } from 'rehype-sanitize';
import remarkRehype from 'remark-rehype';
import { unified } from 'unified';
import { EXIT, SKIP, visit } from '../../visit.ts';
import { backLinkLabel, term } from '../../terms.ts';
import type { Abstract, Caption, ChapterStream, DocumentMeta, Figure } from '../../types.ts';
import { bodyBlocks, joinedTree } from './book-facts.ts';
import { markDirection, type Direction } from './direction.ts';
import { bookOutline, formatDate, joinNames, type OutlineEntry } from './format.ts';
import { mathSlots } from './math.ts';

export { bylineMdast } from './byline.ts';

/**
 * The shared hast path of the HTML and EPUB editions: mdast → hast with Colophon's handlers.
 * Footnote references show their global number (the footnote transform's identifier), not
 * a counter local to the tree being converted, so a chapter cut from a book keeps the
 * document's numbering.
 */
export const handlersFor = (lang: string): Partial<Handlers> => ({
  /** A raw `<a id>` or a chapter's start: an empty span carries the id (nothing to read, nothing to click). */
  anchor(_state, node: Anchor) {
    return node.id ? h('span', { id: node.id }) : undefined;
  },
  ...(defListHastHandlers as Partial<Handlers>),
  // `raw-html: trust`: the raw HTML as written (rehype-raw parses it), not its typed meaning.
  trustedHtml(state, node: TrustedHtml) {
    return state.all({ type: 'root', children: node.data.original });
  },
  trustedHtmlInline(state, node: TrustedHtmlInline) {
    return state.all({ type: 'root', children: node.data.original });
  },
  subscript(state, node: Subscript) {
    const element = h('sub', state.all(node));
    state.patch(node, element);
    return state.applyData(node, element);
  },
  superscript(state, node: Superscript) {
    const element = h('sup', state.all(node));
    state.patch(node, element);
    return state.applyData(node, element);
  },
  // A GitHub alert: an aside (role note), its localised title first; colours in the stylesheet.
  alert(state, node: Alert) {
    const element = h('aside', { className: ['alert', `alert-${node.kind}`], role: 'note' }, [
      h('p', { className: ['alert-title'] }, node.data?.title ?? node.kind),
      ...state.wrap(state.all(node), false),
    ]);
    state.patch(node, element);
    return element;
  },
  // The section number, as Pandoc writes it: `<span class="header-section-number">1.2</span> `.
  heading(state, node: Heading) {
    const element = defaultHandlers.heading(state, node);
    const number = node.data?.sectionNumber;
    if (number) element.children.unshift(h('span.header-section-number', number), { type: 'text', value: ' ' });
    return element;
  },
  table: (state, node: Table) => (node.data?.headRows !== undefined || node.data?.spanned || node.children.some((row) => row.children.some((cell) => cell.data?.align)) ? rawTableElement(state, node) : defaultHandlers.table(state, node)),
  footnoteReference(state, node: FootnoteReference) {
    return footnoteReferenceElement(state, node);
  },
  figure: (state, node: Figure) => figureElement(state, node, lang),
  // A section labelled by its heading: a region landmark of its own.
  abstract: (state, node: Abstract) => {
    const element = h('section.abstract', { id: 'abstract', ariaLabelledBy: 'abstract-title' }, [h('h2#abstract-title', term(lang, 'abstract')), ...state.wrap(state.all(node), true)]);
    state.patch(node, element);
    return element;
  },
  // A caption is set by its figure (with the figure's label); one met alone is a paragraph.
  caption: (state, node: Caption) => {
    const paragraph = h('p', state.all(node));
    state.patch(node, paragraph);
    return paragraph;
  },
});

/**
 * A table from raw HTML as written: its header rows (none when its first row was data, as in
 * a grid of logos; several from a `<thead>`), and cells keeping their spans and alignment.
 * The transform already filled each row to the grid, so no cell is added here.
 */
function rawTableElement(state: State, node: Table): Element {
  const heads = node.data?.headRows ?? 1;
  const rows = node.children.map((row, index) => {
    const tagName = index < heads ? 'th' : 'td';
    const cells = row.children.map((cell) => {
      // A cell's align becomes a class, as a GFM column's does (alignToClass).
      const element = h(tagName, { colSpan: cell.data?.colSpan, rowSpan: cell.data?.rowSpan, align: cell.data?.align }, state.all(cell));
      state.patch(cell, element);
      return state.applyData(cell, element);
    });
    const element = h('tr', state.wrap(cells, true));
    state.patch(row, element);
    return state.applyData(row, element);
  });
  const head = rows.slice(0, heads);
  const body = rows.slice(heads);
  const sections = [...(head.length > 0 ? [h('thead', state.wrap(head, true))] : []), ...(body.length > 0 ? [h('tbody', state.wrap(body, true))] : [])];
  const element = h('table', state.wrap(sections, true));
  state.patch(node, element);
  return state.applyData(node, element);
}

/**
 * mdast-util-to-hast's footnote reference, with its bookkeeping (`footnoteOrder` and
 * `footnoteCounts`, which its footer reads) kept the same, but without its `indexOf` over every
 * note seen so far for each reference: quadratic in the number of notes (1 s of 12 for 20,000).
 * The link shows the note's global number (its label), not a counter local to this tree.
 */
function footnoteReferenceElement(state: State, node: FootnoteReference): Element {
  const clobberPrefix = typeof state.options.clobberPrefix === 'string' ? state.options.clobberPrefix : 'user-content-';
  const id = String(node.identifier).toUpperCase();
  const safeId = normalizeUri(id.toLowerCase());
  const citations = (state.footnoteCounts.get(id) ?? 0) + 1;
  if (citations === 1) state.footnoteOrder.push(id);
  state.footnoteCounts.set(id, citations);
  const link: Element = {
    type: 'element',
    tagName: 'a',
    properties: {
      href: `#${clobberPrefix}fn-${safeId}`,
      id: `${clobberPrefix}fnref-${safeId}${citations > 1 ? `-${citations}` : ''}`,
      dataFootnoteRef: true,
      ariaDescribedBy: ['footnote-label'],
    },
    children: [{ type: 'text', value: node.label ?? node.identifier }],
  };
  state.patch(node, link);
  const sup: Element = { type: 'element', tagName: 'sup', properties: {}, children: [link] };
  state.patch(node, sup);
  return state.applyData(node, sup);
}

/**
 * A numbered figure: `<figure>` with the image and a `<figcaption>` that starts with its label
 * ("Figure 1: …"); a numbered table: `<table>` whose first child is its `<caption>`. The
 * pandoc-crossref id, when given, is the element's id.
 */
function figureElement(state: State, node: Figure, lang: string): Element {
  const caption = node.children.find((child): child is Caption => child.type === 'caption');
  const captionContent = (): ElementContent[] => [
    h('span.caption-label', node.label),
    ...(caption && caption.children.length > 0 ? [{ type: 'text' as const, value: term(lang, 'captionSeparator') }, ...state.all(caption)] : []),
  ];
  const id = node.identifier ? { id: node.identifier } : {};
  const content = node.children.find((child) => child.type !== 'caption');
  if (content?.type === 'table') {
    const table = state.one(content, node) as Element;
    Object.assign(table.properties, id);
    table.children.unshift(h('caption', captionContent()));
    state.patch(node, table);
    return table;
  }
  const image = content ? state.one(content, node) : undefined;
  const children = image ? (Array.isArray(image) ? image : [image]) : [];
  const element = h('figure', { ...id, className: ['figure'] }, [...(children as ElementContent[]), h('figcaption', captionContent())]);
  state.patch(node, element);
  return element;
}

export interface ContentOptions {
  /** Heading of the notes section. */
  footnoteLabel?: string;
  /** The document's language, for the words the handlers add (caption separators). */
  lang?: string;
  /** Extra mdast options, e.g. the EPUB's note markup. */
  toHast?: Partial<ToHastOptions>;
  /** Accessible name of a link back to a citation: the note's shown number, and which citation (1, 2…). */
  backLabel?: (number: string, citation: number) => string;
  /** Raw HTML in the source: sanitised (the default) or passed through as written. */
  rawHtml?: 'sanitize' | 'trust';
  /** The document's direction (from its language): blocks running the other way get `dir`. */
  direction?: Direction;
  /**
   * Hand over the converted top-level nodes as they are finished, a few blocks at a time, instead
   * of returning them, so that only those blocks' hast is held at once (a book's would be
   * several times its text). The returned root then holds only what follows the blocks: the
   * notes section. A tree with raw HTML to parse is still converted whole (an element may open
   * in one block and close in another), and handed over in one call.
   */
  eachBlocks?: (nodes: HastRoot['children']) => void;
  /** An edition's own treatment of every `<img>` once raw HTML is parsed (the HTML edition embeds trusted raw images). */
  eachImage?: (node: Element) => void;
  /**
   * A book's chapters, converted after the tree's own blocks (what comes before the chapters),
   * one chapter loaded at a time, with `eachBlocks`: the notes, definitions and labels of the
   * chapters come from their facts. A book with raw HTML to parse is joined and converted whole.
   */
  chapters?: ChapterStream;
}

/** Top-level mdast nodes converted before their hast is finished and handed over (see `eachBlocks`). */
const BLOCKS_PER_HANDOVER = 64;

/**
 * What survives of raw HTML in the source: GitHub's safe subset, plus the attributes
 * Colophon's own markup needs. Ids keep their names (no `user-content-` prefix), since the
 * headings transform already keeps them unique.
 */
const sanitizeSchema: SanitizeSchema = {
  ...defaultSchema,
  clobber: [],
  // Images are embedded as data: URLs by the HTML writer; an image cannot run script.
  protocols: { ...defaultSchema.protocols, src: [...(defaultSchema.protocols?.src ?? []), 'data'] },
  attributes: {
    ...defaultSchema.attributes,
    '*': [...(defaultSchema.attributes?.['*'] ?? []), 'className', 'id', 'ariaLabel', 'ariaLabelledBy', 'ariaDescribedBy', 'role'],
    section: ['dataFootnotes'],
    // GitHub's schema lets an h2 have only the class sr-only: Colophon's own (footnotes-title, level-N) would go, leaving class="".
    h2: ['className'],
    a: [...(defaultSchema.attributes?.a ?? []), 'dataFootnoteRef', 'dataFootnoteBackref'],
    ol: [...(defaultSchema.attributes?.ol ?? []), 'start'],
    td: [...(defaultSchema.attributes?.td ?? []), 'align'],
    th: [...(defaultSchema.attributes?.th ?? []), 'align'],
  },
  tagNames: [...(defaultSchema.tagNames ?? []), 'caption', 'section', 'nav', 'header', 'footer', 'aside', 'figure', 'figcaption', 'mark', 'abbr', 'time', 'small', 'cite', 'dfn', 'u'],
};

/** Convert a transformed tree (or a chapter of one) to hast, notes included. Raw HTML is parsed, then sanitised. */
export function contentToHast(whole: Root, options: ContentOptions = {}): HastRoot {
  const math = mathSlots();
  const rawHtml = hasRawHtml(whole) || options.chapters?.facts.rawHtml === true;
  // Raw HTML is parsed over the whole tree (an element may open in one block and close in another).
  const chapters = options.eachBlocks && !rawHtml ? options.chapters : undefined;
  const facts = chapters?.facts;
  // Conversion gathers the definitions and notes of the tree it is given: a book's, from its facts, after the blocks before its chapters.
  const tree: Root = chapters ? { ...whole, children: [...whole.children, ...chapters.facts.definitions, ...chapters.facts.notes] } : joinedTree(whole, options.chapters);
  const ownBlocks = whole.children.length;
  const trustedIds = rawHtml && options.rawHtml === 'trust' ? trustedHeadingIds(tree) : undefined;
  const numberNoteItem = noteItemNumbers(tree.children.filter((node) => node.type === 'footnoteDefinition'));
  const labelBacklink = backlinkLabels(chapters ? whole : tree, facts?.noteLabels ?? {}, options.backLabel ?? ((number, citation) => backLinkLabel(options.lang ?? 'en', number, citation)));
  // What every converted node goes through after remark-rehype, whole tree or a few blocks at a time:
  // each step looks at one element (or one block, for its direction) only.
  const finishing = unified()
    // rehype-raw re-parses the whole tree with parse5: only worth it when there is raw HTML.
    .use(rawHtml ? [rehypeRaw] : [])
    .use(options.rawHtml === 'trust' ? [] : [[rehypeSanitize, sanitizeSchema]])
    .use(trustedIds ? [() => (root: HastRoot) => trustedIds(root)] : [])
    // One walk for the facts of single elements (a whole-tree walk costs as much as some transforms).
    .use(() => (root: HastRoot) =>
      eachElement(root, (node) => {
        alignToClass(node);
        labelTaskCheckbox(node);
        if (node.tagName === 'details') summaryFirst(node, options.lang ?? 'en');
        if (node.tagName === 'a') escapeFragmentHashes(node);
        if (node.tagName === 'img') options.eachImage?.(node);
      }),
    )
    .use(() => (root: HastRoot) => markDirection(root, options.direction ?? 'ltr'));
  const finish = (root: HastRoot): HastRoot => {
    const hast = finishing.runSync(root) as HastRoot;
    math.fill(hast);
    eachElement(hast, (node) => {
      numberNoteItem?.(node);
      labelBacklink(node);
    });
    return hast;
  };
  const eachBlocks = options.eachBlocks;
  // The root's blocks, converted and handed over a few at a time, in the order and with the
  // newlines between them that mdast-util-to-hast's own root handler (`wrap(all(root))`) gives;
  // one conversion state throughout, so notes are numbered and back-linked as in a whole conversion.
  const streamingRoot: Handler | undefined =
    eachBlocks && !rawHtml
      ? (state, node: Root): ElementContent[] => {
          let pending: HastRoot['children'] = [];
          let converted = 0;
          let first = true;
          const handOver = () => {
            if (pending.length > 0) eachBlocks(finish({ type: 'root', children: pending }).children);
            pending = [];
          };
          // A book's chapters follow the blocks before them (the definitions and notes added from its facts are not converted there).
          const blocks = chapters ? bodyBlocks(node.children.slice(0, ownBlocks), chapters) : node.children;
          for (const child of blocks) {
            const result = state.one(child, node);
            for (const hast of result === undefined ? [] : Array.isArray(result) ? result : [result]) {
              if (!first) pending.push({ type: 'text', value: '\n' });
              pending.push(hast as ElementContent);
              first = false;
            }
            if (++converted % BLOCKS_PER_HANDOVER === 0) handOver();
          }
          handOver();
          // Everything went out; toHast makes a root of this and adds the notes section to it.
          return [];
        }
      : undefined;
  const processor = unified().use(remarkRehype, {
    allowDangerousHtml: true,
    clobberPrefix: '',
    footnoteLabel: options.footnoteLabel ?? term(options.lang ?? 'en', 'notes'),
    footnoteLabelProperties: { className: ['footnotes-title'] },
    footnoteBackLabel: (referenceIndex, rereferenceIndex) => backLinkLabel(options.lang ?? 'en', String(referenceIndex + 1), rereferenceIndex),
    ...options.toHast,
    // An edition's own handlers (the HTML edition embeds images) add to the shared ones.
    handlers: { ...handlersFor(options.lang ?? 'en'), ...math.handlers, ...options.toHast?.handlers, ...(streamingRoot ? { root: streamingRoot } : {}) },
  });
  const hast = finish(processor.runSync(tree) as HastRoot);
  if (eachBlocks && rawHtml) {
    // Converted whole: everything is handed over in one call.
    eachBlocks(hast.children);
    hast.children = [];
  }
  return hast;
}

/** Every element of a tree, in document order (as `visit(tree, 'element', …)`, without its per-node closures). */
function eachElement(tree: HastRoot | Element, visitor: (node: Element) => void): void {
  const stack: (HastRoot | Element)[] = [tree];
  for (let node = stack.pop(); node; node = stack.pop()) {
    if (node.type === 'element') visitor(node);
    for (let index = node.children.length - 1; index >= 0; index--) {
      const child = node.children[index]!;
      if (child.type === 'element') stack.push(child);
    }
  }
}

function hasRawHtml(tree: Root): boolean {
  let found = false;
  visit(tree, (node) => {
    if (node.type !== 'html' && node.type !== 'trustedHtml' && node.type !== 'trustedHtmlInline') return undefined;
    found = true;
    return EXIT;
  });
  return found;
}

/**
 * `raw-html: trust` keeps a raw heading as written, so one without an id would have none, while
 * the contents and links reach it by the id its typed heading was given. Such a heading takes that
 * id: rehype-raw places each parsed element at its offset in the source, as the typed heading is.
 */
function trustedHeadingIds(tree: Root): ((root: HastRoot) => void) | undefined {
  const idAt = new Map<number, string>();
  visit(tree, (node) => {
    if (node.type !== 'trustedHtml' && node.type !== 'trustedHtmlInline') return undefined;
    visit(node, (inner) => {
      const offset = inner.position?.start.offset;
      if (inner.type === 'heading' && inner.data?.id && offset !== undefined) idAt.set(offset, inner.data.id);
    });
    return SKIP;
  });
  if (idAt.size === 0) return undefined;
  return (root) =>
    eachElement(root, (element) => {
      const offset = element.position?.start.offset;
      if (/^h[1-6]$/.test(element.tagName) && element.properties.id === undefined && offset !== undefined) {
        const id = idAt.get(offset);
        if (id) element.properties.id = id;
      }
    });
}

/** The notes list shows each note's own number (a book may restart them per chapter); undefined when every number is its place. */
function noteItemNumbers(notes: RootContent[]): ((node: Element) => void) | undefined {
  const labels = new Map<string, string>();
  for (const node of notes) if (node.type === 'footnoteDefinition' && node.label && node.label !== node.identifier) labels.set(`fn-${node.identifier}`, node.label);
  if (labels.size === 0) return undefined;
  return (node) => {
    const label = node.tagName === 'li' ? labels.get(String(node.properties.id)) : undefined;
    if (label) node.properties.value = label;
  };
}

/**
 * A backlink is named by its note's own number (remark-rehype counts references per converted
 * tree, so a chapter of a book would say "reference 2" for note 45).
 */
function backlinkLabels(tree: Root, more: Record<string, string>, label: (number: string, citation: number) => string): (node: Element) => void {
  const shown = new Map<string, string>();
  visit(tree, 'footnoteReference', (node) => {
    shown.set(node.identifier, node.label ?? node.identifier);
  });
  // A book's chapters come after `tree`: their calls' labels (BookFacts.noteLabels) win.
  for (const [identifier, shownLabel] of Object.entries(more)) shown.set(identifier, shownLabel);
  return (node) => {
    if (node.tagName !== 'a' || !('dataFootnoteBackref' in node.properties)) return;
    const target = String(node.properties.href ?? '').replace(/^#fnref-/, '');
    // `fnref-N` is the first citation, `fnref-N-K` the K-th (an identifier may itself hold a hyphen).
    const split = /^(.+)-(\d+)$/.exec(target);
    const [identifier, citation] = shown.has(target) || !split ? [target, 1] : [split[1]!, Number(split[2])];
    node.properties.ariaLabel = label(shown.get(identifier) ?? identifier, citation);
  };
}

/** A task's checkbox is labelled by the task's own text, so assistive technology can name it. */
function labelTaskCheckbox(node: Element): void {
  const classes = node.properties.className;
  if (node.tagName !== 'li' || !Array.isArray(classes) || !classes.includes('task-list-item')) return;
  // The item's own text, not that of tasks nested in it.
  const own = { ...node, children: node.children.filter((child) => !(child.type === 'element' && (child.tagName === 'ul' || child.tagName === 'ol'))) };
  const label = hastToString(own).trim().replace(/\s+/g, ' ').slice(0, 120);
  eachElement(node, (child) => {
    if (child.tagName === 'input' && child.properties.type === 'checkbox') child.properties.ariaLabel = label;
  });
}

/** GFM's `align` attributes are obsolete in HTML5 and invalid in EPUB 3: carry alignment as a class. */
function alignToClass(node: Element): void {
  const align = node.properties.align;
  if ((node.tagName === 'td' || node.tagName === 'th') && typeof align === 'string') {
    delete node.properties.align;
    const classes = Array.isArray(node.properties.className) ? node.properties.className : [];
    node.properties.className = [...classes, `align-${align}`];
  }
}

/**
 * A `<details>` opens with its `<summary>` (HTML's content model; the Nu checker and epubcheck
 * reject it otherwise): one written further down moves up, and where there is none, the word
 * a browser shows in its place is written.
 */
function summaryFirst(node: Element, lang: string): void {
  const index = node.children.findIndex((child) => child.type === 'element' && child.tagName === 'summary');
  const before = index === -1 ? node.children : node.children.slice(0, index);
  if (index !== -1 && before.every((child) => child.type === 'text' && child.value.trim() === '')) return;
  const summary = index === -1 ? h('summary', term(lang, 'details')) : (node.children.splice(index, 1)[0] as Element);
  node.children.unshift(summary);
}

/** A `#` inside a link's fragment (matrix.to's `#/#room:server`) is not allowed there: it is written `%23`, as matrix.to's own links write it. */
function escapeFragmentHashes(node: Element): void {
  const href = node.properties.href;
  if (typeof href !== 'string') return;
  const hash = href.indexOf('#');
  if (hash === -1 || !href.includes('#', hash + 1)) return;
  node.properties.href = `${href.slice(0, hash + 1)}${href.slice(hash + 1).replaceAll('#', '%23')}`;
}

/** Take the first element out of a list of nodes (the converted byline, put into the title block). */
export function takeFirstElement(children: HastRoot['children']): Element | undefined {
  const index = children.findIndex((node) => node.type === 'element');
  return index === -1 ? undefined : (children.splice(index, 1)[0] as Element);
}

/** The title block: title, subtitle, byline, affiliations, date and publisher. */
export function titleBlock(meta: DocumentMeta, byline: ElementContent | undefined, headingTag = 'h1'): Element {
  const affiliated = meta.authors.filter((author) => author.affiliation);
  return h('header.title-block', { id: 'title-block' }, [
    // The id of the heading that became the title, so links to it arrive here.
    h(headingTag, { className: ['title'], id: meta.titleId }, meta.title),
    meta.subtitle ? h('p.subtitle', meta.subtitle) : undefined,
    byline,
    affiliated.length > 0
      ? h(
          'ul.affiliations',
          affiliated.map((author) =>
            h('li', [h('span.author-name', author.name), ', ', h('span.affiliation', author.affiliation!),
              author.orcid ? [' ', h('a.orcid', { href: `https://orcid.org/${author.orcid}` }, `ORCID ${author.orcid}`)] : []]),
          ),
        )
      : undefined,
    meta.date || meta.publisher
      ? h('p.dateline', [
          meta.date ? h('time', { dateTime: meta.date }, formatDate(meta.date, meta.lang)) : undefined,
          meta.date && meta.publisher ? ' · ' : undefined,
          meta.publisher ? h('span.publisher', meta.publisher) : undefined,
        ])
      : undefined,
  ]);
}

/** The closing colophon: editors, publisher and rights. */
export function colophon(meta: DocumentMeta): Element | undefined {
  const lines = [
    meta.editors.length > 0 ? h('p.editors', `${meta.editors.length > 1 ? 'Editors' : 'Editor'}: ${joinNames(meta.editors)}`) : undefined,
    meta.rights ? h('p.rights', meta.rights) : undefined,
  ].filter((line) => line !== undefined);
  return lines.length > 0 ? h('footer.colophon', { id: 'colophon' }, lines) : undefined;
}

/** A nested table of contents (headings down to `toc-depth`) as a `<nav>`; numbers as Pandoc marks them. */
export function tableOfContents(tree: Root, depth = 3, label = 'Contents', chapters?: ChapterStream): Element | undefined {
  const entries = bookOutline(tree, chapters, depth);
  if (entries.length === 0) return undefined;
  const list = (items: OutlineEntry[]): Element =>
    h('ol', items.map((item) => h('li', [
      h('a', { href: `#${item.id}` }, item.number ? [h('span.toc-section-number', item.number), ' ', item.text] : item.text),
      item.children.length ? list(item.children) : undefined,
    ])));
  // Numbered sections carry their own numbers: the list's markers would repeat them.
  const numbered = entries.some(function hasNumber(entry): boolean {
    return entry.number !== undefined || entry.children.some(hasNumber);
  });
  return h('nav', { className: numbered ? ['toc', 'numbered'] : ['toc'], id: 'toc', ariaLabelledBy: 'toc-title' }, [h('h2#toc-title', label), list(entries)]);
}
