/** A URL's percent-escapes decoded (`c%20d.md` is `c d.md`); a malformed escape leaves it as written. */
export function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
