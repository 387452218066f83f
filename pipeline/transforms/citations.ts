import { createRequire } from 'node:module';
import { posix, sep } from 'node:path';
import type { FootnoteDefinition, FootnoteReference, Heading, Link, Paragraph, Parent, PhrasingContent, Root, RootContent, Text } from 'mdast';
import { toString } from 'mdast-util-to-string';
import type { Point, Position } from 'unist';
import { SKIP, visit } from '../visit.ts';
import type { VFile } from 'vfile';
import YAML from 'yaml';
import { report } from '../messages.ts';
import type { Asset, DocumentMeta } from '../types.ts';

/** Reads a data file the document names (its bibliography, its style), inside the project. */
export type ReadData = (url: string, place: Position | undefined) => Asset | undefined;

/** The largest bibliography Colophon reads: past it, an error instead of minutes of parsing. */
export const MAX_BIBLIOGRAPHY_BYTES = 20 * 1024 * 1024;

declare module 'mdast' {
  interface ParagraphData {
    /** An anchor on the paragraph (a reference-list entry), shared by every edition. */
    anchor?: string;
    /** A reference-list entry whose style asks for a hanging indent (CSL `hanging-indent="true"`). */
    hangingIndent?: boolean;
  }
}

/** Labels of cross-references (pandoc-crossref), which are not citations. */
export const CROSSREF_PREFIX = /^(fig|tbl|sec|eq|lst):/i;

/** A citation key as Pandoc reads it: ends in a letter, digit or `_`; inner punctuation allowed. */
const KEY = String.raw`[\p{L}\p{N}_](?:[\p{L}\p{N}_:.#$%&\-+?<>~/]*[\p{L}\p{N}_])?`;
const BRACKETED = new RegExp(String.raw`\[([^\[\]]*?-?@${KEY}[^\[\]]*)\]`, 'gu');
const IN_TEXT = new RegExp(String.raw`(?<![\p{L}\p{N}_@.\\])@(${KEY})(?:\s?\[([^\[\]]*)\])?`, 'gu');
const ITEM = new RegExp(String.raw`^([\s\S]*?)(-?)@(${KEY})([\s\S]*)$`, 'u');

/** Pandoc's locator terms (English, and the common German, French, Spanish and Italian ones) and the CSL labels they stand for. */
const LOCATOR_LABELS: [RegExp, string][] = [
  [/^(p|pp|pg|page|pages|s|seite|seiten|pág|págs|pag|pagg)\.?$/i, 'page'],
  [/^(ch|chap|chapter|chapters|kap|kapitel|cap|capítulo|capitolo|chapitre)\.?$/i, 'chapter'],
  [/^(sec|section|sections|§|§§)\.?$/i, 'section'],
  [/^(vol|vols|volume|volumes)\.?$/i, 'volume'],
  [/^(fig|figs|figure|figures)\.?$/i, 'figure'],
  [/^(para|paragraph|paragraphs|¶)\.?$/i, 'paragraph'],
  [/^(l|ll|line|lines)\.?$/i, 'line'],
  [/^(n|nn|note|notes)\.?$/i, 'note'],
  [/^(no|nos|number)\.?$/i, 'issue'],
  [/^(bk|book|books)\.?$/i, 'book'],
  [/^(pt|part|parts)\.?$/i, 'part'],
  [/^(col|column|columns)\.?$/i, 'column'],
  [/^(v|vv|verse|verses)\.?$/i, 'verse'],
];

interface CitationItem {
  key: string;
  prefix?: string;
  suffix?: string;
  locator?: string;
  label?: string;
  suppressAuthor?: boolean;
  place?: Point;
}

interface Cluster {
  items: CitationItem[];
  /** `@key` in running text: "Doe (2020)" rather than "(Doe 2020)". */
  inText: boolean;
  /** Replaced by the formatted citation once the whole document is known. */
  holder: Link;
  parent: Parent;
  inNote: boolean;
}

/** What the transform leaves for the build: the files it read (for the cache). */
export interface CitationInfo {
  count: number;
}

