// fontkit 2 ships no types; Colophon only creates fonts from bytes (everything else goes through pdfkit).
declare module 'fontkit' {
  export function create(buffer: Buffer, postscriptName?: string): unknown;
}
