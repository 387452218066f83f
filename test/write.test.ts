import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fileSha256 } from '../pipeline/build/cache.ts';
import { readBlock } from '../pipeline/read/file-bytes.ts';
import { sameFiles } from '../pipeline/build/write.ts';

/** Files of these sizes: empty, small, one block, and over a block (read in several). */
const sizes = [0, 1, 5_000, 1 << 20, (1 << 20) + 3, 2.5 * (1 << 20)];

function bytesOf(size: number, seed: number): Buffer {
  const bytes = Buffer.allocUnsafe(size);
  for (let index = 0; index < size; index++) bytes[index] = (index * 31 + seed) & 0xff;
  return bytes;
}

describe('reading editions a block at a time', () => {
  const folder = mkdtempSync(join(tmpdir(), 'colophon-write-'));
  const file = (name: string, bytes: Uint8Array) => {
    const path = join(folder, name);
    writeFileSync(path, bytes);
    return path;
  };

  it('hashes a file as its bytes hash, at every size', () => {
    for (const size of sizes) {
      const bytes = bytesOf(size, 7);
      expect(fileSha256(file(`hash-${size}`, bytes))).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('tells files the same only when every byte is, at every size, the last byte and the last block included', () => {
    for (const size of sizes) {
      const bytes = bytesOf(size, 3);
      const a = file(`a-${size}`, bytes);
      expect(sameFiles(a, file(`b-${size}`, Buffer.from(bytes)))).toBe(true);
      if (size === 0) continue;
      const last = Buffer.from(bytes);
      last[size - 1] = last[size - 1]! ^ 1;
      expect(sameFiles(a, file(`last-${size}`, last))).toBe(false);
      const first = Buffer.from(bytes);
      first[0] = first[0]! ^ 1;
      expect(sameFiles(a, file(`first-${size}`, first))).toBe(false);
    }
    expect(sameFiles(file('short', bytesOf(10, 1)), file('long', bytesOf(11, 1)))).toBe(false);
    expect(sameFiles(join(folder, 'absent'), join(folder, 'absent'))).toBe(false);
  });

  it('reads through a block no larger than the file (at least one byte, at most 1 MB)', () => {
    expect(readBlock(0).length).toBe(1);
    expect(readBlock(5_000).length).toBe(5_000);
    expect(readBlock(50 << 20).length).toBe(1 << 20);
  });
});
