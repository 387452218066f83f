import { readFileSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Position } from 'unist';
import type { VFile } from 'vfile';
import { quoted, report } from '../messages.ts';
import { fileHolds, readBlock } from './file-bytes.ts';
import { normalizeSvg } from './svg.ts';
import type { Asset, AssetResolver } from '../types.ts';

/**
 * Where Colophon itself is installed: its templates and font packages are read from here.
 * Found by walking up to Colophon's package.json, since this module also runs from the bundle
 * under node_modules/.cache.
 */
export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));

function findPackageRoot(from: string): string {
  for (let folder = from; ; folder = dirname(folder)) {
    try {
      if (JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')).name === 'colophon') return folder;
    } catch {
      // No package.json here: keep walking.
    }
    if (dirname(folder) === folder) throw new Error(`cannot find Colophon's package.json above ${from}`);
  }
}

const MAX_ASSET_BYTES = 50 * 1024 * 1024;

const mediaTypes: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.webp': 'image/webp',
};

export interface AssetResolverOptions {
  /** The project root: no document may read outside it. */
  root: string;
  /** The document's own folder, against which its relative references resolve. */
  documentDir: string;
  file: VFile;
  /**
   * Colophon's own files (templates, fonts) read so far for this document: each is read once,
   * however often the writers ask. One per document; parsed fonts are shared across documents
   * through SharedResources instead.
   */
  cache: Map<string, Uint8Array>;
  /** Remote images fetched before rendering (only with --allow-remote), by URL. */
  fetched?: Map<string, Asset>;
}

