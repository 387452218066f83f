/**
 * Colophon's library API.
 * - build(options): every edition's bytes and every document's messages (written to `out` unless `dryRun`);
 * - check(options): the messages only, nothing written;
 * - the transforms as unified plugins, for a processor of your own.
 */
export { build, check, UsageError, type BuildOptions, type BuildResult, type CheckResult, type DocumentResult, type EditionResult } from './build/build.ts';
export { parse } from './parse/parse.ts';
export { runTransforms, remarkColophon, remarkColophonFootnotes, remarkColophonMetadata, type TransformOptions } from './transforms/index.ts';
export type { MetadataOptions } from './transforms/metadata.ts';
export type { Author, DocumentMeta, Edition, FootnoteInfo, PaperSize, Writer } from './types.ts';
