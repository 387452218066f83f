import type { Heading, Link, PhrasingContent, Root, RootContent, Text } from 'mdast';
import { plainText } from '../plain-text.ts';
import type { Point } from 'unist';
import { SKIP, visit } from '../visit.ts';
import type { VFile } from 'vfile';
import { report } from '../messages.ts';
import { term, type TermKey } from '../terms.ts';
import type { DocumentMeta } from '../types.ts';

/** What a label names: the anchor to link to, and the words for it. */
export type CrossrefTarget = Target;
interface Target {
  id: string;
  kind: 'figure' | 'table' | 'section' | 'equation';
  /** The number ("1", "2.3"), or undefined for an unnumbered section (referred to by title). */
  number?: string;
  title: string;
}

const LABEL = String.raw`(?:fig|tbl|sec|eq):[\p{L}\p{N}_](?:[\p{L}\p{N}_:.\-/]*[\p{L}\p{N}_])?`;
const BRACKETED = new RegExp(String.raw`\[(\s*[-!]?@${LABEL}\s*(?:;\s*[-!]?@${LABEL}\s*)*)\]`, 'giu');
const BARE = new RegExp(String.raw`(?<![\p{L}\p{N}_@.\\])([-!]?)@(${LABEL})`, 'giu');

/**
 * Cross-references in pandoc-crossref's syntax: `@fig:x`, `@tbl:x`, `@sec:x`, `@eq:x`, and
 * `[@fig:a; @fig:b]`, become links to their target with its localised label ("Figure 1",
 * "Table 2", "Section 3", "Equation (4)"). The numbers are the ones the figure, section and
 * math transforms wrote on their nodes, so every edition says the same. A section is named by
 * its number with `number-sections`, by its title otherwise. `@Fig:x` capitalises nothing
 * further (labels are capitalised already); `-@fig:x` gives the number alone.
 * An unknown label is an error where it is written; a label used twice is an error at the second.
 */
export function resolveCrossrefs(tree: Root, file: VFile, meta: DocumentMeta, targets: Map<string, CrossrefTarget> = collectTargets(tree, file)): void {
  visit(tree, (node: Root | RootContent, index, parent) => {
    if (node.type === 'link' || node.type === 'linkReference' || node.type === 'inlineCode' || node.type === 'code' || node.type === 'html') return SKIP;
    if (node.type !== 'text' || !parent || index === undefined || !node.value.includes('@')) return undefined;
    const pieces = splitReferences(node, targets, meta.lang, file);
    if (!pieces) return undefined;
    parent.children.splice(index, 1, ...(pieces as RootContent[]));
    return index + pieces.length;
  });
}

/** Every label and what it names; a book's chapters add theirs to one map, in order, before any reference is resolved. */
export function collectTargets(tree: Root, file: VFile, targets = new Map<string, Target>()): Map<string, Target> {
  const add = (label: string, target: Target, node: RootContent) => {
    if (targets.has(label)) report(file, 'error', `the label "${label}" is used twice; labels must be unique`, node, 'crossref-duplicate');
    else targets.set(label, target);
  };
  visit(tree, (node: Root | RootContent) => {
    if (node.type === 'heading') {
      const heading = node as Heading;
      const id = heading.data?.id;
      const given = (heading.data as { attributes?: { id?: string } } | undefined)?.attributes?.id;
      const label = given ?? id;
      if (label?.startsWith('sec:') && id) add(label, { id, kind: 'section', number: heading.data?.sectionNumber, title: plainText(heading).trim() }, node);
      return undefined;
    }
    if (node.type === 'math' && node.data?.label && node.data.id && node.data.number) {
      // Duplicate equation labels are reported by the math transform.
      if (!targets.has(node.data.label)) targets.set(node.data.label, { id: node.data.id, kind: 'equation', number: node.data.number, title: '' });
      return undefined;
    }
    // Figures and captioned tables (the figures transform's nodes): their id is their label.
    const figure = node as unknown as { type: string; kind?: string; identifier?: string; number?: number };
    if (figure.type === 'figure' && figure.identifier && figure.number !== undefined) {
      add(figure.identifier, { id: figure.identifier, kind: figure.kind === 'table' ? 'table' : 'figure', number: String(figure.number), title: '' }, node as RootContent);
    }
    return undefined;
  });
  return targets;
}

