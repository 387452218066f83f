import { ftruncateSync, writeSync } from 'node:fs';

/** What a ByteSink held at one point (`mark`): a watch session resumes the next build's output from it (`restore`). */
export interface SinkMark {
  /** The filled blocks before the point (never written to again). */
  blocks: readonly Uint8Array<ArrayBuffer>[];
  /** The open block's bytes up to the point, copied. */
  tail: Uint8Array;
}

/**
 * Blocks an earlier build of a watch session wrote and no mark holds any more (PageMemo drops the
 * marks of the build before the last), to be written again instead of new ones being made. Each
 * block made is an array buffer, which V8 counts as external memory: about every 64 MB of them
 * kept since its last full collection starts the next one, and a long book's PDF is tens of
 * megabytes a rebuild (57 MB for the 10 MB book), each kept for the next build's marks.
 */
export class SpareBlocks {
  private readonly blocks: Uint8Array<ArrayBuffer>[] = [];
  /** Blocks taken since the session began. */
  taken = 0;

  constructor(private readonly most: number) {}

  /** A spare block of at least `size` bytes, if there is one (its bytes are an earlier build's: a block is only a place to gather bytes, whatever its size). */
  take(size: number): Uint8Array<ArrayBuffer> | undefined {
    const at = this.blocks.findIndex((block) => block.length >= size);
    if (at < 0) return undefined;
    this.taken++;
    return this.blocks.splice(at, 1)[0];
  }

  /** Blocks nothing holds any more (the caller knows), up to `most` kept in all. */
  give(blocks: Iterable<Uint8Array<ArrayBuffer>>): void {
    for (const block of blocks) {
      if (this.blocks.length >= this.most) return;
      // Given once: two places in one sink's output must never share a block.
      if (!this.blocks.includes(block)) this.blocks.push(block);
    }
  }
}

/**
 * Output bytes gathered into large blocks as they come. pdfkit pushes every keyword and
 * dictionary as its own small array; holding them until the end costs far more heap than the
 * PDF's size (see captureOutput in pdfkit-patches.ts).
 *
 * Given a file descriptor, each full block is written to the file at once instead of being kept:
 * a long book's PDF (hundreds of megabytes) is then never whole in memory; `keep` (a watch
 * session) keeps them too, so that a later build may begin with them (`mark`, `restore`).
 */
export class ByteSink {
  private readonly blocks: Uint8Array<ArrayBuffer>[] = [];
  // Blocks double from 64 KiB to 1 MiB: a short document needs no megabyte.
  private current = new Uint8Array(1 << 16);
  private used = 0;
  private written = 0;
  /** How many of the first blocks a mark holds (taken since, or given back by `restore`): the others are only this sink's. */
  private marked = 0;

  constructor(
    private readonly fd?: number,
    private readonly keep = false,
    private readonly spare?: SpareBlocks,
  ) {}

  write(chunk: Uint8Array): void {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.used === this.current.length) this.nextBlock(chunk.length - offset);
      const count = Math.min(chunk.length - offset, this.current.length - this.used);
      this.current.set(count === chunk.length ? chunk : chunk.subarray(offset, offset + count), this.used);
      this.used += count;
      offset += count;
    }
  }

  /**
   * A string's bytes as Buffer's latin1 makes them (the low byte of each code unit: one byte per
   * unit), written straight into the block: pdfkit writes each object as a string, and a Buffer
   * made for each (from Buffer's 8 KB pools) was a few percent of a watch rebuild's time, and garbage.
   */
  writeText(text: string): void {
    let offset = 0;
    while (offset < text.length) {
      if (this.used === this.current.length) this.nextBlock(text.length - offset);
      const count = Math.min(text.length - offset, this.current.length - this.used);
      this.view.write(offset === 0 ? text : text.slice(offset), this.used, count, 'latin1');
      this.used += count;
      offset += count;
    }
  }

  /** The open block as a Buffer (for its latin1 writes), made once per block. */
  private get view(): Buffer {
    if (this.viewOf !== this.current) {
      this.viewOf = this.current;
      this.currentView = Buffer.from(this.current.buffer, this.current.byteOffset, this.current.byteLength);
    }
    return this.currentView!;
  }

  private viewOf: Uint8Array | undefined;
  private currentView: Buffer | undefined;

  /** The open block is full: the next one, big enough for `wanted` bytes or the usual doubling. */
  private nextBlock(wanted: number): void {
    const size = Math.max(Math.min(2 * this.current.length, 1 << 20), wanted);
    if (this.fd === undefined) {
      this.blocks.push(this.current);
      this.current = this.spare?.take(size) ?? new Uint8Array(size);
    } else {
      this.flush();
      if (this.keep) {
        this.blocks.push(this.current);
        this.current = this.spare?.take(size) ?? new Uint8Array(size);
      } else if (size > this.current.length) this.current = new Uint8Array(size);
    }
    this.used = 0;
  }

  /** The bytes written so far, as the blocks that hold them (only a sink that keeps its blocks can be marked). */
  mark(): SinkMark {
    if (this.fd !== undefined && !this.keep) throw new Error('a ByteSink that lets its blocks go cannot be marked');
    this.marked = this.blocks.length;
    return { blocks: this.blocks.slice(), tail: this.current.slice(0, this.used) };
  }

  /** Everything written replaced by a mark's bytes (of this build or another of the same session). */
  restore(mark: SinkMark): void {
    if (this.fd !== undefined) {
      ftruncateSync(this.fd, 0);
      this.written = 0;
      for (const block of mark.blocks) this.writeOut(block, block.length);
    }
    this.blocks.length = 0;
    this.blocks.push(...mark.blocks);
    this.marked = mark.blocks.length;
    const size = Math.max(mark.tail.length, this.current.length);
    this.current = this.spare?.take(size) ?? new Uint8Array(size);
    this.current.set(mark.tail);
    this.used = mark.tail.length;
  }

  /** Everything written, in one array; the blocks are let go. */
  bytes(): Uint8Array {
    if (this.fd !== undefined) throw new Error('a ByteSink writing to a file holds no bytes: call end()');
    const filled = [...this.blocks, this.current.subarray(0, this.used)];
    const out = new Uint8Array(filled.reduce((sum, block) => sum + block.length, 0));
    let offset = 0;
    for (const block of filled) {
      out.set(block, offset);
      offset += block.length;
    }
    this.letGo();
    return out;
  }

  /** Writes what is left to the file; the size of everything written. */
  end(): number {
    if (this.fd === undefined) throw new Error('a ByteSink without a file keeps its bytes: call bytes()');
    this.flush();
    this.letGo();
    return this.written;
  }

  /** The bytes are out: the blocks no mark holds are spare (SpareBlocks), and the sink holds none. */
  private letGo(): void {
    this.spare?.give([...this.blocks.slice(this.marked), this.current]);
    this.blocks.length = 0;
    this.marked = 0;
    this.current = new Uint8Array(0);
    this.used = 0;
  }

  private flush(): void {
    this.writeOut(this.current, this.used);
    this.used = 0;
  }

  /** At the file's end as this sink counts it (a restore truncates the file and writes from its start). */
  private writeOut(block: Uint8Array, length: number): void {
    let offset = 0;
    while (offset < length) offset += writeSync(this.fd!, block, offset, length - offset, this.written + offset);
    this.written += length;
  }
}
