import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import type { Root, RootContent, Yaml } from 'mdast';
import type { Node, Point } from 'unist';
import { visit } from '../visit.ts';
import type { VFile } from 'vfile';
import { parse as parseYaml } from 'yaml';
import { isInside } from './assets.ts';
import { checkSource, defaultLimits } from './limits.ts';
import { report } from '../messages.ts';
import { decodeSource } from './source.ts';
import type { RenderContext } from '../types.ts';
import { safeDecode } from '../url.ts';

/**
 * A book: a folder whose book.yaml holds the front-matter fields plus `chapters:`, an ordered
 * list of Markdown files relative to the folder. The chapters are parsed one by one and kept
 * compact; a cold build transforms them a chapter at a time (build/book-pass.ts) with the same
 * transforms as any document, and a watch session (or a book the chapter passes cannot take)
 * joins them into one tree (`joinBook`).
 *
 * Messages must still point into the right file. The joined tree gives every line a "virtual"
 * number: book.yaml's lines first, then each chapter's in turn; `remap` turns a virtual line
 * back into (file, line).
 */
/**
 * Parses chapter texts (the build decides whether on worker threads): for each, how to load its
 * tree (kept compact until then, so that only the book being joined grows the heap), or why
 * nesting stopped it.
 */
export type ChapterParser = (values: string[]) => Promise<ParsedChapter[]>;
export interface ParsedChapter {
  load?: () => Root;
  overflow?: string;
}

export async function readBook(folder: string, displayFolder: string, context: RenderContext, parseChapters: ChapterParser) {
  const yamlPath = join(folder, 'book.yaml');
  const displayYaml = join(displayFolder, 'book.yaml');
  const { file, ok } = decodeSource(readFileSync(yamlPath), displayYaml, context);
  const loaded = {
    file,
    ok,
    folder,
    tree: undefined as Root | undefined,
    /**
     * The book's chapters, each loaded when asked (a fresh tree from bytes at each call), until
     * `joinBook` joins them into `tree` or the build transforms them one at a time (build/book-pass.ts).
     */
    chapters: undefined as BookChapters | undefined,
    remap: undefined as ((message: VFile['messages'][number]) => VFile['messages'][number]) | undefined,
    // Each joined chapter's text as read (its real path, the file its messages name, its number):
    // a watch session splices an edit of one into the last edition (build/region-rebuild.ts).
    chapterTexts: [] as { path: string; display: string; chapter: number; text: string }[],
  };
  if (!ok) return loaded;

  const yamlText = String(file.value);
  const segments: { start: number; path: string }[] = [{ start: 1, path: displayYaml }];
  let nextLine = yamlText.split('\n').length + 1;

  // Read and check every chapter first, then parse them (on worker threads for a large book).
  const chapters: { file: VFile; display: string; folder: string; name: string; real: string }[] = [];
  for (const chapter of chapterList(yamlText, file)) {
    const full = resolve(folder, chapter);
    let real: string;
    try {
      real = realpathSync(full);
    } catch {
      report(file, 'error', `chapter not found: ${chapter}`, { line: 1, column: 1 }, 'book-chapter');
      continue;
    }
    if (!isInside(realpathSync(context.root), real)) {
      report(file, 'error', `chapter ${chapter} lies outside the project`, { line: 1, column: 1 }, 'book-chapter');
      continue;
    }
    const displayChapter = relative(context.cwd, full);
    const decoded = decodeSource(readFileSync(real), displayChapter, context);
    // Messages about a chapter's bytes already carry the chapter's own file and lines.
    const checked = decoded.ok && checkSource(decoded.file, { ...defaultLimits, ...context.limits });
    file.messages.push(...decoded.file.messages.filter((message) => !file.messages.includes(message)));
    if (checked) chapters.push({ file: decoded.file, display: displayChapter, folder: dirname(real), name: relative(folder, full).split('\\').join('/'), real });
  }

  // Chapter N of the joined tree (data.chapter) is names[N - 1].
  const names: string[] = [];
  const typeNames = new Map<string, string>();
  const trees = await parseChapters(chapters.map((chapter) => String(chapter.file.value)));
  const loaders: BookChapters['list'] = [];
  chapters.forEach((chapter, position) => {
    const parsed = trees[position]!;
    if (!parsed.load) {
      report(chapter.file, 'error', `nesting too deep to parse (${parsed.overflow}); lower it or raise --max-nesting carefully`, { line: 1, column: 1 }, 'nesting-limit');
      file.messages.push(...chapter.file.messages.filter((message) => !file.messages.includes(message)));
      return;
    }
    const index = segments.length;
    segments.push({ start: nextLine, path: chapter.display });
    names.push(chapter.name);
    loaded.chapterTexts.push({ path: chapter.real, display: chapter.display, chapter: index, text: String(chapter.file.value) });
    loaders.push(chapterLoader(trees, position, index, nextLine - 1, chapter.folder, folder, typeNames));
    nextLine += String(chapter.file.value).split('\n').length;
  });

  // The YAML node sits at virtual line 0, so book.yaml's line L is virtual line L.
  loaded.chapters = { yaml: { type: 'yaml', value: yamlText, data: { bookYaml: true }, position: { start: { line: 0, column: 1 }, end: { line: 0, column: 1 } } }, list: loaders };
  file.data.bookChapters = names;
  loaded.remap = remapper(segments, displayYaml);
  return loaded;
}

