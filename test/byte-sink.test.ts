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
});