interface CslItem {
  id: string;
  [field: string]: unknown;
}

/**
 * Citations in Pandoc's syntax (`[@key, p. 12]`, `[see @a; @b]`, `@key [ch. 4]`, `[-@key]`),
 * resolved against the bibliography the front matter names and formatted by citeproc-js in the
 * document's CSL style (Chicago author-date by default, shipped with Colophon). Each citation
 * becomes a link to its entry; a note style makes it a footnote, numbered with the others (so
 * this runs before footnote numbering). The reference list of cited works goes after a
 * "References" heading, or at the end. Only documents with `bibliography:` are read for
 * citations: `@name` in a README is not a citation.
 */
export function resolveCitations(tree: Root, file: VFile, meta: DocumentMeta, readData: ReadData | undefined, ownFile: (path: string) => string | undefined): CitationInfo {
  const info: CitationInfo = { count: 0 };
  if (!meta.bibliography?.length || !readData) return info;
  const bibliographyAt = meta.places?.bibliography;
  const keyPlace = bibliographyAt ? { start: bibliographyAt, end: bibliographyAt } : undefined;

  const clusters = findCitations(tree);
  info.count = clusters.length;
  const items = new Map<string, CslItem>();
  for (const path of meta.bibliography) {
    const asset = readData(path, keyPlace);
    if (!asset) continue;
    if (asset.bytes.length > MAX_BIBLIOGRAPHY_BYTES) {
      report(file, 'error', `bibliography "${path}" is ${Math.round(asset.bytes.length / 1048576)} MB; Colophon reads at most ${MAX_BIBLIOGRAPHY_BYTES / 1048576} MB`, keyPlace, 'bibliography-too-large');
      continue;
    }
    for (const item of readBibliography(asset, file, keyPlace, besideDocument(file, path, asset))) if (!items.has(item.id)) items.set(item.id, item);
  }

  let styleXml = ownFile('templates/csl/chicago-author-date.csl') ?? '';
  if (meta.csl) {
    const cslAt = meta.places?.csl;
    const place = cslAt ? { start: cslAt, end: cslAt } : undefined;
    const asset = readData(meta.csl, place);
    if (asset) {
      const text = new TextDecoder().decode(asset.bytes);
      if (/<style[\s>]/.test(text) && /xbiblio\/csl/.test(text)) styleXml = text;
      else report(file, 'error', `"${meta.csl}" is not a CSL style (no <style> element in the CSL namespace)`, place, 'csl-invalid');
    }
  }

  // Unknown keys print as `?key`, as in Pandoc, and are warned about where they are.
  for (const cluster of clusters) {
    for (const item of cluster.items) {
      if (!items.has(item.key)) report(file, 'warning', `citation "@${item.key}" is not in the bibliography`, item.place, 'citation-unknown');
    }
  }
  const cited = [...new Set(clusters.flatMap((cluster) => cluster.items.map((item) => item.key)).filter((key) => items.has(key)))];
  if (cited.length === 0) {
    for (const cluster of clusters) fill(cluster, [text(cluster.items.map((item) => `?${item.key}`).join('; '))], false);
    return info;
  }

  const engine = makeEngine(styleXml, items, meta.lang, file, ownFile);
  if (!engine) {
    for (const cluster of clusters) fill(cluster, [text(cluster.items.map((item) => `?${item.key}`).join('; '))], false);
    return info;
  }
  const noteStyle = /<style[^>]*\bclass="note"/.test(styleXml);
  const known = clusters.map((cluster) => cluster.items.filter((item) => items.has(item.key)));
  const citations = clusters.map((cluster, index) => ({
    citationID: `c${index}`,
    // Each work's text is marked off (outside the author's prefix and suffix, as Pandoc links
    // it), so that it links to its own entry whatever order the style sorts the works in.
    citationItems: known[index]!.map((item, position) => ({
      id: item.key,
      prefix: `${item.prefix ?? ''}${workStart(position)}`,
      suffix: `${WORK_END}${item.suffix ?? ''}`,
      locator: item.locator,
      label: item.locator ? (item.label ?? 'page') : undefined,
      'suppress-author': item.suppressAuthor || cluster.inText || undefined,
    })),
    properties: { noteIndex: noteStyle ? index + 1 : 0 },
  }));
  const formatted = new Map<string, string>();
  const usable = citations.filter((citation) => citation.citationItems.length > 0);
  for (const [id, , html] of engine.rebuildProcessorState(usable, 'html', [])) formatted.set(id, html);

  const definitions: FootnoteDefinition[] = [];
  clusters.forEach((cluster, index) => {
    const unknown = cluster.items.filter((item) => !items.has(item.key)).map((item) => `?${item.key}`);
    const html = formatted.get(`c${index}`);
    const first = known[index]![0];
    const author = cluster.inText && first ? htmlToPhrasing(engine.makeCitationCluster([{ id: first.key, 'author-only': true }])) : [];
    const works = known[index]!.map((item) => item.key);
    const body = html ? linkWorks(htmlToPhrasing(html), works) : [];
    if (unknown.length > 0) body.push(text(`${body.length > 0 ? '; ' : ''}${unknown.join('; ')}`));
    if (noteStyle && !cluster.inNote && html) {
      // A note style: the citation is a footnote of its own, numbered with the author's notes.
      const identifier = `citation-${index + 1}`;
      const reference: FootnoteReference = { type: 'footnoteReference', identifier, label: identifier };
      definitions.push({ type: 'footnoteDefinition', identifier, label: identifier, children: [{ type: 'paragraph', children: withFullStop(body) }] });
      replace(cluster, author.length > 0 ? [...author, reference] : [reference]);
      return;
    }
    if (cluster.inText && author.length > 0) {
      // `@key [p. 4]`: the author's name and the year are one link, "Knuth (1984, 4)".
      cluster.holder.children = [...author, text(' '), ...unlinked(body)];
      replace(cluster, [cluster.holder]);
      return;
    }
    replace(cluster, body);
  });

  engine.setOutputFormat('html');
  const [params, entries] = engine.makeBibliography() as [{ entry_ids: string[][]; hangingindent?: number | boolean }, string[]];
  const hanging = Boolean(params.hangingindent);
  const list: Paragraph[] = entries.map((entry, index) => ({
    type: 'paragraph',
    children: htmlToPhrasing(entry),
    data: {
      anchor: `ref-${params.entry_ids[index]![0]}`,
      hangingIndent: hanging || undefined,
      hProperties: { id: `ref-${params.entry_ids[index]![0]}`, className: hanging ? ['csl-entry', 'hanging-indent'] : ['csl-entry'] },
    },
  }));
  placeReferences(tree, list);
  tree.children.push(...definitions);
  return info;
}

