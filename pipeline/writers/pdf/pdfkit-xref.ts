import type { RawDocument } from './pdfkit-api.ts';

/**
 * pdfkit's end writes the cross-reference table one line per object, each line its own write
 * (a Buffer made, pushed, copied into the sink): a long book has hundreds of thousands of
 * objects. The lines its `_finalize` writes are gathered here and written by the 64 KB instead.
 * Every line is a string (pdfkit's `_write` ends each with a newline, as captureOutput's does),
 * so pieces joined by newlines and written as one are the same bytes; nothing reads `_offset`
 * after the table's own offset is taken, at the start. The pieces go before pdfkit's end of
 * output (`push(null)`).
 */
export function fasterXref(doc: RawDocument): void {
  const raw = doc as unknown as XrefDocument;
  const finalize = raw._finalize.bind(raw);
  raw._finalize = () => {
    const write = Object.getOwnPropertyDescriptor(raw, '_write');
    const push = Object.getOwnPropertyDescriptor(raw, 'push');
    if (!write || !push) {
      finalize();
      return;
    }
    const writeOne = write.value as RawDocument['_write'];
    const pushOne = push.value as RawDocument['push'];
    let lines: string[] = [];
    let length = 0;
    const flush = () => {
      if (lines.length === 0) return;
      const text = lines.join('\n');
      lines = [];
      length = 0;
      writeOne.call(raw, text);
    };
    raw._write = (data) => {
      if (typeof data !== 'string') {
        flush();
        writeOne.call(raw, data);
        return;
      }
      lines.push(data);
      length += data.length + 1;
      if (length >= PIECE) flush();
    };
    raw.push = (chunk) => {
      flush();
      return pushOne.call(raw, chunk);
    };
    try {
      finalize();
      flush();
    } finally {
      Object.defineProperty(raw, '_write', write);
      Object.defineProperty(raw, 'push', push);
    }
  };
}

/** How much text is gathered before it is written. */
const PIECE = 1 << 16;

interface XrefDocument {
  _finalize(): void;
  _write(data: string | Uint8Array): void;
  push(chunk: Uint8Array | null): boolean;
}