function splitReferences(node: Text, targets: Map<string, Target>, lang: string, file: VFile): PhrasingContent[] | undefined {
  const value = node.value;
  const found: { start: number; end: number; nodes: PhrasingContent[] }[] = [];
  const render = (label: string, bare: boolean, offset: number): PhrasingContent => {
    const target = targets.get(normalise(label));
    if (!target) {
      report(file, 'error', `cross-reference "@${label}" has no target: no figure, table, section or equation is labelled "${label}"`, pointAt(node, offset), 'crossref-unknown');
      return { type: 'text', value: `@${label}` };
    }
    const link: Link = { type: 'link', url: `#${target.id}`, children: [{ type: 'text', value: words(target, lang, bare) }] };
    return link;
  };
  /**
   * `[@fig:a; @fig:b; @tbl:c]`: "Figures 1 and 2, Table 3", as pandoc-crossref writes it: runs
   * of the same kind share one plural word, each number its own link; three or more numbers in a
   * row are a range ("Figures 1–3", both ends links). A section named by its title, an unknown
   * label, or `-@` (number only) stands as it would alone.
   */
  const several = (items: { label: string; bare: boolean; offset: number }[]): PhrasingContent[] => {
    const groups: ({ kind: Target['kind']; bare: boolean; targets: Target[] } | { alone: PhrasingContent })[] = [];
    for (const item of items) {
      const target = targets.get(normalise(item.label));
      const previous = groups.at(-1);
      if (target?.number === undefined) groups.push({ alone: render(item.label, item.bare, item.offset) });
      else if (previous && 'kind' in previous && previous.kind === target.kind && previous.bare === item.bare) previous.targets.push(target);
      else groups.push({ kind: target.kind, bare: item.bare, targets: [target] });
    }
    const nodes: PhrasingContent[] = [];
    for (const group of groups) {
      if (nodes.length > 0) nodes.push({ type: 'text', value: term(lang, 'listSeparator') });
      if ('alone' in group) {
        nodes.push(group.alone);
        continue;
      }
      const [first, ...more] = group.targets;
      if (first && more.length === 0) {
        nodes.push({ type: 'link', url: `#${first.id}`, children: [{ type: 'text', value: words(first, lang, group.bare) }] });
        continue;
      }
      if (!group.bare) {
        const word = term(lang, PLURAL[group.kind]);
        nodes.push({ type: 'text', value: /^(zh|ja)\b/i.test(lang) ? word : `${word}\u00a0` });
      }
      const runs = consecutiveRuns(group.targets);
      runs.forEach((run, index) => {
        if (index > 0) nodes.push({ type: 'text', value: term(lang, index === runs.length - 1 ? 'lastSeparator' : 'listSeparator') });
        const [start, end] = [run[0], run.at(-1)];
        if (start) nodes.push(numberLink(start));
        // Three or more in a row are a range, as pandoc-crossref writes them: "Figures 2–5".
        if (end && end !== start) nodes.push({ type: 'text', value: '\u2013' }, numberLink(end));
      });
    }
    return nodes;
  };
  for (const match of value.matchAll(BRACKETED)) {
    const items: { label: string; bare: boolean; offset: number }[] = [];
    let offset = match.index + 1;
    for (const part of match[1]!.split(';')) {
      const item = /([-!]?)@(\S+)/.exec(part)!;
      items.push({ label: item[2]!, bare: item[1] === '-', offset: offset + item.index });
      offset += part.length + 1;
    }
    found.push({ start: match.index, end: match.index + match[0].length, nodes: several(items) });
  }
  for (const match of value.matchAll(BARE)) {
    if (found.some((f) => match.index >= f.start && match.index < f.end)) continue;
    found.push({ start: match.index, end: match.index + match[0].length, nodes: [render(match[2]!, match[1] === '-', match.index + match[1]!.length)] });
  }
  if (found.length === 0) return undefined;
  found.sort((a, b) => a.start - b.start);
  const pieces: PhrasingContent[] = [];
  let last = 0;
  for (const { start, end, nodes } of found) {
    if (start > last) pieces.push({ type: 'text', value: value.slice(last, start) });
    pieces.push(...nodes);
    last = end;
  }
  if (last < value.length) pieces.push({ type: 'text', value: value.slice(last) });
  return pieces;
}

/**
 * The targets as written, with each stretch of three or more whose numbers follow one another
 * (1, 2, 3; or 2.1, 2.2, 2.3) as one run; others are runs of one.
 */
function consecutiveRuns(targets: Target[]): Target[][] {
  const runs: Target[][] = [];
  for (const target of targets) {
    const run = runs.at(-1);
    const last = run?.at(-1);
    if (run && last && follows(last.number, target.number)) run.push(target);
    else runs.push([target]);
  }
  // A pair stays a pair ("1 and 2"), as in pandoc-crossref.
  return runs.flatMap((run) => (run.length === 2 ? run.map((target) => [target]) : [run]));
}

/** "3" → "4", "2.1" → "2.2": the same prefix, the last part one more. */
function follows(previous: string | undefined, next: string | undefined): boolean {
  const before = /^(.*?)(\d+)$/.exec(previous ?? '');
  const after = /^(.*?)(\d+)$/.exec(next ?? '');
  return !!before && !!after && before[1] === after[1] && Number(after[2]) === Number(before[2]) + 1;
}

const PLURAL: Record<Target['kind'], TermKey> = { figure: 'figures', table: 'tables', section: 'sections', equation: 'equations' };

function normalise(label: string): string {
  return label.replace(/^(fig|tbl|sec|eq):/i, (prefix) => prefix.toLowerCase());
}

/** The number alone ("1", "(4)") as a link to its target. */
function numberLink(target: Target): Link {
  return { type: 'link', url: `#${target.id}`, children: [{ type: 'text', value: target.kind === 'equation' ? `(${target.number})` : (target.number ?? '') }] };
}

/** "Figure 1", "Equation (4)", "Section 2.1", or a section's title when sections are not numbered. */
function words(target: Target, lang: string, numberOnly: boolean): string {
  if (target.number === undefined) return target.title;
  const number = target.kind === 'equation' ? `(${target.number})` : target.number;
  if (numberOnly) return number;
  const word = term(lang, target.kind as TermKey);
  return /^(zh|ja)\b/i.test(lang) ? `${word}${number}` : `${word}\u00a0${number}`;
}

function pointAt(node: Text, offset: number): Point | undefined {
  const start = node.position?.start;
  if (!start) return undefined;
  const before = node.value.slice(0, offset).split('\n');
  return before.length === 1 ? { line: start.line, column: start.column + offset } : { line: start.line + before.length - 1, column: before.at(-1)!.length + 1 };
}
