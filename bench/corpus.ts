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
    const text = readFileSync(files[index]!, 'utf8')
      .replace(/^---\n[\s\S]*?\n---\n/, '')
      .replace(/!\[([^\]]*)\]\((?!https?:)[^)]*\)/g, '$1')
      .replace(/<img\b[^>]*>/gi, '')
      .replace(/^ {0,3}\[[^\]]+\]:\s*<?(?!https?:)[^\s>]+\.(png|jpe?g|gif|svg|webp)>?.*$/gim, '');
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
