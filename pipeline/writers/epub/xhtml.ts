import type { Element, ElementContent, Properties, Root as HastRoot } from 'hast';
import { toXast } from 'hast-util-to-xast';
import type { Root as XastRoot } from 'xast';
import { toXml } from 'xast-util-to-xml';
import { SKIP, visit } from '../../visit.ts';
import type { VFile } from 'vfile';
import { report } from '../../messages.ts';

/**
 * hast → XHTML. rehype-stringify writes HTML, not XML (minimised `checked`, no `/>`), so
 * the tree goes through xast. Void elements close with `/>`; other empty elements keep an
 * end tag, since some reading systems misread `<a id="x"/>` or `<td/>`. (xast-util-to-xml
 * can only close all empty elements or none, so void ones are closed afterwards: attribute
 * values are always double-quoted with `"` escaped, which makes the pattern exact.)
 * xast-util-to-xml escapes only `&` and `<` in text, but XML forbids `]]>` in content
 * (`` `"]]>"` `` in a changelog about CDATA): its `>` is written `&gt;`, which every value accepts.
 */
export function toXhtml(nodes: ElementContent[]): string {
  const xast = toXast({ type: 'root', children: nodes } satisfies HastRoot) as XastRoot;
  // Every top-level element would repeat the XHTML namespace, which the document's <html> declares.
  for (const child of xast.children) {
    if (child.type === 'element' && child.attributes.xmlns === XHTML) delete child.attributes.xmlns;
  }
  return toXml(xast).replace(VOID_PAIR, '<$1$2/>').replaceAll(']]>', ']]&gt;');
}

const XHTML = 'http://www.w3.org/1999/xhtml';
const VOID_PAIR = /<(area|base|br|col|embed|hr|img|input|link|meta|source|track|wbr)((?:\s+[^\s="]+="[^"]*")*)><\/\1>/g;

/**
 * Attributes valid on each element in EPUB 3's XHTML. The HTML edition's sanitiser keeps
 * GitHub's subset of raw HTML, which includes attributes HTML5 made obsolete (`align`,
 * `border`, `cellpadding`, `name`…); epubcheck rejects those, so they go (alignment becomes a
 * class the stylesheet honours). Everything not listed, data-* included, is dropped.
 */
const GLOBAL = new Set(['id', 'className', 'lang', 'dir', 'title', 'role', 'hidden', 'style', 'epub:type']);
const BY_ELEMENT: Record<string, string[]> = {
  a: ['href', 'hrefLang', 'rel'],
  img: ['src', 'alt', 'width', 'height'],
  ol: ['start', 'reversed', 'type'],
  li: ['value'],
  td: ['colSpan', 'rowSpan', 'headers'],
  th: ['colSpan', 'rowSpan', 'headers', 'scope', 'abbr'],
  col: ['span'],
  colgroup: ['span'],
  input: ['type', 'checked', 'disabled'],
  time: ['dateTime'],
  del: ['cite', 'dateTime'],
  ins: ['cite', 'dateTime'],
  q: ['cite'],
  blockquote: ['cite'],
  details: ['open'],
};
const ALIGNABLE = new Set(['p', 'div', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'td', 'th', 'tr', 'caption']);
/** Obsolete elements that GitHub's subset still allows, and their HTML5 equivalents. */
const RENAMED: Record<string, [string, string?]> = {
  tt: ['code'],
  strike: ['s'],
  big: ['span', 'big'],
  center: ['div', 'align-center'],
  acronym: ['abbr'],
  font: ['span'],
};

/**
 * Elements a reading system must not or cannot run, or that EPUB's XHTML forbids in a body.
 * Only trusted raw HTML (`raw-html: trust`) can contain them: the sanitiser removes them otherwise.
 */
const DROPPED = new Set(['script', 'noscript', 'style', 'iframe', 'object', 'embed', 'link', 'meta', 'base', 'template', 'frame', 'frameset', 'applet']);

/** What a content document needs declared in the manifest (inline SVG or MathML). */
export interface XhtmlFeatures {
  svg: boolean;
  mathml: boolean;
}

/**
 * Make raw HTML valid EPUB 3 XHTML without losing text. Inline SVG and MathML pass through
 * untouched (their attributes are their content) and are reported for the manifest.
 */
export function validXhtml(root: HastRoot, file: VFile): XhtmlFeatures {
  const features: XhtmlFeatures = { svg: false, mathml: false };
  visit(root, 'element', (node, position, parent) => {
    if (node.tagName === 'svg' || node.tagName === 'math') {
      features[node.tagName === 'svg' ? 'svg' : 'mathml'] = true;
      return SKIP;
    }
    if (DROPPED.has(node.tagName) && parent && position !== undefined) {
      report(file, 'warning', `raw HTML <${node.tagName}> cannot be part of an EPUB content document and is left out`, node, 'epub-raw-html');
      parent.children.splice(position, 1);
      return position;
    }
    const renamed = RENAMED[node.tagName];
    if (renamed) {
      node.tagName = renamed[0];
      if (renamed[1]) addClass(node, renamed[1]);
    }
    const anchorName = node.tagName === 'a' && typeof node.properties.name === 'string' ? node.properties.name : undefined;
    const allowed = BY_ELEMENT[node.tagName] ?? [];
    const properties: Properties = {};
    for (const [key, value] of Object.entries(node.properties)) {
      if (value === undefined || value === null || value === false) continue;
      if (GLOBAL.has(key) || key.startsWith('aria') || allowed.includes(key)) properties[key] = value;
    }
    const align = node.properties.align;
    if (typeof align === 'string' && ALIGNABLE.has(node.tagName) && /^(left|center|right|justify)$/i.test(align)) {
      node.properties = properties;
      addClass(node, `align-${align.toLowerCase()}`);
    } else {
      node.properties = properties;
    }
    // `<a name>` anchors are obsolete; an id keeps links to them working.
    if (anchorName && node.properties.id === undefined) node.properties.id = anchorName;
    for (const dimension of ['width', 'height'] as const) {
      const value = node.properties[dimension];
      if (value !== undefined && !/^\d+$/.test(String(value))) delete node.properties[dimension];
    }
    if (typeof node.properties.id === 'string' && (node.properties.id === '' || /\s/.test(node.properties.id))) delete node.properties.id;
    if (node.tagName === 'img' && node.properties.alt === undefined) node.properties.alt = '';
    if (node.tagName === 'ol' && node.properties.type !== undefined && !/^[1aAiI]$/.test(String(node.properties.type))) delete node.properties.type;
    return undefined;
  });
  return features;
}

export function addClass(node: Element, name: string): void {
  const classes = Array.isArray(node.properties.className) ? node.properties.className.map(String) : [];
  if (!classes.includes(name)) node.properties.className = [...classes, name];
}
