import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * Whether the file holds these bytes, read a block at a time up to the first block that differs:
 * a rebuild's edition of the same size (an edit that kept its length) is not read whole (a long
 * book's PDF is tens of megabytes) to find a difference in its middle. `block` is one to read
 * through (readBlock), when the caller compares many files.
 */
export function fileHolds(path: string, bytes: Uint8Array, block?: Buffer): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    if (fstatSync(fd).size !== bytes.length) return false;
    block ??= readBlock(bytes.length);
    for (let at = 0; at < bytes.length; ) {
      const read = readSync(fd, block, 0, Math.min(block.length, bytes.length - at), at);
      if (read === 0 || block.compare(bytes, at, at + read, 0, read) !== 0) return false;
      at += read;
    }
    return true;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A buffer to read a file of `size` bytes through, a block at a time: no larger than the file, and
 * not zeroed, since only what a read filled is used. A 200-document build compares and hashes
 * its 600 editions (a few KB each) five times over, and zeroed 1 MB blocks for each cost its
 * main thread more than the files.
 */
export function readBlock(size: number): Buffer {
  return Buffer.allocUnsafe(Math.min(Math.max(size, 1), 1 << 20));
}
