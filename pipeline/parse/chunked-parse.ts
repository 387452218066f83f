import { createHash } from 'node:crypto';
import type { Root, RootContent } from 'mdast';
import { visit } from 'unist-util-visit';
import { normalizeIdentifier } from 'micromark-util-normalize-identifier';
import { VFile } from 'vfile';
import type { TreeStore } from '../types.ts';
import { parse } from './parse.ts';

/**
 * Parsing a large document in pieces. micromark holds every event of a document until it is
 * done: on 1 MB of real READMEs one parse peaks at about 450 MB resident, the same text in
 * pieces of 128 KB at about 250 MB, and takes a little less time. The result must be the tree
 * a whole parse gives, position for position, so the pieces are cut only where that holds,
 * and any doubt falls back to one whole parse:
 *
 * - A cut is made only before an ATX heading at column 1 that follows a blank line. Such a line
 *   closes every open container (lists and quotes need indentation or a marker to go on), so
 *   the only blocks that could run across it are a fenced code block or a raw HTML block left
 *   open at the top level. Each piece is parsed with a sentinel line after it: a block still
 *   open at the cut swallows the sentinel, which is detected, and the whole text is parsed.
 * - References may point at definitions anywhere in the document. Every piece is parsed with
 *   the definitions (links and footnotes) of the other pieces appended as stand-ins after the
 *   sentinel, so the same brackets become references; the stand-ins are dropped afterwards.
 *   Which labels are defined is first guessed from the text (generously), then checked
 *   against the definitions the pieces really hold; a piece that referred to a wrongly guessed
 *   label is parsed again with the true set.
 */

export interface PieceOptions {
  /** Texts shorter than this are parsed whole. */
  minBytes: number;
  /** The least size of a piece. */
  pieceBytes: number;
}

export const defaultPieces: PieceOptions = { minBytes: 256 * 1024, pieceBytes: 128 * 1024 };
const SENTINEL = 'colophon-piece-end-5b2f';

/**
 * The document's tree, as `parse(file)` gives it; large texts are parsed in pieces. With
 * `trees`, a text or piece (with its stand-ins) parsed before is taken from there instead of
 * parsed again: the tree is the same, since its parse depends on nothing else. Texts parsed
 * whole are stored under their own key; texts parsed in pieces, piece by piece, so that an
 * edit costs the parse of one piece.
 */
export function parseDocumentText(file: VFile, options: PieceOptions = defaultPieces, trees?: TreeStore): Root {
  const text = String(file.value);
  const whole = trees?.get(treeKey('text', text));
  if (whole) return whole;
  // Lines are counted by \n: a text with old Mac line ends (a lone \r) is parsed whole. So is one
  // that opens with a byte order mark, which the parser skips without counting it in offsets.
  if (text.length < options.minBytes || /\r(?!\n)/.test(text) || text.startsWith('\uFEFF')) return parseWhole(file, trees);
  const cuts = cutPoints(text, options.pieceBytes);
  if (cuts.length === 0) return parseWhole(file, trees);
  return parsePieces(text, cuts, trees) ?? parseWhole(file, trees);
}

/**
 * The key of a text parsed whole (a piece's is `pieceKey`). The parser's own version is not in
 * it: a store lives in one process, or on disk under Colophon's fingerprint.
 */
export function treeKey(kind: 'text', source: string): string {
  return createHash('sha256').update(kind).update('\0').update(source).digest('hex');
}

function parseWhole(file: VFile, trees: TreeStore | undefined): Root {
  const tree = parse(file);
  trees?.set(treeKey('text', String(file.value)), tree);
  return tree;
}

