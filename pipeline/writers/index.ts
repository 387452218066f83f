import type { Edition, Writer } from '../types.ts';

/**
 * Every edition and the module that writes it. Loaded on demand: a build that asks for HTML
 * alone never loads pdfkit or the EPUB packager.
 */
export const writers = {
  html: async () => (await import('./html/index.ts')).htmlWriter,
  pdf: async () => (await import('./pdf/index.ts')).pdfWriter,
  epub: async () => (await import('./epub/index.ts')).epubWriter,
} satisfies Record<Edition, () => Promise<Writer>>;

export function loadWriter(edition: Edition): Promise<Writer> {
  return writers[edition]();
}