export function createAssetResolver({ root, documentDir, file, cache, fetched }: AssetResolverOptions): AssetResolver {
  const realRoot = realpathSync(root);
  /** Where one of Colophon's own files is: the project's copy of a template, else the packaged file. */
  const ownPath = (path: string): string => {
    // Theme font paths come from users: a path that climbs out of templates/ or a package is refused.
    if (isAbsolute(path) || path.split(/[\\/]/).includes('..')) throw new Error(`not a path inside Colophon's files: ${path}`);
    return path.startsWith('templates/') ? (projectTemplate(realRoot, path) ?? resolve(packageRoot, path)) : createRequire(resolve(packageRoot, 'package.json')).resolve(path);
  };
  // One block to compare own files through (ownHolds), made when first needed.
  let block: Buffer | undefined;
  /** Find a file the document names, inside the project; every refusal is reported at `place`. */
  const locate = (url: string, place: Position | undefined, kinds: Record<string, string>, kindName: string): Asset | undefined => {
    if (/^[a-z][a-z\d+.-]*:/i.test(url) && !/^file:/i.test(url)) {
      const scheme = url.slice(0, url.indexOf(':')).toLowerCase();
      const why = scheme === 'http' || scheme === 'https' ? 'remote files are not fetched (network access is off)' : `the ${scheme}: scheme is not supported`;
      report(file, 'error', `cannot use "${quoted(url)}": ${why}`, place, 'asset-remote');
      return undefined;
    }
    let paths: string[];
    try {
      paths = /^file:/i.test(url) ? [fileURLToPath(url)] : assetPaths(realRoot, documentDir, decodeURIComponent(url.split(/[?#]/)[0]!));
    } catch {
      report(file, 'error', `cannot use "${quoted(url)}": not a valid path`, place, 'asset-invalid');
      return undefined;
    }
    const real = paths.map(realPath).find((found) => found !== undefined);
    if (real === undefined) {
      report(file, 'error', `file not found: "${quoted(url)}"`, place, 'asset-missing');
      return undefined;
    }
    const inside = relative(realRoot, real);
    if (!isInside(realRoot, real)) {
      report(file, 'error', `"${quoted(url)}" lies outside the project (${realRoot}); Colophon reads nothing outside it`, place, 'asset-outside');
      return undefined;
    }
    const stats = statSync(real);
    if (!stats.isFile()) {
      report(file, 'error', `"${quoted(url)}" is not a regular file`, place, 'asset-invalid');
      return undefined;
    }
    if (stats.size > MAX_ASSET_BYTES) {
      report(file, 'error', `"${quoted(url)}" is larger than ${MAX_ASSET_BYTES / 1024 / 1024} MB`, place, 'asset-size');
      return undefined;
    }
    const mediaType = kinds[extname(real).toLowerCase()];
    if (!mediaType) {
      report(file, 'error', `"${quoted(url)}" is not ${kindName}`, place, 'asset-type');
      return undefined;
    }
    const bytes = readFileSync(real);
    return { path: inside.split(sep).join('/'), bytes: mediaType === 'image/svg+xml' ? normalizeSvg(bytes) : bytes, mediaType };
  };
  return {
    document(url, node) {
      const remote = fetched?.get(url);
      if (remote) return remote;
      return locate(url, node?.position, mediaTypes, 'an image Colophon can embed (PNG, JPEG, GIF, SVG, WebP)');
    },
    data(url, place) {
      return locate(url, place, DATA_TYPES, 'a data file Colophon reads (JSON, YAML, BibTeX or a CSL style)');
    },
    remote(url) {
      return fetched?.get(url);
    },
    stylesheet(url, place) {
      const asset = locate(url, place, { '.css': 'text/css' }, 'a stylesheet (a .css file)');
      if (!asset) return undefined;
      const problem = stylesheetProblem(url, asset.bytes);
      if (problem) {
        report(file, 'error', problem, place, 'asset-type');
        return undefined;
      }
      return asset;
    },
    own(path) {
      let bytes = cache.get(path);
      if (!bytes) {
        bytes = readFileSync(ownPath(path));
        cache.set(path, bytes);
      }
      return bytes;
    },
    ownHolds(path, bytes) {
      const read = cache.get(path);
      if (read) return Buffer.from(read.buffer, read.byteOffset, read.byteLength).equals(bytes);
      return fileHolds(ownPath(path), bytes, (block ??= readBlock(1 << 20)));
    },
  };
}

/**
 * Where a document's reference to a file (its path, decoded, without query or fragment) may
 * point, in the order looked at. A path from `/` names the project root first, as GitHub reads
 * it in a repository and a browser on a site served from the root (pyenv's README shows
 * `/install_local_python.gif`), then the file system, as it always did (which must then still
 * lie inside the root). Any other path is relative to the document's folder.
 */
export function assetPaths(root: string, documentDir: string, path: string): string[] {
  if (/^\/(?!\/)/.test(path)) return [resolve(root, `.${path}`), path];
  return [resolve(documentDir, path)];
}

function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/**
 * The project's own copy of one of Colophon's templates (`templates/html/style.css` under the
 * root), which replaces the packaged file: a regular file inside the root, else none.
 */
function projectTemplate(realRoot: string, path: string): string | undefined {
  try {
    const real = realpathSync(resolve(realRoot, path));
    return isInside(realRoot, real) && statSync(real).isFile() ? real : undefined;
  } catch {
    return undefined;
  }
}

/** Data files a document may name: a JSON theme, a bibliography, a citation style. */
const DATA_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml',
  '.bib': 'application/x-bibtex',
  '.bibtex': 'application/x-bibtex',
  '.csl': 'application/vnd.citationstyles.style+xml',
};

/** What an image's bytes say it is (a server's Content-Type is not trusted). */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.subarray(0, 512));
  if (head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  if (head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  if (/^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]/i.test(head.toString('utf8'))) return 'image/svg+xml';
  return undefined;
}

/** Largest stylesheet accepted, in bytes: a stylesheet is text someone wrote, not a data dump. */
export const MAX_STYLESHEET_BYTES = 1024 * 1024;

/** Why bytes named as a stylesheet are not one (binary, not UTF-8, too large), or undefined. */
export function stylesheetProblem(name: string, bytes: Uint8Array): string | undefined {
  if (!/\.css$/i.test(name)) return `"${name}" is not a stylesheet (a .css file)`;
  if (bytes.length > MAX_STYLESHEET_BYTES) return `"${name}" is larger than ${MAX_STYLESHEET_BYTES / 1024 / 1024} MB`;
  if (bytes.includes(0)) return `"${name}" is not CSS text (a NUL byte at offset ${bytes.indexOf(0)})`;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return `"${name}" is not CSS text (invalid UTF-8)`;
  }
  return undefined;
}

/** Whether `path` (absolute) lies inside `root`: `..notes.md` is inside, `../notes.md` is not. */
export function isInside(root: string, path: string): boolean {
  const inside = relative(root, path);
  return inside === '' || (inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside));
}
