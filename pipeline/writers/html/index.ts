import type { Element, ElementContent, Root as HastRoot } from 'hast';
import rehypeStringify from 'rehype-stringify';
import { unified } from 'unified';
import { h } from 'hastscript';
import type { Definition, Root } from 'mdast';
import { visit } from 'unist-util-visit';
import type { AssetResolver, DocumentMeta, Writer, WriterInput } from '../../types.ts';
import { escapeXml } from '../shared/xml.ts';
import { bylineMdast, colophon, contentToHast, tableOfContents, takeFirstElement, titleBlock } from '../shared/render.ts';

export const htmlWriter: Writer = {
  extension: 'html',
  mediaType: 'text/html',
  async render(input) {
    return new TextEncoder().encode(renderHtml(input));
  },
};

export function renderHtml({ tree, meta, file, assets }: WriterInput): string {
  embedImages(tree, assets);
  const footnotes = file.data.footnotes ?? { count: 0, authorNotes: {} };
  const byline = bylineMdast(meta, footnotes);
  // The byline goes through the same conversion as the body, first, so its notes get numbers 1…
  const root: Root = { type: 'root', children: byline ? [byline, ...tree.children] : tree.children };
  const content = contentToHast(root, { rawHtml: meta.rawHtml });
  const bylineElement = byline ? takeFirstElement(content.children) : undefined;

  const article = h('article', [
    titleBlock(meta, bylineElement),
    meta.toc ? tableOfContents(tree, meta.tocDepth, meta.tocTitle) : undefined,
    ...(content.children as ElementContent[]),
    colophon(meta),
  ]);
  const stringifier = unified().use(rehypeStringify);
  const body = stringifier.stringify({ type: 'root', children: [h('main', { id: 'content' }, [article])] });
  const head = stringifier.stringify(headElements(meta));

  const template = new TextDecoder().decode(assets.own('templates/html/page.html'));
  const style = new TextDecoder().decode(assets.own('templates/html/style.css'));
  return fillTemplate(template, {
    lang: escapeXml(meta.lang),
    head,
    style: style.trim(),
    body,
  });
}

/**
 * Inline every image as a data: URL, so the page stands alone. Resolution (containment in the
 * project, missing files, remote URLs) is the asset resolver's, which reports with positions.
 */
function embedImages(tree: Root, assets: AssetResolver): void {
  const definitions = new Map<string, Definition>();
  visit(tree, 'definition', (node) => {
    definitions.set(node.identifier, node);
  });
  const embedded = new Set<Definition>();
  visit(tree, (node) => {
    const target = node.type === 'image' ? node : node.type === 'imageReference' ? definitions.get(node.identifier) : undefined;
    if (!target || embedded.has(target as Definition)) return;
    // A remote image is embedded only when the build fetched it (--allow-remote); otherwise it
    // stays a reference, which the reader's browser fetches, never Colophon.
    if (/^https?:\/\//i.test(target.url)) {
      const fetched = assets.remote(target.url);
      if (fetched) target.url = `data:${fetched.mediaType};base64,${Buffer.from(fetched.bytes).toString('base64')}`;
      return;
    }
    if (target.type === 'definition') embedded.add(target);
    const asset = assets.document(target.url, node);
    target.url = asset ? `data:${asset.mediaType};base64,${Buffer.from(asset.bytes).toString('base64')}` : '';
  });
}

function headElements(meta: DocumentMeta): HastRoot {
  const children: ElementContent[] = [
    h('meta', { charSet: 'utf-8' }),
    h('meta', { name: 'viewport', content: 'width=device-width, initial-scale=1' }),
    h('title', meta.subtitle ? `${meta.title}` : meta.title),
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