/** The first `# References` (or `# Bibliography`) heading takes the list after it; otherwise the list ends the body. */
function placeReferences(tree: Root, list: Paragraph[]): void {
  const index = tree.children.findIndex(
    (node) => node.type === 'heading' && (/^(references|bibliography|works cited|literatur|bibliographie|références|referencias|bibliografía|riferimenti|bibliografia)$/i.test(toString(node).trim()) || (node as Heading).data?.id === 'refs'),
  );
  if (index === -1) {
    // Before the footnote definitions, which stand at the end once numbered.
    const notes = tree.children.findIndex((node) => node.type === 'footnoteDefinition');
    tree.children.splice(notes === -1 ? tree.children.length : notes, 0, ...list);
    return;
  }
  // After the heading and whatever the author wrote under it, up to the next heading of its level or higher.
  const depth = (tree.children[index] as Heading).depth;
  let end = index + 1;
  while (end < tree.children.length) {
    const node = tree.children[end]!;
    if ((node.type === 'heading' && node.depth <= depth) || node.type === 'footnoteDefinition') break;
    end++;
  }
  tree.children.splice(end, 0, ...list);
}

/** Private marks around each work of a cluster in citeproc's input affixes (it keeps them as they are). */
const workStart = (position: number) => `\u27E6${position}\u27E7`;
const WORK_END = '\u27E7';
const WORK_MARKS = /\u27E6(\d+)\u27E7|\u27E7/g;

