import { createRequire } from 'node:module';
import type { Root } from 'mdast';
import type { InlineMath, Math } from 'mdast-util-math';
import { visit } from '../../visit.ts';
import type { VFile } from 'vfile';
import { report } from '../../messages.ts';
import type { FormulaSource, SharedResources } from '../../types.ts';
import { DEFINES_MACROS } from '../shared/book-facts.ts';
import { outlinesOf, type SvgElement, type VectorOutlines } from './math-outlines.ts';

/** A formula typeset as vector outlines; lengths in ems of the type it sits in. */
export interface TypesetFormula {
  /** The outlines as PDF path operators (most formulas), drawn without an SVG renderer. */
  outlines?: VectorOutlines;
  /** An SVG of the formula, when it holds more than filled paths (text, strokes, colour): drawn by svg-to-pdfkit. */
  svg?: string;
  width: number;
  /** Above the baseline. */
  height: number;
  /** Below the baseline. */
  depth: number;
}

export type Formulas = Map<Math | InlineMath, TypesetFormula>;

/** TeX → typeset formula, each distinct formula typeset once. */
interface Typesetter {
  typeset(tex: string, display: boolean, color: string): TypesetFormula;
}


/**
 * Typeset every formula of the tree with MathJax (TeX in, SVG out), loaded only when the
 * document has math. The math transform has converted each formula once already, so TeX
 * errors here are rare (the two TeX readers differ a little); each is reported where it is.
 * MathJax is set up once per build (`shared`), and a formula met again is not typeset again;
 * a document that defines macros gets MathJax to itself, so its macros reach no other document.
 */
export function typesetFormulas(tree: Root, file: VFile, color: string, shared?: SharedResources): Formulas {
  return formulaTypesetter(file, color, shared)(tree);
}

/**
 * `typesetFormulas` tree by tree (a book's chapters in turn, WriterInput.chapters), with one
 * typesetter throughout: the build's shared one, or one of the document's own when `ownMacros`
 * (a book's facts know whether any chapter defines macros; left out, the first tree with
 * formulas decides, as for a whole document).
 */
export function formulaTypesetter(file: VFile, color: string, shared?: SharedResources, ownMacros?: boolean): (tree: Root) => Formulas {
  let typesetter: Typesetter | undefined;
  return (tree) => {
    const formulas: Formulas = new Map();
    const nodes: (Math | InlineMath)[] = [];
    visit(tree, (node) => {
      if ((node.type === 'math' || node.type === 'inlineMath') && node.data?.mathml) nodes.push(node);
    });
    if (nodes.length === 0) return formulas;
    const own = ownMacros ?? nodes.some((node) => DEFINES_MACROS.test(node.value));
    typesetter ??= own || !shared ? mathJax() : shared.parsed('colophon:mathjax-svg', NO_BYTES, mathJax);
    for (const node of nodes) {
      const display = node.type === 'math' || node.data?.display === true;
      try {
        formulas.set(node, typesetter.typeset(node.value, display, color));
      } catch (error) {
        const reason = error instanceof RangeError ? 'formula nested too deeply to typeset' : `TeX error in formula: ${(error as Error).message}`;
        report(file, 'error', `${reason} (PDF edition)`, node, 'math-tex');
      }
    }
    return formulas;
  };
}

const NO_BYTES = new Uint8Array(0);
/** The math transform's own limit (MAX_FORMULA_LENGTH): a longer formula never reaches the writer. */
const MAX_FORMULA_LENGTH_AHEAD = 10_000;

/**
 * Typeset ahead, into the build's shared MathJax, the formulas a document will ask for (its
 * parsed tree's, before the transforms): typesetFormulas then finds them done. Errors are left
 * for typesetFormulas to report where they are; a document that defines macros is left alone,
 * since it gets a MathJax of its own. Formulas longer than any the transform accepts are skipped.
 */
export function typesetAhead(formulas: FormulaSource[], color: string, shared: SharedResources): void {
  if (formulas.length === 0 || formulas.some(({ tex }) => DEFINES_MACROS.test(tex))) return;
  const typesetter = shared.parsed('colophon:mathjax-svg', NO_BYTES, mathJax);
  for (const { tex, display } of formulas) {
    if (tex.length > MAX_FORMULA_LENGTH_AHEAD) continue;
    try {
      typesetter.typeset(tex, display, color);
    } catch {
      // Reported by typesetFormulas, if the formula is still there after the transforms.
    }
  }
}

interface LiteAdaptor {
  innerHTML(node: unknown): string;
}

/** MathJax 3's TeX input and SVG output (CommonJS, required on first use), with a cache of what it typeset. */
function mathJax(): Typesetter {
  const load = createRequire(import.meta.url);
  const { mathjax } = load('mathjax-full/js/mathjax.js');
  const { TeX } = load('mathjax-full/js/input/tex.js');
  const { SVG } = load('mathjax-full/js/output/svg.js');
  const { liteAdaptor } = load('mathjax-full/js/adaptors/liteAdaptor.js');
  const { RegisterHTMLHandler } = load('mathjax-full/js/handlers/html.js');
  for (const name of ['ams/AmsConfiguration', 'newcommand/NewcommandConfiguration', 'boldsymbol/BoldsymbolConfiguration', 'color/ColorConfiguration', 'cancel/CancelConfiguration', 'mathtools/MathtoolsConfiguration']) {
    load(`mathjax-full/js/input/tex/${name}.js`);
  }
  const adaptor = liteAdaptor() as LiteAdaptor;
  RegisterHTMLHandler(adaptor);
  const document = mathjax.document('', {
    // No `noundefined` or `noerrors`: an unknown command is an error, not red text in print.
    InputJax: new TeX({ packages: ['base', 'ams', 'newcommand', 'boldsymbol', 'color', 'cancel', 'mathtools'], formatError: (_jax: unknown, error: Error) => { throw error; } }),
    OutputJax: new SVG({ fontCache: 'none' }),
  });
  const done = new Map<string, TypesetFormula>();
  const glyphs = new Map<string, string | undefined>();
  return {
    typeset(tex, display, color) {
      const key = `${display ? 'D' : 'I'}${color}\n${tex}`;
      let formula = done.get(key);
      if (!formula) {
        const container = document.convert(tex, { display, em: 10, ex: 5, containerWidth: 1e6 }) as SvgElement;
        formula = measure(container, () => adaptor.innerHTML(container), color, glyphs);
        done.set(key, formula);
      }
      return formula;
    },
  };
}

/** MathJax's dimensions are in the viewBox: `0 -height width height+depth`, in thousandths of an em. */
function measure(container: SvgElement, serialise: () => string, color: string, glyphs: Map<string, string | undefined>): TypesetFormula {
  const svg = container.children?.find((child) => child.kind === 'svg');
  const viewBox = String(svg?.attributes?.viewBox ?? '').split(/\s+/).map(Number);
  const [, minY = 0, width = 0, total = 0] = viewBox;
  const height = -minY / 1000;
  const size = { width: width / 1000, height, depth: total / 1000 - height };
  // Most formulas are filled paths only: their outlines go straight into the page, no SVG renderer needed.
  const outlines = svg ? outlinesOf(svg, color, glyphs) : undefined;
  if (outlines) return { ...size, outlines };
  // svg-to-pdfkit reads no CSS: give the outlines the text's colour outright.
  return { ...size, svg: serialise().replace(/currentColor/g, color).replace(/ style="[^"]*"/, '') };
}
