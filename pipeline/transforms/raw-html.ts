import type { Element, ElementContent, Root as HastRoot } from 'hast';
import { raw } from 'hast-util-raw';
import { toString as hastToString } from 'hast-util-to-string';
import type { BlockContent, Html, Link, List, ListItem, Paragraph, Parent, PhrasingContent, Root, RootContent, Table, TableCell, TableRow } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { posix } from 'node:path';
import type { Position } from 'unist';
import { SKIP, visit } from '../visit.ts';
import { VFile } from 'vfile';
import { quoted, report } from '../messages.ts';
import { safeDecode } from '../url.ts';
// Brings mdast's `data.hName` / `data.hProperties` into scope.
import type {} from 'mdast-util-to-hast';

/**
 * Raw HTML, one subset, every edition. Raw HTML is parsed (parse5, through hast-util-raw, which
 * also handles tags split across Markdown blocks) and mapped onto mdast, so the HTML, EPUB and
 * PDF writers all see typed nodes instead of markup:
 *
 * - `img` (src, alt, width, height) → image; `a href` → link; `a id`/`a name` → anchor;
 * - `br` → break; `hr` → thematic break; `sub`/`sup` → subscript/superscript;
 * - `kbd`, `mark`, `small`, `abbr`, `span` → htmlInline; `figure`, `figcaption`, `details`,
 *   `summary`, `div` → htmlBlock; `p` → paragraph; `dir` and `lang` are kept on p/div/span;
 * - Markdown's own constructs written as HTML (b, strong, i, em, code, s, del, pre, h1–h6,
 *   blockquote, ul, ol, li, table) → their Markdown nodes.
 *
 * Any other element keeps its text. Elements whose content is not text for a reader are dropped
 * whole, with one warning per kind. This is the sanitiser too: only the attributes above pass,
 * and only URLs with a safe scheme (matched without regard to case).
 */

/** Content that is not text for a reader (code, styles, form state, embedded documents). */
const DROPPED = new Set(['style', 'script', 'template', 'textarea', 'noscript', 'iframe', 'object', 'embed', 'frame', 'frameset', 'select', 'button', 'input', 'svg', 'math', 'canvas', 'audio', 'video', 'head', 'title', 'meta', 'link', 'base']);
const INLINE = new Set(['kbd', 'mark', 'small', 'abbr', 'span', 'q', 'cite', 'dfn', 'var', 'samp', 'time', 'ins', 'u']);
const BLOCK = new Set(['div', 'figure', 'figcaption', 'details', 'summary']);
/** Elements that end a paragraph: their content is set as blocks. */
const FLOW = new Set(['p', 'div', 'figure', 'figcaption', 'details', 'summary', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'ul', 'ol', 'li', 'pre', 'table', 'section', 'article', 'aside', 'header', 'footer', 'nav', 'main', 'address', 'center', 'dl', 'dt', 'dd', 'picture']);

/** Schemes a link may use; anything else keeps its text and loses the link. */
export const LINK_SCHEMES = new Set(['http', 'https', 'mailto', 'tel', 'xmpp', 'irc', 'ircs']);
const IMAGE_SCHEMES = new Set(['http', 'https']);

export type HtmlBlockTag = 'div' | 'figure' | 'figcaption' | 'details' | 'summary';
export type HtmlInlineTag = 'kbd' | 'mark' | 'small' | 'abbr' | 'span' | 'q' | 'cite' | 'dfn' | 'var' | 'samp' | 'time' | 'ins' | 'u';

/** The obsolete `align` attribute's values, which every edition honours (`<p align="center">` in READMEs). */
export type TextAlign = 'left' | 'center' | 'right' | 'justify';

/** The attributes that survive: language and direction, an id, an abbreviation's title, details' open. */
export interface HtmlProperties {
  id?: string;
  dir?: 'ltr' | 'rtl' | 'auto';
  lang?: string;
  title?: string;
  open?: boolean;
}

declare module 'mdast' {
  /** A block from raw HTML with no Markdown equivalent. `summary` and `figcaption` hold phrasing content. */
  interface HtmlBlock extends Parent {
    type: 'htmlBlock';
    tagName: HtmlBlockTag;
    properties: HtmlProperties;
    /** A division's `align`: its lines are set so in every edition (a class in HTML and EPUB). */
    align?: TextAlign;
    children: RootContent[];
  }
  interface ParagraphData {
    /** A raw `<p align>`: its lines are set so in every edition (a class in HTML and EPUB). */
    align?: TextAlign;
  }
  /** Inline raw HTML with no Markdown equivalent. */
  interface HtmlInline extends Parent {
    type: 'htmlInline';
    tagName: HtmlInlineTag;
    properties: HtmlProperties;
    children: PhrasingContent[];
  }
  /**
   * `raw-html: trust`: raw HTML as written for the HTML and EPUB editions (`data.original`: the
   * source's nodes, its raw `html` among them), and its meaning in the subset as children, which
   * the PDF prints and the transforms (ids, notes, figures) see.
   */
  interface TrustedHtml extends Parent {
    type: 'trustedHtml';
    children: RootContent[];
    data: TrustedHtmlData;
  }
  interface TrustedHtmlInline extends Parent {
    type: 'trustedHtmlInline';
    children: PhrasingContent[];
    data: TrustedHtmlData;
  }
  interface TrustedHtmlData extends Data {
    original: RootContent[];
  }
  interface RootContentMap {
    trustedHtml: TrustedHtml;
    trustedHtmlInline: TrustedHtmlInline;
    htmlBlock: HtmlBlock;
    htmlInline: HtmlInline;
  }
  interface BlockContentMap {
    htmlBlock: HtmlBlock;
    trustedHtml: TrustedHtml;
  }
  interface PhrasingContentMap {
    htmlInline: HtmlInline;
    trustedHtmlInline: TrustedHtmlInline;
  }
  // Raw `<sub>`/`<sup>` become the `subscript`/`superscript` nodes that parse/sub-super.ts declares.
  interface ImageData {
    /**
     * The image is a raw `<img>`: GitHub and Pandoc set it as written, without a caption, so an
     * `<img>` alone in its paragraph is no figure (its alt text describes it; it is no caption).
     */
    fromHtml?: true;
  }
}

