import { ByteSink } from './byte-sink.ts';
import type { RawDocument } from './pdfkit-api.ts';
import { escapeXml } from '../shared/xml.ts';

/**
 * Where Colophon replaces pdfkit internals, each for one stated reason. Every patch keeps the
 * bytes pdfkit would write; what changes is memory, or a bug fixed.
 */

/**
 * Take pdfkit's output as it is pushed, into large blocks, and resolve with all of it at the
 * end. pdfkit writes each keyword and dictionary as its own small array, and a Readable keeps
 * them all until it flows, after drawing: over a hundred thousand arrays (35 MB of heap for a
 * 5 MB PDF). Taken as they are pushed, each one goes at once. The header, written by the
 * constructor, is already waiting in the stream.
 */
export function captureOutput(doc: RawDocument): Promise<Uint8Array> {
  const output = new ByteSink();
  const header = doc.read();
  if (header) output.write(header);
  return new Promise((resolve, reject) => {
    doc.push = (chunk) => {
      if (chunk === null) resolve(output.bytes());
      else output.write(chunk);
      return true;
    };
    doc.on('error', reject);
  });
}

/**
 * Keep each page's content operators as strings and hand them to pdfkit in one piece when the
 * page ends. Every operator drawn (ours, pdfkit's and svg-to-pdfkit's all go through
 * addContent) otherwise becomes a small array held until the page ends, and a long document's
 * hundreds of thousands of them reach the old generation as garbage. They are written just
 * before pdfkit ends the page (flushPages, from addPage and end): the same bytes, since pdfkit
 * ends each piece with a newline.
 */
export function batchPageContent(doc: RawDocument): void {
  const pageContent: string[] = [];
  const addContent = doc.addContent.bind(doc);
  const flushPages = doc.flushPages.bind(doc);
  doc.addContent = (data) => {
    pageContent.push(data);
    return doc;
  };
  doc.flushPages = () => {
    if (pageContent.length > 0) addContent(pageContent.join('\n'));
    pageContent.length = 0;
    flushPages();
  };
}

/**
 * pdfkit writes Info values into the XMP packet unescaped, so a title with `&` or `<` makes
 * malformed XML. Swap in escaped copies while the packet is written (the Info dictionary was
 * already written from the originals by then), then restore them.
 */
export function escapeXmp(doc: RawDocument): void {
  const original = doc.endMetadata.bind(doc);
  doc.endMetadata = () => {
    const info = doc.info;
    const escaped: Record<string, string | Date | undefined> = {};
    for (const [key, value] of Object.entries(info)) escaped[key] = typeof value === 'string' ? escapeXml(value) : value;
    doc.info = escaped;
    // pdfkit writes no xmp:ModifyDate; PDF/A wants the XMP to agree with Info's ModDate.
    const modified = info.ModDate instanceof Date ? `${info.ModDate.toISOString().split('.')[0]}Z` : undefined;
    if (modified) {
      doc.appendXML(`<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/"><xmp:ModifyDate>${modified}</xmp:ModifyDate><xmp:MetadataDate>${modified}</xmp:MetadataDate></rdf:Description>`);
    }
    try {
      original();
    } finally {
      doc.info = info;
    }
  };
}

