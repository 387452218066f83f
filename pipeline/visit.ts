import type { Node, Parent } from 'unist';
import { CONTINUE, EXIT, SKIP, visit as unistVisit } from 'unist-util-visit';

export { CONTINUE, EXIT, SKIP };

/**
 * unist-util-visit's `visit`, same signature and same behaviour, without its cost per node:
 * unist-util-visit-parents makes two closures per node, names one of them with
 * `Object.defineProperty` (for stack traces) and copies the array of ancestors for every parent.
 * On 1 MB of READMEs the transforms' and writers' walks spent about a quarter of a watch
 * rebuild's time there, and made much of its garbage. Here a visit is a plain recursion.
 *
 * The same semantics: the test is checked before the visitor (a type name, or a function called
 * with node, index and parent); a visitor may return `EXIT`, `SKIP` (not into this node's
 * children), an index to go on from, or a tuple of an action and an index; children are read
 * after the visitor ran (it may replace them), and their count at each step (it may splice).
 * Walks in reverse, tests of other kinds (objects, arrays) and enter/exit pairs go to
 * unist-util-visit itself.
 */
function fastVisit(tree: Node, testOrVisitor: unknown, visitorOrReverse?: unknown, maybeReverse?: unknown): void {
  let test: unknown;
  let visitor: unknown;
  let reverse: unknown;
  if (typeof visitorOrReverse === 'function' || (visitorOrReverse && typeof visitorOrReverse === 'object')) {
    test = testOrVisitor;
    visitor = visitorOrReverse;
    reverse = maybeReverse;
  } else {
    visitor = testOrVisitor;
    reverse = visitorOrReverse;
  }
  const simpleTest = test === undefined || test === null || typeof test === 'string' || typeof test === 'function';
  if (reverse || typeof visitor !== 'function' || !simpleTest || !tree || typeof tree !== 'object') {
    (unistVisit as (...args: unknown[]) => void)(tree, ...(test === undefined ? [] : [test]), visitor, reverse);
    return;
  }
  const enter = visitor as (node: Node, index: number | undefined, parent: Parent | undefined) => unknown;
  const matches: (node: Node, index: number | undefined, parent: Parent | undefined) => boolean =
    test === undefined || test === null
      ? () => true
      : typeof test === 'string'
        ? (node) => node.type === test
        : (node, index, parent) => isNode(node) && Boolean((test as (node: Node, index?: number, parent?: Parent) => unknown).call(undefined, node, index, parent));
  const walk = (node: Node, index: number | undefined, parent: Parent | undefined): readonly unknown[] => {
    let result: readonly unknown[] = NOTHING;
    if (matches(node, index, parent)) {
      result = toResult(enter(node, index, parent));
      if (result[0] === EXIT) return result;
    }
    if ('children' in node && (node as Parent).children && result[0] !== SKIP) {
      const parent = node as Parent;
      let offset = 0;
      // The children are read again at every step, as unist-util-visit does: a visitor may replace them.
      while (offset > -1 && offset < parent.children.length) {
        const subresult = walk(parent.children[offset]!, offset, parent);
        if (subresult[0] === EXIT) return subresult;
        offset = typeof subresult[1] === 'number' ? subresult[1] : offset + 1;
      }
    }
    return result;
  };
  walk(tree, undefined, undefined);
}

const NOTHING: readonly unknown[] = [];

function toResult(value: unknown): readonly unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'number') return [CONTINUE, value];
  return value === null || value === undefined ? NOTHING : [value];
}

function isNode(value: unknown): boolean {
  return value !== null && typeof value === 'object' && 'type' in value && typeof (value as { type: unknown }).type === 'string';
}

export const visit: typeof unistVisit = fastVisit as typeof unistVisit;
