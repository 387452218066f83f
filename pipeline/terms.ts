/**
 * The words Colophon adds around the author's text (Figure, Table, Abstract, …), in one table for
 * every edition, so HTML, EPUB and PDF print the same word. Keyed by the primary language subtag;
 * a missing language or key falls back to English. Other features add their own keys here.
 */
export type TermKey = 'figure' | 'table' | 'abstract' | 'captionSeparator' | 'section' | 'equation' | 'by' | 'notes' | 'details' | BackLinkTerm | CrossrefPluralTerm | AlertTerm;

/**
 * Several cross-references at once ("Figures 1, 2 and 3"): the plural words, the separator
 * between items and the one before the last (spaces included; none in Chinese and Japanese).
 */
type CrossrefPluralTerm = 'figures' | 'tables' | 'sections' | 'equations' | 'listSeparator' | 'lastSeparator';

/**
 * The accessible name of a link from a note back to where it is cited (HTML's and EPUB's notes):
 * templates with `{number}`, the note's number, and `{citation}`, which of its citations (2, 3…).
 * Use `backLinkLabel`.
 */
type BackLinkTerm = 'backToReference' | 'backToCitation';

/** GitHub alerts' titles (issue 14). */
type AlertTerm = 'note' | 'tip' | 'important' | 'warning' | 'caution';

type Terms = Record<TermKey, string>;

const ENGLISH: Terms = {
  figure: 'Figure', table: 'Table', abstract: 'Abstract', captionSeparator: ': ', section: 'Section', equation: 'Equation',
  note: 'Note', tip: 'Tip', important: 'Important', warning: 'Warning', caution: 'Caution',
  figures: 'Figures', tables: 'Tables', sections: 'Sections', equations: 'Equations', listSeparator: ', ', lastSeparator: ' and ',
  by: 'By',
  notes: 'Notes',
  details: 'Details',
  backToReference: 'Back to reference {number}',
  backToCitation: 'Back to reference {number}, citation {citation}',
};

/** The title of a document's notes (HTML's and EPUB's notes section). */
const NOTES_TITLES: Record<string, string> = {
  fr: 'Notes', de: 'Anmerkungen', es: 'Notas', it: 'Note', pt: 'Notas', nl: 'Noten', sv: 'Noter', da: 'Noter', nb: 'Noter',
  fi: 'Huomautukset', pl: 'Przypisy', cs: 'Poznámky', ru: 'Примечания', uk: 'Примітки', el: 'Σημειώσεις', tr: 'Notlar',
  ar: 'الحواشي', he: 'הערות', hi: 'टिप्पणियाँ', th: 'หมายเหตุ', ko: '주석', ja: '注', zh: '注释',
};

/** The summary of a `<details>` written without one: the word browsers show in its place. */
const DETAILS_WORDS: Record<string, string> = {
  fr: 'Détails', de: 'Details', es: 'Detalles', it: 'Dettagli', pt: 'Detalhes', nl: 'Details', sv: 'Detaljer', da: 'Detaljer', nb: 'Detaljer',
  fi: 'Tiedot', pl: 'Szczegóły', cs: 'Podrobnosti', ru: 'Подробнее', uk: 'Докладніше', el: 'Λεπτομέρειες', tr: 'Ayrıntılar',
  ar: 'التفاصيل', he: 'פרטים', hi: 'विवरण', th: 'รายละเอียด', ko: '세부정보', ja: '詳細', zh: '详细信息',
};

/** Back links (see BackLinkTerm): to a note's first citation, and to a further one (default: `… ({citation})`). */
const BACK_LINKS: Record<string, [string, string?]> = {
  de: ['Zurück zum Verweis {number}'], fr: ['Retour à l’appel de note {number}'], es: ['Volver a la referencia {number}'],
  it: ['Torna al riferimento {number}'], pt: ['Voltar à referência {number}'], nl: ['Terug naar verwijzing {number}'],
  pl: ['Powrót do odsyłacza {number}'], ru: ['Назад к ссылке {number}'], zh: ['返回引用 {number}'], ja: ['参照 {number} に戻る'],
};

/**
 * The word before the author names in a byline; empty where bylines print the names alone
 * (Russian, Chinese, Japanese, Arabic and most languages here do).
 */
const BYLINE_WORDS: Record<string, string> = {
  de: 'Von', fr: 'Par', es: 'Por', it: 'Di', pt: 'Por', nl: 'Door', sv: 'Av', da: 'Af', nb: 'Av',
  fi: '', pl: '', cs: '', ru: '', uk: '', el: '', tr: '', ar: '', he: '', hi: '', th: '', ko: '', ja: '', zh: '',
};

