import { randomUUID } from 'node:crypto';
import type { Element, ElementContent, Root as HastRoot } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import { h } from 'hastscript';
import type { Handlers } from 'mdast-util-to-hast';
import type { InlineMath, Math } from 'mdast-util-math';
import { visit } from '../../visit.ts';
import type { ElementContent as XmlContent } from 'xast';
import { fromXml } from 'xast-util-from-xml';

/**
 * Formulas in the HTML and EPUB editions: the MathML the math transform made, with no script
 * and no web font. The sanitiser of raw HTML would strip MathML, so each formula is a
 * placeholder while the tree is converted and sanitised, and the MathML goes in afterwards.
 * Placeholders carry a class with a per-conversion nonce, which raw HTML cannot guess.
 */
export interface MathSlots {
  handlers: Partial<Handlers>;
  /** Put the MathML in place of the placeholders that survived conversion. */
  fill(tree: HastRoot): void;
}

export function mathSlots(): MathSlots {
  const prefix = `colophon-formula-${randomUUID()}-`;
  const formulas: ElementContent[] = [];
  const slot = (node: Math | InlineMath, display: boolean): Element => {
    formulas.push(formulaElement(node, display));
    return h('span', { className: [`${prefix}${formulas.length - 1}`] });
  };
  return {
    handlers: {
      inlineMath: (_state, node: InlineMath) => slot(node, node.data?.display === true),
      math: (_state, node: Math) => {
        const number = node.data?.number;
        return h('div', { className: ['equation'], id: node.data?.id }, [
          slot(node, true),
          number ? h('span', { className: ['equation-number'] }, `(${number})`) : undefined,
        ]);
      },
    },
    fill(tree) {
      if (formulas.length === 0) return;
      visit(tree, 'element', (node, index, parent) => {
        const name = node.tagName === 'span' && Array.isArray(node.properties.className) ? String(node.properties.className[0] ?? '') : '';
        if (!name.startsWith(prefix) || !parent || index === undefined) return undefined;
        const formula = formulas[Number(name.slice(prefix.length))];
        if (formula) parent.children.splice(index, 1, formula);
        return index + 1;
      });
    },
  };
}

/** The formula's MathML, or its TeX as code when it could not be converted (an error says so). */
function formulaElement(node: Math | InlineMath, display: boolean): ElementContent {
  const mathml = node.data?.mathml;
  if (!mathml) return h('code', { className: ['math-error'] }, display ? `$$${node.value}$$` : `$${node.value}$`);
  const math = mathElement(mathml);
  return math ?? h('code', { className: ['math-error'] }, node.value);
}

/**
 * Temml's MathML is XML: an XML parser reads it several times faster than parse5 reads it as
 * HTML, and `h` gives the same properties parse5's path does (hast-util-from-parse5 uses it too).
 */
function mathElement(mathml: string): Element | undefined {
  let root: ReturnType<typeof fromXml>;
  try {
    root = fromXml(mathml);
  } catch {
    return fromHtml(mathml, { fragment: true }).children.find((child): child is Element => child.type === 'element');
  }
  const element = root.children.find((child) => child.type === 'element');
  return element ? (xmlToHast(element) as Element) : undefined;
}

function xmlToHast(node: XmlContent): ElementContent | undefined {
  if (node.type === 'text') return { type: 'text', value: node.value };
  if (node.type !== 'element') return undefined;
  const children: ElementContent[] = [];
  for (const child of node.children) {
    const converted = xmlToHast(child);
    if (converted) children.push(converted);
  }
  return h(node.name, node.attributes, children);
}