interface Passed {
  type: 'mdastNode';
  node: RootContent;
}

/**
 * What goes through hast-util-raw in a Markdown node's place: its index only. hast-util-raw
 * copies what it passes through (structuredClone): handing it the node itself made it copy the
 * whole Markdown tree for the raw HTML between top-level blocks. The node is put back after.
 */
interface Placeholder {
  type: 'mdastNode';
  index: number;
}

interface Conversion {
  file: VFile;
  /**
   * What hast-util-raw is given as its `file`. It only switches positions on (they come from
   * the raw nodes' own positions) and gives the parsed root a position, which is not used here;
   * for that root it indexes every line of the file it is given, once per call. With the
   * document itself that was the whole text indexed once per parent holding raw HTML (0.75 s
   * of 1 MB of READMEs); an empty stand-in costs nothing and gives the same nodes.
   */
  positions: VFile;
  /** Kinds of element dropped so far: each is reported once. */
  dropped: DroppedKinds;
  /** Where the raw HTML of this parent sits (for nodes parse5 gives no position). */
  fallback?: Position;
  /** In a book, the chapter file's folder relative to the book's: relative `src` resolves against it. */
  folder: string;
  /** `raw-html: trust`: the HTML and EPUB keep the raw HTML as written; the typed meaning is for the PDF. */
  trust: boolean;
  /** Elements known to hold blocks, or not (see holdsBlocks). */
  blockHolders: WeakMap<Element, boolean>;
  /** Ids written with spaces, which no HTML id may hold, and the ids they became (see htmlId). */
  renamedIds: Map<string, string>;
}

/**
 * Turn every raw HTML node into typed mdast, and refuse unsafe link schemes in Markdown links too.
 * With `trust` (front matter `raw-html: trust`), each stretch of raw HTML is kept as written
 * beside its typed meaning, in a `trustedHtml` / `trustedHtmlInline` node.
 */
export function rawHtmlToMdast(tree: Root, file: VFile, options: { trust?: boolean; dropped?: DroppedKinds } = {}): number {
  // Kinds of element reported as dropped: a book's chapters pass them on, so each is reported once in the book.
  const dropped = options.dropped ?? { kinds: new Set<string>() };
  const blockHolders = new WeakMap<Element, boolean>();
  const chapters = file.data.bookChapters;
  const trust = options.trust === true;
  const positions = new VFile();
  const renamedIds = new Map<string, string>();
  const conversionFor = (chapter: number | undefined): Conversion => {
    const chapterPath = chapter && chapters ? chapters[chapter - 1] : undefined;
    return { file, positions, dropped, folder: chapterPath ? posix.dirname(chapterPath) : '.', trust, blockHolders, renamedIds };
  };
  // Raw HTML inside blocks (inline tags in a paragraph, HTML in a list item or a quote).
  dropped.phase = 'inside';
  for (const block of tree.children) {
    if (block.type === 'html') continue;
    const conversion = conversionFor(block.data?.chapter);
    visit(block, (node) => {
      if (!('children' in node) || !(node.children as RootContent[]).some((child) => child.type === 'html')) return;
      convertChildren(node as Parent, conversion, (children) => {
        (node as Parent).children = children as Parent['children'];
      });
    });
  }
  // Raw HTML between blocks, one chapter at a time: a `<details>` may open before Markdown
  // content and close after it, but never reaches into the next chapter.
  const converted: RootContent[] = [];
  dropped.phase = 'between';
  for (let start = 0; start < tree.children.length; ) {
    const chapter = tree.children[start]!.data?.chapter;
    let end = start;
    while (end < tree.children.length && tree.children[end]!.data?.chapter === chapter) end++;
    const run = tree.children.slice(start, end);
    if (run.some((node) => node.type === 'html')) {
      convertChildren({ type: 'root', children: run }, conversionFor(chapter), (children) => {
        for (const child of children) if (chapter !== undefined) child.data = { ...child.data, chapter };
        converted.push(...children);
      });
    } else converted.push(...run);
    start = end;
  }
  tree.children = converted;
  const hoisted = hoistDefinitions(tree);
  liftLoneAnchors(tree);
  refuseUnsafeLinks(tree, file);
  if (renamedIds.size > 0) followRenamedIds(tree, renamedIds);
  return hoisted;
}

/** Links to an id written with spaces (`#Time%20Validity%20Errors`) go where it went. */
function followRenamedIds(tree: Root, renamed: Map<string, string>): void {
  visit(tree, (node) => {
    if ((node.type !== 'link' && node.type !== 'definition') || !node.url.startsWith('#')) return;
    const id = renamed.get(safeDecode(node.url.slice(1)).trim());
    if (id !== undefined) node.url = `#${id}`;
  });
}

/** Parents whose children are blocks: an anchor may stand there on its own. */
const BLOCK_PARENTS = new Set(['root', 'blockquote', 'listItem', 'footnoteDefinition', 'alert', 'defListDescription']);

/**
 * A paragraph holding nothing but anchors (`<a id="x"></a>` on its own line) is not a paragraph:
 * its anchors stand between the blocks, so no edition prints an empty paragraph around them.
 */
