import type { Root, RootContent } from 'mdast';
import { toString } from 'mdast-util-to-string';
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
import { pandocTitleBlock } from './title-block.ts';

/**
 * The one processor: it alone says which Markdown syntax Colophon accepts. GitHub's single-tilde
 * strikethrough is off on purpose: `H~2~O` is a subscript, as in Pandoc (`~~a~~` strikes through).
 */
const processor = unified()
  .use(remarkParse)
  .use(remarkGfm, { singleTilde: false })
  .use(autolinkLiteralsWhereTheyMayBe)
  .use(remarkFrontmatter, ['yaml'])
  .use(remarkPandocMath)
  .use(remarkDefinitionLists)
  .use(remarkSubSuper)
  .use(remarkDefinitionIndex);

/**
 * GFM's literal autolinks (`www.x.org`, `https://…`, `a@b.org` in text) are found by a transform
 * after the parse (mdast-util-gfm-autolink-literal): four searches over the whole tree, each a walk
 * that keeps every node's ancestors, about 4% of parsing 1 MB of READMEs. The same transform now
 * runs on those top-level blocks alone that hold text where one may be: text outside links that
 * holds `@`, `http://`, `https://` or `www.` (every pattern needs one of them). A block's links
 * depend on its own text alone, so each block comes out as before.
 */
function autolinkLiteralsWhereTheyMayBe(this: { data(key: 'fromMarkdownExtensions'): unknown }): void {
  const extensions = this.data('fromMarkdownExtensions');
  if (Array.isArray(extensions)) extensions.splice(0, extensions.length, ...extensions.map(narrowed));
}

type TreeTransform = (tree: Root) => unknown;

function narrowed(extension: unknown): unknown {
  if (Array.isArray(extension)) return extension.map(narrowed);
  const { enter, transforms } = (extension ?? {}) as { enter?: Record<string, unknown>; transforms?: TreeTransform[] };
  if (!enter || !('literalAutolink' in enter) || !Array.isArray(transforms)) return extension;
  return {
    ...(extension as object),
    transforms: transforms.map((transform) => (tree: Root) => {
      for (const block of tree.children) if (mayHoldAutolink(block)) transform(block as unknown as Root);
    }),
  };
}

const AUTOLINK_HINT = /@|https?:\/\/|www\./i;

function mayHoldAutolink(node: RootContent): boolean {
  if (node.type === 'text') return AUTOLINK_HINT.test(node.value);
  if (node.type === 'link' || node.type === 'linkReference' || !('children' in node)) return false;
  for (const child of node.children) if (mayHoldAutolink(child as RootContent)) return true;
  return false;
}

/** The tree of a Markdown text; the steps after the parse read syntax written inside other syntax. */
export function parse(file: VFile): Root {
  const tree = processor.parse(file);
  const source = file.toString();
  // Only a document with a labelled closing fence pays for the look.
  if (source.includes('{#eq:')) splitLabelledMathFences(tree, source, (text) => processor.parse(text));
  // Only a document that opens with `%` pays for the look.
  if (source.startsWith('%')) pandocTitleBlock(tree, source, (markdown) => toString(processor.parse(markdown)));
  headingAttributes(tree, source);
  githubAlerts(tree);
  return tree;
}
