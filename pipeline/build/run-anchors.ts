import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseDocumentText, defaultPieces } from '../parse/chunked-parse.ts';
import { decodeSource } from '../read/source.ts';
import { documentAnchors } from '../transforms/index.ts';
import { fragmentTarget, type DocumentAnchors } from '../transforms/document-links.ts';
import type { RenderContext, SharedResources } from '../types.ts';
import { type AnchorsUsed, fileSha256, sha256 } from './cache.ts';

/** A document of the run's anchors (transforms/document-links.ts), and the sha256 of the bytes they were read from. */
export interface RunAnchors {
  sha256: string;
  anchors: DocumentAnchors;
}

/**
 * The anchors of the run's document at `path` (relative to the root, forward slashes): parsed
 * and given ids by the light pass (documentAnchors), once per thread of a run, or of a watch
 * session while its bytes stay the same (SharedResources.parsed). The tree parsed is kept with
 * the others (SharedResources.trees), where the document's own build finds it. Undefined when it cannot be
 * read, decoded or parsed: its own build reports why.
 */
export function runAnchors(path: string, context: RenderContext, shared: SharedResources): RunAnchors | undefined {
  const absolute = resolve(context.root, path);
  try {
    return shared.parsed(`run-anchors:${absolute}`, () => readFileSync(absolute), (bytes) => {
      const { file, ok } = decodeSource(bytes, absolute, context);
      if (!ok) return undefined;
      const tree = parseDocumentText(file, defaultPieces, shared.trees(context.treeCache));
      return { sha256: sha256(bytes), anchors: documentAnchors(tree, file, { papersize: context.papersize, defaults: context.project }) };
    });
  } catch (error) {
    // Gone since the run listed it, or nested past what the parser bears.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || error instanceof RangeError) return undefined;
    throw error;
  }
}

/**
 * Whether a cached edition's links still name what they named (cache.ts AnchorsUsed): each
 * document they linked into holds the bytes it had, or else its anchors answer each fragment
 * as they did then.
 */
export function anchorsStillHold(used: AnchorsUsed[], context: RenderContext, shared: SharedResources): boolean {
  return used.every(({ path, sha256: then, answers }) => {
    try {
      if (fileSha256(resolve(context.root, path)) === then) return true;
    } catch {
      return false;
    }
    const now = runAnchors(path, context, shared);
    if (then === '') return now === undefined;
    return now !== undefined && answers.every(([fragment, id]) => fragmentTarget(now.anchors, fragment) === id);
  });
}
