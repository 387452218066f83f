import { createHash } from 'node:crypto';
import type { List, Root, RootContent } from 'mdast';
import type { DefListNode } from 'mdast-util-definition-list';
import type { Point } from 'unist';
import { visit } from '../visit.ts';
import { normalizeIdentifier } from 'micromark-util-normalize-identifier';
import { VFile } from 'vfile';
import type { TreeStore } from '../types.ts';
import { parse } from './parse.ts';

/**
 * Parsing a document in pieces. micromark holds every event of a document until it is done: on
 * 1 MB of real READMEs one parse peaks at about 450 MB resident, the same text in pieces of 128 KB
 * at about 250 MB, and takes a little less time. And each time a container (block quote, list
 * item, definition, footnote definition) closes, micromark 4 copies the document's whole event
 * list (`EditMap.consume` in its document tokenizer): 20,000 block quotes cost 20,000 copies of a
 * growing list, a quadratic parse. Pieces bound that: a text dense with containers is cut every
 * few hundred container lines, whatever its size, so the whole parse is linear.
 *
 * The result must be the tree a whole parse gives, position for position, so the pieces are cut
 * only where that holds:
 *
 * - A cut is made only before a line that follows a blank line and starts at column 1, but not
 *   with a space or tab (an item's or a description's content) or `:` (a further description).
 *   Such a line closes every open container, so the only blocks that could run across it are a
 *   fenced code or math block or a raw HTML block left open at the top level, and only indented
 *   code changes how the line after it is read. Every piece but the last is parsed with a sentinel
 *   line right after it: a block still open at the cut swallows the sentinel; then, or after
 *   indented code, the cut is dropped (the piece is parsed together with the next one, then the
 *   next two, four, …), so a long open block still costs a linear parse.
 * - Two blocks join across such a line: a list goes on with an item of the same marker, and a
 *   definition list with a further term (the resolver of the definition-list syntax merges lists
 *   that follow each other). Pieces are joined the same way (see `joinAcrossCut`).
 * - References may point at definitions anywhere in the document. Every piece is parsed with
 *   stand-ins for the definitions (links and footnotes) whose labels it holds in brackets, put
 *   before it (after the sentinel for the first piece, which may open with front matter), so the
 *   same brackets become references; the stand-ins are dropped afterwards. Which labels are
 *   defined is first guessed from the text (generously), then checked against the definitions
 *   the pieces really hold; a piece that referred to a wrongly guessed label is parsed again with
 *   the true set.
 */

export interface PieceOptions {
  /** Texts shorter than this, and with fewer container lines than `pieceContainers`, are parsed whole. */
  minBytes: number;
  /** The least size of a piece. */
  pieceBytes: number;
  /** A piece ends at the first cut after this many container lines, whatever its size (default 256). */
  pieceContainers?: number;
}

export const defaultPieces: PieceOptions = { minBytes: 256 * 1024, pieceBytes: 128 * 1024, pieceContainers: 256 };
const DEFAULT_PIECE_CONTAINERS = 256;
const SENTINEL = 'colophon-piece-end-5b2f';
const SENTINEL_LINE = `[${SENTINEL}]: #\n`;

/**
 * The document's tree, as `parse(file)` gives it; large texts and texts dense with containers are
 * parsed in pieces. With `trees`, a text or piece (with its stand-ins) parsed before is taken from
 * there instead of parsed again: the tree is the same, since its parse depends on nothing else.
 * Texts parsed whole are stored under their own key; texts parsed in pieces, piece by piece, so
 * that an edit costs the parse of one piece.
 */
export function parseDocumentText(file: VFile, options: PieceOptions = defaultPieces, trees?: TreeStore): Root {
  const text = String(file.value);
  const whole = trees?.get(treeKey('text', text));
  if (whole) return whole;
  const pieceContainers = options.pieceContainers ?? DEFAULT_PIECE_CONTAINERS;
  // Lines are counted by \n: a text with old Mac line ends (a lone \r) is parsed whole. So is one
  // that opens with a byte order mark, which the parser skips without counting it in offsets.
  if (/\r(?!\n)/.test(text) || text.startsWith('\uFEFF')) return parseWhole(file, trees);
  if (text.length < options.minBytes && countContainerLines(text, pieceContainers) < pieceContainers) return parseWhole(file, trees);
  const cuts = cutPoints(text, options.pieceBytes, pieceContainers);
  if (cuts.length === 0) return parseWhole(file, trees);
  return parsePieces(text, cuts, trees) ?? parseWhole(file, trees);
}

/**
 * The key of a parsed tree: what was parsed, a whole text or a piece with its stand-ins. The
 * parser's own version is not in it: a store lives in one process, or on disk under Colophon's
 * fingerprint.
 */
