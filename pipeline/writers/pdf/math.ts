import { createRequire } from 'node:module';
import type { Root } from 'mdast';
import type { InlineMath, Math } from 'mdast-util-math';
import { visit } from 'unist-util-visit';
import type { VFile } from 'vfile';
import { report } from '../../messages.ts';

/** A formula typeset as vector outlines; lengths in ems of the type it sits in. */
export interface TypesetFormula {
  /** An SVG of paths only (MathJax with `fontCache: 'none'`): no text, no fonts. */
  svg: string;
  width: number;
  /** Above the baseline. */
  height: number;
  /** Below the baseline. */
  depth: number;
}

export type Formulas = Map<Math | InlineMath, TypesetFormula>;

/**
 * Typeset every formula of the tree with MathJax (TeX in, SVG out), loaded only when the
 * document has math. The math transform has converted each formula once already, so TeX
 * errors here are rare (the two TeX readers differ a little); each is reported where it is.
 */
export function typesetFormulas(tree: Root, file: VFile, color: string): Formulas {
  const formulas: Formulas = new Map();
  const nodes: (Math | InlineMath)[] = [];
  visit(tree, (node) => {
    if ((node.type === 'math' || node.type === 'inlineMath') && node.data?.mathml) nodes.push(node);
  });
  if (nodes.length === 0) return formulas;
  const convert = mathJax();
  for (const node of nodes) {
    const display = node.type === 'math' || node.data?.display === true;
    try {
      formulas.set(node, measure(convert(node.value, display), color));
    } catch (error) {
      const reason = error instanceof RangeError ? 'formula nested too deeply to typeset' : `TeX error in formula: ${(error as Error).message}`;
      report(file, 'error', `${reason} (PDF edition)`, node, 'math-tex');
    }
  }
  return formulas;
}

/** MathJax's dimensions are in the viewBox: `0 -height width height+depth`, in thousandths of an em. */
function measure(svg: string, color: string): TypesetFormula {
  const viewBox = /viewBox="([^"]+)"/.exec(svg)?.[1]?.split(/\s+/).map(Number) ?? [];
  const [, minY = 0, width = 0, total = 0] = viewBox;
  const height = -minY / 1000;
  return {
    // svg-to-pdfkit reads no CSS: give the outlines the text's colour outright.
    svg: svg.replace(/currentColor/g, color).replace(/ style="[^"]*"/, ''),
    width: width / 1000,
    height,
    depth: total / 1000 - height,
  };
}

interface LiteAdaptor {
  innerHTML(node: unknown): string;
}

/** MathJax 3's TeX input and SVG output (CommonJS, required on first use). */
function mathJax(): (tex: string, display: boolean) => string {
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
  return (tex, display) => adaptor.innerHTML(document.convert(tex, { display, em: 10, ex: 5, containerWidth: 1e6 }));
}