function liftLoneAnchors(tree: Root): void {
  visit(tree, 'paragraph', (node, index, parent) => {
    if (!parent || index === undefined) return undefined;
    const blockParent = BLOCK_PARENTS.has(parent.type) || (parent.type === 'htmlBlock' && parent.tagName !== 'summary' && parent.tagName !== 'figcaption');
    if (!blockParent) return undefined;
    const anchors = node.children.filter((child) => child.type === 'anchor');
    const alone = anchors.length > 0 && node.children.every((child) => child.type === 'anchor' || (child.type === 'text' && child.value.trim() === ''));
    if (!alone || node.data?.hProperties) return undefined;
    const lifted = anchors.map((anchor) => (node.data?.chapter === undefined ? anchor : { ...anchor, data: { ...anchor.data, chapter: node.data.chapter } }));
    (parent as Parent).children.splice(index, 1, ...lifted);
    return [SKIP, index + lifted.length] as const;
  });
}

/**
 * Note and link definitions that an unclosed raw element swallowed go back to the top level, where the transforms look for them.
 * Returns how many link definitions (the notes move again, footnotes.ts) now stand at the tree's end.
 */
function hoistDefinitions(tree: Root): number {
  const hoisted: RootContent[] = [];
  for (const block of tree.children) {
    if (block.type !== 'htmlBlock' && block.type !== 'trustedHtml') continue;
    visit(block, (node, index, parent: Parent | undefined) => {
      if ((node.type !== 'footnoteDefinition' && node.type !== 'definition') || !parent || index === undefined) return undefined;
      parent.children.splice(index, 1);
      hoisted.push({ ...node, data: { ...node.data, chapter: block.data?.chapter } } as RootContent);
      return [SKIP, index] as const;
    });
  }
  tree.children.push(...hoisted);
  return hoisted.filter((node) => node.type === 'definition').length;
}

function convertChildren(parent: Parent, conversion: Conversion, replace: (children: RootContent[]) => void): void {
  const phrasing = parent.type === 'paragraph' || parent.type === 'htmlInline' || parent.type === 'subscript' || parent.type === 'superscript' || parent.type === 'heading' || parent.type === 'tableCell' || parent.type === 'emphasis' || parent.type === 'strong' || parent.type === 'delete' || parent.type === 'link' || parent.type === 'linkReference';
  const hast: HastRoot = {
    type: 'root',
    children: (parent.children as RootContent[]).map((child, index) =>
      child.type === 'html' ? ({ type: 'raw', value: (child as Html).value, position: child.position } as unknown as ElementContent) : ({ type: 'mdastNode', index } satisfies Placeholder as unknown as ElementContent),
    ),
  };
  const fallback = (parent.children as RootContent[]).find((child) => child.type === 'html')?.position;
  let parsed: HastRoot;
  try {
    try {
      parsed = raw(hast, { passThrough: ['mdastNode'], file: conversion.positions }) as HastRoot;
    } catch (error) {
      if (error instanceof RangeError) throw error;
      parsed = raw(hast, { passThrough: ['mdastNode'] }) as HastRoot;
    }
  } catch (error) {
    // hast-util-raw's tree walkers recurse: thousands of unclosed elements overflow the stack.
    if (!(error instanceof RangeError)) throw error;
    report(conversion.file, 'error', `raw HTML nested too deep to read (${error.message}); close its elements`, fallback, 'nesting-limit');
    replace((parent.children as RootContent[]).filter((child) => child.type !== 'html'));
    return;
  }
  // With `trust` the source nodes stay as written beside the converted ones (keepTrusted): the
  // converted tree gets copies, as hast-util-raw gave before; otherwise the nodes themselves.
  restorePassed(parsed, parent.children as RootContent[], conversion.trust);
  const context = { ...conversion, fallback };
  const converted = phrasing ? toPhrasing(parsed.children, context) : toBlocks(parsed.children, context);
  replace(conversion.trust ? keepTrusted(parent.children as RootContent[], converted, phrasing) : converted);
}

/** Put the Markdown nodes back where hast-util-raw left their placeholders. */
function restorePassed(parsed: HastRoot, sources: RootContent[], copy: boolean): void {
  const stack: { children: unknown[] }[] = [parsed];
  for (let parent = stack.pop(); parent; parent = stack.pop()) {
    for (const child of parent.children as (HastChild | Placeholder)[]) {
      if (child.type === 'mdastNode') {
        const source = sources[(child as unknown as Placeholder).index]!;
        (child as Passed).node = copy ? structuredClone(source) : source;
      } else if ('children' in child) stack.push(child);
    }
  }
}

/**
 * `raw-html: trust`: each stretch of the source that holds raw HTML is kept as written beside
 * what it means. Every converted node is traced back to the source nodes it came from (the same
 * node passed through, or the source node whose offsets hold its position); nodes whose sources
 * overlap form one stretch; raw HTML between stretches that means nothing in the subset (a
 * comment, a `<script>`) is a stretch of its own, with no children. A stretch without raw HTML
 * stays as it was.
 */
