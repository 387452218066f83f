import { closeSync, openSync, writeSync } from 'node:fs';
import type { Element, ElementContent, Root as HastRoot } from 'hast';
import rehypeStringify from 'rehype-stringify';
import { unified } from 'unified';
import { h } from 'hastscript';
import type { Definition, Image, ImageReference, Link, LinkReference, Root } from 'mdast';
import { defaultHandlers, type Handlers } from 'mdast-util-to-hast';
import type { Position } from 'unist';
import { normalizeUri } from 'micromark-util-sanitize-uri';
import type { Asset, AssetResolver, DocumentLink, DocumentMeta, Writer, WriterInput } from '../../types.ts';
import { escapeXml } from '../shared/xml.ts';
import { highlightCss } from '../shared/highlight-colors.ts';
import { bylineMdast, colophon, contentToHast, tableOfContents, takeFirstElement, titleBlock, type ContentOptions } from '../shared/render.ts';
import { languageDirection } from '../shared/direction.ts';
import { quoted, report } from '../../messages.ts';
import { checkImage } from '../../read/image-check.ts';
import type { VFile } from 'vfile';

export const htmlWriter: Writer = {
  extension: 'html',
  mediaType: 'text/html',
  async render(input) {
    return new TextEncoder().encode(renderHtml(input));
  },
  async renderTo(input, path) {
    const fd = openSync(path, 'w');
    try {
      const file = fileText(fd);
      writeHtml(input, file.write);
      file.end();
    } finally {
      closeSync(fd);
    }
  },
  fragment: renderHtmlBlocks,
};

/**
 * Text written into a file as UTF-8, a megabyte of characters or so at a time: a long book's page
 * (170 MB for the 100 MB book) is never whole in memory, as a string or as bytes.
 */
function fileText(fd: number): { write: (text: string) => void; end: () => void } {
  let pending: string[] = [];
  let length = 0;
  const flush = () => {
    const bytes = Buffer.from(pending.join(''), 'utf8');
    pending = [];
    length = 0;
    for (let offset = 0; offset < bytes.length; ) offset += writeSync(fd, bytes, offset, bytes.length - offset);
  };
  return {
    write(text) {
      pending.push(text);
      length += text.length;
      if (length >= 1 << 20) flush();
    },
    end: flush,
  };
}

/**
 * The tree's top-level blocks alone, converted as `renderHtml` converts the body (the same
 * options, one newline between blocks), without the page around them.
 */
export function renderHtmlBlocks({ tree, meta, file, assets }: WriterInput): string {
  const hast = contentToHast(tree, { rawHtml: meta.rawHtml, lang: meta.lang, direction: languageDirection(meta.lang), ...htmlConversion(assets, file) });
  return unified().use(rehypeStringify).stringify(hast);
}

export function renderHtml(input: WriterInput): string {
  const pieces: string[] = [];
  writeHtml(input, (text) => pieces.push(text));
  return pieces.join('');
}

/**
 * The page, handed to `write` in order as it is made: the template up to the body, the body a
 * few blocks at a time, then the rest of the template.
 */
