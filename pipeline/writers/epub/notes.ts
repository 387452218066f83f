import type { Element, ElementContent, Root as HastRoot } from 'hast';
import { h } from 'hastscript';
import { visit } from '../../visit.ts';
import type { Labels } from './labels.ts';

/**
 * Turn remark-rehype's notes (one `<section data-footnotes>` with an `<ol>`) into EPUB 3
 * popup notes: every citation becomes `<a epub:type="noteref">`, every note an
 * `<aside epub:type="footnote">` in the same file, opening with its number, which links back
 * to the citation. The numbers are the document's global ones (the footnote transform's
 * identifiers), so they match the HTML and PDF editions.
 */
export function notesToAsides(root: HastRoot, labels: Labels): void {
  visit(root, 'element', (node) => {
    if (node.tagName === 'a' && 'dataFootnoteRef' in node.properties) {
      delete node.properties.dataFootnoteRef;
      // The HTML edition describes citations by its "Notes" heading, which the EPUB has not.
      delete node.properties.ariaDescribedBy;
      node.properties['epub:type'] = 'noteref';
      node.properties.role = 'doc-noteref';
    }
  });

  const index = root.children.findIndex((node) => node.type === 'element' && node.tagName === 'section' && 'dataFootnotes' in node.properties);
  if (index === -1) return;
  const section = root.children[index] as Element;
  const list = section.children.find((node): node is Element => node.type === 'element' && node.tagName === 'ol');
  const asides = (list?.children ?? [])
    .filter((node): node is Element => node.type === 'element' && node.tagName === 'li')
    .map((item) => toAside(item, labels))
    // remark-rehype lists notes in citation order; a reader scanning the end of a chapter expects number order.
    .sort((a, b) => noteNumber(a) - noteNumber(b));
  // No heading: reading systems that show notes only as popups hide the asides, and a lone
  // "Notes" heading would be left behind.
  root.children[index] = h('section.footnotes', { ariaLabel: labels.notes }, asides.flatMap((aside) => [{ type: 'text' as const, value: '\n' }, aside]));
}

function toAside(item: Element, labels: Labels): Element {
  const id = String(item.properties.id ?? '');
  const number = id.replace(/^fn-/, '');
  const firstCitation = `#fnref-${number}`;

  visit(item, 'element', (node, position, parent) => {
    if (node.tagName !== 'a' || !('dataFootnoteBackref' in node.properties) || !parent || position === undefined) return undefined;
    if (node.properties.href === firstCitation) {
      // The leading number links to the first citation; drop the trailing arrow (and its space).
      parent.children.splice(position, 1);
      const before = parent.children[position - 1];
      if (before?.type === 'text') before.value = before.value.trimEnd();
      return position;
    }
    delete node.properties.dataFootnoteBackref;
    node.properties.className = ['backlink'];
    node.properties.role = 'doc-backlink';
    return undefined;
  });

  // The shown number: the list item's value when a book restarts numbers per chapter.
  const shown = String(item.properties.value ?? number);
  delete item.properties.value;
  const numberLink = h('a.note-number', { href: firstCitation, role: 'doc-backlink', ariaLabel: labels.backToReference(shown) }, `${shown}.`);
  const children = item.children.filter((node) => !(node.type === 'text' && /^\s*$/.test(node.value)));
  const first = children[0];
  if (first?.type === 'element' && first.tagName === 'p') {
    first.children.unshift(numberLink, { type: 'text', value: ' ' });
  } else {
    children.unshift(h('p.note-number-line', [numberLink]));
  }
  return h('aside.footnote', { id, 'epub:type': 'footnote', role: 'doc-footnote' }, interleave(children));
}

function noteNumber(aside: Element): number {
  return Number(String(aside.properties.id).replace(/^fn-/, ''));
}

function interleave(children: ElementContent[]): ElementContent[] {
  return children.flatMap((child) => [{ type: 'text' as const, value: '\n' }, child]).concat({ type: 'text', value: '\n' });
}