/**
 * Each work of a formatted cluster as a link to its own entry: "(see <Knuth 1984, 4>;
 * <Gauss 1801>, and elsewhere)". The marks stand at the top level of citeproc's output (they
 * are affixes of the cite); any that do not are dropped, and their text stays unlinked.
 */
function linkWorks(nodes: PhrasingContent[], works: string[]): PhrasingContent[] {
  const result: PhrasingContent[] = [];
  let link: Link | undefined;
  const add = (node: PhrasingContent) => (link ? link.children : result).push(node);
  for (const node of nodes) {
    if (node.type !== 'text') {
      add(stripMarks(node));
      continue;
    }
    let last = 0;
    for (const match of node.value.matchAll(WORK_MARKS)) {
      if (match.index > last) add(text(node.value.slice(last, match.index)));
      last = match.index + match[0].length;
      const key = match[1] === undefined ? undefined : works[Number(match[1])];
      if (key !== undefined) {
        link = { type: 'link', url: `#ref-${key}`, children: [] };
        result.push(link);
      } else {
        link = undefined;
      }
    }
    if (last < node.value.length) add(text(node.value.slice(last)));
  }
  return result.filter((node) => node.type !== 'link' || node.children.length > 0);
}

/** Text and inline markup without work links (a cluster set inside one link of its own). */
function unlinked(nodes: PhrasingContent[]): PhrasingContent[] {
  return nodes.flatMap((node) => (node.type === 'link' && node.url.startsWith('#ref-') ? node.children : [node]));
}

function stripMarks<T extends PhrasingContent>(node: T): T {
  if (node.type === 'text') node.value = node.value.replace(WORK_MARKS, '');
  if ('children' in node) for (const child of node.children) stripMarks(child);
  return node;
}

/** The formatted citation as a link to its entry; with no known work to point at, plain text. */
function fill(cluster: Cluster, children: PhrasingContent[], linked = true): void {
  if (linked) cluster.holder.children = children;
  else replace(cluster, children);
}

function replace(cluster: Cluster, nodes: PhrasingContent[]): void {
  const index = cluster.parent.children.indexOf(cluster.holder as RootContent);
  if (index !== -1) cluster.parent.children.splice(index, 1, ...(nodes as RootContent[]));
}

function text(value: string): Text {
  return { type: 'text', value };
}

function withFullStop(children: PhrasingContent[]): PhrasingContent[] {
  const last = children.at(-1);
  if (last?.type === 'text' && !/[.!?]$/.test(last.value)) last.value += '.';
  else if (last && last.type !== 'text' && !/[.!?]$/.test(toString(last))) children.push(text('.'));
  return children;
}

/** Find citations in text (never inside links, code or raw HTML) and put a holder link where each is. */
function findCitations(tree: Root): Cluster[] {
  const clusters: Cluster[] = [];
  const walk = (root: Root | FootnoteDefinition, inNote: boolean) =>
    visit(root, (node: Root | RootContent, index, parent) => {
      if (node.type === 'link' || node.type === 'linkReference' || node.type === 'inlineCode' || node.type === 'code' || node.type === 'html') return SKIP;
      if (node.type === 'footnoteDefinition' && node !== root) return SKIP;
      if (node.type !== 'text' || !parent || index === undefined || !node.value.includes('@')) return undefined;
      const pieces = splitCitations(node, parent, inNote, clusters);
      if (!pieces) return undefined;
      parent.children.splice(index, 1, ...(pieces as RootContent[]));
      return index + pieces.length;
    });
  walk(tree, false);
  visit(tree, 'footnoteDefinition', (node) => {
    walk(node, true);
    return SKIP;
  });
  return clusters;
}

