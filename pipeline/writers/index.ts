import type { Edition, Writer } from '../types.ts';

/**
 * Every edition and the module that writes it. Loaded on demand: a build that asks for HTML
 * alone never loads pdfkit or the EPUB packager. `undefined` marks an edition not built yet,
 * which the CLI refuses as a usage error rather than skipping it silently.
 */
export const writers = {
  html: async () => (await import('./html/index.ts')).htmlWriter,
  pdf: async () => (await import('./pdf/index.ts')).pdfWriter,
  epub: async () => (await import('./epub/index.ts')).epubWriter,
} satisfies Record<Edition, (() => Promise<Writer>) | undefined>;

export function isAvailable(edition: Edition): boolean {
  return writers[edition] !== undefined;
}

export async function loadWriter(edition: Edition): Promise<Writer> {
  const load: (() => Promise<Writer>) | undefined = writers[edition];
  if (!load) throw new Error(`the ${edition} edition is not available yet`);
  return load();
}
