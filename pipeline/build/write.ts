import { closeSync, copyFileSync, type Dirent, existsSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { readBlock } from '../read/file-bytes.ts';

/** Write to a temporary file beside the target, then rename: readers never see half a file. */
export function writeAtomic(path: string, bytes: Uint8Array | string): void {
  replaceAtomic(path, (temporary) => writeFileSync(temporary, bytes));
}

/** As writeAtomic, with the bytes of the file at `from` (copied by the file system, never read into memory). */
export function copyAtomic(from: string, path: string): void {
  replaceAtomic(path, (temporary) => copyFileSync(from, temporary));
}

function replaceAtomic(path: string, fill: (temporary: string) => void): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = temporaryFor(path);
  try {
    fill(temporary);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * The temporary file beside `target` that an edition is written into before it takes the
 * target's place (hidden, and named for this process and thread, so that no two writers share one).
 */
export function temporaryFor(target: string): string {
  return join(dirname(target), `.${basename(target)}.${process.pid}-${threadId}.tmp`);
}

/** Removes the temporary files this process made under `folder` (temporaryFor): an interrupted build's. */
export function removeTemporaries(folder: string): void {
  const mine = new RegExp(`^\\..*\\.${process.pid}-\\d+\\.tmp$`);
  let entries: Dirent[];
  try {
    entries = readdirSync(folder, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) removeTemporaries(join(folder, entry.name));
    else if (mine.test(entry.name)) rmSync(join(folder, entry.name), { force: true });
  }
}

/** Whether `path` is a temporary file made by temporaryFor. */
export function isTemporary(path: string): boolean {
  return /^\..*\.\d+-\d+\.tmp$/.test(basename(path));
}

/** The file at `temporary` takes the place of `target`, or goes if the target holds the same bytes already (its time stays). */
export function commitTemporary(temporary: string, target: string): void {
  if (sameFiles(temporary, target)) rmSync(temporary, { force: true });
  else renameSync(temporary, target);
}

/** The highest folder on the way to `folder` that does not exist yet; undefined when `folder` exists. */
export function firstMissingFolder(folder: string): string | undefined {
  let missing: string | undefined;
  for (let current = folder; !existsSync(current); current = dirname(current)) {
    missing = current;
    if (dirname(current) === current) break;
  }
  return missing;
}

/** Removes `folder` if it and every folder inside it hold no file: what a failed build made and left empty. */
export function removeIfEmpty(folder: string): void {
  try {
    for (const entry of readdirSync(folder, { withFileTypes: true })) if (entry.isDirectory()) removeIfEmpty(join(folder, entry.name));
    rmdirSync(folder);
  } catch {
    // Not empty, or gone already: left as it is.
  }
}

/** Whether two files hold the same bytes, read a block at a time (an edition may be hundreds of megabytes). */
export function sameFiles(a: string, b: string): boolean {
  let fdA: number | undefined;
  let fdB: number | undefined;
  try {
    const size = statSync(a).size;
    if (size !== statSync(b).size) return false;
    fdA = openSync(a, 'r');
    fdB = openSync(b, 'r');
    const blockA = readBlock(size);
    const blockB = readBlock(size);
    for (;;) {
      const readA = readSync(fdA, blockA, 0, blockA.length, null);
      const readB = readSync(fdB, blockB, 0, blockB.length, null);
      if (readA !== readB || blockA.compare(blockB, 0, readB, 0, readA) !== 0) return false;
      if (readA === 0) return true;
    }
  } catch {
    return false;
  } finally {
    if (fdA !== undefined) closeSync(fdA);
    if (fdB !== undefined) closeSync(fdB);
  }
}