function keepTrusted(source: RootContent[], converted: RootContent[], inline: boolean): RootContent[] {
  const indexOf = new Map(source.map((node, index) => [node, index]));
  // Source nodes with offsets, in document order: a point is looked up by binary search.
  const placed = source.flatMap((node, index) => {
    const start = node.position?.start.offset;
    const end = node.position?.end.offset;
    return start === undefined || end === undefined ? [] : [{ start, end, index }];
  });
  const holder = (offset: number, isStart: boolean): number | undefined => {
    let low = 0;
    let high = placed.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const range = placed[middle]!;
      // A start at a node's end belongs to what follows it; an end there, to the node.
      if (offset < range.start) high = middle - 1;
      else if (offset > range.end || (isStart && offset === range.end && range.end > range.start)) low = middle + 1;
      else return range.index;
    }
    return undefined;
  };
  const origins = (node: RootContent): number[] => {
    const found: number[] = [];
    visit(node, (inner: RootContent) => {
      const same = indexOf.get(inner);
      if (same !== undefined) found.push(same);
      const start = inner.position?.start.offset;
      const end = inner.position?.end.offset;
      const from = start === undefined ? undefined : holder(start, true);
      const to = end === undefined ? undefined : holder(end, false);
      if (from !== undefined) found.push(from);
      if (to !== undefined) found.push(to);
    });
    return found;
  };
  const groups: { nodes: RootContent[]; first: number; last: number }[] = [];
  for (const node of converted) {
    const from = origins(node);
    const current = groups.at(-1);
    const first = from.length > 0 ? Math.min(...from) : (current?.last ?? 0);
    if (current && first <= current.last) {
      current.nodes.push(node);
      current.last = Math.max(current.last, ...from);
    } else groups.push({ nodes: [node], first, last: Math.max(first, ...from) });
  }
  const out: RootContent[] = [];
  const emit = (nodes: RootContent[], original: RootContent[]) => {
    if (original.length === 0) return;
    if (!original.some((node) => node.type === 'html')) {
      out.push(...nodes);
      return;
    }
    const position = spanOf(original);
    out.push(
      inline
        ? { type: 'trustedHtmlInline', children: nodes as PhrasingContent[], data: { original }, position }
        : { type: 'trustedHtml', children: nodes, data: { original }, position },
    );
  };
  let start = 0;
  for (const group of groups) {
    const first = Math.max(start, group.first);
    emit([], source.slice(start, first));
    emit(group.nodes, source.slice(first, group.last + 1));
    start = Math.max(start, group.last + 1);
  }
  emit([], source.slice(start));
  return out;
}

type HastChild = HastRoot['children'][number] | Passed;

function placeOf(node: { position?: Position }, conversion: Conversion): Position | undefined {
  return node.position ?? conversion.fallback;
}

function drop(element: Element, conversion: Conversion): void {
  const { dropped } = conversion;
  const key = dropped.deferred ? `${dropped.phase}:${element.tagName}` : element.tagName;
  if (dropped.kinds.has(key)) return;
  dropped.kinds.add(key);
  const where = conversion.trust ? 'the PDF (raw-html: trust keeps it in the HTML)' : 'every edition';
  const place = placeOf(element, conversion);
  const reportIt = () => report(conversion.file, 'warning', `raw <${element.tagName}> is not content for a reader: it is left out of ${where} (further <${element.tagName}> elements too)`, place, 'raw-html-dropped');
  if (dropped.deferred) dropped.deferred.set(key, reportIt);
  else reportIt();
}

/**
 * Kinds of raw element reported as dropped, each once. The raw HTML inside blocks is converted
 * first, then the raw HTML between blocks: a book transformed a chapter at a time defers its
 * reports (`deferred`, by phase and kind) and makes, once every chapter is converted, the one
 * report the joined book would have made (`reportDropped`).
 */
export interface DroppedKinds {
  kinds: Set<string>;
  phase?: 'inside' | 'between';
  deferred?: Map<string, () => void>;
}

export function reportDropped(dropped: DroppedKinds): void {
  const tags = new Set([...(dropped.deferred?.keys() ?? [])].map((key) => key.slice(key.indexOf(':') + 1)));
  for (const tag of tags) (dropped.deferred!.get(`inside:${tag}`) ?? dropped.deferred!.get(`between:${tag}`))!();
}

/** Blocks: phrasing runs between block elements become paragraphs. */
function toBlocks(nodes: HastChild[], conversion: Conversion): RootContent[] {
  const out: RootContent[] = [];
  let run: PhrasingContent[] = [];
  const flush = () => {
    if (run.some((node) => !(node.type === 'text' && node.value.trim() === ''))) {
      out.push({ type: 'paragraph', children: trimRun(run), position: spanOf(run) });
    }
    run = [];
  };
  for (const node of nodes) {
    if (node.type === 'mdastNode') {
      const passed = (node as Passed).node;
      if (isPhrasing(passed)) run.push(passed as PhrasingContent);
      else {
        flush();
        out.push(passed);
      }
      continue;
    }
    // An element that holds blocks is a block, whatever its name: an unclosed or unknown tag
    // (`<Contributors />` in a README, an `<a name>` never closed) runs to the end of its parent
    // in HTML, and read as a line of text it would flatten every heading and note after it.
    if (node.type === 'element' && !DROPPED.has(node.tagName) && (FLOW.has(node.tagName) || holdsBlocks(node, conversion.blockHolders))) {
      flush();
      out.push(...block(node, conversion));
      continue;
    }
    run.push(...toPhrasing([node], conversion));
  }
  flush();
  return out;
}

