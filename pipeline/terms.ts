/**
 * The words Colophon adds around the author's text (Figure, Table, Abstract, …), in one table for
 * every edition, so HTML, EPUB and PDF print the same word. Keyed by the primary language subtag;
 * a missing language or key falls back to English. Other features add their own keys here.
 */
export type TermKey = 'figure' | 'table' | 'abstract' | 'captionSeparator';

type Terms = Record<TermKey, string>;

const ENGLISH: Terms = { figure: 'Figure', table: 'Table', abstract: 'Abstract', captionSeparator: ': ' };

const TERMS: Record<string, Partial<Terms>> = {
  en: ENGLISH,
  // French typography: a narrow no-break space before the colon.
  fr: { figure: 'Figure', table: 'Tableau', abstract: 'Résumé', captionSeparator: '\u202f: ' },
  de: { figure: 'Abbildung', table: 'Tabelle', abstract: 'Zusammenfassung' },
  es: { figure: 'Figura', table: 'Tabla', abstract: 'Resumen' },
  it: { figure: 'Figura', table: 'Tabella', abstract: 'Sommario' },
  pt: { figure: 'Figura', table: 'Tabela', abstract: 'Resumo' },
  nl: { figure: 'Figuur', table: 'Tabel', abstract: 'Samenvatting' },
  sv: { figure: 'Figur', table: 'Tabell', abstract: 'Sammanfattning' },
  da: { figure: 'Figur', table: 'Tabel', abstract: 'Resumé' },
  nb: { figure: 'Figur', table: 'Tabell', abstract: 'Sammendrag' },
  fi: { figure: 'Kuva', table: 'Taulukko', abstract: 'Tiivistelmä' },
  pl: { figure: 'Rysunek', table: 'Tabela', abstract: 'Streszczenie' },
  cs: { figure: 'Obrázek', table: 'Tabulka', abstract: 'Abstrakt' },
  ru: { figure: 'Рисунок', table: 'Таблица', abstract: 'Аннотация' },
  uk: { figure: 'Рисунок', table: 'Таблиця', abstract: 'Анотація' },
  el: { figure: 'Σχήμα', table: 'Πίνακας', abstract: 'Περίληψη' },
  tr: { figure: 'Şekil', table: 'Tablo', abstract: 'Özet' },
  ar: { figure: 'شكل', table: 'جدول', abstract: 'ملخص', captionSeparator: ': ' },
  he: { figure: 'איור', table: 'טבלה', abstract: 'תקציר' },
  hi: { figure: 'चित्र', table: 'तालिका', abstract: 'सारांश' },
  th: { figure: 'รูปที่', table: 'ตารางที่', abstract: 'บทคัดย่อ' },
  ko: { figure: '그림', table: '표', abstract: '초록' },
  ja: { figure: '図', table: '表', abstract: '概要', captionSeparator: '：' },
  zh: { figure: '图', table: '表', abstract: '摘要', captionSeparator: '：' },
};

/** Norwegian Bokmål is often tagged `no`. */
const ALIASES: Record<string, string> = { no: 'nb', nn: 'nb' };

/** The word for `key` in `lang` (a BCP 47 tag), English when the language or the key is unknown. */
export function term(lang: string, key: TermKey): string {
  const primary = lang.toLowerCase().split('-')[0] ?? 'en';
  return TERMS[ALIASES[primary] ?? primary]?.[key] ?? ENGLISH[key];
}

/** "Figure 3", "図3": the label of a numbered figure or table. */
export function numberedLabel(lang: string, key: 'figure' | 'table', number: number): string {
  const word = term(lang, key);
  // Chinese and Japanese write no space between the word and the number.
  return /^(zh|ja)\b/i.test(lang) ? `${word}${number}` : `${word}\u00a0${number}`;
}