export function treeKey(kind: 'text' | 'piece', source: string): string {
  return createHash('sha256').update(kind).update('\0').update(source).digest('hex');
}

function parseWhole(file: VFile, trees: TreeStore | undefined): Root {
  const tree = parse(file);
  trees?.set(treeKey('text', String(file.value)), tree);
  return tree;
}

/**
 * Whether a whole parse of `text` reads the line at `at` afresh: `at` starts a line that follows
 * a blank line, at column 1, and opens no continuation (see `cutPoints`), past the front matter.
 * Blocks before it then end before it, but for a list or a definition list that the line goes
 * on with, and for indented code, which the caller must rule out (see `joinAcrossCut`).
 */
export function isCut(text: string, at: number): boolean {
  if (at <= 0 || at >= text.length || text[at - 1] !== '\n' || CONTINUING.has(text[at] ?? '')) return false;
  const from = frontMatterEnd(text);
  if (from === -1 || at < from) return false;
  const previousStart = text.lastIndexOf('\n', at - 2) + 1;
  return isBlank(text, previousStart, at);
}

/**
 * `text` parsed alone, as the stretch of a longer text that starts at a cut (see `isCut`) and
 * ends at one (or at the end of the text: `last`), with the positions of a parse of `text`
 * alone; undefined when a block runs past its end (then only a longer stretch parses alike).
 * Brackets that name one of the longer text's `labels` are references, as in its whole parse.
 */
export function parseStretch(text: string, last: boolean, labels: DefinedLabels): Root | undefined {
  const tree = parseOne({ start: 0, text, lineShift: 0, last, cited: bracketedIds(text), defines: new Set(guessLabels(text).map(labelId)) }, false, labels, undefined);
  if (tree) delete tree.data?.piece;
  return tree;
}

/** The labels a document defines (links and notes), by id, as a stretch's parse needs them (see `parseStretch`). */
export type DefinedLabels = Map<string, Label>;

/** Every label the parsed tree defines, the first of each (see `parseStretch`), without `prefix` (a book's chapter prefix) on their ids. */
export function definedLabelsOf(tree: Root, prefix = ''): DefinedLabels {
  return byId(definedLabels(tree).map((label) => (prefix && label.key.startsWith(prefix) ? { ...label, key: label.key.slice(prefix.length) } : label)));
}

/** Container lines in `text` (see `isContainerLine`), counted up to `enough`. */
function countContainerLines(text: string, enough: number): number {
  let count = 0;
  for (let start = 0; start < text.length && count < enough; ) {
    if (isContainerLine(text, start)) count++;
    const newline = text.indexOf('\n', start);
    start = newline === -1 ? text.length : newline + 1;
  }
  return count;
}

/** What may open a line that goes on with the block before it, at column 1 after a blank line. */
const CONTINUING = new Set([' ', '\t', '\r', '\n', ':']);

/**
 * Offsets of lines where a piece may start, past the front matter: a line after a blank line at
 * column 1 that closes every container (see above). A piece ends at the first such line after
 * `pieceBytes` bytes or `pieceContainers` container lines.
 */
export function cutPoints(text: string, pieceBytes: number, pieceContainers = DEFAULT_PIECE_CONTAINERS): number[] {
  const cuts: number[] = [];
  const from = frontMatterEnd(text);
  // After an opening front-matter fence that is never closed, micromark opens no container to the
  // end of the text (quotes and lists are read as paragraphs): a whole parse is linear.
  if (from === -1) return cuts;
  let last = 0;
  let containers = 0;
  let previousBlank = false;
  for (let start = 0; start < text.length; ) {
    const newline = text.indexOf('\n', start);
    const end = newline === -1 ? text.length : newline + 1;
    const first = text[start] ?? '';
    const blank = isBlank(text, start, end);
    if (previousBlank && !blank && start >= from && !CONTINUING.has(first)) {
      const bigEnough = start - last >= pieceBytes && text.length - start >= pieceBytes / 4;
      if (bigEnough || containers >= pieceContainers) {
        cuts.push(start);
        last = start;
        containers = 0;
      }
    }
    if (!blank && isContainerLine(text, start)) containers++;
    previousBlank = blank;
    start = end;
  }
  return cuts;
}

function isBlank(text: string, start: number, end: number): boolean {
  for (let index = start; index < end; index++) {
    const char = text[index];
    if (char !== ' ' && char !== '\t' && char !== '\r' && char !== '\n') return false;
  }
  return true;
}

/**
 * A line that may open a container: a quote, a list item, a description, a footnote definition.
 * Generous (a thematic break or a number counts too): it only makes pieces smaller.
 */
