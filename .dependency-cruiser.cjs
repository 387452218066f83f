/**
 * The layering of pipeline/ (see the README): read → parse → transforms → writers, with build
 * and cli on top. `npm test` runs this (`npm run deps`), so an import that breaks it fails CI.
 * Type-only imports count too: a type cycle is still a design cycle.
 */
const editions = '^pipeline/writers/(html|epub|pdf)/';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle is a design error: move what both sides need to the module below them (often types.ts).',
      from: { path: '^pipeline/' },
      to: { circular: true },
    },
    {
      name: 'editions-only-from-writers',
      severity: 'error',
      comment: 'Only pipeline/writers/ knows the editions; everything else goes through writers/index.ts.',
      from: { path: '^pipeline/', pathNot: '^pipeline/writers/' },
      to: { path: editions },
    },
    {
      name: 'no-edition-imports-another',
      severity: 'error',
      comment: 'An edition never imports another: what HTML and EPUB share lives in writers/shared/.',
      from: { path: '^pipeline/writers/(html|epub|pdf)/' },
      to: { path: editions, pathNot: '^pipeline/writers/$1/' },
    },
    {
      name: 'transforms-and-parse-never-import-writers',
      severity: 'error',
      from: { path: '^pipeline/(transforms|parse)/' },
      to: { path: '^pipeline/writers/' },
    },
    {
      name: 'stages-never-import-build-or-cli',
      severity: 'error',
      comment: 'build and cli sit on top: read, parse, transforms and writers are handed what they need.',
      from: { path: '^pipeline/(read|parse|transforms|writers)/' },
      to: { path: '^pipeline/(build|cli)/' },
    },
    {
      name: 'writers-import-neither-transforms-nor-cli',
      severity: 'error',
      from: { path: '^pipeline/writers/' },
      to: { path: '^pipeline/(transforms|cli)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mjs', '.js', '.d.ts'] },
  },
};
