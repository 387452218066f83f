/**
 * fontkit decodes a GPOS lookup whole the first time a word asks for its feature. For the
 * mark-positioning lookups (types 4, 5 and 6: `mark` and `mkmk`) that is every mark and base
 * anchor of the face: with Noto Serif, 20–40 ms a face, about a seventh of a short document's
 * PDF, though a word without combining marks never reads one. Here those anchor arrays become
 * restructure's lazy pointers: decoded, to the very same values, the first time a mark is
 * positioned. Only the lookup coverage tables, which every word reads, are decoded up front.
 *
 * restructure describes tables with one set of objects per fontkit module, shared by every
 * face, so this marks those few pointers once; it finds them through the face's own lookup
 * list, and changes nothing when fontkit's layout is not the one expected.
 */
export function decodeMarkAnchorsLazily(font: unknown): void {
  const lookups = (font as { GPOS?: { lookupList?: StructNode } }).GPOS?.lookupList;
  const subtable = lookups?.type?.type?.fields?.subTables?.type?.type;
  for (const [version, fields] of MARK_ANCHORS) {
    for (const field of fields) {
      const pointer = subtable?.versions?.[version]?.[field];
      if (pointer?.options && typeof pointer.options.lazy === 'boolean') pointer.options.lazy = true;
    }
  }
}

/** The anchor arrays of the mark-positioning subtables, by lookup type (OpenType GPOS). */
const MARK_ANCHORS: [number, string[]][] = [
  [4, ['markArray', 'baseArray']],
  [5, ['markArray', 'ligatureArray']],
  [6, ['mark1Array', 'mark2Array']],
];

/** The parts of restructure's type objects walked here (fontkit ships no types). */
interface StructNode {
  type?: StructNode;
  fields?: Record<string, StructNode | undefined>;
  versions?: Record<number, Record<string, { options?: { lazy?: boolean } } | undefined> | undefined>;
}
