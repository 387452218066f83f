/** What the layout of one block used, for the watch session's memo (layout-memo.ts): a leaf module, imported by the state and the fonts. */

/** A document-wide fact a block's layout read, and what it was. */
export interface Lookup {
  kind: 'destination' | 'definition' | 'remote';
  name: string;
  answer: string;
}

/** What the layout of one top-level block used, recorded while it is laid out (State.watch). */
export interface LayoutWatch {
  /** Faces asked for, each once, in the order first asked for. */
  faces: string[];
  lookups: Lookup[];
  /** It read a file or a typeset formula: not kept. */
  tainted: boolean;
}
