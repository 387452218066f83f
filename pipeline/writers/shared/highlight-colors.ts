import type { ElementContent } from 'hast';

/**
 * The colours of highlighted code, by highlight.js scope (the `hljs-…` class), for every
 * edition: the HTML and EPUB stylesheets are generated from this table, and the PDF draws its
 * runs with it. GitHub's Primer light palette, each colour at least 5:1 against the code
 * backgrounds (#f3f0e8 in HTML, #f3f1ec in the PDF, white) — WCAG AA for text.
 */
export const HIGHLIGHT_COLORS: Readonly<Record<string, string>> = {
  keyword: '#b3261e',
  doctag: '#b3261e',
  'template-tag': '#b3261e',
  'template-variable': '#b3261e',
  type: '#b3261e',
  title: '#6639ba',
  attr: '#0550ae',
  attribute: '#0550ae',
  literal: '#0550ae',
  meta: '#0550ae',
  number: '#0550ae',
  operator: '#0550ae',
  variable: '#0550ae',
  'selector-attr': '#0550ae',
  'selector-class': '#0550ae',
  'selector-id': '#0550ae',
  section: '#0550ae',
  regexp: '#0a3069',
  string: '#0a3069',
  built_in: '#953800',
  symbol: '#953800',
  comment: '#5c636c',
  code: '#5c636c',
  formula: '#5c636c',
  name: '#116329',
  quote: '#116329',
  'selector-tag': '#116329',
  'selector-pseudo': '#116329',
  addition: '#116329',
  bullet: '#735c0f',
  deletion: '#82071e',
};

/** The stylesheet rules for the table above (no script: the colours are in the page). */
export function highlightCss(): string {
  return Object.entries(HIGHLIGHT_COLORS)
    .map(([scope, color]) => `.hljs-${scope} { color: ${color}; }`)
    .join('\n');
}

/** The colour of a span's scope: its first `hljs-…` class the table knows; undefined: inherit. */
export function scopeColor(classes: unknown): string | undefined {
  if (!Array.isArray(classes)) return undefined;
  for (const name of classes) {
    const scope = typeof name === 'string' && name.startsWith('hljs-') ? HIGHLIGHT_COLORS[name.slice(5)] : undefined;
    if (scope) return scope;
  }
  return undefined;
}

/** Highlighted code as coloured stretches of text, in order (for the PDF). */
export function colouredText(nodes: ElementContent[], color: string): { text: string; color: string }[] {
  const out: { text: string; color: string }[] = [];
  const walk = (node: ElementContent, inherited: string) => {
    if (node.type === 'text') out.push({ text: node.value, color: inherited });
    else if (node.type === 'element') node.children.forEach((child) => walk(child, scopeColor(node.properties.className) ?? inherited));
  };
  nodes.forEach((node) => walk(node, color));
  return out;
}