function block(element: Element, conversion: Conversion): RootContent[] {
  const position = placeOf(element, conversion);
  const properties = keptProperties(element, conversion, position);
  const anchors = anchorsOf(element, conversion, position);
  const tag = element.tagName;
  const children = element.children as HastChild[];
  const withId = <T extends RootContent>(node: T): T => {
    if (properties.id) node.data = { ...node.data, hProperties: { ...(node.data as { hProperties?: object } | undefined)?.hProperties, id: properties.id } };
    return node;
  };
  switch (tag) {
    case 'p': {
      const paragraph: Paragraph = { type: 'paragraph', children: trimRun(toPhrasing(children, conversion)), position };
      const align = alignOf(element);
      const hProperties = { ...(properties.id ? { id: properties.id } : {}), ...(properties.dir ? { dir: properties.dir } : {}), ...(properties.lang ? { lang: properties.lang } : {}), ...alignClass(align) };
      if (Object.keys(hProperties).length > 0) paragraph.data = { hProperties, ...(align ? { align } : {}) };
      return paragraph.children.length > 0 || properties.id ? [paragraph] : [];
    }
    case 'hr':
      return [withId({ type: 'thematicBreak', position })];
    case 'h1':
    case 'h2':
    case 'h3':
    case 'h4':
    case 'h5':
    case 'h6': {
      const content = trimRun(toPhrasing(children, conversion));
      // Nothing to read or see (a README's logo block, its image gone): no heading to navigate to.
      if (nothingShown(content)) return anchorNodes(properties.id ? [properties.id] : [], position);
      // A raw heading's own id is its id, as `{#id}` would give (the contents and links then
      // reach the heading as written, which `raw-html: trust` keeps).
      const attributes = properties.id ? { data: { attributes: { id: properties.id, classes: [], keyValues: [] } } } : {};
      return [{ type: 'heading', depth: Number(tag.slice(1)) as 1, children: content, position, ...attributes }];
    }
    case 'blockquote':
      return [{ type: 'blockquote', children: toBlocks(children, conversion) as BlockContent[], position }];
    case 'pre': {
      const code = children.find((child): child is Element => child.type === 'element' && child.tagName === 'code');
      const classes = code && Array.isArray(code.properties.className) ? code.properties.className.map(String) : [];
      const lang = classes.find((name) => name.startsWith('language-'))?.slice(9);
      return [{ type: 'code', lang: lang ?? null, value: hastToString(element).replace(/\n$/, ''), position }];
    }
    case 'ul':
    case 'ol': {
      const items = children.filter((child): child is Element => child.type === 'element' && child.tagName === 'li');
      const start = Number(element.properties.start);
      const list: List = {
        type: 'list',
        ordered: tag === 'ol',
        start: tag === 'ol' && Number.isInteger(start) ? start : tag === 'ol' ? 1 : null,
        spread: false,
        children: items.map((item): ListItem => ({ type: 'listItem', spread: false, children: toBlocks(item.children as HastChild[], conversion) as BlockContent[], position: placeOf(item, conversion) })),
        position,
      };
      return list.children.length > 0 ? [list] : [];
    }
    case 'table':
      return table(element, conversion);
    case 'div':
    case 'figure':
    case 'figcaption':
    case 'details':
    case 'summary': {
      // A caption or a summary holds a line of text; the rest hold blocks.
      const content = tag === 'figcaption' || tag === 'summary' ? trimRun(toPhrasing(children, conversion)) : toBlocks(children, conversion);
      if (tag === 'details') properties.open = element.properties.open !== undefined && element.properties.open !== false;
      const align = alignOf(element);
      return [...anchorNodes(anchors, position), { type: 'htmlBlock', tagName: tag, properties, ...(align ? { align } : {}), children: content, position, data: { hName: tag, hProperties: { ...properties, ...alignClass(align) } } }];
    }
    default:
      // Sectioning and other containers, and any element holding blocks, keep their content, not their markup.
      return [...anchorNodes(FLOW.has(tag) ? (properties.id ? [properties.id] : []) : anchors, position), ...toBlocks(children, conversion)];
  }
}

/** Whether Markdown blocks or block elements stand anywhere inside the element (each element is looked at once). */
function holdsBlocks(element: Element, known: WeakMap<Element, boolean>): boolean {
  let holds = known.get(element);
  if (holds === undefined) {
    holds = (element.children as HastChild[]).some((child) =>
      child.type === 'mdastNode' ? !isPhrasing((child as Passed).node) : child.type === 'element' && (FLOW.has(child.tagName) || holdsBlocks(child, known)),
    );
    known.set(element, holds);
  }
  return holds;
}

