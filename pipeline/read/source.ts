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
    file.value = stripBom(new TextDecoder('latin1').decode(bytes));
    return { file, ok: true };
  }
  try {
    file.value = stripBom(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
    return { file, ok: true };
  } catch {
    const offset = firstInvalidUtf8(bytes);
    report(file, 'error', `invalid UTF-8 at byte offset ${offset} (use --encoding latin1 for Latin-1 sources)`, pointAt(bytes, offset), 'source-encoding');
    return { file, ok: false };
  }
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
