import type { AlertKind } from '../../parse/alerts.ts';

/**
 * The colour of each alert kind, GitHub's hues darkened where needed so that the title text
 * reaches WCAG AA (4.5:1) on white and on the alert's tint. templates/shared/content.css repeats
 * these values for the HTML and EPUB editions; the PDF draws with them.
 */
export const ALERT_COLORS: Record<AlertKind, string> = {
  note: '#0550ae',
  tip: '#116329',
  important: '#6639ba',
  warning: '#8a5d00',
  caution: '#c11f2a',
};