function isContainerLine(text: string, start: number): boolean {
  let index = start;
  while (text[index] === ' ' || text[index] === '\t') index++;
  const char = text[index] ?? '';
  return (char !== '' && '>:*+-'.includes(char)) || (char >= '0' && char <= '9') || (char === '[' && text[index + 1] === '^');
}

/** Where the front matter ends: 0 without one; -1 when it is never closed. */
function frontMatterEnd(text: string): number {
  const open = /^(?:\uFEFF)?---[ \t]*\r?\n/.exec(text);
  if (!open) return 0;
  const close = /\r?\n---[ \t]*(?:\r?\n|$)/g;
  close.lastIndex = open[0].length - 1;
  const match = close.exec(text);
  return match ? match.index + match[0].length : -1;
}

export interface Label {
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

/**
 * The label ids a text might refer to: the text of every bracket pair with no other bracket
 * inside (a label holds none unescaped), normalised as identifiers are, with line prefixes of
 * quotes and items dropped; a text starting with `^` also as a footnote's. Linear in the text.
 */
function bracketedIds(text: string): Set<string> {
  const ids = new Set<string>();
  let open = -1;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    if (char === '\\') index++;
    else if (char === '[') open = index + 1;
    else if (char === ']' && open !== -1) {
      if (index - open <= 1000) {
        const inside = text.slice(open, index).replace(/\r?\n[ \t>]*/g, ' ');
        ids.add(normalize(inside));
        if (inside.startsWith('^')) ids.add(`^${normalize(inside.slice(1))}`);
      }
      open = -1;
    }
  }
  return ids;
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
    /**
     * In the store only, in place of a piece's tree: the parse found a block running past the
     * piece's end ('overflow'), or a definition the piece was guessed to hold that it does not
     * ('own-definitions': the piece is parsed again with stand-ins for every label it cites).
     */
    pieceFailed?: 'overflow' | 'own-definitions';
  }
}

function failedParse(why: 'overflow' | 'own-definitions'): Root {
  return { type: 'root', children: [], data: { pieceFailed: why } };
}

interface Piece {
  start: number;
  text: string;
  /** Lines before the piece. */
  lineShift: number;
  /** The last piece (ends the text): parsed with no sentinel after it. */
  last: boolean;
  /** Label ids the piece holds in brackets. */
  cited: Set<string>;
  /** The labels the piece seems to define itself (a guess: see parseOne). */
  defines: Set<string>;
}

function makePiece(text: string, start: number, end: number, lineShift: number): Piece {
  const pieceText = text.slice(start, end);
  return { start, text: pieceText, lineShift, last: end === text.length, cited: bracketedIds(pieceText), defines: new Set(guessLabels(pieceText).map(labelId)) };
}

function parsePieces(text: string, cuts: number[], store: TreeStore | undefined): Root | undefined {
  const bounds = [0, ...cuts, text.length];
  const lineStarts = [0];
  for (let index = 1; index < bounds.length; index++) lineStarts.push(lineStarts[index - 1]! + countLines(text.slice(bounds[index - 1], bounds[index])));
  const guessed = byId(guessLabels(text));

  // The pieces, each parsed with the guessed labels; a piece whose last block runs past its end
  // is joined with the next piece, then the next two, four, … (doubling keeps this linear).
  const pieces: Piece[] = [];
  let trees: (Root | undefined)[] = [];
  for (let first = 0; first < bounds.length - 1; ) {
    let span = 1;
    for (;;) {
      const next = Math.min(first + span, bounds.length - 1);
      if (first === 0 && next === bounds.length - 1) return undefined;
      const piece = makePiece(text, bounds[first]!, bounds[next]!, lineStarts[first]!);
      const tree = parseOne(piece, first === 0, guessed, store);
      if (tree) {
        pieces.push(piece);
        trees.push(tree);
        first = next;
        break;
      }
      span *= 2;
    }
  }

  // The labels really defined; pieces that met a wrong guess are parsed again.
  const defined = byId(trees.flatMap((tree) => factsOf(tree!).defined));
  const guessedWrong = new Set([...guessed.keys()].filter((id) => !defined.has(id)));
  const missed = [...defined.keys()].some((id) => !guessed.has(id));
  if (guessedWrong.size > 0 || missed) {
    trees = trees.map((tree, index) => (missed || factsOf(tree!).referenced.some((id) => guessedWrong.has(id)) ? parseOne(pieces[index]!, index === 0, defined, store) : tree));
    if (trees.some((tree) => !tree)) return undefined;
  }

  const root: Root = { type: 'root', children: [] };
  for (const [index, tree] of trees.entries()) {
    const piece = pieces[index]!;
    for (const [position, node] of tree!.children.entries()) {
      if (piece.start > 0) shift(node, piece.lineShift, piece.start);
      const previous = root.children.at(-1);
      const join = position === 0 && previous ? joinAcrossCut(previous, node, text) : 'separate';
      if (join === 'unknown') return undefined;
      if (join === 'separate') root.children.push(node);
    }
  }
  root.position = { start: { line: 1, column: 1, offset: 0 }, end: endPoint(text) };
  return root;
}

