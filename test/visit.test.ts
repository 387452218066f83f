import fc from 'fast-check';
import type { Node, Parent } from 'unist';
import { visit as unistVisit } from 'unist-util-visit';
import { describe, expect, it } from 'vitest';
import { CONTINUE, EXIT, SKIP, visit } from '../pipeline/visit.js';

// pipeline/visit.ts replaces unist-util-visit's walk for speed; it must walk exactly as the library
// does, whatever a visitor returns or does to the children it is given.

interface TestNode extends Node {
  id: number;
  children?: TestNode[];
}

const nodeArbitrary = fc.letrec<{ node: TestNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ type: fc.constantFrom('a', 'b'), id: fc.nat(1000) }),
    fc.record({ type: fc.constantFrom('a', 'b', 'c'), id: fc.nat(1000), children: fc.array(tie('node'), { maxLength: 4 }) }),
  ) as fc.Arbitrary<TestNode>,
}));

/** What the visitor does at its n-th call: each a thing transforms here do (remove, insert, skip, stop). */
type Action = 'continue' | 'skip' | 'exit' | 'remove' | 'insert' | 'again' | 'back' | 'replace-children' | 'false';
const actions: Action[] = ['continue', 'skip', 'exit', 'remove', 'insert', 'again', 'back', 'replace-children', 'false'];

function walkLog(
  walker: typeof unistVisit,
  tree: TestNode,
  plan: Action[],
  test: string | ((node: Node, index?: number, parent?: Parent) => boolean) | undefined,
): string[] {
  const log: string[] = [];
  let calls = 0;
  const visitor = (node: Node, index: number | undefined, parent: Parent | undefined): unknown => {
    const here = node as TestNode;
    log.push(`${here.type}${here.id}@${index ?? '-'}<${parent ? (parent as TestNode).id : '-'}`);
    // Bounded: a visitor that sends the walk back could otherwise loop for ever.
    const action = calls < 60 ? (plan[calls % plan.length] ?? 'continue') : 'continue';
    calls += 1;
    switch (action) {
      case 'skip':
        return SKIP;
      case 'exit':
        return EXIT;
      case 'false':
        return false;
      case 'remove':
        if (parent && index !== undefined) {
          parent.children.splice(index, 1);
          return index;
        }
        return CONTINUE;
      case 'insert':
        if (parent && index !== undefined) {
          parent.children.splice(index + 1, 0, { type: 'b', id: 5000 + calls } as TestNode);
          return [SKIP, index + 2];
        }
        return CONTINUE;
      case 'again':
        return index;
      case 'back':
        return -1;
      case 'replace-children':
        if (here.children) here.children = [{ type: 'a', id: 9000 + calls } as TestNode, ...here.children.slice(1)];
        return undefined;
      default:
        return undefined;
    }
  };
  if (test === undefined) walker(tree, visitor as never);
  else walker(tree, test as never, visitor as never);
  log.push(JSON.stringify(tree));
  return log;
}

describe('pipeline/visit.ts', () => {
  it('walks as unist-util-visit does, for any tree, test and visitor result (fast-check, fixed seed)', () => {
    fc.assert(
      fc.property(
        nodeArbitrary.node,
        fc.array(fc.constantFrom(...actions), { minLength: 1, maxLength: 8 }),
        fc.constantFrom<'none' | 'type' | 'function'>('none', 'type', 'function'),
        (tree, plan, testKind) => {
          const test =
            testKind === 'none' ? undefined : testKind === 'type' ? 'b' : (node: Node, index?: number) => (node as TestNode).id % 2 === 0 || index === 0;
          const expected = walkLog(unistVisit, structuredClone(tree), plan, test);
          const actual = walkLog(visit, structuredClone(tree), plan, test);
          expect(actual).toEqual(expected);
        },
      ),
      { seed: 16, numRuns: 2000 },
    );
  });
});
