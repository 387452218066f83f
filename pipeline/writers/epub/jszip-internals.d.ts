// JSZip 3's internal modules that native-deflate.ts builds on (the package ships no types for them).
declare module 'jszip/lib/stream/GenericWorker.js' {
  export default class GenericWorker {
    constructor(name: string);
    streamInfo: Record<string, unknown>;
    resume(): boolean;
    push(chunk: { data: Uint8Array; meta: { percent: number } }): void;
    end(): boolean;
    error(error: unknown): boolean;
  }
}

declare module 'jszip/lib/compressedObject.js' {
  export default class CompressedObject {
    constructor(compressedSize: number | undefined, uncompressedSize: number | undefined, crc32: number | undefined, compression: { magic: string }, data: unknown);
    getCompressedWorker(): unknown;
  }
}
