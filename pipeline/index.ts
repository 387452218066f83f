/** Colophon's library API. */
export { build, type BuildOptions, type BuildResult, type DocumentResult, type EditionResult } from './build/build.ts';
export { parse } from './parse/parse.ts';
export { runTransforms, remarkColophon } from './transforms/index.ts';
export type { Author, DocumentMeta, Edition, Writer } from './types.ts';
