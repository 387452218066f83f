import { createHash, type Hash, randomUUID } from 'node:crypto';
import { closeSync, type Dirent, existsSync, fstatSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { packageRoot } from '../read/assets.ts';
import type { VFileMessage } from 'vfile-message';
import type { Edition } from '../types.ts';
import { readBlock } from '../read/file-bytes.ts';
import { copyAtomic, sameFiles, writeAtomic } from './write.ts';

/**
 * A content-addressed cache of built editions, under node_modules/.cache/colophon/ of the
 * project. An entry's key covers the source bytes, the build options and Colophon itself (its
 * code, templates and locked dependencies); the assets a build read are only known afterwards,
 * so the entry records their hashes and is served only while they still match. Every payload
 * is checked against its recorded hash before use: a corrupt or truncated entry is rebuilt.
 */
export interface CachedMessage {
  file: string;
  line?: number;
  column?: number;
  fatal?: boolean | null;
  reason: string;
  ruleId?: string;
}

/** A build's message as plain data (worker-safe, cached). */
export function toCachedMessage(message: VFileMessage): CachedMessage {
  return {
    file: message.file ?? '',
    line: message.line,
    column: message.column,
    fatal: message.fatal,
    reason: message.reason,
    ruleId: message.ruleId,
  };
}

interface Manifest {
  edition: Edition;
  sha256: string;
  assets: { path: string; sha256: string }[];
  messages: CachedMessage[];
  documents: DocumentsUsed;
}

/**
 * What an edition took from the run's list of documents (RenderContext.documents), checked per
 * entry as the assets are: the paths its links looked up and the output names they had (null
 * for none), or, when that is not known, the whole list. A document added to a folder then
 * rebuilds only the documents that link to it.
 */
export type DocumentsUsed = { looked: [string, string | null][]; anchors?: AnchorsUsed[] } | { whole: Record<string, string> | null };

/**
 * What an edition's links took from another document of the run's anchors
 * (transforms/document-links.ts): that document's path relative to the root, the sha256 of its
 * bytes then ('' when they could not be read or decoded: the links stayed as written), and each
 * fragment asked with the id it named (null for none). The edition holds
 * while the document's bytes, or else the answers, are the same: another heading added there
 * rebuilds nothing here, a heading renamed that a link named does.
 */
export interface AnchorsUsed {
  path: string;
  sha256: string;
  answers: [string, string | null][];
}

/** Whether the run's documents answer as they did for the cached edition; `anchorsHold` checks what its links took from their anchors. */
function sameDocuments(used: DocumentsUsed | undefined, documents: Readonly<Record<string, string>> | undefined, anchorsHold: (used: AnchorsUsed[]) => boolean): boolean {
  if (!used) return false;
  if ('whole' in used) return JSON.stringify(used.whole) === JSON.stringify(documents ?? null);
  return used.looked.every(([path, name]) => (documents && Object.hasOwn(documents, path) ? documents[path] : null) === name) && (!used.anchors?.length || anchorsHold(used.anchors));
}

export interface CacheHit {
  bytes: Uint8Array;
  messages: CachedMessage[];
  /** Project-relative paths of the assets the cached edition was built from. */
  assets: string[];
}

export function sha256(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The sha256 of a file's bytes, read a block at a time (an edition may be hundreds of megabytes), into `block` when given. */
export function fileSha256(path: string, block?: Buffer): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    block ??= readBlock(fstatSync(fd).size);
    for (let read = readSync(fd, block); read > 0; read = readSync(fd, block)) hash.update(block.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

/**
 * The bundle's own code, hashed when bin/bundle.mjs built it (package-lock.json and every file
 * under pipeline/): esbuild writes the string in place of this name. Running from the sources or
 * from bin/lib/, the name is not defined.
 */
declare const __COLOPHON_CODE_DIGEST__: string | undefined;

/**
 * A fingerprint of Colophon itself: any change to its code, templates or dependencies invalidates
 * every entry. The bundle hashes its code when it is built (the code it runs, even when the
 * sources changed since: hashing pipeline/ at every start cost the seed's build about 2% of its
 * main thread's instructions); package.json and the templates, which a clone may change without
 * rebuilding the bundle, are hashed here each time.
 */
export function colophonFingerprint(): string {
  const bundled = typeof __COLOPHON_CODE_DIGEST__ === 'string' ? __COLOPHON_CODE_DIGEST__ : undefined;
  const hash = createHash('sha256');
  if (bundled) {
    hash.update('bundle\0').update(bundled);
    try {
      hash.update(readFileSync(join(packageRoot, 'package.json')));
    } catch {}
  } else {
    for (const file of ['package.json', 'package-lock.json']) {
      try {
        hash.update(readFileSync(join(packageRoot, file)));
      } catch {
        // An installed copy may have no lockfile.
      }
    }
    // A clone runs its sources; an installed package runs what `npm pack` compiled (bin/lib/).
    if (existsSync(join(packageRoot, 'pipeline'))) hashFolder(hash, join(packageRoot, 'pipeline'));
    else hashFolder(hash, join(packageRoot, 'bin', 'lib'));
  }
  hashFolder(hash, join(packageRoot, 'templates'));
  return hash.digest('hex');
}

/** Every file below `folder`, in name order: its path (relative to the package) and its bytes. */
function hashFolder(hash: Hash, folder: string): void {
  let entries: Dirent[];
  try {
    entries = readdirSync(folder, { recursive: true, withFileTypes: true });
  } catch {
    return;
  }
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
  for (const file of files) hash.update(relative(packageRoot, file)).update(readFileSync(file));
}

export class EditionCache {
  constructor(
    private readonly folder: string,
    private readonly root: string,
  ) {}

  static forProject(root: string): EditionCache {
    return new EditionCache(join(root, 'node_modules', '.cache', 'colophon', 'editions'), root);
  }

  get(key: string, edition: Edition, documents: Readonly<Record<string, string>> | undefined, anchorsHold: (used: AnchorsUsed[]) => boolean = () => false): CacheHit | undefined {
    let manifest: Manifest;
    let bytes: Uint8Array;
    try {
      manifest = JSON.parse(readFileSync(this.path(key, edition, 'json'), 'utf8')) as Manifest;
      bytes = readFileSync(this.path(key, edition, edition));
    } catch {
      return undefined;
    }
    if (manifest.edition !== edition || !sameDocuments(manifest.documents, documents, anchorsHold) || sha256(bytes) !== manifest.sha256) return undefined;
    for (const asset of manifest.assets) {
      try {
        const full = resolve(this.root, asset.path);
        if (!statSync(full).isFile() || sha256(readFileSync(full)) !== asset.sha256) return undefined;
      } catch {
        return undefined;
      }
    }
    return { bytes, messages: manifest.messages, assets: manifest.assets.map((asset) => asset.path) };
  }

  set(key: string, edition: Edition, bytes: Uint8Array, assets: Map<string, string>, messages: CachedMessage[], documents: DocumentsUsed): void {
    const manifestText = this.manifest(edition, sha256(bytes), assets, messages, documents);
    // An entry that already holds these bytes and this manifest (a `--force` build of an unchanged
    // source) is left as it is: renaming a new file over an old one makes the file system flush it,
    // which held up the main thread of a 200-document build for seconds.
    if (this.holds(key, edition, bytes, manifestText)) return;
    // Payload first, manifest last: a manifest always describes a complete payload.
    writeAtomic(this.path(key, edition, edition), bytes);
    writeAtomic(this.path(key, edition, 'json'), manifestText);
  }

  /** As `set`, for an edition written to a file (RenderContext.writeTo): copied, never read whole into memory. */
  setFile(key: string, edition: Edition, file: string, assets: Map<string, string>, messages: CachedMessage[], documents: DocumentsUsed): void {
    const manifestText = this.manifest(edition, fileSha256(file), assets, messages, documents);
    const payload = this.path(key, edition, edition);
    if (this.readManifest(key, edition) === manifestText && sameFiles(payload, file)) return;
    copyAtomic(file, payload);
    writeAtomic(this.path(key, edition, 'json'), manifestText);
  }

  /**
   * A second name (a hard link) in the cache's folder for the file at `path`, which keeps its
   * bytes as they are now when `path` is later replaced by a rename; undefined where the file
   * system makes none (another device): then the caller copies at once instead.
   */
  holdFile(path: string): string | undefined {
    try {
      mkdirSync(this.folder, { recursive: true });
      this.removeStaleHolds();
      const held = join(this.folder, `.held-${process.pid}-${randomUUID()}.tmp`);
      linkSync(path, held);
      return held;
    } catch {
      return undefined;
    }
  }

  /** The held names of processes that are gone (a watch session killed before it could write its entries). */
  private removeStaleHolds(): void {
    for (const name of readdirSync(this.folder)) {
      const pid = /^\.held-(\d+)-.*\.tmp$/.exec(name)?.[1];
      if (pid && !processAlive(Number(pid))) rmSync(join(this.folder, name), { force: true });
    }
  }

  private manifest(edition: Edition, hash: string, assets: Map<string, string>, messages: CachedMessage[], documents: DocumentsUsed): string {
    mkdirSync(this.folder, { recursive: true });
    const manifest: Manifest = {
      edition,
      sha256: hash,
      assets: [...assets].map(([path, sha]) => ({ path, sha256: sha })).sort((a, b) => (a.path < b.path ? -1 : 1)),
      messages,
      documents,
    };
    return JSON.stringify(manifest);
  }

  private readManifest(key: string, edition: Edition): string | undefined {
    try {
      return readFileSync(this.path(key, edition, 'json'), 'utf8');
    } catch {
      return undefined;
    }
  }

  private holds(key: string, edition: Edition, bytes: Uint8Array, manifestText: string): boolean {
    try {
      if (statSync(this.path(key, edition, edition)).size !== bytes.length || readFileSync(this.path(key, edition, 'json'), 'utf8') !== manifestText) return false;
      return Buffer.compare(readFileSync(this.path(key, edition, edition)), bytes) === 0;
    } catch {
      return false;
    }
  }

  private path(key: string, edition: Edition, extension: string): string {
    return join(this.folder, `${key}.${edition}.${extension}`);
  }
}

/** Whether a process with this id runs (one of another user's counts: signal 0 is refused, not absent). */
function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
