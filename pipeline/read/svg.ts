import type { Element, Root } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { toXast } from 'hast-util-to-xast';
import { SKIP, visit } from '../visit.ts';
import { toXml } from 'xast-util-to-xml';

/**
 * An SVG as every edition may carry it: no DOCTYPE (whose external DTD epubcheck refuses and an
 * XML reader may fetch), no entity declarations, no scripts or event handlers, and no reference
 * to anything outside the file (only `#fragment` and `data:` references stay). Parsed with the
 * HTML parser's SVG rules, which never read a DTD or expand an external entity, then written
 * back as namespaced XML.
 */
export function normalizeSvg(bytes: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(bytes);
  const tree = fromHtml(text, { fragment: true });
  let svg: Element | undefined;
  visit(tree, 'element', (node) => {
    if (node.tagName === 'svg') {
      svg = node;
      return false;
    }
    return undefined;
  });
  if (!svg) return bytes;
  visit(svg, 'element', (node, index, parent) => {
    if ((node.tagName === 'script' || node.tagName === 'foreignObject') && parent && index !== undefined) {
      parent.children.splice(index, 1);
      return [SKIP, index];
    }
    for (const key of Object.keys(node.properties)) {
      const value = node.properties[key];
      if (/^on/i.test(key)) delete node.properties[key];
      else if ((key === 'href' || key === 'xLinkHref' || key === 'src') && typeof value === 'string' && !/^#|^data:image\//i.test(value.trim())) delete node.properties[key];
      else if (key === 'style' && typeof value === 'string' && /url\(\s*['"]?(?!#|data:)/i.test(value)) delete node.properties[key];
    }
    if (node.tagName === 'style') {
      // External stylesheets and fonts a reading system would fetch.
      const css = node.children.map((child) => (child.type === 'text' ? child.value : '')).join('');
      node.children = [{ type: 'text', value: css.replace(/@import[^;]*;?/gi, '').replace(/url\(\s*['"]?(?!#|data:)[^)]*\)/gi, 'none') }];
    }
    return undefined;
  });
  keepBoundNames(svg, new Set());
  const root: Root = { type: 'root', children: [svg] };
  return new TextEncoder().encode(`<?xml version="1.0" encoding="UTF-8"?>\n${toXml(toXast(root))}\n`);
}

/**
 * Drop what XML cannot write well-formed: an attribute or element with a prefix no `xmlns:`
 * declaration around it binds (`foo:bar="x"`, which the HTML parser keeps as its name), and an
 * attribute whose name is no XML name. An XML reader (epubcheck, a reading system) stops at the
 * first of them and shows nothing.
 */
function keepBoundNames(node: Element, bound: ReadonlySet<string>): void {
  const declared = Object.keys(node.properties).filter((key) => key.startsWith('xmlns:'));
  const inScope = declared.length === 0 ? bound : new Set([...bound, ...declared.map((key) => key.slice(6))]);
  for (const key of Object.keys(node.properties)) {
    const colon = key.indexOf(':');
    if (!XML_NAME.test(key) || (colon > 0 && key.slice(0, colon) !== 'xmlns' && !inScope.has(key.slice(0, colon)))) delete node.properties[key];
  }
  node.children = node.children.filter((child) => {
    if (child.type !== 'element') return true;
    const colon = child.tagName.indexOf(':');
    if (colon > 0 && !inScope.has(child.tagName.slice(0, colon))) return false;
    keepBoundNames(child, inScope);
    return true;
  });
}

/** An XML name, with at most one prefix. */
const XML_NAME = /^[\p{L}_][\p{L}\p{N}_.-]*(?::[\p{L}_][\p{L}\p{N}_.-]*)?$/u;
