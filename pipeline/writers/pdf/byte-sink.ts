/**
 * Output bytes gathered into large blocks as they come. pdfkit pushes every keyword and
 * dictionary as its own small array; holding them until the end costs far more heap than the
 * PDF's size (see captureOutput in pdfkit-patches.ts).
 */
export class ByteSink {
  private readonly blocks: Uint8Array[] = [];
  // Blocks double from 64 KiB to 1 MiB: a short document needs no megabyte.
  private current = new Uint8Array(1 << 16);
  private used = 0;

  write(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.used === this.current.length) {
        this.blocks.push(this.current);
        this.current = new Uint8Array(Math.max(Math.min(2 * this.current.length, 1 << 20), chunk.length - offset));
        this.used = 0;
      }
      const count = Math.min(chunk.length - offset, this.current.length - this.used);
      this.current.set(count === chunk.length ? chunk : chunk.subarray(offset, offset + count), this.used);
      this.used += count;
      offset += count;
    }
  }

  /** Everything written, in one array; the blocks are let go. */
  bytes(): Uint8Array {
    const filled = [...this.blocks, this.current.subarray(0, this.used)];
    const out = new Uint8Array(filled.reduce((sum, block) => sum + block.length, 0));
    let offset = 0;
    for (const block of filled) {
      out.set(block, offset);
      offset += block.length;
    }
    this.blocks.length = 0;
    this.current = new Uint8Array(0);
    this.used = 0;
    return out;
  }
}
