import type { Root } from 'mdast';
import { visit } from '../visit.ts';
import type { VFile } from 'vfile';
import { report } from '../messages.ts';

/**
 * Link and image reference definitions: in one document the first definition of a label wins
 * (CommonMark), which every edition follows. A later one is almost always a mistake, or two
 * files joined into one (READMEs reuse `[build-badge]`), so it is reported where it stands.
 */
export function checkDefinitions(tree: Root, file: VFile, seen = new Set<string>()): void {
  visit(tree, 'definition', (node) => {
    if (!seen.has(node.identifier)) seen.add(node.identifier);
    else report(file, 'warning', `link label "${node.label ?? node.identifier}" is defined twice; the first definition is used`, node, 'definition-duplicate');
  });
}
