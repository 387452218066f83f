import type { Root as HastRoot } from 'hast';
import { visit } from '../../visit.ts';
import type { VFile } from 'vfile';
import { quoted, report } from '../../messages.ts';
import { checkImage } from '../../read/image-check.ts';
import type { AssetResolver } from '../../types.ts';

export interface BookImage {
  /** Manifest id. */
  id: string;
  /** Path inside the package, relative to the OPF (and to every chapter: all live in one folder). */
  href: string;
  mediaType: string;
  bytes: Uint8Array;
}

/** Images of one book, shared by its chapters: each project file is packaged once, under a stable name. */
export interface ImageRegistry {
  byPath: Map<string, BookImage>;
  images: BookImage[];
  /** Image occurrences in the text, and how many of them lack alt text. */
  occurrences: number;
  withoutAlt: number;
}

export function createImageRegistry(): ImageRegistry {
  return { byPath: new Map(), images: [], occurrences: 0, withoutAlt: 0 };
}

/**
 * Media types every EPUB 3.2 reading system must render. Anything else (WebP) needs a
 * fallback, which a Markdown image cannot give, and epubcheck rejects it.
 */
const CORE = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/svg+xml']);

/** The file extensions of each core type, the first the one a file is given when its own does not fit. */
const EXTENSIONS: Record<string, string[]> = {
  'image/png': ['.png'],
  'image/jpeg': ['.jpg', '.jpeg', '.jpe'],
  'image/gif': ['.gif'],
  'image/svg+xml': ['.svg'],
};

/**
 * Resolve every `<img>` of a chapter to a file inside the project, before packaging: the
 * packager must never fetch or read anything itself. Names in the package are derived from
 * the order of first use, never random, so two builds are identical.
 */
export function embedImages(root: HastRoot, registry: ImageRegistry, assets: AssetResolver, file: VFile): void {
  visit(root, 'element', (node, position, parent) => {
    if (node.tagName !== 'img' || !parent || position === undefined) return undefined;
    const src = typeof node.properties.src === 'string' ? node.properties.src : '';
    const alt = typeof node.properties.alt === 'string' ? node.properties.alt.trim() : '';
    const remote = /^https?:/i.test(src);
    // A package may not reference remote images. The build fetches them only under
    // --allow-remote (never the packager); otherwise the alt text stands in, as in the PDF edition.
    const found = !src ? undefined : remote ? assets.remote(src) : assets.document(src, node);
    if (remote && !found) {
      report(file, 'warning', `remote image "${quoted(src)}" is not embedded in the EPUB (remote files are fetched only with --allow-remote); its alt text is shown instead`, node, 'epub-image-remote');
    }
    // What the bytes say it is (a JPEG named .png is a JPEG). A type readers need not support is
    // said first, whatever its state; a corrupt image of a core type fails epubcheck (PKG-021)
    // and shows nothing in a reader. Either way its alt text stands in.
    const checked = found && checkImage(found);
    if (found && checked && !CORE.has(checked.mediaType)) {
      report(file, 'warning', `"${quoted(src)}" is ${checked.mediaType}, which EPUB 3 reading systems need not support (PNG, JPEG, GIF and SVG they must); its alt text is shown instead`, node, 'epub-image-type');
    } else if (found && checked?.problem) report(file, 'warning', `${quoted(found.path)}: ${checked.problem}; its alt text is shown in the EPUB instead`, node, 'epub-image-invalid');
    const asset = found && checked && !checked.problem ? { ...found, mediaType: checked.mediaType } : undefined;
    if (!asset || !CORE.has(asset.mediaType)) {
      // A missing file is an error the resolver reported; either way the alt text keeps the sentence whole.
      parent.children.splice(position, 1, ...(alt ? [{ type: 'text' as const, value: alt }] : []));
      return position;
    }
    registry.occurrences++;
    if (!alt) {
      registry.withoutAlt++;
      report(file, 'warning', `image "${src}" has no alt text: readers who cannot see it get nothing`, node, 'epub-image-alt');
    }
    let image = registry.byPath.get(asset.path);
    if (!image) {
      const number = registry.images.length + 1;
      // The name ends as its bytes say (a JPEG named .png is packaged as .jpg: epubcheck checks both).
      const base = asset.path.split('/').pop()!.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/(\.[^.]*)?$/, (extension) => (EXTENSIONS[asset.mediaType]!.includes(extension.toLowerCase()) ? extension : EXTENSIONS[asset.mediaType]![0]!));
      image = { id: `image-${number}`, href: `images/${String(number).padStart(3, '0')}-${base}`, mediaType: asset.mediaType, bytes: asset.bytes };
      registry.byPath.set(asset.path, image);
      registry.images.push(image);
    }
    node.properties.src = image.href;
    node.properties.alt = alt;
    return undefined;
  });
}
