import type { Root } from 'mdast';
import { visit } from '../visit.ts';
import { VFile } from 'vfile';
import { parse } from '../parse/parse.ts';
import type { Abstract, DocumentMeta } from '../types.ts';

/**
 * The front matter's `abstract:` (Markdown) as an `abstract` node at the start of the body, so
 * footnotes, math and every writer treat it like the rest of the text. Its positions are dropped:
 * they would count lines in the abstract, not in the file.
 */
export function insertAbstract(tree: Root, meta: DocumentMeta): void {
  if (!meta.abstract) return;
  // Notes and links cited in the abstract are defined in the body: give the parser their labels,
  // or `[^n]` and `[text][label]` would stay literal text. The writers look the definitions up.
  const stubs = tree.children.flatMap((node) =>
    node.type === 'footnoteDefinition' ? [`[^${node.label ?? node.identifier}]: -`] : node.type === 'definition' ? [`[${node.label ?? node.identifier}]: #`] : [],
  );
  const parsed = parse(new VFile([meta.abstract, ...stubs].join('\n\n')));
  visit(parsed, (node) => {
    delete node.position;
  });
  const children = parsed.children.filter((node): node is Abstract['children'][number] => node.type !== 'yaml' && node.type !== 'definition' && node.type !== 'footnoteDefinition');
  if (children.length === 0) return;
  tree.children.unshift({ type: 'abstract', children });
}