function writeHtml({ tree, chapters, meta, file, assets }: WriterInput, write: (text: string) => void): void {
  const footnotes = file.data.footnotes ?? { count: 0, authorNotes: {} };
  const byline = bylineMdast(meta, footnotes);
  // The byline goes through the same conversion as the body, first, so its notes get numbers 1…
  const root: Root = { type: 'root', children: byline ? [byline, ...tree.children] : tree.children };
  const direction = languageDirection(meta.lang);
  const stringifier = unified().use(rehypeStringify);
  const serialise = (nodes: HastRoot['children']) => stringifier.stringify({ type: 'root', children: nodes });

  const template = new TextDecoder().decode(assets.own('templates/html/page.html'));
  const style = new TextDecoder().decode(assets.own('templates/html/style.css'));
  const shared = new TextDecoder().decode(assets.own('templates/shared/content.css'));
  const slots = {
    lang: escapeXml(meta.lang),
    dir: direction === 'rtl' ? ' dir="rtl"' : '',
    head: stringifier.stringify(headElements(meta)),
    // The project's stylesheets follow the built-in ones (the edition's, the rules HTML and EPUB
    // share, the highlighting colours), so their rules win; `</style` inside them cannot end the element early.
    style: [style.trim(), shared.trim(), highlightCss(), ...(meta.stylesheets ?? []).map((css) => css.trim().replace(/<\/(style)/gi, '<\\/$1'))].join('\n'),
  };
  // The body goes where the template's first `{{body}}` is (a template without one shows none);
  // the template's text around it is filled as a whole template would be.
  const at = template.indexOf(BODY_SLOT);
  const around = at < 0 ? [template, ''] : [template.slice(0, at), template.slice(at + BODY_SLOT.length)];
  write(fillTemplate(around[0]!, slots));
  // The wrapper's own tags, as the stringifier writes them: the content goes before `</article>`.
  const wrapper = serialise([h('main', { id: 'content' }, [h('article')])]);
  const inside = wrapper.indexOf('</article>');
  const body = (text: string) => {
    if (at >= 0) write(text);
  };
  body(wrapper.slice(0, inside));

  const hasAbstract = tree.children[0]?.type === 'abstract';
  // The title block takes the converted byline (the first element), and the abstract (the next)
  // opens the body before the table of contents: what the conversion hands over waits until
  // those elements are there (or the conversion has ended), the rest is serialised at once.
  let wanted = (byline ? 1 : 0) + (hasAbstract ? 1 : 0);
  let held: HastRoot['children'] | undefined = [];
  const open = (nodes: HastRoot['children']) => {
    const bylineElement = byline ? takeFirstElement(nodes) : undefined;
    const abstract = hasAbstract ? takeFirstElement(nodes) : undefined;
    const contents = meta.toc ? tableOfContents(tree, meta.tocDepth, meta.tocTitle, chapters) : undefined;
    body(serialise([titleBlock(meta, bylineElement), ...(abstract ? [abstract] : []), ...(contents ? [contents] : []), ...nodes]));
    held = undefined;
  };
  const take = (nodes: HastRoot['children']) => {
    if (!held) {
      body(serialise(nodes));
      return;
    }
    held.push(...nodes);
    wanted -= nodes.filter((node) => node.type === 'element').length;
    if (wanted <= 0) open(held);
  };
  // The body is serialised as the conversion hands it over, a few blocks at a time, so the whole
  // document's hast is never held at once; a book's chapters are loaded one at a time.
  const notes = contentToHast(root, { rawHtml: meta.rawHtml, lang: meta.lang, direction, ...htmlConversion(assets, file), eachBlocks: take, chapters });
  if (held) open(held);
  body(serialise(notes.children));
  const closing = colophon(meta);
  if (closing) body(serialise([closing]));
  body(wrapper.slice(inside));
  write(fillTemplate(around[1]!, slots));
}

const BODY_SLOT = '{{body}}';

/**
 * Handlers that inline every image as a data: URL while the tree is converted, so the page
 * stands alone and the tree stays as it was given; and the same for an `<img>` of trusted raw
 * HTML, once it is parsed (sanitised raw HTML's images are Markdown images by then). A reference
 * uses the definition the conversion itself uses (the first of its label); each definition is
 * resolved once. Resolution (containment in the project, missing files, remote URLs) is the
 * asset resolver's, which reports with positions. A corrupt image (read/image-check.ts), which a
 * browser shows as a broken-image icon, gives its alt text instead, as the EPUB and PDF do.
 */
function embeddingImages(assets: AssetResolver, file: VFile): Pick<ContentOptions, 'toHast' | 'eachImage'> {
  const byDefinition = new Map<Definition, Embedding>();
  const embed = (url: string, node: { position?: Position }): Embedding => {
    // A remote image is embedded only when the build fetched it (--allow-remote); otherwise it
    // stays a reference, which the reader's browser fetches, never Colophon.
    const remote = /^https?:\/\//i.test(url);
    const asset = remote ? assets.remote(url) : assets.document(url, node);
    if (!asset) return remote ? 'keep' : { src: '' };
    const checked = checkImage(asset);
    if (checked.problem) {
      report(file, 'warning', `${quoted(asset.path)}: ${checked.problem}; its alt text is shown in the HTML instead`, node.position, 'html-image-invalid');
      return 'alt';
    }
    return { src: dataUrl({ ...asset, mediaType: checked.mediaType }) };
  };
  /** An image's element with its embedded source, or its alt text (none without one) in place of a corrupt image. */
  const place = (element: Element, embedded: Embedding, alt: string | null | undefined): ElementContent | undefined => {
    if (embedded === 'alt') return alt ? { type: 'text', value: alt } : undefined;
    if (embedded !== 'keep') element.properties.src = embedded.src;
    return element;
  };
  const handlers: Partial<Handlers> = {
    image(state, node: Image) {
      return place(defaultHandlers.image(state, node), embed(node.url, node), node.alt);
    },
    imageReference(state, node: ImageReference) {
      const result = defaultHandlers.imageReference(state, node);
      const definition = state.definitionById.get(String(node.identifier).toUpperCase());
      // Without a definition the reference stays text, as CommonMark says.
      if (!definition || Array.isArray(result) || result.type !== 'element') return result;
      if (!byDefinition.has(definition)) byDefinition.set(definition, embed(definition.url, node));
      return place(result, byDefinition.get(definition)!, node.alt);
    },
  };
  const eachImage = (node: Element) => {
    const src = node.properties.src;
    // Markdown's images are embedded already (or stay remote, or were unusable: '').
    if (typeof src !== 'string' || src === '' || /^(data|https?):/i.test(src)) return;
    const embedded = embed(src, node);
    if (embedded === 'alt') {
      // Raw HTML's element is changed in place (this conversion made it): its alt text, as a span.
      const alt = typeof node.properties.alt === 'string' ? node.properties.alt : '';
      node.tagName = 'span';
      node.properties = {};
      node.children = alt ? [{ type: 'text', value: alt }] : [];
    } else if (embedded !== 'keep') node.properties.src = embedded.src;
  };
  return { toHast: { handlers }, eachImage };
}