function splitCitations(node: Text, parent: Parent, inNote: boolean, clusters: Cluster[]): PhrasingContent[] | undefined {
  const found: { start: number; end: number; cluster: Omit<Cluster, 'holder' | 'parent'> }[] = [];
  const value = node.value;
  for (const match of value.matchAll(BRACKETED)) {
    const parts = match[1]!.split(';');
    const items: CitationItem[] = [];
    let offset = match.index + 1;
    let ok = true;
    for (const part of parts) {
      const item = ITEM.exec(part);
      if (!item) {
        ok = false;
        break;
      }
      const [, prefix, minus, key, rest] = item;
      items.push({ key: key!, prefix: prefix!.trim() ? `${prefix!.trim()} ` : undefined, suppressAuthor: minus === '-', ...locator(rest!), place: pointAt(node, offset + prefix!.length) });
      offset += part.length + 1;
    }
    // Cross-references are the cross-reference transform's.
    if (!ok || items.some((item) => CROSSREF_PREFIX.test(item.key))) continue;
    found.push({ start: match.index, end: match.index + match[0].length, cluster: { items, inText: false, inNote } });
  }
  for (const match of value.matchAll(IN_TEXT)) {
    if (found.some((f) => match.index >= f.start && match.index < f.end) || CROSSREF_PREFIX.test(match[1]!)) continue;
    const extra = match[2] === undefined ? {} : locator(`, ${match[2]}`);
    found.push({ start: match.index, end: match.index + match[0].length, cluster: { items: [{ key: match[1]!, ...extra, place: pointAt(node, match.index) }], inText: true, inNote } });
  }
  if (found.length === 0) return undefined;
  found.sort((a, b) => a.start - b.start);
  const pieces: PhrasingContent[] = [];
  let last = 0;
  for (const { start, end, cluster } of found) {
    if (start > last) pieces.push(text(value.slice(last, start)));
    const holder: Link = { type: 'link', url: `#ref-${cluster.items[0]!.key}`, children: [] };
    clusters.push({ ...cluster, holder, parent });
    pieces.push(holder);
    last = end;
  }
  if (last < value.length) pieces.push(text(value.slice(last)));
  return pieces;
}

/** `, p. 12 and elsewhere` → locator "12", label "page", suffix ", and elsewhere"; anything else is a suffix. */
function locator(rest: string): Pick<CitationItem, 'locator' | 'label' | 'suffix'> {
  const trimmed = rest.trim();
  if (!trimmed) return {};
  const match = /^,?\s*(?:(\S+)\s+)?(\d[\w\-–—:]*(?:\s*[-–—,]\s*\d[\w\-–—:]*)*)(.*)$/u.exec(trimmed);
  if (match && trimmed.startsWith(',')) {
    const labelWord = match[1];
    const label = labelWord ? LOCATOR_LABELS.find(([pattern]) => pattern.test(labelWord))?.[1] : 'page';
    if (label) return { locator: match[2], label, suffix: match[3]?.trim() ? match[3] : undefined };
  }
  return { suffix: trimmed.startsWith(',') ? trimmed : ` ${trimmed}` };
}

function pointAt(node: Text, offset: number): Point | undefined {
  const start = node.position?.start;
  if (!start) return undefined;
  const before = node.value.slice(0, offset).split('\n');
  return before.length === 1 ? { line: start.line, column: start.column + offset } : { line: start.line + before.length - 1, column: before.at(-1)!.length + 1 };
}

/**
 * The bibliography's path as messages show it: beside the document's own shown path (the
 * front matter names it relative to the document), else relative to the project.
 */