/**
 * Join `node`, the first block after a cut, to `previous`, the last before it, when a whole parse
 * makes them one block (see above): two definition lists always; two lists when the second goes
 * on with the first's marker (the same bullet, or the same delimiter after a number). A blank line
 * is between them. 'unknown' when the join cannot be worked out: then the text is parsed whole.
 */
function joinAcrossCut(previous: RootContent, node: RootContent, text: string): 'joined' | 'separate' | 'unknown' {
  if (!previous.position || !node.position) return 'unknown';
  if (previous.type === 'defList' && node.type === 'defList') {
    previous.children.push(...node.children);
    previous.position.end = joinedDefinitionListEnd(previous, text) ?? node.position.end;
    return 'joined';
  }
  if (previous.type !== 'list' || node.type !== 'list' || previous.ordered !== node.ordered || listMarker(previous, text) !== listMarker(node, text)) return 'separate';
  const last = previous.children.at(-1);
  const next = node.children[0];
  if (!last?.position || !next?.position) return 'unknown';
  // Whether a blank line between items makes the list loose, and where the last item ends, depend
  // on what the item holds (a definition list in it takes the blank line in): the last item is
  // parsed again with a further item after it, which is what a whole parse sees.
  // The item's end also depends on the next item's marker and the space after it: its first line
  // is taken along.
  const lineStart = text.lastIndexOf('\n', (last.position.start.offset ?? 0) - 1) + 1;
  const nextLineEnd = text.indexOf('\n', next.position.start.offset ?? 0);
  const continued = parse(new VFile({ value: text.slice(lineStart, nextLineEnd === -1 ? text.length : nextLineEnd + 1) })).children[0];
  const item = continued?.type === 'list' ? continued.children[0] : undefined;
  if (continued?.type !== 'list' || continued.children.length !== 2 || !item?.position) return 'unknown';
  last.spread = item.spread;
  last.position.end = { line: item.position.end.line + last.position.start.line - item.position.start.line, column: item.position.end.column, offset: (item.position.end.offset ?? 0) + lineStart };
  previous.spread = Boolean(previous.spread || node.spread || continued.spread);
  previous.children.push(...node.children);
  previous.position.end = node.position.end;
  return 'joined';
}

/**
 * Where a whole parse ends definition lists joined from three or more: at the start of the third.
 * (The syntax's resolver gives the joined list the end of the second list it takes in, and a
 * list's end is where the line that closed it starts.) A list starts again wherever a term after
 * a description follows a blank line; undefined when there are fewer than three.
 */
function joinedDefinitionListEnd(list: DefListNode, text: string): Point | undefined {
  let lists = 1;
  for (let index = 1; index < list.children.length; index++) {
    const child = list.children[index];
    const start = child?.position?.start;
    if (child?.type !== 'defListTerm' || list.children[index - 1]?.type !== 'defListDescription' || !start) continue;
    if (start.column === 1 && followsBlankLine(text, start.offset ?? 0) && ++lists === 3) return { ...start };
  }
  return undefined;
}

function followsBlankLine(text: string, lineStart: number): boolean {
  if (lineStart < 2 || text[lineStart - 1] !== '\n') return false;
  const previousStart = text.lastIndexOf('\n', lineStart - 2) + 1;
  return isBlank(text, previousStart, lineStart);
}

/** The bullet (`-`, `+`, `*`) or the delimiter after the number (`.`, `)`) of a list's first item. */
function listMarker(list: List, text: string): string | undefined {
  const start = list.children[0]?.position?.start.offset;
  if (start === undefined) return undefined;
  const marker = /^[ \t]*(?:[-+*]|\d{1,9}([.)]))/.exec(text.slice(start, start + 16));
  return marker ? (marker[1] ?? marker[0].trim()) : undefined;
}

/** Labels by id, the first of each. */
function byId(labels: Label[]): Map<string, Label> {
  const map = new Map<string, Label>();
  for (const label of labels) if (!map.has(labelId(label))) map.set(labelId(label), label);
  return map;
}