/** Offsets of lines where a piece may start: `#`-headings at column 1 after a blank line, past the front matter. */
export function cutPoints(text: string, pieceBytes: number): number[] {
  const cuts: number[] = [];
  const from = frontMatterEnd(text);
  let last = 0;
  const heading = /\n[ \t]*\r?\n(#{1,6}(?:[ \t\r\n]|$))/g;
  heading.lastIndex = from;
  for (let match = heading.exec(text); match; match = heading.exec(text)) {
    const start = match.index + match[0].length - match[1]!.length;
    if (start - last >= pieceBytes && text.length - start >= pieceBytes / 4) {
      cuts.push(start);
      last = start;
    }
    heading.lastIndex = start;
  }
  return cuts;
}

function frontMatterEnd(text: string): number {
  const open = /^(?:\uFEFF)?---[ \t]*\r?\n/.exec(text);
  if (!open) return 0;
  const close = /\r?\n---[ \t]*(?:\r?\n|$)/g;
  close.lastIndex = open[0].length - 1;
  const match = close.exec(text);
  return match ? match.index + match[0].length : 0;
}

interface Label {
  footnote: boolean;
  /** As mdast's `identifier`: case-folded, inner whitespace collapsed. */
  key: string;
  raw: string;
}

// A definition-like line, also inside list items and quotes; generous on purpose.
const DEFINITION = /^[ \t>*+\-\d.)]*\[(\^?)((?:[^[\]\\\n]|\\.){1,999})\]:/gm;

/** As mdast identifiers are: micromark's normalisation, lower-cased. */
function normalize(label: string): string {
  return normalizeIdentifier(label).toLowerCase();
}

function guessLabels(text: string): Label[] {
  const labels: Label[] = [];
  for (const match of text.matchAll(DEFINITION)) labels.push({ footnote: match[1] === '^', key: normalize(match[2]!), raw: match[2]! });
  return labels;
}

/** What the pieces' parse needs to know of a parsed piece, stored with its tree. */
interface PieceFacts {
  defined: Label[];
  referenced: string[];
}

declare module 'mdast' {
  interface RootData {
    /** On a piece's own tree only (the store's copy), never on a document's. */
    piece?: PieceFacts;
  }
}

interface Piece {
  start: number;
  text: string;
  /** Lines before the piece. */
  lineShift: number;
}

function parsePieces(text: string, cuts: number[], store: TreeStore | undefined): Root | undefined {
  const bounds = [0, ...cuts, text.length];
  const pieces: Piece[] = [];
  let line = 0;
  for (let index = 0; index < bounds.length - 1; index++) {
    const piece = { start: bounds[index]!, text: text.slice(bounds[index], bounds[index + 1]), lineShift: line };
    pieces.push(piece);
    line += countLines(piece.text);
  }
  const guessed = pieces.map((piece) => guessLabels(piece.text));
  // Each piece is parsed with the labels of all the other pieces.
  const parsePiece = (index: number, labels: Label[][]) => parseOne(pieces[index]!, labels.flatMap((list, other) => (other === index ? [] : list)), store);

  let trees = pieces.map((_, index) => parsePiece(index, guessed));
  if (trees.some((tree) => !tree)) return undefined;

  // The labels really defined, piece by piece; pieces that met a wrong guess are parsed again.
  const defined = trees.map((tree) => factsOf(tree!).defined);
  const truth = new Set(defined.flat().map(labelId));
  const guessedIds = guessed.map((labels) => new Set(labels.map(labelId)));
  const guessedWrong = new Set(guessedIds.flatMap((ids) => [...ids]).filter((id) => !truth.has(id)));
  const missed = defined.some((labels, index) => labels.some((label) => !guessedIds[index]!.has(labelId(label))));
  if (guessedWrong.size > 0 || missed) {
    trees = trees.map((tree, index) => (missed || factsOf(tree!).referenced.some((id) => guessedWrong.has(id)) ? parsePiece(index, defined) : tree));
    if (trees.some((tree) => !tree)) return undefined;
  }

  const root: Root = { type: 'root', children: [] };
  trees.forEach((tree, index) => {
    const piece = pieces[index]!;
    for (const node of tree!.children) {
      if (piece.start > 0) shift(node, piece.lineShift, piece.start);
      root.children.push(node);
    }
  });
  root.position = { start: { line: 1, column: 1, offset: 0 }, end: endPoint(text) };
  return root;
}

/** A piece's key in the tree store: its text and the labels offered to it, each length-prefixed. */
function pieceKey(text: string, labels: Label[]): string {
  const hash = createHash('sha256').update('piece').update('\0');
  const part = (value: string) => hash.update(`${value.length}:`).update(value);
  part(text);
  for (const label of labels) part(`${label.footnote ? '^' : ''}${label.raw}`);
  return hash.digest('hex');
}

