import type { Root } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import type { VFile } from 'vfile';
import { githubAlerts } from './alerts.ts';
import { remarkDefinitionIndex } from './definition-index.ts';
import { remarkDefinitionLists } from './definition-list.ts';
import { headingAttributes } from './heading-attributes.ts';
import { remarkPandocMath, splitLabelledMathFences } from './math-syntax.ts';
import { remarkSubSuper } from './sub-super.ts';

/**
 * The one processor: it alone says which Markdown syntax Colophon accepts. GitHub's single-tilde
 * strikethrough is off on purpose: `H~2~O` is a subscript, as in Pandoc (`~~a~~` strikes through).
 */
const processor = unified()
  .use(remarkParse)
  .use(remarkGfm, { singleTilde: false })
  .use(remarkFrontmatter, ['yaml'])
  .use(remarkPandocMath)
  .use(remarkDefinitionLists)
  .use(remarkSubSuper)
  .use(remarkDefinitionIndex);

/** The tree of a Markdown text; the steps after the parse read syntax written inside other syntax. */
export function parse(file: VFile): Root {
  const tree = processor.parse(file);
  const source = file.toString();
  // Only a document with a labelled closing fence pays for the look.
  if (source.includes('{#eq:')) splitLabelledMathFences(tree, source, (text) => processor.parse(text));
  headingAttributes(tree, source);
  githubAlerts(tree);
  return tree;
}
