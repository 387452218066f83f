import { createHash } from 'node:crypto';
import { basename, extname } from 'node:path';
import type { Heading, PandocTitleBlock, Root, RootContent, Yaml } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { Point } from 'unist';
import type { VFile } from 'vfile';
import { isMap, isNode, isScalar, isSeq, LineCounter, parseDocument, visit, type Document } from 'yaml';
import * as v from 'valibot';
import { report, withArticle } from '../messages.ts';
import { isFreeKey, nearestKey, OTHER_KNOWN_KEYS, PANDOC_ALIASES, PANDOC_UNSUPPORTED } from './front-matter-keys.ts';
import type { Author, DocumentMeta, ProjectDefaults } from '../types.ts';
import { checkThemeOverride } from './pdf-theme.ts';
import { EXIT, visit as visitTree } from '../visit.ts';

/** Namespace for identifiers derived from title, authors and date (fixed forever: changing it changes every book's id). */
const IDENTIFIER_NAMESPACE = '6f1c3a0e-6a55-4b1e-9a51-3f0c0b7d1e42';

const isoDate = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)?)?)?)?$/;

const text = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'));
const textList = v.union([v.pipe(text, v.transform((value) => [value])), v.array(text)]);

const authorObject = v.strictObject({
  name: text,
  affiliation: v.optional(text),
  orcid: v.optional(
    v.pipe(v.string(), v.regex(/^(https:\/\/orcid\.org\/)?\d{4}-\d{4}-\d{4}-\d{3}[\dX]$/, 'must be an ORCID iD such as 0000-0002-1825-0097')),
  ),
  note: v.optional(text),
});
const author = v.union([v.pipe(text, v.transform((name): Author => ({ name }))), authorObject]);
const authors = v.union([v.pipe(author, v.transform((one) => [one])), v.array(author)]);

const dateString = v.pipe(
  v.union([v.pipe(v.number(), v.integer(), v.transform(String)), v.string()]),
  v.check((value) => isoDate.test(value), 'must be an ISO 8601 date: YYYY, YYYY-MM, YYYY-MM-DD or a date-time'),
);

/**
 * The front-matter schema. Unknown keys are allowed (other tools' front matter is common) but
 * warned about (`metadata-unknown-key`, see front-matter-keys.ts); `x-…` keys and `data` are free.
 */
const frontMatterSchema = v.looseObject({
  title: v.optional(text),
  subtitle: v.optional(text),
  'short-title': v.optional(text),
  author: v.optional(authors),
  authors: v.optional(authors),
  editor: v.optional(textList),
  editors: v.optional(textList),
  publisher: v.optional(text),
  date: v.optional(dateString),
  lang: v.optional(v.pipe(v.string(), v.check(isLanguageTag, 'must be a BCP 47 language tag such as en, en-GB or zh-Hans'))),
  rights: v.optional(text),
  identifier: v.optional(text),
  isbn: v.optional(
    v.pipe(
      v.union([v.pipe(v.number(), v.transform(String)), v.string()]),
      v.check((value) => /^(97[89])?\d{9}[\dX]$/.test(value.replace(/[-\s]/g, '')), 'must be an ISBN-10 or ISBN-13'),
    ),
  ),
  description: v.optional(text),
  abstract: v.optional(text),
  keywords: v.optional(textList),
  cover: v.optional(text),
  papersize: v.optional(v.picklist(['a4', 'a5', 'letter'])),
  toc: v.optional(v.boolean()),
  'toc-title': v.optional(text),
  'toc-depth': v.optional(v.pipe(v.number(), v.integer(), v.minValue(1, 'must be a heading level from 1 to 6'), v.maxValue(6, 'must be a heading level from 1 to 6'))),
  'number-sections': v.optional(v.boolean()),
  smart: v.optional(v.boolean()),
  emoji: v.optional(v.boolean()),
  'raw-html': v.optional(v.picklist(['sanitize', 'trust'])),
  'footnote-numbering': v.optional(v.picklist(['document', 'chapter'])),
  pdfa: v.optional(v.boolean()),
  float: v.optional(v.boolean()),
  bibliography: v.optional(v.union([v.pipe(v.string(), v.nonEmpty()), v.array(v.pipe(v.string(), v.nonEmpty()))])),
  csl: v.optional(v.pipe(v.string(), v.nonEmpty())),
  'a11y-certifier': v.optional(text),
  // Checked key by key in readFrontMatter, so each problem gets its own line and column.
  'pdf-theme': v.optional(v.union([v.pipe(v.string(), v.nonEmpty()), v.record(v.string(), v.unknown())])),
  css: v.optional(textList),
  'chapter-level': v.optional(v.pipe(v.number(), v.integer(), v.minValue(1, 'must be a heading level from 1 to 6'), v.maxValue(6, 'must be a heading level from 1 to 6'))),
});

