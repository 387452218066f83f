// An example consumer of Colophon's shipped types: test/package.test.ts compiles it with tsc
// (strict, without skipLibCheck) in a project that installed the packed tarball. It is not part
// of this repository's own tsc run (tsconfig.json excludes it): here, 'colophon' is not installed.
import { build, check, remarkColophon, remarkColophonFootnotes, remarkColophonMetadata, type BuildOptions, type DocumentMeta, type Edition } from 'colophon';
import remarkFrontmatter from 'remark-frontmatter';
import remarkParse from 'remark-parse';
import { unified } from 'unified';

const formats: Edition[] = ['html', 'pdf', 'epub'];
const options: BuildOptions = { paths: ['source'], formats, dryRun: true };
const result = await build(options);
for (const document of result.documents) {
  const meta: DocumentMeta | undefined = document.meta;
  for (const edition of document.editions) {
    const bytes: Uint8Array = edition.bytes;
    console.log(document.source, meta?.title, edition.edition, edition.path, bytes.length);
  }
  for (const message of document.file.messages) console.log(`${message.file}:${message.line}:${message.column}: ${message.reason}`);
}

const checked = await check({ paths: ['source'], strict: true });
const clean: boolean = checked.ok && checked.documents.every((document) => document.messages.length === 0);

// The transforms in a processor of one's own.
const processor = unified().use(remarkParse).use(remarkFrontmatter, ['yaml']).use(remarkColophonMetadata, { papersize: 'a5' }).use(remarkColophonFootnotes);
const tree = processor.runSync(processor.parse('---\ntitle: T\n---\n\nText.[^1]\n\n[^1]: A note.\n'));
console.log(clean, tree.type, unified().use(remarkColophon));

// @ts-expect-error: docx is not an edition
await build({ formats: ['docx'] });
