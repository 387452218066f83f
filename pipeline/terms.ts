/**
 * The words Colophon adds around the author's text (Figure, Table, Abstract, …), in one table for
 * every edition, so HTML, EPUB and PDF print the same word. Keyed by the primary language subtag;
 * a missing language or key falls back to English. Other features add their own keys here.
 */
export type TermKey = 'figure' | 'table' | 'abstract' | 'captionSeparator' | 'section' | 'equation';

type Terms = Record<TermKey, string>;

const ENGLISH: Terms = { figure: 'Figure', table: 'Table', abstract: 'Abstract', captionSeparator: ': ', section: 'Section', equation: 'Equation' };

const TERMS: Record<string, Partial<Terms>> = {
  en: ENGLISH,
  // French typography: a narrow no-break space before the colon.
  fr: { figure: 'Figure', table: 'Tableau', abstract: 'Résumé', captionSeparator: '\u202f: ', section: 'Section', equation: 'Équation' },
  de: { figure: 'Abbildung', table: 'Tabelle', abstract: 'Zusammenfassung', section: 'Abschnitt', equation: 'Gleichung' },
  es: { figure: 'Figura', table: 'Tabla', abstract: 'Resumen', section: 'Sección', equation: 'Ecuación' },
  it: { figure: 'Figura', table: 'Tabella', abstract: 'Sommario', section: 'Sezione', equation: 'Equazione' },
  pt: { figure: 'Figura', table: 'Tabela', abstract: 'Resumo', section: 'Seção', equation: 'Equação' },
  nl: { figure: 'Figuur', table: 'Tabel', abstract: 'Samenvatting', section: 'Sectie', equation: 'Vergelijking' },
  sv: { figure: 'Figur', table: 'Tabell', abstract: 'Sammanfattning', section: 'Avsnitt', equation: 'Ekvation' },
  da: { figure: 'Figur', table: 'Tabel', abstract: 'Resumé', section: 'Afsnit', equation: 'Ligning' },
  nb: { figure: 'Figur', table: 'Tabell', abstract: 'Sammendrag', section: 'Avsnitt', equation: 'Likning' },
  fi: { figure: 'Kuva', table: 'Taulukko', abstract: 'Tiivistelmä', section: 'Luku', equation: 'Yhtälö' },
  pl: { figure: 'Rysunek', table: 'Tabela', abstract: 'Streszczenie', section: 'Rozdział', equation: 'Równanie' },
  cs: { figure: 'Obrázek', table: 'Tabulka', abstract: 'Abstrakt', section: 'Oddíl', equation: 'Rovnice' },
  ru: { figure: 'Рисунок', table: 'Таблица', abstract: 'Аннотация', section: 'Раздел', equation: 'Уравнение' },
  uk: { figure: 'Рисунок', table: 'Таблиця', abstract: 'Анотація', section: 'Розділ', equation: 'Рівняння' },
  el: { figure: 'Σχήμα', table: 'Πίνακας', abstract: 'Περίληψη', section: 'Ενότητα', equation: 'Εξίσωση' },
  tr: { figure: 'Şekil', table: 'Tablo', abstract: 'Özet', section: 'Bölüm', equation: 'Denklem' },
  ar: { figure: 'شكل', table: 'جدول', abstract: 'ملخص', captionSeparator: ': ', section: 'القسم', equation: 'المعادلة' },
  he: { figure: 'איור', table: 'טבלה', abstract: 'תקציר', section: 'סעיף', equation: 'משוואה' },
  hi: { figure: 'चित्र', table: 'तालिका', abstract: 'सारांश', section: 'खंड', equation: 'समीकरण' },
  th: { figure: 'รูปที่', table: 'ตารางที่', abstract: 'บทคัดย่อ', section: 'หัวข้อ', equation: 'สมการ' },
  ko: { figure: '그림', table: '표', abstract: '초록', section: '절', equation: '식' },
  ja: { figure: '図', table: '表', abstract: '概要', captionSeparator: '：', section: '節', equation: '式' },
  zh: { figure: '图', table: '表', abstract: '摘要', captionSeparator: '：', section: '节', equation: '公式' },
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