function table(element: Element, conversion: Conversion): RootContent[] {
  const rows: Element[] = [];
  const headRows = new Set<Element>();
  visit(element, 'element', (node, _index, parent) => {
    if (node.tagName === 'tr') {
      rows.push(node);
      if (parent?.type === 'element' && parent.tagName === 'thead') headRows.add(node);
      return SKIP;
    }
    return node.tagName === 'table' && node !== element ? SKIP : undefined;
  });
  if (rows.length === 0) return toBlocks(element.children as HastChild[], conversion);
  const cellsOf = (row: Element) => row.children.filter((child): child is Element => child.type === 'element' && (child.tagName === 'td' || child.tagName === 'th'));
  const kept = rows.flatMap((row, index) => (cellsOf(row).length > 0 ? [index] : []));
  // The rows of a <thead> head the table; without one, its first row does when all its cells
  // are <th>, as GitHub and Pandoc read it. A table of <td> rows only has no header row.
  let heads = 0;
  while (heads < kept.length && headRows.has(rows[kept[heads]!]!)) heads++;
  if (heads === 0 && kept.length > 0 && cellsOf(rows[kept[0]!]!).every((cell) => cell.tagName === 'th')) heads = 1;
  // The grid is HTML's, with every row, a span stopping where the header rows end; a row
  // without cells of its own (left to hold a row span's place) is then left out, as it would be
  // an empty row in the editions, and the spans over it are shortened by one.
  const grid = spanGrid(
    rows.map((row) => cellsOf(row).map((cell) => ({ colSpan: spanCount(cell.properties.colSpan), rowSpan: spanCount(cell.properties.rowSpan) }))),
    heads > 0 ? kept[heads - 1]! + 1 : 0,
  );
  // How many kept rows come before each row (and before the end), for the spans' lengths.
  const keptBefore = [0];
  rows.forEach((row, index) => keptBefore.push(keptBefore[index]! + (cellsOf(row).length > 0 ? 1 : 0)));
  const tableRows = kept.map((rowIndex): TableRow => {
    const row = rows[rowIndex]!;
    const cells = cellsOf(row).map((cell, cellIndex): TableCell => {
      const { colSpan, rowSpan: gridRows, column } = grid.rows[rowIndex]![cellIndex]!;
      const rowSpan = keptBefore[rowIndex + gridRows]! - keptBefore[rowIndex]!;
      const node: TableCell = { type: 'tableCell', children: trimRun(toPhrasing(cell.children as HastChild[], conversion)), position: placeOf(cell, conversion) };
      const align = String(cell.properties.align ?? '').toLowerCase();
      const aligned = align === 'left' || align === 'center' || align === 'right' ? { align: align as 'left' | 'center' | 'right' } : {};
      if (grid.spanned) node.data = { column, ...(colSpan > 1 ? { colSpan } : {}), ...(rowSpan > 1 ? { rowSpan } : {}), ...aligned };
      else if (aligned.align) node.data = aligned;
      return node;
    });
    // Cells missing at the row's end are added empty, as a browser draws them.
    for (const column of grid.free[rowIndex]!) cells.push({ type: 'tableCell', children: [], ...(grid.spanned ? { data: { column } } : {}) });
    return { type: 'tableRow', children: cells, position: placeOf(row, conversion) };
  });
  const node: Table = { type: 'table', align: Array.from({ length: grid.width }, () => null), children: tableRows, position: placeOf(element, conversion) };
  if (heads !== 1 || grid.spanned) node.data = { ...(heads !== 1 ? { headRows: heads } : {}), ...(grid.spanned ? { spanned: true } : {}) };
  return grid.width > 0 ? [node] : [];
}

/** A `colspan`/`rowspan` value as HTML reads it: a whole number from 1, capped as browsers cap it. */
function spanCount(value: unknown): number {
  const number = typeof value === 'number' ? value : Number.parseInt(String(value ?? ''), 10);
  return Number.isFinite(number) && number >= 1 ? Math.min(Math.floor(number), 1000) : 1;
}

/**
 * The table's grid, as HTML's table model builds it: each cell's spans (a row span cut where
 * its row group ends: the header rows, or the table) and first column, the table's width in
 * columns, and the columns each row leaves free.
 */
function spanGrid(rows: { colSpan: number; rowSpan: number }[][], headEnd: number): { rows: { colSpan: number; rowSpan: number; column: number }[][]; width: number; free: number[][]; spanned: boolean } {
  const occupied: boolean[][] = rows.map(() => []);
  let spanned = false;
  const placed = rows.map((cells, rowIndex) => {
    let column = 0;
    const groupEnd = rowIndex < headEnd ? headEnd : rows.length;
    return cells.map((cell) => {
      const rowSpan = Math.min(cell.rowSpan, groupEnd - rowIndex);
      if (cell.colSpan > 1 || rowSpan > 1) spanned = true;
      // A cell takes the first column no row span from above holds.
      while (occupied[rowIndex]![column]) column++;
      for (let row = rowIndex; row < rowIndex + rowSpan; row++) for (let offset = 0; offset < cell.colSpan; offset++) occupied[row]![column + offset] = true;
      const at = { colSpan: cell.colSpan, rowSpan, column };
      column += cell.colSpan;
      return at;
    });
  });
  const width = Math.max(0, ...occupied.map((row) => row.length));
  // Every column a row's cells and the spans from above leave free comes after its last cell.
  const free = occupied.map((row) => Array.from({ length: width }, (_, column) => column).filter((column) => !row[column]));
  // A column where no cell begins (every cell `colspan="2"`, in unified's sponsor table) is
  // invalid HTML and an empty strip in the PDF: it joins the column before it, as its spans do.
  const begins = new Set([...placed.flat().map((cell) => cell.column), ...free.flat()]);
  if (begins.size === width) return { rows: placed, width, free, spanned };
  const before = [0];
  for (let column = 0; column < width; column++) before.push(before[column]! + (begins.has(column) ? 1 : 0));
  const rowsJoined = placed.map((cells) => cells.map((cell) => ({ ...cell, column: before[cell.column]!, colSpan: before[cell.column + cell.colSpan]! - before[cell.column]! })));
  const stillSpanned = rowsJoined.some((cells) => cells.some((cell) => cell.colSpan > 1 || cell.rowSpan > 1));
  return { rows: rowsJoined, width: begins.size, free: free.map((columns) => columns.map((column) => before[column]!)), spanned: stillSpanned };
}

/** Phrasing content; block elements met here give their content. */
function toPhrasing(nodes: HastChild[], conversion: Conversion): PhrasingContent[] {
  const out: PhrasingContent[] = [];
  // Blocks met inside a line (a table or a <details> in a table's cell) keep their content on
  // lines of their own, and the cells of a row met so keep a space between them.
  let afterBlock = false;
  // Whether `out` shows anything yet (kept as it grows: asking `out` each time is quadratic).
  let shown = false;
  const push = (content: PhrasingContent[], block: boolean) => {
    if (!content.some(hasText)) {
      out.push(...content);
      return;
    }
    if ((block || afterBlock) && shown) out.push({ type: 'break' });
    out.push(...content);
    shown = true;
    afterBlock = block;
  };
  for (const node of nodes) {
    if (node.type === 'mdastNode') {
      const passed = (node as Passed).node;
      if (isPhrasing(passed)) push([passed as PhrasingContent], false);
      else push(('children' in passed ? toPhrasingFromMdast(passed) : []) as PhrasingContent[], true);
      continue;
    }
    if (node.type === 'text') {
      push([{ type: 'text', value: node.value, position: node.position }], false);
      continue;
    }
    if (node.type !== 'element') continue;
    const content = inline(node, conversion);
    if ((node.tagName === 'td' || node.tagName === 'th') && shown && !afterBlock) out.push({ type: 'text', value: ' ' });
    push(content, FLOW.has(node.tagName) || node.tagName === 'tr');
  }
  return out;
}

