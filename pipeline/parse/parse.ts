import type { Root } from 'mdast';
import remarkFrontmatter from 'remark-frontmatter';
import remarkGfm from 'remark-gfm';
import remarkParse from 'remark-parse';
import { unified } from 'unified';
import type { VFile } from 'vfile';
import { headingAttributes } from './heading-attributes.ts';
import { remarkPandocMath, splitLabelledMathFences } from './math-syntax.ts';

/** The one processor: it alone says which Markdown syntax Colophon accepts. */
const processor = unified()
  .use(remarkParse)
  .use(remarkGfm)
  .use(remarkFrontmatter, ['yaml'])
  .use(remarkPandocMath);

export function parse(file: VFile): Root {
  const tree = processor.parse(file);
  const source = file.toString();
  // Only a document with a labelled closing fence pays for the look.
  if (source.includes('{#eq:')) splitLabelledMathFences(tree, source, (text) => processor.parse(text));
  headingAttributes(tree, source);
  return tree;
}