/** What becomes of an image's source: embedded (a data: URL, '' for a file that cannot be used), kept as a remote URL, or replaced by its alt text. */
type Embedding = { src: string } | 'keep' | 'alt';

/** What the HTML edition adds to the shared conversion: its images embedded, and links to the run's other documents at their HTML editions. */
function htmlConversion(assets: AssetResolver, file: VFile): Pick<ContentOptions, 'toHast' | 'eachImage'> {
  const images = embeddingImages(assets, file);
  return { ...images, toHast: { handlers: { ...images.toHast?.handlers, ...LINKS_TO_EDITIONS } } };
}

/** A link to another document of the run (transforms/document-links.ts) goes to that document's HTML. */
const LINKS_TO_EDITIONS: Partial<Handlers> = {
  link(state, node: Link) {
    const element = defaultHandlers.link(state, node);
    if (node.data?.documentLink) element.properties.href = htmlUrl(node.data.documentLink);
    return element;
  },
  linkReference(state, node: LinkReference) {
    const result = defaultHandlers.linkReference(state, node);
    const target = state.definitionById.get(String(node.identifier).toUpperCase())?.data?.documentLink;
    if (target && !Array.isArray(result) && result.type === 'element') result.properties.href = htmlUrl(target);
    return result;
  },
};

function htmlUrl(target: DocumentLink): string {
  return normalizeUri(`${target.path}.html${target.after}`);
}

function dataUrl(asset: Asset): string {
  return `data:${asset.mediaType};base64,${Buffer.from(asset.bytes).toString('base64')}`;
}

function headElements(meta: DocumentMeta): HastRoot {
  const children: ElementContent[] = [
    h('meta', { charSet: 'utf-8' }),
    h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
    h('title', meta.title),
    ...meta.authors.map((author) => h('meta', { name: 'author', content: author.name })),
    meta.description ? h('meta', { name: 'description', content: meta.description }) : undefined,
    meta.keywords.length > 0 ? h('meta', { name: 'keywords', content: meta.keywords.join(', ') }) : undefined,
    h('meta', { name: 'generator', content: 'Colophon' }),
    h('script', { type: 'application/ld+json' }, jsonLd(meta)),
  ].filter((node): node is Element => node !== undefined);
  return { type: 'root', children: children.flatMap((node) => [node, { type: 'text', value: '\n' }]) };
}

/** schema.org Article. `<` is escaped so no value can close the script element. */
function jsonLd(meta: DocumentMeta): string {
  const organization = (name: string) => ({ '@type': 'Organization', name });
  const data = {
    '@context': 'https://schema.org',
    '@type': 'Article',
    headline: meta.title,
    alternativeHeadline: meta.subtitle,
    author: meta.authors.map((author) => ({
      '@type': 'Person',
      name: author.name,
      affiliation: author.affiliation ? organization(author.affiliation) : undefined,
      sameAs: author.orcid ? `https://orcid.org/${author.orcid}` : undefined,
    })),
    editor: meta.editors.map((name) => ({ '@type': 'Person', name })),
    datePublished: meta.date,
    publisher: meta.publisher ? organization(meta.publisher) : undefined,
    inLanguage: meta.lang,
    description: meta.description,
    keywords: meta.keywords.length > 0 ? meta.keywords.join(', ') : undefined,
    copyrightNotice: meta.rights,
    identifier: meta.identifier,
  };
  return JSON.stringify(data, null, 2).replace(/</g, '\\u003c');
}

/** `{{name}}` slots; a function replacement so `$` in content is never special. */
export function fillTemplate(template: string, slots: Record<string, string>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => slots[name] ?? whole);
}