/** Whether phrasing content shows anything: text other than white space, an image, code. */
function hasText(node: PhrasingContent): boolean {
  if (node.type === 'text') return node.value.trim() !== '';
  if (node.type === 'break') return false;
  return !('children' in node) || node.children.some(hasText);
}

function inline(element: Element, conversion: Conversion): PhrasingContent[] {
  const position = placeOf(element, conversion);
  const tag = element.tagName;
  const children = () => toPhrasing(element.children as HastChild[], conversion);
  if (DROPPED.has(tag)) {
    drop(element, conversion);
    return [];
  }
  const properties = keptProperties(element, conversion, position);
  const ids = anchorsOf(element, conversion, position);
  const anchors = anchorNodes(ids, position) as PhrasingContent[];
  switch (tag) {
    case 'a': {
      const href = typeof element.properties.href === 'string' ? element.properties.href.trim() : undefined;
      if (href === undefined) return [...anchors, ...children()];
      const refused = refusedScheme(href, LINK_SCHEMES);
      if (refused) {
        report(conversion.file, 'warning', `link to "${quoted(href)}" uses the ${refused}: scheme, which Colophon does not link; its text stays`, position, 'link-scheme');
        return [...anchors, ...children()];
      }
      // A link inside a link (a URL in the text that GFM made an autolink) gives its text.
      const content = children().flatMap((child) => (child.type === 'link' || child.type === 'linkReference' ? child.children : [child]));
      const link: Link = { type: 'link', url: href.replace(/^[a-z][a-z\d+.-]*:/i, (scheme) => scheme.toLowerCase()), title: typeof element.properties.title === 'string' ? element.properties.title : null, children: content, position };
      return [...anchors, link];
    }
    case 'img': {
      const src = typeof element.properties.src === 'string' ? element.properties.src.trim() : '';
      const alt = typeof element.properties.alt === 'string' ? element.properties.alt : '';
      const refused = src ? refusedScheme(src, IMAGE_SCHEMES) : 'empty';
      if (refused) {
        if (refused !== 'empty') report(conversion.file, 'warning', `image "${quoted(src)}" uses the ${refused}: scheme, which Colophon does not load; its alt text stays`, position, 'image-scheme');
        return alt ? [...anchors, { type: 'text', value: alt, position }] : anchors;
      }
      const hProperties: Record<string, number> = {};
      for (const key of ['width', 'height'] as const) {
        // CSS pixels only: a percentage means nothing once the image leaves its page.
        const raw = String(element.properties[key] ?? '').trim();
        const value = /^\d+$/.test(raw) ? Number(raw) : 0;
        if (value > 0) hProperties[key] = value;
      }
      const url = /^[a-z][a-z\d+.-]*:|^\/|^#/i.test(src) || conversion.folder === '.' ? src : posix.join(conversion.folder, src);
      return [...anchors, { type: 'image', url, alt, title: typeof element.properties.title === 'string' ? element.properties.title : null, position, data: Object.keys(hProperties).length > 0 ? { hProperties, fromHtml: true } : { fromHtml: true } }];
    }
    case 'br':
      return [{ type: 'break', position }];
    case 'sub':
    case 'sup':
      return [...anchors, { type: tag === 'sub' ? 'subscript' : 'superscript', children: children(), position, data: { hName: tag } }];
    case 'b':
    case 'strong':
      return [...anchors, { type: 'strong', children: children(), position }];
    case 'i':
    case 'em':
      return [...anchors, { type: 'emphasis', children: children(), position }];
    case 's':
    case 'del':
    case 'strike':
      return [...anchors, { type: 'delete', children: children(), position }];
    case 'code':
    case 'tt':
      return [...anchors, { type: 'inlineCode', value: hastToString(element), position }];
    default:
      if (INLINE.has(tag)) {
        return [...(tag === 'span' ? [] : anchors), { type: 'htmlInline', tagName: tag as HtmlInlineTag, properties, children: children(), position, data: { hName: tag, hProperties: { ...properties } } }];
      }
      // Any other element (or a block inside a line) keeps its text.
      return [...anchors, ...children()];
  }
}

function toPhrasingFromMdast(node: RootContent): PhrasingContent[] {
  const out: PhrasingContent[] = [];
  for (const child of ('children' in node ? node.children : []) as RootContent[]) {
    if (isPhrasing(child)) out.push(child as PhrasingContent);
    else out.push(...toPhrasingFromMdast(child));
  }
  return out;
}

const PHRASING_TYPES = new Set(['trustedHtmlInline', 'text', 'emphasis', 'strong', 'delete', 'inlineCode', 'break', 'link', 'linkReference', 'image', 'imageReference', 'footnoteReference', 'html', 'anchor', 'htmlInline', 'subscript', 'superscript', 'inlineMath']);
function isPhrasing(node: RootContent): boolean {
  return PHRASING_TYPES.has(node.type);
}

/**
 * An id as written, valid in HTML: an id may hold no ASCII whitespace (the Nu checker refuses
 * `<a id="Time Validity Errors">`, which Node.js's own docs write), so each run of it becomes a
 * hyphen, as a heading's slug has, and the author is told. Undefined for an empty one.
 */