/** A book's front matter and its chapters, each loaded on demand. */
export interface BookChapters {
  yaml: Yaml;
  list: { chapter: number; load: () => RootContent[]; release: () => void }[];
}

/**
 * Chapter `index` (`data.chapter` on each of its top-level blocks), loaded from the parser's
 * compact copy at each call, its lines moved to their virtual place (see prepareChapter).
 * Made outside readBook, so that it keeps no more of readBook's scope than it needs.
 */
function chapterLoader(trees: ParsedChapter[], position: number, index: number, lineOffset: number, chapterFolder: string, bookFolder: string, typeNames: Map<string, string>): BookChapters['list'][number] {
  return {
    chapter: index,
    load: () => {
      const chapterTree = trees[position]!.load!();
      prepareChapter(chapterTree, index, lineOffset, chapterFolder, bookFolder, typeNames);
      const blocks: RootContent[] = [];
      for (const node of chapterTree.children) {
        // A chapter's own metadata (front matter, a `%` title block): the book's is book.yaml.
        if (node.type === 'yaml' || node.type === 'pandocTitleBlock') continue;
        node.data = { ...node.data, chapter: index };
        blocks.push(node as RootContent);
      }
      return blocks;
    },
    // Let the compact copy go once it is no longer needed.
    release: () => {
      trees[position] = {};
    },
  };
}

/** The book as one tree: book.yaml's node, then every chapter's blocks (each chapter's compact copy let go once loaded). */
export function joinBook(book: BookChapters): Root {
  const tree: Root = { type: 'root', children: [book.yaml] };
  for (const chapter of book.list) {
    for (const node of chapter.load()) tree.children.push(node);
    chapter.release();
  }
  return tree;
}

/**
 * Maps a message on the joined text to its chapter's file and line. Made outside readBook: a
 * closure made there would keep readBook's whole scope, the book's tree with it, for as long as
 * the build keeps the messages' mapping (all of it).
 */
export function remapper(segments: { start: number; path: string }[], displayYaml: string): (message: VFile['messages'][number]) => VFile['messages'][number] {
  return (message) => {
    if (message.file !== displayYaml || !message.line) return message;
    const segment = [...segments].reverse().find((candidate) => candidate.start <= message.line!) ?? segments[0]!;
    message.file = segment.path;
    message.line = message.line - segment.start + 1;
    return message;
  };
}

function chapterList(yamlText: string, file: VFile): string[] {
  let data: unknown;
  try {
    data = parseYaml(yamlText, { maxAliasCount: 100 });
  } catch {
    return []; // The metadata transform reports the YAML error with its position.
  }
  const chapters = (data as { chapters?: unknown } | null)?.chapters;
  if (!Array.isArray(chapters) || chapters.length === 0 || !chapters.every((entry) => typeof entry === 'string')) {
    report(file, 'error', 'book.yaml needs `chapters:`, a list of Markdown files relative to its folder', { line: 1, column: 1 }, 'book-chapters');
    return [];
  }
  return chapters as string[];
}

/**
 * Shift a chapter's lines to its virtual place; give its note and link labels a chapter prefix
 * (two chapters may both define `[^1]`; the first chapter keeps its labels, so author notes
 * named in book.yaml resolve there); and make its image paths relative to the book's folder.
 */
function prepareChapter(tree: Root, index: number, lineOffset: number, chapterFolder: string, bookFolder: string, typeNames: Map<string, string>): void {
  // Points are moved in place (a copy would leave the old ones as garbage on a heap that holds
  // the book); the parser may share one point between two nodes, which must move only once.
  const moved = new Set<object>();
  const move = (point: Point) => {
    if (moved.has(point)) return;
    moved.add(point);
    point.line += lineOffset;
  };
  // Equal points are one object: a node's start is most often its first child's, its end its
  // last child's, and points are a fifth of a book's tree (never changed after this, only read).
  const points = new Map<number, Point>();
  const shared = (point: Point): Point => {
    const key = point.line * 1_048_576 + point.column;
    const known = points.get(key);
    if (known && known.offset === point.offset && known.column === point.column && known.line === point.line) return known;
    if (!known) points.set(key, point);
    return point;
  };
  visit(tree, (node: Node) => {
    // A tree read back from bytes has its own copy of each node's type name: keep one of each.
    const type = typeNames.get(node.type);
    if (type === undefined) typeNames.set(node.type, node.type);
    else node.type = type;
    if (node.position) {
      move(node.position.start);
      move(node.position.end);
      node.position.start = shared(node.position.start);
      node.position.end = shared(node.position.end);
    }
    const labelled = node as Node & { identifier?: string; url?: string };
    if (index > 1 && labelled.identifier !== undefined && ['footnoteReference', 'footnoteDefinition', 'linkReference', 'imageReference', 'definition'].includes(node.type)) {
      labelled.identifier = `c${index}-${labelled.identifier}`;
    }
    // Relative paths (images, and links to other chapters) become relative to the book's folder;
    // a fragment stays as written.
    if ((node.type === 'image' || node.type === 'definition' || node.type === 'link') && labelled.url && !/^[a-z][a-z\d+.-]*:|^\/|^#/i.test(labelled.url)) {
      const hash = labelled.url.indexOf('#');
      const path = hash === -1 ? labelled.url : labelled.url.slice(0, hash);
      const fragment = hash === -1 ? '' : labelled.url.slice(hash);
      labelled.url = relative(bookFolder, resolve(chapterFolder, safeDecode(path))).split('\\').join('/') + fragment;
    }
  });
}