type FrontMatter = v.InferOutput<typeof frontMatterSchema>;

export interface MetadataOptions {
  /** Paper size given on the command line: it wins over the front matter. */
  papersize?: DocumentMeta['papersize'];
  /** The project's defaults (colophon.yaml): the front matter wins over them. */
  defaults?: ProjectDefaults;
}

/**
 * Read the YAML front matter, validate it, and store normalised metadata on `file.data.meta`.
 * Every problem is reported at its line and column in the Markdown file.
 */
export function extractMetadata(tree: Root, file: VFile, options: MetadataOptions = {}): DocumentMeta {
  // Pandoc's `%` title block (parse/title-block.ts) opens a document that has no front matter.
  const titleBlock = tree.children[0]?.type === 'pandocTitleBlock' ? (tree.children.shift() as PandocTitleBlock) : undefined;
  const yamlIndex = tree.children.findIndex((node) => node.type === 'yaml');
  const yamlNode = yamlIndex === -1 ? undefined : (tree.children[yamlIndex] as Yaml);
  if (yamlNode) tree.children.splice(yamlIndex, 1);

  const places = new Map<string, Point>();
  const raw = yamlNode ? readFrontMatter(yamlNode, file, places) : {};
  const data: FrontMatter = raw ?? {};
  if (titleBlock) readTitleBlock(titleBlock, data, places, file);

  const authorList = [...(data.authors ?? []), ...(data.author ?? [])];
  // After a front-matter error the title is already reported missing; don't add a warning to it.
  const title = data.title ?? titleFromBody(tree, file, raw !== undefined);
  // A title taken from a heading is written where the heading's text is: messages about it (a
  // glyph no font has, in the PDF's title block) point there, as they do at a front-matter title.
  const titleAt = data.title === undefined && file.data.titleHeading ? textStart(file.data.titleHeading) : undefined;
  if (titleAt) places.set('title', titleAt);
  const date = data.date;
  const meta: DocumentMeta = {
    title,
    subtitle: data.subtitle,
    shortTitle: data['short-title'] ?? title,
    authors: authorList.map((entry) => ({ ...entry, orcid: entry.orcid?.replace('https://orcid.org/', '') })),
    editors: [...(data.editors ?? []), ...(data.editor ?? [])],
    publisher: data.publisher,
    date,
    lang: data.lang ? Intl.getCanonicalLocales(data.lang)[0]! : 'en',
    rights: data.rights,
    identifier:
      data.identifier ??
      (data.isbn ? `urn:isbn:${data.isbn.replace(/[-\s]/g, '')}` : undefined) ??
      `urn:uuid:${uuidV5(JSON.stringify([title, authorList.map((a) => a.name), date ?? '']), IDENTIFIER_NAMESPACE)}`,
    isbn: data.isbn?.replace(/[-\s]/g, ''),
    // Given, or derived from the finished body (transforms/description.ts).
    description: data.description,
    abstract: data.abstract,
    keywords: data.keywords ?? [],
    cover: data.cover,
    papersize: options.papersize ?? data.papersize ?? options.defaults?.papersize ?? 'a4',
    toc: data.toc ?? false,
    tocTitle: data['toc-title'],
    tocDepth: data['toc-depth'] ?? 3,
    numberSections: data['number-sections'] ?? false,
    smart: data.smart ?? true,
    emoji: data.emoji ?? true,
    chapterLevel: data['chapter-level'],
    rawHtml: data['raw-html'] ?? 'sanitize',
    a11yCertifier: data['a11y-certifier'],
    footnoteNumbering: data['footnote-numbering'] ?? 'document',
    pdfa: data.pdfa ?? false,
    float: data.float ?? true,
    pdfTheme: (data['pdf-theme'] as DocumentMeta['pdfTheme']) ?? options.defaults?.pdfTheme,
    css: data.css ? data.css.map((path, index) => ({ path, at: places.get(`css.${index}`) })) : options.defaults?.css?.map((path) => ({ path })),
    bibliography: data.bibliography === undefined ? undefined : [data.bibliography].flat(),
    csl: data.csl,
    places: Object.fromEntries(places),
  };
  file.data.meta = meta;
  return meta;
}