function besideDocument(file: VFile, url: string, asset: Asset): string {
  if (/^[a-z][a-z\d+.-]*:/i.test(url) || url.startsWith('/') || !file.path) return asset.path;
  return posix.normalize(posix.join(posix.dirname(file.path.split(sep).join('/')), url.split(/[?#]/)[0]!));
}

/** BibTeX/BibLaTeX (`.bib`), CSL JSON (`.json`) or CSL YAML (`.yaml`) → CSL items; a syntax error points into the file. */
function readBibliography(asset: Asset, file: VFile, place: Position | undefined, shownAs: string): CslItem[] {
  const source = new TextDecoder().decode(asset.bytes);
  // A syntax error is reported in the bibliography itself, at its line and column (the
  // message's file is the bibliography's); a problem with no place in it, at the key.
  const fail = (line: number | undefined, column: number | undefined, message: string) => {
    if (!line) {
      report(file, 'error', `${asset.path}: ${message}`, place, 'bibliography-syntax');
      return;
    }
    const problem = report(file, 'error', message, { line, column: column ?? 1 }, 'bibliography-syntax');
    problem.file = shownAs;
  };
  if (/\.(bib|bibtex|biblatex)$/i.test(asset.path)) {
    const load = createRequire(import.meta.url);
    const { plugins } = load('@citation-js/core') as { plugins: { input: { chain(text: string, options: object): CslItem[] } } };
    load('@citation-js/plugin-bibtex');
    try {
      return plugins.input.chain(source, { forceType: '@biblatex/text', generateGraph: false });
    } catch (error) {
      const message = (error as Error).message;
      const at = /at line (\d+) col (\d+)/.exec(message);
      fail(at ? Number(at[1]) : undefined, at ? Number(at[2]) : undefined, `not valid BibTeX: ${message.split('\n')[0]!.replace(/ at line \d+ col \d+:?$/, '')}`);
      return [];
    }
  }
  let value: unknown;
  if (/\.json$/i.test(asset.path)) {
    try {
      value = JSON.parse(source);
    } catch (error) {
      const offset = Number(/position (\d+)/.exec((error as Error).message)?.[1] ?? 0);
      const before = source.slice(0, offset).split('\n');
      fail(before.length, before.at(-1)!.length + 1, `not valid JSON (${(error as Error).message})`);
      return [];
    }
  } else if (/\.ya?ml$/i.test(asset.path)) {
    const document = YAML.parseDocument(source);
    const problem = document.errors[0];
    if (problem) {
      const [line, column] = problem.linePos?.[0] ? [problem.linePos[0].line, problem.linePos[0].col] : [undefined, undefined];
      fail(line, column, `not valid YAML (${problem.message.split('\n')[0]})`);
      return [];
    }
    value = document.toJS({ maxAliasCount: 100 });
    // Pandoc's YAML bibliographies keep their items under `references:`.
    if (value && typeof value === 'object' && !Array.isArray(value) && 'references' in value) value = (value as { references: unknown }).references;
  } else {
    fail(undefined, undefined, 'is not a bibliography Colophon reads (.bib, .json or .yaml)');
    return [];
  }
  if (!Array.isArray(value)) {
    fail(undefined, undefined, 'a CSL bibliography is a list of items');
    return [];
  }
  const items: CslItem[] = [];
  for (const entry of value) {
    if (entry && typeof entry === 'object' && typeof (entry as CslItem).id === 'string') items.push(entry as CslItem);
    else if (entry && typeof entry === 'object' && typeof (entry as CslItem).id === 'number') items.push({ ...(entry as object), id: String((entry as CslItem).id) });
  }
  return items;
}

interface Engine {
  updateItems(ids: string[]): void;
  rebuildProcessorState(citations: object[], mode: string, uncited: string[]): [string, number, string][];
  makeCitationCluster(items: object[]): string;
  setOutputFormat(format: string): void;
  makeBibliography(): unknown;
}

/**
 * The CSL locales Colophon ships (templates/csl/locales, from the CSL project): the languages of
 * its terms table. For a language, the first listed with its primary subtag is its default.
 */
const LOCALES = ['en-US', 'en-GB', 'fr-FR', 'fr-CA', 'de-DE', 'de-AT', 'de-CH', 'es-ES', 'it-IT', 'pt-PT', 'pt-BR', 'nl-NL', 'sv-SE', 'da-DK', 'nb-NO', 'fi-FI', 'pl-PL', 'cs-CZ', 'ru-RU', 'uk-UA', 'el-GR', 'tr-TR', 'ar', 'he-IL', 'th-TH', 'ko-KR', 'ja-JP', 'zh-CN', 'zh-TW'];
const LOCALE_ALIASES: Record<string, string> = { no: 'nb-NO', nn: 'nb-NO', 'zh-hant': 'zh-TW', 'zh-hk': 'zh-TW', 'zh-hans': 'zh-CN' };

/** The shipped locale for a BCP 47 tag: the same tag, else the language's default, else US English. */
export function cslLocale(lang: string): string {
  const wanted = lang.toLowerCase();
  const exact = LOCALES.find((name) => name.toLowerCase() === wanted);
  if (exact) return exact;
  const subtags = wanted.split('-');
  const alias = LOCALE_ALIASES[subtags.slice(0, 2).join('-')] ?? LOCALE_ALIASES[subtags[0] ?? ''];
  if (alias) return alias;
  return LOCALES.find((name) => name.split('-')[0]!.toLowerCase() === subtags[0]) ?? 'en-US';
}

function makeEngine(styleXml: string, items: Map<string, CslItem>, lang: string, file: VFile, ownFile: (path: string) => string | undefined): Engine | undefined {
  const load = createRequire(import.meta.url);
  const CSL = load('citeproc') as { Engine: new (sys: object, style: string, lang: string) => Engine };
  const read = new Map<string, string>();
  const retrieveLocale = (wanted: string): string => {
    const name = cslLocale(wanted);
    let xml = read.get(name);
    if (xml === undefined) {
      xml = ownFile(`templates/csl/locales/locales-${name}.xml`) ?? (name === 'en-US' ? '' : retrieveLocale('en-US'));
      read.set(name, xml);
    }
    return xml;
  };
  try {
    return new CSL.Engine({ retrieveLocale, retrieveItem: (id: string) => items.get(id) }, styleXml, cslLocale(lang));
  } catch (error) {
    report(file, 'error', `the citation style cannot be used: ${(error as Error).message}`, undefined, 'csl-invalid');
    return undefined;
  }
}

/** citeproc-js's HTML (italics, bold, small caps, links) → mdast phrasing content. */
export function htmlToPhrasing(html: string): PhrasingContent[] {
  const root: { children: PhrasingContent[] } = { children: [] };
  const stack: { children: PhrasingContent[] }[] = [root];
  const closers: string[] = [];
  for (const token of html.replace(/<div[^>]*>|<\/div>/g, '').trim().match(/<[^>]+>|[^<]+/g) ?? []) {
    const top = stack.at(-1)!;
    if (!token.startsWith('<')) {
      const value = decodeEntities(token);
      const previous = top.children.at(-1);
      if (previous?.type === 'text') previous.value += value;
      else top.children.push(text(value));
      continue;
    }
    const close = /^<\/(\w+)/.exec(token);
    if (close) {
      if (closers.at(-1) === close[1]) {
        closers.pop();
        if (stack.length > 1) stack.pop();
      }
      continue;
    }
    const tag = /^<(\w+)/.exec(token)?.[1] ?? '';
    const style = /style="([^"]*)"/.exec(token)?.[1] ?? '';
    let node: PhrasingContent & { children: PhrasingContent[] };
    if (tag === 'i' || tag === 'em' || /font-style:\s*italic/.test(style)) node = { type: 'emphasis', children: [] };
    else if (tag === 'b' || tag === 'strong' || /font-weight:\s*bold/.test(style)) node = { type: 'strong', children: [] };
    else if (tag === 'a' && /href="([^"]*)"/.test(token)) node = { type: 'link', url: decodeEntities(/href="([^"]*)"/.exec(token)![1]!), children: [] };
    else {
      // Other markup (small caps, sup, sub, spans) keeps its text.
      if (!/\/>$/.test(token)) {
        closers.push(tag);
        stack.push(top);
      }
      continue;
    }
    top.children.push(node);
    closers.push(tag);
    stack.push(node);
  }
  return root.children;
}

function decodeEntities(value: string): string {
  return value.replace(/&(#x[\da-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (whole, entity: string) => {
    const lower = entity.toLowerCase();
    if (lower.startsWith('#x')) return String.fromCodePoint(parseInt(lower.slice(2), 16));
    if (lower.startsWith('#')) return String.fromCodePoint(Number(lower.slice(1)));
    return ({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' } as Record<string, string>)[lower] ?? whole;
  });
}
