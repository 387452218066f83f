import { describe, expect, it } from 'vitest';
import { ByteSink } from '../pipeline/writers/pdf/byte-sink.ts';

/** Chunks of every size from 0 to 300 bytes, their bytes counting up: `total` bytes in all. */
function chunks(total: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let written = 0;
  for (let size = 0; written < total; size = (size + 37) % 301) {
    const chunk = new Uint8Array(Math.min(size, total - written));
    for (let index = 0; index < chunk.length; index++) chunk[index] = (written + index) % 251;
    out.push(chunk);
    written += chunk.length;
  }
  return out;
}

function expected(total: number): Uint8Array {
  const out = new Uint8Array(total);
  for (let index = 0; index < total; index++) out[index] = index % 251;
  return out;
}

describe('ByteSink (the PDF writer gathering its output)', () => {
  it('gives the bytes written, in blocks (short), in one grown buffer (long), and past its reservation', () => {
    const cases = [
      { total: 1000, limits: {} },
      { total: 200_000, limits: {} },
      // Grown past 4 KiB into one resizable buffer, returned as it is.
      { total: 200_000, limits: { growAt: 4096 } },
      // Grown, then past the buffer's reservation: blocks go on from there.
      { total: 200_000, limits: { growAt: 4096, reserved: 50_000 } },
    ];
    for (const { total, limits } of cases) {
      const sink = new ByteSink(limits);
      for (const chunk of chunks(total)) sink.write(chunk);
      const bytes = sink.bytes();
      expect(bytes.length).toBe(total);
      expect(Buffer.compare(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), Buffer.from(expected(total)))).toBe(0);
    }
  });

  it('returns a long output as a view of its whole buffer (the build moves it between threads without a copy)', () => {
    const sink = new ByteSink({ growAt: 4096 });
    for (const chunk of chunks(100_000)) sink.write(chunk);
    const bytes = sink.bytes();
    expect(bytes.byteOffset).toBe(0);
    expect(bytes.byteLength).toBe(bytes.buffer.byteLength);
  });
});