/**
 * The title, authors and date of a `%` title block, where the front matter gives none. Pandoc
 * prints any date; Colophon's dates are ISO 8601 (they date the editions), so another one is left
 * out with a warning at its place.
 */
function readTitleBlock(block: PandocTitleBlock, data: FrontMatter, places: Map<string, Point>, file: VFile): void {
  if (block.title && data.title === undefined) {
    data.title = block.title.value;
    places.set('title', block.title.place);
  }
  if (block.authors.length > 0 && data.author === undefined && data.authors === undefined) data.authors = block.authors.map((author) => ({ name: author.value }));
  if (block.date && data.date === undefined) {
    if (isoDate.test(block.date.value)) {
      data.date = block.date.value;
      places.set('date', block.date.place);
    } else {
      report(file, 'warning', `the title block's date "${block.date.value}" is not an ISO 8601 date (YYYY, YYYY-MM, YYYY-MM-DD or a date-time): it is left out`, block.date.place, 'metadata-date');
    }
  }
}

/** An RFC 9562 name-based UUID (version 5, SHA-1): the same as the `uuid` package's v5, without a package. */
function uuidV5(name: string, namespace: string): string {
  const bytes = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function isLanguageTag(value: string): boolean {
  try {
    return Intl.getCanonicalLocales(value).length === 1;
  } catch {
    return false;
  }
}

/** Reads and validates the front matter; `places` receives where each top-level key's value sits (under our name for a Pandoc one). */
function readFrontMatter(node: Yaml, file: VFile, places: Map<string, Point>): FrontMatter | undefined {
  const lineCounter = new LineCounter();
  const document = parseDocument(node.value, { lineCounter, prettyErrors: false, uniqueKeys: true });
  // The YAML text starts on the line after the opening `---`.
  const firstLine = (node.position?.start.line ?? 1) + 1;
  const at = (offset: number): Point => {
    const { line, col } = lineCounter.linePos(offset);
    return { line: firstLine + line - 1, column: col };
  };

  if (document.errors.length > 0) {
    for (const error of document.errors) {
      report(file, 'error', `invalid YAML in front matter: ${firstSentence(error.message)}`, at(error.pos[0]), 'metadata-yaml');
    }
    return undefined;
  }

  let value: unknown;
  try {
    // Bounded alias expansion: a "billion laughs" document is refused, not expanded.
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Point at the first alias: that is where the expansion starts.
    let alias: number | undefined;
    visit(document, {
      Alias(_key, item) {
        alias = item.range?.[0];
        return visit.BREAK;
      },
    });
    report(file, 'error', `invalid YAML in front matter: ${firstSentence(String((error as Error).message))}`, alias === undefined ? node : at(alias), 'metadata-yaml');
    return undefined;
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    report(file, 'error', 'front matter must be a mapping of keys to values', at(0), 'metadata-type');
    return undefined;
  }

  checkKeys(document, value as Record<string, unknown>, file, at, places, node.data?.bookYaml === true);
  const result = v.safeParse(frontMatterSchema, value);
  if (result.success) {
    const theme = result.output['pdf-theme'];
    // Each stylesheet's own place, so a missing or unusable file is reported where it is named.
    result.output.css?.forEach((_, index) => places.set(`css.${index}`, at(offsetOfPath(document, Array.isArray(document.get('css')) || isSeq(document.get('css')) ? ['css', index] : ['css']))));
    if (typeof theme !== 'object') return result.output;
    const { problems } = checkThemeOverride(theme);
    for (const problem of problems) {
      const path = ['pdf-theme', ...problem.path];
      report(file, 'error', `front matter \`${path.join('.')}\` ${problem.message}`, at(offsetOfPath(document, path)), 'metadata-type');
    }
    return problems.length === 0 ? result.output : undefined;
  }
  for (const issue of result.issues) {
    const path = (issue.path ?? []).map((item) => item.key as string | number);
    const key = path.map(String).join('.');
    report(file, 'error', `front matter \`${key}\` ${describeIssue(issue)}`, at(offsetOfPath(document, path)), 'metadata-type');
  }
  return undefined;
}

const KNOWN_KEYS: ReadonlySet<string> = new Set([...Object.keys(frontMatterSchema.entries), ...OTHER_KNOWN_KEYS]);

/**
 * Warn about each top-level key Colophon does not know, at the key, with the nearest known
 * key when one is close. Pandoc's names for our keys are moved to ours in `value`.
 */
function checkKeys(document: Document, value: Record<string, unknown>, file: VFile, at: (offset: number) => Point, places: Map<string, Point>, isBook: boolean): void {
  if (!isMap(document.contents)) return;
  for (const pair of document.contents.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const place = at(pair.key.range?.[0] ?? 0);
    const alias = PANDOC_ALIASES[key];
    // Problems found later with a value (a file it names) point at the value.
    places.set(alias ?? key, isNode(pair.value) && pair.value.range ? at(pair.value.range[0]) : place);
    if (alias !== undefined) {
      if (value[alias] === undefined) value[alias] = value[key];
      delete value[key];
      continue;
    }
    // A book's book.yaml also lists its chapters (read by read/book.ts).
    if (KNOWN_KEYS.has(key) || isFreeKey(key) || (isBook && key === 'chapters')) continue;
    const nearest = nearestKey(key, [...KNOWN_KEYS, ...Object.keys(PANDOC_ALIASES)]);
    const reason = PANDOC_UNSUPPORTED.includes(key)
      ? `front matter \`${key}\` is a Pandoc key that Colophon does not use: it is ignored`
      : nearest
        ? `unknown front matter key \`${key}\`: did you mean \`${nearest}\`?`
        : `unknown front matter key \`${key}\`: it is ignored (custom data goes under \`x-…\` keys or a \`data:\` map)`;
    report(file, 'warning', reason, place, 'metadata-unknown-key');
  }
}

function offsetOfPath(document: Document, path: (string | number)[]): number {
  for (let length = path.length; length > 0; length--) {
    const found = document.getIn(path.slice(0, length), true);
    if (isNode(found) && found.range) return found.range[0];
  }
  return 0;
}

function describeIssue(issue: v.BaseIssue<unknown>): string {
  if (issue.type === 'union') {
    // A union fails as a whole; its most specific branch message says the most.
    const inner = issue.issues?.find((sub) => sub.kind === 'validation');
    if (inner) return describeIssue(inner);
    const key = issue.path?.at(-1)?.key;
    if (key === 'author' || key === 'authors') return 'must be a name, a list of names, or a list of {name, affiliation, orcid, note} objects';
    if (key === 'pdf-theme') return 'must be a mapping of PDF theme values or the path of a JSON theme file';
    return 'must be a string or a list of strings';
  }
  if (issue.type === 'picklist') return `must be one of ${issue.expected?.replace(/^\(|\)$/g, '').replace(/ \| /g, ', ')}`;
  if (issue.type === 'strict_object') return `has an unknown key: ${issue.received}`;
  if (issue.kind === 'schema') return `must be ${withArticle(issue.expected ?? issue.type)}`;
  return issue.message;
}


function firstSentence(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * A paragraph of images alone, linked or not: a README's badges or logo above its name, which
 * GitHub shows as decoration; or of nothing to read at all (ajv's `&nbsp;` under its logo, a
 * spacer). The heading after it still names the document.
 */
function isDecoration(node: RootContent): boolean {
  if (node.type !== 'paragraph') return false;
  const isImage = (child: RootContent) => child.type === 'image' || child.type === 'imageReference';
  // An HTML comment among them (a contributors bot's markers) shows nothing either.
  const isBlank = (child: RootContent) => child.type === 'break' || (child.type === 'text' && child.value.trim() === '') || (child.type === 'html' && /^<!--[\s\S]*-->$/.test(child.value.trim()));
  for (const child of node.children) {
    if (isImage(child)) continue;
    if ((child.type === 'link' || child.type === 'linkReference') && child.children.length > 0 && child.children.every((inner) => isImage(inner) || isBlank(inner))) continue;
    if (!isBlank(child)) return false;
  }
  return true;
}

/** Where the first text of a node begins (a heading's words, after its `#` marks), else the node itself. */
function textStart(node: Heading): Point | undefined {
  let start: Point | undefined;
  visitTree(node, 'text', (text) => {
    if (!text.position) return;
    start = text.position.start;
    return EXIT;
  });
  return start ?? node.position?.start;
}

/**
 * No title in front matter: the heading that opens the document is the title, and leaves the
 * body (it is printed once, in the title block); a row of badges before it does not count. A
 * document that opens with anything else
 * takes its file name, since a heading further down names a section, not the document.
 */
function titleFromBody(tree: Root, file: VFile, warn: boolean): string {
  // Trusted raw HTML that means nothing to read (a comment, an anchor) does not open the document either.
  const silent = (node: RootContent) => node.type === 'trustedHtml' && node.children.every((child) => child.type === 'anchor');
  const index = tree.children.findIndex((node) => node.type !== 'definition' && node.type !== 'html' && node.type !== 'yaml' && node.type !== 'anchor' && !silent(node) && !isDecoration(node));
  const first = index === -1 ? undefined : tree.children[index];
  // Badges beside a heading's words are not part of the name (a title block prints text, not
  // their images); their alt texts serve only a heading made of images alone. Runs of spaces go.
  const words = (node: Heading, includeImageAlt: boolean) => toString(node, { includeImageAlt }).replace(/\s+/g, ' ').trim();
  const title = first?.type === 'heading' ? words(first, false) || words(first, true) : '';
  if (first?.type === 'heading' && title) {
    if (warn) report(file, 'warning', `no \`title\` in front matter: using the first heading, "${title}"`, first, 'metadata-title');
    tree.children.splice(index, 1);
    // Links written for GitHub still point at it: the headings transform gives its id to the title.
    file.data.titleHeading = first;
    return title;
  }
  const name = file.path ? basename(file.path, extname(file.path)) : 'Untitled';
  const heading = tree.children.find((node): node is Heading => node.type === 'heading');
  if (warn) {
    const why = heading ? 'and the document does not open with a heading' : 'and no heading';
    report(file, 'warning', `no \`title\` in front matter ${why}: using the file name, "${name}"`, heading, 'metadata-title');
  }
  return name;
}
