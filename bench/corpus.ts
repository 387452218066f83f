import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * A document of real Markdown: the README files under node_modules, in path order, until the
 * size is reached (cycling through them again for sizes beyond what is installed). Deterministic
 * for a given lockfile. Local images are replaced by their alt text, since their files are not
 * part of the corpus; remote ones stay (the HTML edition keeps them as references).
 */
export function makeCorpus(root: string, work: string, bytes: number): string {
  const path = join(work, `readmes-${Math.round(bytes / 1_000_000)}mb.md`);
  if (existsSync(path)) return path;
  const files: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(folder, entry.name);
      if (entry.isDirectory() && entry.name !== '.cache') walk(full);
      else if (/^readme\.md$/i.test(entry.name)) files.push(full);
    }
  };
  walk(join(root, 'node_modules'));
  const parts: string[] = [`---\ntitle: Real READMEs (${Math.round(bytes / 1_000_000)} MB)\n---\n`];
  let size = parts[0]!.length;
  for (let index = 0; size < bytes; index = (index + 1) % files.length) {
    const text = clean(readFileSync(files[index]!, 'utf8'));
    const chunk = `\n\n<!-- ${relative(root, files[index]!)} -->\n\n${text}\n`;
    parts.push(chunk);
    size += chunk.length;
  }
  writeFileSync(path, parts.join(''));
  return path;
}

/** A 20-chapter book of about `bytes` of real Markdown: a folder with book.yaml and chapter files. */
export function makeBook(root: string, work: string, bytes: number, chapters = 20): string {
  const folder = join(work, `book-${Math.round(bytes / 1_000_000)}mb`);
  if (existsSync(join(folder, 'book.yaml'))) return folder;
  const text = readFileSync(makeCorpus(root, work, bytes), 'utf8').replace(/^---\n[\s\S]*?\n---\n/, '');
  const parts = text.split(/\n(?=\n<!-- node_modules)/);
  mkdirSync(folder, { recursive: true });
  const per = Math.ceil(parts.length / chapters);
  const names: string[] = [];
  for (let chapter = 0; chapter < chapters; chapter++) {
    const name = `chapter-${String(chapter + 1).padStart(2, '0')}.md`;
    names.push(name);
    writeFileSync(join(folder, name), `# Chapter ${chapter + 1}\n${parts.slice(chapter * per, (chapter + 1) * per).join('\n')}\n`);
  }
  writeFileSync(join(folder, 'book.yaml'), `title: Real READMEs, a ${chapters}-chapter book\nchapters:\n${names.map((name) => `  - ${name}\n`).join('')}`);
  return folder;
}

/**
 * A folder of `count` small documents (real READMEs of 1–8 KB, in path order, cleaned as in
 * makeCorpus): the batch a CI job builds in one run. Deterministic for a given lockfile.
 */
export function makeBatch(root: string, work: string, count: number): string {
  const folder = join(work, `batch-${count}`);
  if (existsSync(join(folder, `doc-${String(count).padStart(3, '0')}.md`))) return folder;
  const files: string[] = [];
  const walk = (where: string) => {
    for (const entry of readdirSync(where, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(where, entry.name);
      if (entry.isDirectory() && entry.name !== '.cache') walk(full);
      else if (/^readme\.md$/i.test(entry.name)) files.push(full);
    }
  };
  walk(join(root, 'node_modules'));
  mkdirSync(folder, { recursive: true });
  let written = 0;
  const seen = new Set<string>();
  for (const path of files) {
    if (written === count) break;
    const text = clean(readFileSync(path, 'utf8'));
    // Same README in several packages' copies: once is enough.
    if (text.length < 1000 || text.length > 8000 || seen.has(text)) continue;
    seen.add(text);
    written++;
    writeFileSync(join(folder, `doc-${String(written).padStart(3, '0')}.md`), `<!-- ${relative(root, path)} -->\n\n${text}\n`);
  }
  return folder;
}

/** A README without its front matter and its local images (their files are not part of the corpus). */
function clean(text: string): string {
  return text
    .replace(/^---\n[\s\S]*?\n---\n/, '')
    .replace(/!\[([^\]]*)\]\((?!https?:)[^)]*\)/g, '$1')
    .replace(/<img\b[^>]*>/gi, '')
    .replace(/^ {0,3}\[[^\]]+\]:\s*<?(?!https?:)[^\s>]+\.(png|jpe?g|gif|svg|webp)>?.*$/gim, '');
}
