/** Edits made at a line, as both random-edit tests (incremental, incremental-pdf) make them. */
export type LineEdit = 'insert-line' | 'delete-line' | 'replace-char' | 'insert-heading';

/**
 * `text` with one edit at offset `at`: `insert` typed as a line, the line deleted, the character
 * replaced by `insert`'s first, or `insert` added as a heading of `marker` (`#`, `##`).
 */
export function applyLineEdit(text: string, at: number, kind: LineEdit, insert: string, marker: string): string {
  const lineStart = text.lastIndexOf('\n', at) + 1;
  switch (kind) {
    case 'insert-line':
      return `${text.slice(0, lineStart)}${insert}\n${text.slice(lineStart)}`;
    case 'delete-line': {
      const lineEnd = text.indexOf('\n', at);
      return lineEnd === -1 ? text.slice(0, lineStart) : text.slice(0, lineStart) + text.slice(lineEnd + 1);
    }
    case 'replace-char':
      return `${text.slice(0, at)}${insert[0]}${text.slice(at + 1)}`;
    case 'insert-heading':
      return `${text.slice(0, lineStart)}\n${marker} ${insert}\n\n${text.slice(lineStart)}`;
  }
}
