import CompressedObject from 'jszip/lib/compressedObject.js';
import GenericWorker from 'jszip/lib/stream/GenericWorker.js';
import { crc32, deflateRawSync } from 'node:zlib';

/** DEFLATE as JSZip names it in a zip entry's header (its `compressions.DEFLATE.magic`). */
const DEFLATE = { magic: '\x08\x00' };

/**
 * Zip entry data that JSZip writes as given, deflated by Node's zlib (native code) when JSZip
 * reaches the entry, instead of by pako, JSZip's deflate in JavaScript: on a short document's
 * EPUB, pako set up a compressor for every entry (its windows zeroed in JavaScript) and ran
 * cold, 6% of a three-edition build's instructions (bench/RESULTS-speed.md). The entry's bytes
 * are made only then, one entry at a time in the zip's order, as before: a long book's pages are
 * never all held at once.
 *
 * JSZip writes an entry's data as it is when that data is a CompressedObject of the method the
 * zip is generated with (ZipObject#_compressWorker), and takes the entry's sizes and CRC from the
 * stream info its workers share, once the data has passed (ZipFileWorker#closedSource). Both are
 * JSZip 3's internals, pinned by the lockfile: test/epub.test.ts checks that every entry inflates
 * to the bytes it was given, and epubcheck reads every package the tests make.
 */
export function deflatedEntry(bytes: () => Uint8Array): object {
  const entry = new CompressedObject(undefined, undefined, undefined, DEFLATE, undefined);
  entry.getCompressedWorker = () => new DeflateWhenReached(bytes);
  return entry;
}

class DeflateWhenReached extends GenericWorker {
  private started = false;

  constructor(private readonly bytes: () => Uint8Array) {
    super('colophon native deflate');
    this.streamInfo.compression = DEFLATE;
  }

  override resume(): boolean {
    if (!super.resume()) return false;
    if (this.started) return true;
    this.started = true;
    try {
      const bytes = this.bytes();
      const deflated = deflateRawSync(bytes, { level: 9 });
      Object.assign(this.streamInfo, { crc32: crc32(bytes), compressedSize: deflated.length, uncompressedSize: bytes.length });
      this.push({ data: deflated, meta: { percent: 100 } });
      this.end();
    } catch (error) {
      this.error(error);
    }
    return true;
  }
}
