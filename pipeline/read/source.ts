import { VFile } from 'vfile';
import { report } from '../messages.ts';

export interface ReadOptions {
  /** Decode as Latin-1 instead of UTF-8. */
  encoding?: 'utf8' | 'latin1';
}

/**
 * Decode a source's bytes into a VFile. Invalid UTF-8 and binary files are errors at their
 * byte's line and column; the returned file then has no value to parse.
 */
export function decodeSource(bytes: Uint8Array, path: string, options: ReadOptions = {}): { file: VFile; ok: boolean } {
  const file = new VFile({ path });
  // A NUL byte is text in no encoding Colophon reads: binary whatever --encoding says.
  const nul = bytes.indexOf(0);
  if (nul !== -1) {
    report(file, 'error', `binary file: NUL byte at offset ${nul}; Colophon reads Markdown text`, pointAt(bytes, nul), 'source-binary');
    return { file, ok: false };
  }
  if (options.encoding === 'latin1') {
    file.value = withoutControls(stripBom(new TextDecoder('latin1').decode(bytes)), file);
    return { file, ok: true };
  }
  try {
    file.value = withoutControls(stripBom(new TextDecoder('utf-8', { fatal: true }).decode(bytes)), file);
    return { file, ok: true };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    report(file, 'error', `invalid UTF-8 at byte offset ${offset} (use --encoding latin1 for Latin-1 sources)`, pointAt(bytes, offset), 'source-encoding');
    return { file, ok: false };
  }
}

/**
 * Control characters other than tab and line ends (an ANSI escape pasted from a terminal), and
 * U+FFFE/U+FFFF, cannot be in HTML text (the Nu checker: "Forbidden code point") nor in any
 * XML (epubcheck: a fatal error in the EPUB). A form feed or vertical tab, white space to
 * Markdown, becomes a space; the others become U+FFFD, as CommonMark does with NUL. One
 * character for one keeps every position; one warning names the first.
 */
function withoutControls(text: string, file: VFile): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are what it finds
  const forbidden = /[\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F\uFFFE\uFFFF]/g;
  const first = forbidden.exec(text);
  if (!first) return text;
  const found = new Set<string>();
  const replaced = text.replace(forbidden, (character) => {
    found.add(`U+${character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`);
    return character === '\f' || character === '\v' ? ' ' : '\uFFFD';
  });
  const before = text.slice(0, first.index);
  const line = before.split('\n').length;
  const column = first.index - before.lastIndexOf('\n');
  const names = [...found].join(', ');
  report(file, 'warning', `control character${found.size > 1 ? 's' : ''} ${names} cannot be in HTML or EPUB text: a form feed or vertical tab is read as a space, any other as U+FFFD`, { line, column }, 'source-control-character');
  return replaced;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function pointAt(bytes: Uint8Array, offset: number) {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset; index++) {
    if (bytes[index] === 0x0a) {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

function firstInvalidUtf8(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length) {
    const byte = bytes[index]!;
    const length = byte < 0x80 ? 1 : byte >> 5 === 0x6 ? 2 : byte >> 4 === 0xe ? 3 : byte >> 3 === 0x1e ? 4 : 0;
    if (length === 0) return index;
    if (length === 1) {
      index++;
      continue;
    }
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(index, index + length));
    } catch {
      return index;
    }
    index += length;
  }
  return index;
}