function htmlId(value: unknown, conversion: Conversion, position: Position | undefined): string | undefined {
  if (typeof value !== 'string' || !value.trim()) return undefined;
  const written = value.trim();
  const id = written.replace(/[\t\n\f\r ]+/g, '-');
  if (id !== written && !conversion.renamedIds.has(written)) {
    conversion.renamedIds.set(written, id);
    report(conversion.file, 'warning', `the id "${quoted(written)}" holds spaces, which no HTML id may: it is "${quoted(id)}" in every edition, and links to it follow`, position, 'id-spaces');
  }
  return id;
}

/** The language, direction and id of an element; the title of an abbreviation. */
function keptProperties(element: Element, conversion: Conversion, position: Position | undefined): HtmlProperties {
  const properties: HtmlProperties = {};
  const { id, dir, lang, title } = element.properties;
  const validId = htmlId(id, conversion, position);
  if (validId) properties.id = validId;
  if (typeof dir === 'string' && ['ltr', 'rtl', 'auto'].includes(dir.toLowerCase())) properties.dir = dir.toLowerCase() as HtmlProperties['dir'];
  if (typeof lang === 'string' && /^[a-z]{2,3}(-[a-z\d]{1,8})*$/i.test(lang)) properties.lang = lang;
  if (typeof title === 'string' && (element.tagName === 'abbr' || element.tagName === 'dfn')) properties.title = title;
  return properties;
}

/** The obsolete `align` attribute (common in READMEs: `<p align="center">`), when it is one the editions know. */
function alignOf(element: Element): TextAlign | undefined {
  const align = typeof element.properties.align === 'string' ? element.properties.align.toLowerCase() : '';
  return align === 'left' || align === 'center' || align === 'right' || align === 'justify' ? align : undefined;
}

/** An alignment as a class the style sheets know. */
function alignClass(align: TextAlign | undefined): { className?: string[] } {
  return align ? { className: [`align-${align}`] } : {};
}

/** An `<a>`'s id and name become anchors (a span's id stays on the span). */
function anchorsOf(element: Element, conversion: Conversion, position: Position | undefined): string[] {
  const ids: string[] = [];
  const { id, name } = element.properties;
  if (element.tagName === 'span' || element.tagName === 'p') return ids;
  for (const value of [id, name]) {
    const validId = htmlId(value, conversion, position);
    if (validId && !ids.includes(validId)) ids.push(validId);
  }
  // On blocks the id is kept as an attribute or a leading anchor by the caller.
  return BLOCK.has(element.tagName) || element.tagName === 'hr' ? [] : ids;
}

function anchorNodes(ids: string[], position: Position | undefined): RootContent[] {
  return ids.map((id) => ({ type: 'anchor', id, position }));
}

/** The scheme of a URL when it is not allowed (lower case), else undefined. Relative URLs are allowed. */
export function refusedScheme(url: string, allowed: Set<string>): string | undefined {
  // Browsers ignore tabs and newlines inside a scheme ("java\tscript:").
  const scheme = /^([a-z][a-z\d+.-]*):/i.exec(url.replace(/[\t\n\r]/g, ''))?.[1]?.toLowerCase();
  if (scheme === undefined) return undefined;
  return allowed.has(scheme) ? undefined : scheme;
}

/** A Markdown link with a scheme outside the safe list keeps its text, with a warning. */
function refuseUnsafeLinks(tree: Root, file: VFile): void {
  visit(tree, (node, index, parent) => {
    if (node.type === 'definition') {
      const refused = refusedScheme(node.url, LINK_SCHEMES);
      if (refused) {
        report(file, 'warning', `link to "${quoted(node.url)}" uses the ${refused}: scheme, which Colophon does not link; its text stays`, node, 'link-scheme');
        node.url = '';
      }
      return undefined;
    }
    if (node.type !== 'link' || !parent || index === undefined) return undefined;
    const refused = refusedScheme(node.url, LINK_SCHEMES);
    if (!refused) {
      // Schemes are case-insensitive (RFC 3986): `<MAILTO:A@B.C>` is a mail link; writers and sanitisers expect lower case.
      node.url = node.url.replace(/^[a-z][a-z\d+.-]*:/i, (scheme) => scheme.toLowerCase());
      return undefined;
    }
    report(file, 'warning', `link to "${quoted(node.url)}" uses the ${refused}: scheme, which Colophon does not link; its text "${quoted(toString(node))}" stays`, node, 'link-scheme');
    (parent as Parent).children.splice(index, 1, ...(node.children as RootContent[]));
    return [SKIP, index] as const;
  });
}

/** Whether a run shows nothing: line breaks, white space, and links or spans holding no more. */
function nothingShown(run: PhrasingContent[]): boolean {
  return run.every((node) => node.type === 'break' || (node.type === 'text' && node.value.trim() === '') || (CONTAINERS.has(node.type) && nothingShown((node as Parent).children as PhrasingContent[])));
}
const CONTAINERS = new Set(['link', 'linkReference', 'emphasis', 'strong', 'delete', 'htmlInline', 'subscript', 'superscript']);

function trimRun(run: PhrasingContent[]): PhrasingContent[] {
  const out = [...run];
  const first = out[0];
  if (first?.type === 'text') first.value = first.value.replace(/^\s+/, '');
  const last = out.at(-1);
  if (last?.type === 'text') last.value = last.value.replace(/\s+$/, '');
  return out.filter((node) => !(node.type === 'text' && node.value === ''));
}

function spanOf(nodes: { position?: Position }[]): Position | undefined {
  const first = nodes.find((node) => node.position)?.position;
  const last = [...nodes].reverse().find((node) => node.position)?.position;
  return first && last ? { start: first.start, end: last.end } : undefined;
}