function labelId(label: Label): string {
  return `${label.footnote ? '^' : ''}${label.key}`;
}

/**
 * Parse one piece with stand-ins for the `labels` it cites, and a sentinel after it unless it ends
 * the text; undefined if a block ran past its end. The stand-ins go before the piece (a piece
 * starts after a blank line, so they change nothing in it), except for the first piece, which may
 * open with front matter: there they go after the sentinel.
 */
function parseOne(piece: Piece, first: boolean, labels: Map<string, Label>, trees: TreeStore | undefined, trustOwnDefinitions = true): Root | undefined {
  const standIns: string[] = [];
  // Only labels the piece cites: a stand-in costs parsing time, and looking them up from the
  // piece's brackets keeps the choice linear in the piece, however many labels the document has.
  // None for a label the piece defines itself (every definition's own brackets cite it): checked
  // after the parse, since the guess may take a line in code for a definition.
  const ownDefinitions: string[] = [];
  for (const id of piece.cited) {
    if (trustOwnDefinitions && piece.defines.has(id)) {
      ownDefinitions.push(id);
      continue;
    }
    const label = labels.get(id);
    if (label) standIns.push(label.footnote ? `[^${label.raw}]: -\n\n` : `[${label.raw}]: #\n\n`);
  }
  // A piece other than the last ends with a blank line (it ends before a cut): the sentinel comes
  // right after it, where the next piece starts in the whole text.
  const sentinel = piece.last ? '' : SENTINEL_LINE;
  // Even with no stand-in, a blank line comes first: a piece opening with `---` would otherwise be
  // read as front matter, and an unclosed one stops all containers.
  const before = first ? '' : `\n${standIns.join('')}`;
  const after = first && standIns.length > 0 ? `\n${standIns.join('')}` : '';
  const source = `${before}${piece.text}${sentinel}${after}`;
  const start = before.length;
  const end = start + piece.text.length;
  // Where the piece lies in what is parsed is part of the key: what is kept depends on it.
  const key = trees ? treeKey('piece', `${start}:${end}:${source}`) : '';
  const remembered = trees?.get(key);
  if (remembered) {
    // A parse that failed is remembered too: a watch session would otherwise repeat it in every rebuild.
    const failed = remembered.data?.pieceFailed;
    if (failed === 'overflow') return undefined;
    if (failed === 'own-definitions') return parseOne(piece, first, labels, trees, false);
    return remembered;
  }
  const overflow = () => {
    trees?.set(key, failedParse('overflow'));
    return undefined;
  };
  const tree = parse(new VFile({ value: source }));
  const kept: RootContent[] = [];
  let sentinelFound = piece.last;
  for (const node of tree.children) {
    const offset = node.position?.start.offset ?? 0;
    if (offset < start) continue;
    if (offset < end) {
      // A block of the piece that reaches past the piece swallowed the sentinel.
      if ((node.position?.end.offset ?? 0) > end) return overflow();
      kept.push(node);
    } else if (offset === end && node.type === 'definition' && node.identifier === SENTINEL) sentinelFound = true;
  }
  if (!sentinelFound) return overflow();
  // Indented code may go on after blank lines, so micromark parses the line after it as one that
  // interrupts a block (an item numbered 2 is then text): not the line a piece starts with.
  const lastBlock = kept.at(-1);
  if (!piece.last && lastBlock?.type === 'code' && !/^ {0,3}(?:`{3}|~{3})/.test(source.slice(lastBlock.position?.start.offset ?? 0, (lastBlock.position?.start.offset ?? 0) + 6))) return overflow();
  tree.children = kept;
  // Positions as in a parse of the piece alone.
  if (start > 0) {
    const lines = countLines(before);
    for (const node of kept) shift(node, -lines, -start);
  }
  // Kept with the tree, so that a piece taken from the store is not walked again for them.
  const facts = { defined: definedLabels(tree), referenced: referencedIds(tree) };
  if (ownDefinitions.length > 0) {
    const defined = new Set(facts.defined.map(labelId));
    if (ownDefinitions.some((id) => !defined.has(id))) {
      trees?.set(key, failedParse('own-definitions'));
      return parseOne(piece, first, labels, trees, false);
    }
  }
  tree.data = { ...tree.data, piece: facts };
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

/** How many line feeds a text holds. */
export function countLines(text: string): number {
  let count = 0;
  for (let index = text.indexOf('\n'); index !== -1; index = text.indexOf('\n', index + 1)) count++;
  return count;
}

function endPoint(text: string): { line: number; column: number; offset: number } {
  const lastBreak = text.lastIndexOf('\n');
  return { line: countLines(text) + 1, column: text.length - lastBreak, offset: text.length };
}