/** Plurals and conjunctions for several cross-references, per language (see CrossrefPluralTerm). */
const PLURALS: Record<string, [string, string, string, string, string, string?]> = {
  fr: ['Figures', 'Tableaux', 'Sections', 'Équations', ' et '],
  de: ['Abbildungen', 'Tabellen', 'Abschnitte', 'Gleichungen', ' und '],
  es: ['Figuras', 'Tablas', 'Secciones', 'Ecuaciones', ' y '],
  it: ['Figure', 'Tabelle', 'Sezioni', 'Equazioni', ' e '],
  pt: ['Figuras', 'Tabelas', 'Seções', 'Equações', ' e '],
  nl: ['Figuren', 'Tabellen', 'Secties', 'Vergelijkingen', ' en '],
  sv: ['Figurer', 'Tabeller', 'Avsnitt', 'Ekvationer', ' och '],
  da: ['Figurer', 'Tabeller', 'Afsnit', 'Ligninger', ' og '],
  nb: ['Figurer', 'Tabeller', 'Avsnitt', 'Likninger', ' og '],
  fi: ['Kuvat', 'Taulukot', 'Luvut', 'Yhtälöt', ' ja '],
  pl: ['Rysunki', 'Tabele', 'Rozdziały', 'Równania', ' i '],
  cs: ['Obrázky', 'Tabulky', 'Oddíly', 'Rovnice', ' a '],
  ru: ['Рисунки', 'Таблицы', 'Разделы', 'Уравнения', ' и '],
  uk: ['Рисунки', 'Таблиці', 'Розділи', 'Рівняння', ' і '],
  el: ['Σχήματα', 'Πίνακες', 'Ενότητες', 'Εξισώσεις', ' και '],
  // Turkish keeps the singular after numbers.
  tr: ['Şekil', 'Tablo', 'Bölüm', 'Denklem', ' ve '],
  ar: ['الأشكال', 'الجداول', 'الأقسام', 'المعادلات', ' و', '، '],
  he: ['איורים', 'טבלאות', 'סעיפים', 'משוואות', ' ו-'],
  hi: ['चित्र', 'तालिकाएँ', 'खंड', 'समीकरण', ' और '],
  th: ['รูปที่', 'ตารางที่', 'หัวข้อ', 'สมการ', ' และ '],
  ko: ['그림', '표', '절', '식', ' 및 '],
  ja: ['図', '表', '節', '式', 'と', '、'],
  zh: ['图', '表', '节', '公式', '和', '、'],
};

