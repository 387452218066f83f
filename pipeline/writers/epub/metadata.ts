import type { DocumentMeta } from '../../types.ts';
import { conformance, type ConformanceFacts } from './conformance.ts';

/** Everything the OPF template prints, computed here so the template stays declarative. */
export interface PackageMetadata {
  identifier: string;
  /** ONIX code list 5 value for the identifier's type (15: ISBN-13, 02: ISBN-10). */
  identifierType?: string;
  title: string;
  subtitle?: string;
  creators: Contributor[];
  contributors: Contributor[];
  publisher?: string;
  date?: string;
  language: string;
  rights?: string;
  subjects: string[];
  description: string;
  /** `dcterms:modified`: CCYY-MM-DDThh:mm:ssZ. */
  modified: string;
  accessibility: Accessibility;
}

export interface Contributor {
  id: string;
  name: string;
  fileAs: string;
  /** MARC relator code. */
  role: 'aut' | 'edt';
}

export interface Accessibility {
  accessModes: string[];
  accessModesSufficient: string[];
  features: string[];
  hazards: string[];
  summary: string;
  conformsTo?: string;
  certifiedBy?: string;
}

export interface ContentFacts extends ConformanceFacts {
  /** Images in the text (not the cover). */
  images: number;
  notes: number;
}

export function packageMetadata(meta: DocumentMeta, facts: ContentFacts, epoch: number): PackageMetadata {
  const isbn = meta.isbn && meta.identifier === `urn:isbn:${meta.isbn}` ? meta.isbn : undefined;
  return {
    identifier: meta.identifier,
    identifierType: isbn ? (isbn.length === 13 ? '15' : '02') : undefined,
    title: meta.title,
    subtitle: meta.subtitle,
    creators: meta.authors.map((author, index) => ({ id: `creator-${index + 1}`, name: author.name, fileAs: fileAs(author.name), role: 'aut' })),
    contributors: meta.editors.map((name, index) => ({ id: `editor-${index + 1}`, name, fileAs: fileAs(name), role: 'edt' })),
    publisher: meta.publisher,
    date: meta.date,
    language: meta.lang,
    rights: meta.rights,
    subjects: meta.keywords,
    // Stores reject an empty description: the metadata transform already falls back to the
    // opening sentences; a document without any paragraph falls back to its title.
    description: meta.description?.trim() || [meta.title, meta.subtitle].filter(Boolean).join(': '),
    modified: isoSeconds(epoch),
    accessibility: accessibility(meta, facts),
  };
}

/** Seconds since the epoch → `2018-06-01T00:00:00Z`, in UTC whatever TZ says. */
export function isoSeconds(epoch: number): string {
  return new Date(epoch * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * EPUB Accessibility 1.1 discovery metadata. Every claim is derived from the book itself:
 * "alternativeText" only when every image has alt text, and the conformance claim only when
 * every check of conformance.ts passes.
 */
function accessibility(meta: DocumentMeta, facts: ContentFacts): Accessibility {
  const hasImages = facts.images > 0;
  const allAlt = facts.imagesWithoutAlt === 0;
  const features = ['structuralNavigation', 'tableOfContents', 'readingOrder'];
  if (hasImages && allAlt) features.push('alternativeText');
  const claim = conformance(facts);
  const conforms = claim.conforms;
  const summary = [
    conforms
      ? 'This publication meets EPUB Accessibility 1.1 and WCAG 2.1 Level AA.'
      : `This publication makes no claim to meet EPUB Accessibility 1.1: ${claim.unmet.join('; ')}.`,
    'It has a table of contents, headings that mark its structure, and a single logical reading order.',
    hasImages && allAlt ? 'Every image has a text alternative.' : undefined,
    facts.notes > 0 ? 'Notes are linked from their citations and back.' : undefined,
    'It contains no flashing, motion or sound hazards.',
  ].filter(Boolean);
  return {
    accessModes: hasImages ? ['textual', 'visual'] : ['textual'],
    accessModesSufficient: hasImages ? (allAlt ? ['textual', 'textual,visual'] : ['textual,visual']) : ['textual'],
    features,
    hazards: ['none'],
    summary: summary.join(' '),
    conformsTo: conforms ? 'EPUB Accessibility 1.1 - WCAG 2.1 Level AA' : undefined,
    // Only someone who evaluated the book certifies it: never the publisher by default.
    certifiedBy: conforms ? meta.a11yCertifier : undefined,
  };
}

/**
 * Common Chinese family names in pinyin. Romanised Chinese names are written family name
 * first ("Zhao Baoling"), so the usual "last word first" rule would file them wrongly.
 */
const PINYIN_FAMILY_NAMES = new Set(
  ('Bai Cai Cao Chen Cheng Cui Dai Deng Ding Dong Du Duan Fan Fang Feng Fu Gao Gong Gu Guo Han Hao He Hou Hu Hua Huang Jia Jiang Jin Kang Kong ' +
    'Lei Li Liang Liao Lin Liu Long Lu Lü Luo Ma Mao Meng Mo Pan Peng Qian Qiao Qin Qiu Ren Shao Shen Shi Song Su Sun Tan Tang Tao Tian Wan ' +
    'Wang Wei Wen Wu Xia Xiang Xiao Xie Xiong Xu Xue Yan Yang Yao Ye Yi Yin Yu Yuan Zeng Zhang Zhao Zheng Zhong Zhou Zhu Zou').split(' '),
);

/**
 * The sort form of a name ("Family, Given"). Names already containing a comma, written in
 * CJK script, or of one word are kept as written; two-word names starting with a common
 * Chinese family name are family-first already; otherwise the last word is the family name.
 */
export function fileAs(name: string): string {
  const trimmed = name.trim().replace(/\s+/g, ' ');
  if (trimmed.includes(',') || /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(trimmed)) return trimmed;
  const words = trimmed.split(' ');
  if (words.length < 2) return trimmed;
  if (words.length === 2 && PINYIN_FAMILY_NAMES.has(words[0]!)) return `${words[0]}, ${words[1]}`;
  return `${words.at(-1)}, ${words.slice(0, -1).join(' ')}`;
}
