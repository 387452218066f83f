import { createRequire } from 'node:module';
import type { Paragraph, Root } from 'mdast';
import type { InlineMath, Math } from 'mdast-util-math';
import type { Point } from 'unist';
import { visit } from '../visit.ts';
import type { VFile } from 'vfile';
import type { Root as XmlRoot, RootContent as XmlContent } from 'xast';
import { fromXml } from 'xast-util-from-xml';
import { report } from '../messages.ts';

/** The longest formula Colophon typesets: longer ones are errors, not minutes of work. */
export const MAX_FORMULA_LENGTH = 10_000;

/** An equation label as pandoc-crossref writes it after display math: `{#eq:label}`. */
const EQUATION_LABEL = /^\s*\{#(eq:[^\s{}]+)\}\s*$/;

declare module 'mdast-util-math' {
  interface MathData {
    /** `eq:label` from `$$…$$ {#eq:label}`; such equations are numbered. */
    label?: string;
    /** The equation's number, shown at the right margin and by `@eq:label`. */
    number?: string;
    /** The anchor every edition sets on the equation. */
    id?: string;
    /** The formula as MathML (one `<math>` element, XML-serialised), for HTML and EPUB. */
    mathml?: string;
  }
  interface InlineMathData {
    /** `$$…$$` inside a paragraph: display style, set in the line. */
    display?: boolean;
    mathml?: string;
  }
}

export interface MathInfo {
  /** Formulas in the document (inline and display). */
  count: number;
  /** Numbered equations by label. */
  equations: Map<string, { number: string; id: string }>;
}

declare module 'vfile' {
  interface DataMap {
    math: MathInfo;
  }
}

/**
 * Math: a paragraph holding only `$$…$$` (and perhaps `{#eq:label}`) becomes a display
 * equation, as in Pandoc; labelled equations are numbered in order; every formula is checked
 * and converted to MathML once (Temml, loaded only when the document has math), so the HTML
 * and EPUB editions print the same thing and a TeX error is reported once, where it is.
 */
export function transformMath(tree: Root, file: VFile, info: MathInfo = { count: 0, equations: new Map() }, withTitle = true): MathInfo {
  // A book's chapters pass the info on: the count and the equations' numbers run through the book.
  file.data.math = info;
  const formulas: (Math | InlineMath)[] = [];
  const fenced = new Set<Math | InlineMath>();
  visit(tree, (node, index, parent) => {
    if (node.type === 'paragraph' && parent && index !== undefined) {
      const display = displayEquation(node);
      if (display) {
        parent.children.splice(index, 1, display);
        formulas.push(display);
        return index + 1;
      }
    }
    if (node.type === 'math') fenced.add(node);
    // A fence closed by `$$ {#eq:label}` (see parse/math-syntax.ts) already has its label.
    if (node.type === 'math' || node.type === 'inlineMath') formulas.push(node);
    return undefined;
  });
  // A heading lifted into the title keeps its formulas: they need a plain text for the title.
  const titleHeading = withTitle ? file.data.titleHeading : undefined;
  if (titleHeading) visit(titleHeading, 'inlineMath', (node) => {
    formulas.push(node);
  });
  if (formulas.length === 0) return info;
  info.count += formulas.length;

  for (const node of formulas) {
    if (node.type !== 'math' || !node.data?.label) continue;
    const label = node.data.label;
    if (info.equations.has(label)) {
      report(file, 'error', `equation label "${label}" is used twice; labels must be unique`, node, 'crossref-duplicate');
      continue;
    }
    const number = String(info.equations.size + 1);
    // pandoc-crossref's label is the anchor, as for figures and sections.
    const id = label;
    node.data.number = number;
    node.data.id = id;
    info.equations.set(label, { number, id });
  }

  const temml = loadTemml();
  // A formula written again (a symbol, a recurring term) is converted once.
  const converted = new Map<string, { mathml: string; text: string }>();
  for (const node of formulas) {
    node.data ??= {};
    // mdast-util-math's own hast (a <code> holding the TeX) is replaced by MathML in the writers.
    delete (node.data as { hName?: string }).hName;
    delete (node.data as { hChildren?: unknown }).hChildren;
    delete (node.data as { hProperties?: unknown }).hProperties;
    if (node.value.length > MAX_FORMULA_LENGTH) {
      report(file, 'error', `formula of ${node.value.length} characters is longer than the ${MAX_FORMULA_LENGTH} Colophon typesets; split it`, node, 'math-too-long');
      continue;
    }
    const display = node.type === 'math' || node.data.display === true;
    const key = `${display ? 'D' : 'I'}${node.value}`;
    const known = converted.get(key);
    if (known !== undefined) {
      node.data.mathml = known.mathml;
      node.data.text = known.text;
      continue;
    }
    try {
      node.data.mathml = temml.renderToString(node.value, { displayMode: display, xml: true, annotate: true, throwOnError: true, trust: false, maxExpand: 1000 });
      node.data.text = mathText(node.data.mathml) || node.value;
      converted.set(key, { mathml: node.data.mathml, text: node.data.text });
    } catch (error) {
      if (error instanceof RangeError) {
        report(file, 'error', 'formula nested too deeply to typeset', node, 'math-too-deep');
        continue;
      }
      const { message, position } = error as { message: string; position?: number };
      const reason = message.trim().replace(/ at (position \d+|end of input):[\s\S]*$/, '');
      report(file, 'error', `TeX error in formula: ${reason}`, placeInFormula(node, position, fenced), 'math-tex');
    }
  }
  return info;
}

interface Temml {
  renderToString(tex: string, options: Record<string, unknown>): string;
}

function loadTemml(): Temml {
  // Loaded at the first formula: documents without math never pay for it.
  return createRequire(import.meta.url)('temml') as Temml;
}

/** A paragraph that is one `$$…$$` formula, perhaps followed by `{#eq:label}`: a display equation. */
function displayEquation(node: Paragraph): Math | undefined {
  const [first, second, ...rest] = node.children;
  if (first?.type !== 'inlineMath' || !first.data?.display || rest.length > 0) return undefined;
  let label: string | undefined;
  if (second) {
    const match = second.type === 'text' ? EQUATION_LABEL.exec(second.value) : null;
    if (!match) return undefined;
    label = match[1];
  }
  return { type: 'math', value: first.value, meta: null, position: first.position, data: label ? { label } : {} };
}

/** Where in the source a TeX error at `offset` within the formula is. */
function placeInFormula(node: Math | InlineMath, offset: number | undefined, fenced: Set<Math | InlineMath>): Point | Math | InlineMath {
  const start = node.position?.start;
  if (!start || offset === undefined) return node;
  const before = node.value.slice(0, offset);
  const lines = before.split('\n');
  // A fenced block's formula starts on the line after its `$$`; the others after their dollars.
  if (fenced.has(node)) return { line: start.line + lines.length, column: lines.at(-1)!.length + 1 };
  const open = node.type === 'inlineMath' && !node.data?.display ? 1 : 2;
  if (lines.length === 1) return { line: start.line, column: start.column + open + before.length };
  return { line: start.line + lines.length - 1, column: lines.at(-1)!.length + 1 };
}

/** Unicode superscripts and subscripts for the characters that have them. */
const SUPERSCRIPT: Record<string, string> = { 0: '⁰', 1: '¹', 2: '²', 3: '³', 4: '⁴', 5: '⁵', 6: '⁶', 7: '⁷', 8: '⁸', 9: '⁹', '+': '⁺', '-': '⁻', '−': '⁻', '=': '⁼', '(': '⁽', ')': '⁾', n: 'ⁿ', i: 'ⁱ', '′': '′', '″': '″' };
const SUBSCRIPT: Record<string, string> = { 0: '₀', 1: '₁', 2: '₂', 3: '₃', 4: '₄', 5: '₅', 6: '₆', 7: '₇', 8: '₈', 9: '₉', '+': '₊', '-': '₋', '−': '₋', '=': '₌', '(': '₍', ')': '₎', a: 'ₐ', e: 'ₑ', o: 'ₒ', x: 'ₓ', i: 'ᵢ', j: 'ⱼ', k: 'ₖ', n: 'ₙ', m: 'ₘ', p: 'ₚ', t: 'ₜ' };
/** Operators written with a space on each side in plain text. */
const SPACED = new Set(['=', '≠', '<', '>', '≤', '≥', '≈', '≡', '∼', '≃', '→', '←', '↔', '⇒', '⇐', '⇔', '+', '−', '×', '÷', '±', '∈', '∉', '⊂', '⊆', '∪', '∩', ':=']);

/**
 * The formula as plain text, as Pandoc's plain writer gives it: the text of the MathML, with
 * scripts as Unicode superscripts and subscripts where they exist (x², a₁), `^`/`_` otherwise,
 * fractions as a/b and roots as √; the TeX annotation left out.
 */
export function mathText(mathml: string): string {
  let root: XmlRoot;
  try {
    root = fromXml(mathml);
  } catch {
    return '';
  }
  return textOf(root).replace(/\s+/g, ' ').trim();
}

function textOf(node: XmlRoot | XmlContent): string {
  if (node.type === 'text') return node.value;
  if (node.type !== 'element' && node.type !== 'root') return '';
  const parts = node.children.filter((child) => child.type === 'element' || child.type === 'text');
  const [first, second, third] = parts.filter((child) => child.type === 'element').map((child) => textOf(child).trim());
  if (node.type === 'element') {
    switch (node.name) {
      case 'annotation':
      case 'annotation-xml':
        return '';
      case 'mo': {
        const text = parts.map(textOf).join('').trim();
        return SPACED.has(text) ? ` ${text} ` : text;
      }
      case 'mspace':
        return ' ';
      case 'msup':
        return `${first ?? ''}${script(second ?? '', SUPERSCRIPT, '^')}`;
      case 'msub':
        return `${first ?? ''}${script(second ?? '', SUBSCRIPT, '_')}`;
      case 'msubsup':
      case 'munderover':
        return `${first ?? ''}${script(second ?? '', SUBSCRIPT, '_')}${script(third ?? '', SUPERSCRIPT, '^')}`;
      case 'munder':
        return `${first ?? ''}${script(second ?? '', SUBSCRIPT, '_')}`;
      case 'mover':
        // An accent (x̂) is the base alone; a limit above is a superscript.
        return node.attributes.accent === 'true' ? (first ?? '') : `${first ?? ''}${script(second ?? '', SUPERSCRIPT, '^')}`;
      case 'mfrac':
        return `${grouped(first ?? '')}/${grouped(second ?? '')}`;
      case 'msqrt':
        return `√${grouped(parts.map(textOf).join('').trim())}`;
      case 'mroot':
        return `√${grouped(first ?? '')}`;
    }
  }
  return parts.map(textOf).join('');
}

function script(text: string, table: Record<string, string>, mark: string): string {
  const compact = text.replace(/\s+/g, '');
  if (!compact) return '';
  const chars = [...compact];
  if (chars.every((char) => table[char] !== undefined)) return chars.map((char) => table[char]).join('');
  return `${mark}${grouped(compact)}`;
}

function grouped(text: string): string {
  return [...text].length > 1 && !/^\(.*\)$/.test(text) ? `(${text})` : text;
}
