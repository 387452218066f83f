import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ByteSink } from '../pipeline/writers/pdf/byte-sink.ts';

describe('the PDF writer\'s byte sink', () => {
  it('gives back what was written, in one array a worker pool can clone, past 8 MiB too', () => {
    // A build's pool (Tinypool) and the PDF's edition thread structured-clone the edition's bytes.
    // A view of a resizable ArrayBuffer may not clone (Node 20 refuses one whose maximum length is
    // 4 GiB: DataCloneError); returning one once broke every PDF over 8 MiB on those paths alone.
    const sink = new ByteSink();
    const chunk = new Uint8Array(100_003).map((_, index) => index % 251);
    const count = 180;
    for (let index = 0; index < count; index++) sink.write(index % 2 === 0 ? chunk : chunk.subarray(7, 5_007));
    const bytes = sink.bytes();
    expect(bytes.length).toBe(90 * 100_003 + 90 * 5_000);
    expect(bytes.length).toBeGreaterThan(8 * 1024 * 1024);
    const copy = structuredClone(bytes);
    expect(Buffer.from(copy).equals(Buffer.from(bytes))).toBe(true);
    expect(Buffer.from(bytes.subarray(100_003, 105_003)).equals(Buffer.from(chunk.subarray(7, 5_007)))).toBe(true);
  });

  it('writes to a file as its blocks fill, the same bytes as it would hold', () => {
    const folder = mkdtempSync(join(tmpdir(), 'colophon-sink-'));
    try {
      const chunks = Array.from({ length: 400 }, (_, index) => new Uint8Array(index * 37 + (index % 3 === 0 ? 1_500_000 : 11)).map((_, at) => (at + index) % 256));
      const held = new ByteSink();
      const fd = openSync(join(folder, 'out'), 'w');
      const spilled = new ByteSink(fd);
      for (const chunk of chunks) {
        held.write(chunk);
        spilled.write(chunk);
      }
      const size = spilled.end();
      closeSync(fd);
      const bytes = held.bytes();
      expect(size).toBe(bytes.length);
      expect(readFileSync(join(folder, 'out')).equals(Buffer.from(bytes))).toBe(true);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
  it('writes text as Buffer\'s latin1 makes it (the low byte of each code unit), across blocks, held or in a file', () => {
    // pdfkit's objects are written as strings (captureOutput): straight into the blocks, no Buffer each.
    const folder = mkdtempSync(join(tmpdir(), 'colophon-sink-'));
    try {
      const pieces: (string | Uint8Array)[] = [];
      for (let index = 0; index < 3_000; index++) {
        const length = index % 97 === 0 ? 70_000 + index : (index * 31) % 900;
        let text = '';
        for (let at = 0; at < length; at++) text += String.fromCharCode((at * 7 + index) % (index % 5 === 0 ? 0x3000 : 256));
        pieces.push(index % 4 === 3 ? Buffer.from(text, 'latin1') : text);
      }
      const expected = Buffer.concat(pieces.map((piece) => (typeof piece === 'string' ? Buffer.from(piece, 'latin1') : piece)));
      const held = new ByteSink();
      const fd = openSync(join(folder, 'out'), 'w');
      const spilled = new ByteSink(fd, true);
      for (const piece of pieces) {
        for (const sink of [held, spilled]) {
          if (typeof piece === 'string') sink.writeText(piece);
          else sink.write(piece);
        }
      }
      const size = spilled.end();
      closeSync(fd);
      const bytes = held.bytes();
      expect(bytes.length).toBe(expected.length);
      expect(Buffer.from(bytes).equals(expected)).toBe(true);
      expect(size).toBe(expected.length);
      expect(readFileSync(join(folder, 'out')).equals(expected)).toBe(true);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
