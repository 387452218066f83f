declare module 'svg-to-pdfkit' {
  interface Options {
    width?: number;
    height?: number;
    preserveAspectRatio?: string;
    assumePt?: boolean;
    useCSS?: boolean;
    fontCallback?: (family: string, bold: boolean, italic: boolean) => string;
    imageCallback?: (link: string) => string;
    documentCallback?: (file: string) => unknown;
    warningCallback?: (message: string) => void;
  }
  export default function SVGtoPDF(doc: unknown, svg: string, x: number, y: number, options?: Options): void;
}