const TERMS: Record<string, Partial<Terms>> = {
  en: ENGLISH,
  // French typography: a narrow no-break space before the colon.
  fr: { figure: 'Figure', table: 'Tableau', abstract: 'Résumé', captionSeparator: '\u202f: ', section: 'Section', equation: 'Équation', note: 'Remarque', tip: 'Astuce', important: 'Important', warning: 'Avertissement', caution: 'Attention' },
  de: { figure: 'Abbildung', table: 'Tabelle', abstract: 'Zusammenfassung', section: 'Abschnitt', equation: 'Gleichung', note: 'Hinweis', tip: 'Tipp', important: 'Wichtig', warning: 'Warnung', caution: 'Vorsicht' },
  es: { figure: 'Figura', table: 'Tabla', abstract: 'Resumen', section: 'Sección', equation: 'Ecuación', note: 'Nota', tip: 'Consejo', important: 'Importante', warning: 'Advertencia', caution: 'Precaución' },
  it: { figure: 'Figura', table: 'Tabella', abstract: 'Sommario', section: 'Sezione', equation: 'Equazione', note: 'Nota', tip: 'Suggerimento', important: 'Importante', warning: 'Avviso', caution: 'Attenzione' },
  pt: { figure: 'Figura', table: 'Tabela', abstract: 'Resumo', section: 'Seção', equation: 'Equação', note: 'Nota', tip: 'Dica', important: 'Importante', warning: 'Aviso', caution: 'Cuidado' },
  nl: { figure: 'Figuur', table: 'Tabel', abstract: 'Samenvatting', section: 'Sectie', equation: 'Vergelijking', note: 'Opmerking', tip: 'Tip', important: 'Belangrijk', warning: 'Waarschuwing', caution: 'Let op' },
  sv: { figure: 'Figur', table: 'Tabell', abstract: 'Sammanfattning', section: 'Avsnitt', equation: 'Ekvation' },
  da: { figure: 'Figur', table: 'Tabel', abstract: 'Resumé', section: 'Afsnit', equation: 'Ligning' },
  nb: { figure: 'Figur', table: 'Tabell', abstract: 'Sammendrag', section: 'Avsnitt', equation: 'Likning' },
  fi: { figure: 'Kuva', table: 'Taulukko', abstract: 'Tiivistelmä', section: 'Luku', equation: 'Yhtälö' },
  pl: { figure: 'Rysunek', table: 'Tabela', abstract: 'Streszczenie', section: 'Rozdział', equation: 'Równanie', note: 'Uwaga', tip: 'Wskazówka', important: 'Ważne', warning: 'Ostrzeżenie', caution: 'Przestroga' },
  cs: { figure: 'Obrázek', table: 'Tabulka', abstract: 'Abstrakt', section: 'Oddíl', equation: 'Rovnice' },
  ru: { figure: 'Рисунок', table: 'Таблица', abstract: 'Аннотация', section: 'Раздел', equation: 'Уравнение', note: 'Примечание', tip: 'Совет', important: 'Важно', warning: 'Предупреждение', caution: 'Осторожно' },
  uk: { figure: 'Рисунок', table: 'Таблиця', abstract: 'Анотація', section: 'Розділ', equation: 'Рівняння' },
  el: { figure: 'Σχήμα', table: 'Πίνακας', abstract: 'Περίληψη', section: 'Ενότητα', equation: 'Εξίσωση' },
  tr: { figure: 'Şekil', table: 'Tablo', abstract: 'Özet', section: 'Bölüm', equation: 'Denklem' },
  ar: { figure: 'شكل', table: 'جدول', abstract: 'ملخص', captionSeparator: ': ', section: 'القسم', equation: 'المعادلة' },
  he: { figure: 'איור', table: 'טבלה', abstract: 'תקציר', section: 'סעיף', equation: 'משוואה' },
  hi: { figure: 'चित्र', table: 'तालिका', abstract: 'सारांश', section: 'खंड', equation: 'समीकरण' },
  th: { figure: 'รูปที่', table: 'ตารางที่', abstract: 'บทคัดย่อ', section: 'หัวข้อ', equation: 'สมการ' },
  ko: { figure: '그림', table: '표', abstract: '초록', section: '절', equation: '식' },
  ja: { figure: '図', table: '表', abstract: '概要', captionSeparator: '：', section: '節', equation: '式', note: '注記', tip: 'ヒント', important: '重要', warning: '警告', caution: '注意' },
  zh: { figure: '图', table: '表', abstract: '摘要', captionSeparator: '：', section: '节', equation: '公式', note: '注', tip: '提示', important: '重要', warning: '警告', caution: '注意' },
};

for (const [language, [figures, tables, sections, equations, lastSeparator, listSeparator = ', ']] of Object.entries(PLURALS)) {
  TERMS[language] = { ...TERMS[language], figures, tables, sections, equations, lastSeparator, listSeparator };
}

for (const [language, by] of Object.entries(BYLINE_WORDS)) TERMS[language] = { ...TERMS[language], by };
for (const [language, notes] of Object.entries(NOTES_TITLES)) TERMS[language] = { ...TERMS[language], notes };
for (const [language, details] of Object.entries(DETAILS_WORDS)) TERMS[language] = { ...TERMS[language], details };
for (const [language, [backToReference, backToCitation = `${backToReference} ({citation})`]] of Object.entries(BACK_LINKS)) {
  TERMS[language] = { ...TERMS[language], backToReference, backToCitation };
}

/** Norwegian Bokmål is often tagged `no`. */
const ALIASES: Record<string, string> = { no: 'nb', nn: 'nb' };

/** The word for `key` in `lang` (a BCP 47 tag), English when the language or the key is unknown. */
export function term(lang: string, key: TermKey): string {
  const primary = lang.toLowerCase().split('-')[0] ?? 'en';
  return TERMS[ALIASES[primary] ?? primary]?.[key] ?? ENGLISH[key];
}

/** The accessible name of a note's link back to its `citation`-th citation (1 for the first). */
export function backLinkLabel(lang: string, number: string, citation: number): string {
  return term(lang, citation > 1 ? 'backToCitation' : 'backToReference').replace('{number}', number).replace('{citation}', String(citation));
}

/** "Figure 3", "図3": the label of a numbered figure or table. */
export function numberedLabel(lang: string, key: 'figure' | 'table', number: number): string {
  const word = term(lang, key);
  // Chinese and Japanese write no space between the word and the number.
  return /^(zh|ja)\b/i.test(lang) ? `${word}${number}` : `${word}\u00a0${number}`;
}
