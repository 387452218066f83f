/**
 * Output bytes gathered as they come. pdfkit pushes every keyword and dictionary as its own
 * small array; holding them until the end costs far more heap than the PDF's size (see
 * captureOutput in pdfkit-patches.ts).
 *
 * A short output goes into blocks, joined at the end. Past GROW_AT bytes, the output moves into
 * one resizable ArrayBuffer that grows in place (its address space reserved, its pages used as
 * they are written) and is returned as it is: a long book's PDF is not held twice at its end,
 * once in blocks and once joined (57 MB more at the end of the 10 MB book's PDF). Only long
 * outputs reserve address space, so a run of many short documents reserves none.
 */
export class ByteSink {
  private readonly blocks: Uint8Array[] = [];
  // Blocks double from 64 KiB to 1 MiB: a short document needs no megabyte.
  private current = new Uint8Array(1 << 16);
  private used = 0;
  private total = 0;
  /** The one buffer the output grew into (see GROW_AT), and how much of it is written. */
  private grown: { buffer: ArrayBuffer; view: Uint8Array; used: number } | undefined;
  private readonly growAt: number;
  private readonly reserved: number;

  /** `growAt` and `reserved` (GROW_AT and RESERVED) are set smaller by tests only. */
  constructor(limits: { growAt?: number; reserved?: number } = {}) {
    this.growAt = limits.growAt ?? GROW_AT;
    this.reserved = limits.reserved ?? RESERVED;
  }

  write(chunk: Uint8Array): void {
    const grown = this.grown;
    if (grown && grown.used + chunk.length <= this.reserved) {
      if (grown.used + chunk.length > grown.buffer.byteLength) {
        grown.buffer.resize(Math.min(this.reserved, Math.max(grown.used + chunk.length, grown.buffer.byteLength + Math.min(grown.buffer.byteLength, GROW_STEP))));
      }
      grown.view.set(chunk, grown.used);
      grown.used += chunk.length;
      return;
    }
    if (grown) {
      // Past the reservation: what it holds becomes the first block, and blocks go on from there.
      this.blocks.push(grown.view.subarray(0, grown.used));
      this.grown = undefined;
      this.total = Number.POSITIVE_INFINITY;
    }
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
    this.total += chunk.length;
    if (this.total >= this.growAt && this.total !== Number.POSITIVE_INFINITY) this.grow();
  }

  /** Everything written, in one array; the sink is left empty. */
  bytes(): Uint8Array {
    const grown = this.grown;
    if (grown) {
      this.grown = undefined;
      grown.buffer.resize(grown.used);
      return new Uint8Array(grown.buffer, 0, grown.used);
    }
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

  /** The blocks so far moved into one resizable buffer; where none can be reserved, blocks go on. */
  private grow(): void {
    let buffer: ArrayBuffer;
    try {
      buffer = new ArrayBuffer(Math.min(2 * this.total, this.reserved), { maxByteLength: this.reserved });
    } catch {
      this.total = Number.POSITIVE_INFINITY;
      return;
    }
    const view = new Uint8Array(buffer);
    let used = 0;
    for (const block of [...this.blocks, this.current.subarray(0, this.used)]) {
      view.set(block, used);
      used += block.length;
    }
    this.blocks.length = 0;
    this.current = new Uint8Array(0);
    this.used = 0;
    this.grown = { buffer, view, used };
  }
}

/** Output this long moves into one resizable buffer (ByteSink). */
const GROW_AT = 8 << 20;
/** The address space that buffer reserves: an output longer goes on in blocks (and is joined at the end). */
const RESERVED = 2 ** 32;
/** The buffer doubles until it grows by this much at a time. */
const GROW_STEP = 32 << 20;
