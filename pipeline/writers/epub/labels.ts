import { backLinkLabel, term } from '../../terms.ts';
/** The words the EPUB edition adds around the author's text, in the book's language (English when unknown). */
export interface Labels {
  contents: string;
  landmarks: string;
  /** The notes section's title (terms.ts). */
  notes: string;
  cover: string;
  start: string;
  /** Before the author names in the cover's text alternative: the byline's word (terms.ts; "" where the language needs none). */
  by: string;
  /** The note number's link back to its first citation (terms.ts). */
  backToReference: (number: string) => string;
}

const LABELS: Record<string, Omit<Labels, 'by' | 'notes' | 'backToReference'>> = {
  en: { contents: 'Contents', landmarks: 'Landmarks', cover: 'Cover', start: 'Start of content' },
  de: { contents: 'Inhalt', landmarks: 'Orientierungspunkte', cover: 'Umschlag', start: 'Beginn des Textes' },
  fr: { contents: 'Table des matières', landmarks: 'Repères', cover: 'Couverture', start: 'Début du texte' },
  es: { contents: 'Índice', landmarks: 'Puntos de referencia', cover: 'Cubierta', start: 'Comienzo del texto' },
  ru: { contents: 'Содержание', landmarks: 'Ориентиры', cover: 'Обложка', start: 'Начало текста' },
  zh: { contents: '目录', landmarks: '导航', cover: '封面', start: '正文开始' },
  ja: { contents: '目次', landmarks: 'ランドマーク', cover: '表紙', start: '本文の始まり' },
};

export function labelsFor(lang: string): Labels {
  return { ...(LABELS[lang.toLowerCase().split('-')[0]!] ?? LABELS.en!), by: term(lang, 'by'), notes: term(lang, 'notes'), backToReference: (number) => backLinkLabel(lang, number, 1) };
}
