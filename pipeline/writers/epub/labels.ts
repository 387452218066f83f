import { term } from '../../terms.ts';
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
  backToReference: (number: string) => string;
}

const LABELS: Record<string, Omit<Labels, 'by' | 'notes'>> = {
  en: { contents: 'Contents', landmarks: 'Landmarks', cover: 'Cover', start: 'Start of content', backToReference: (n) => `Back to reference ${n}` },
  de: { contents: 'Inhalt', landmarks: 'Orientierungspunkte', cover: 'Umschlag', start: 'Beginn des Textes', backToReference: (n) => `Zurück zum Verweis ${n}` },
  fr: { contents: 'Table des matières', landmarks: 'Repères', cover: 'Couverture', start: 'Début du texte', backToReference: (n) => `Retour à l’appel de note ${n}` },
  es: { contents: 'Índice', landmarks: 'Puntos de referencia', cover: 'Cubierta', start: 'Comienzo del texto', backToReference: (n) => `Volver a la referencia ${n}` },
  ru: { contents: 'Содержание', landmarks: 'Ориентиры', cover: 'Обложка', start: 'Начало текста', backToReference: (n) => `Назад к ссылке ${n}` },
  zh: { contents: '目录', landmarks: '导航', cover: '封面', start: '正文开始', backToReference: (n) => `返回引用 ${n}` },
  ja: { contents: '目次', landmarks: 'ランドマーク', cover: '表紙', start: '本文の始まり', backToReference: (n) => `参照 ${n} に戻る` },
};

export function labelsFor(lang: string): Labels {
  return { ...(LABELS[lang.toLowerCase().split('-')[0]!] ?? LABELS.en!), by: term(lang, 'by'), notes: term(lang, 'notes') };
}