function labelId(label: Label): string {
  return `${label.footnote ? '^' : ''}${label.key}`;
}

/** Parse one piece with stand-ins for `labels` after a sentinel; undefined if a block ran past its end. */
function parseOne(piece: Piece, labels: Label[], trees: TreeStore | undefined): Root | undefined {
  // The key covers the piece and every label offered to it (the stand-ins are chosen from those
  // alone), so a stored piece is found without choosing its stand-ins: that choice searches the
  // piece once per label of the document, 0.1 s a rebuild on 1 MB of READMEs.
  const key = trees ? pieceKey(piece.text, labels) : '';
  const remembered = trees?.get(key);
  if (remembered) return remembered;
  const standIns = [`[${SENTINEL}]: #`];
  const seen = new Set<string>();
  const lower = piece.text.toLowerCase();
  for (const label of labels) {
    const id = labelId(label);
    // Only labels the piece might cite: a stand-in costs parsing time.
    if (seen.has(id) || !lower.includes(label.raw.toLowerCase().split(/\s/)[0]!)) continue;
    seen.add(id);
    standIns.push(label.footnote ? `[^${label.raw}]: -` : `[${label.raw}]: #`);
  }
  const ending = /\n$/.test(piece.text) ? '\n' : '\n\n';
  const source = `${piece.text}${ending}${standIns.join('\n\n')}\n`;
  const tree = parse(new VFile({ value: source }));
  const end = piece.text.length;
  const kept: RootContent[] = [];
  let sentinelFound = false;
  for (const node of tree.children) {
    const start = node.position?.start.offset ?? 0;
    if (start < end) {
      // A block of the piece that reaches past the piece swallowed the sentinel.
      if ((node.position?.end.offset ?? 0) > end) return undefined;
      kept.push(node);
    } else if (node.type === 'definition' && node.identifier === SENTINEL) sentinelFound = true;
  }
  if (!sentinelFound) return undefined;
  tree.children = kept;
  // Kept with the tree, so that a piece taken from the store is not walked again for them.
  tree.data = { ...tree.data, piece: { defined: definedLabels(tree), referenced: referencedIds(tree) } };
  // The store keeps its own copy: this tree is changed later (positions shifted, then transformed).
  trees?.set(key, tree);
  return tree;
}

function definedLabels(tree: Root): Label[] {
  const labels: Label[] = [];
  visit(tree, (node) => {
    if (node.type === 'definition' || node.type === 'footnoteDefinition') {
      labels.push({ footnote: node.type === 'footnoteDefinition', key: node.identifier, raw: node.label ?? node.identifier });
    }
  });
  return labels;
}

/** Every label the piece refers to (links, images and notes by reference), as `labelId` gives them. */
function referencedIds(tree: Root): string[] {
  const ids = new Set<string>();
  visit(tree, (node) => {
    if (node.type === 'linkReference' || node.type === 'imageReference' || node.type === 'footnoteReference') ids.add(`${node.type === 'footnoteReference' ? '^' : ''}${node.identifier}`);
  });
  return [...ids];
}

function factsOf(tree: Root): PieceFacts {
  return tree.data?.piece ?? { defined: definedLabels(tree), referenced: referencedIds(tree) };
}

/** Move a piece's positions to where the piece stands in the whole text (columns stay: pieces start lines). */
function shift(node: RootContent, lines: number, offset: number): void {
  visit(node, (child) => {
    if (!child.position) return;
    const { start, end } = child.position;
    child.position = {
      start: { line: start.line + lines, column: start.column, offset: (start.offset ?? 0) + offset },
      end: { line: end.line + lines, column: end.column, offset: (end.offset ?? 0) + offset },
    };
  });
}

function countLines(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count++;
  return count;
}

function endPoint(text: string): { line: number; column: number; offset: number } {
  const lastBreak = text.lastIndexOf('\n');
  return { line: countLines(text) + 1, column: text.length - lastBreak, offset: text.length };
}
