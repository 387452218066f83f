import type { FootnoteDefinition } from 'mdast';
import { toString } from 'mdast-util-to-string';
import { languageDirection, textDirection } from '../shared/direction.ts';
import { shift, struct, type Box, type StructNode } from './boxes.ts';
import type { Context, State } from './state.ts';

/** A footnote set at note size, ready for the note area. */
export interface Note {
  number: string;
  boxes: Box[];
  height: number;
  /** Notes cited from inside this one: they must land on the same page. */
  cites: string[];
}

/**
 * Set every footnote definition for the note area: smaller type, the number hanging in a
 * label column and linked back to the first citation; the note itself is the target of the
 * superscript in the text. Runs after the body, so the body holds the first citations.
 * A right-to-left note (by its first strong letter, else the document's language) is mirrored:
 * its number hangs in a column on the right, and its text runs flush right beside it.
 */
export function layoutNotes(state: State, definitions: FootnoteDefinition[], width: number, root: StructNode, maxHeight: number): Map<string, Note> {
  const notes = new Map<string, Note>();
  const setNote = noteSetter(state, definitions, width, root, maxHeight);
  for (const definition of definitions) notes.set(definition.identifier, setNote(definition));
  return notes;
}

/**
 * The notes laid out as pagination asks for them, for a document whose notes cite no notes:
 * a note is then first asked for by the page of its first citation, when the body before it
 * is laid out, which is all that setting it depends on. `rest` sets the notes never asked for
 * (uncited ones), after the body, for what they report.
 */
export function lazyNotes(state: State, definitions: FootnoteDefinition[], width: number, root: StructNode, maxHeight: number): { get(number: string): Note | undefined; rest(): void } {
  const setNote = noteSetter(state, definitions, width, root, maxHeight);
  // The last definition of a number is the one kept, as in layoutNotes.
  const owner = new Map(definitions.map((definition) => [definition.identifier, definition]));
  const notes = new Map<string, Note>();
  const done = new Set<FootnoteDefinition>();
  return {
    get(number) {
      const definition = owner.get(number);
      if (!definition) return undefined;
      let note = notes.get(number);
      if (!note) {
        notes.set(number, (note = setNote(definition)));
        done.add(definition);
      }
      return note;
    },
    rest() {
      for (const definition of definitions) {
        if (done.has(definition)) continue;
        done.add(definition);
        const note = setNote(definition);
        if (owner.get(definition.identifier) === definition) notes.set(definition.identifier, note);
      }
    },
  };
}

/** Sets one note; the label column fits the widest number of them all ("100" needs more room than "9"). */
function noteSetter(state: State, definitions: FootnoteDefinition[], width: number, root: StructNode, maxHeight: number): (definition: FootnoteDefinition) => Note {
  const theme = state.theme.notes;
  const face = state.fonts.face('regular');
  const widest = definitions.reduce((most, definition) => Math.max(most, state.fonts.width(face, definition.label ?? definition.identifier, theme.size)), 0);
  const labelColumn = Math.max(theme.labelWidth, widest + theme.size * 0.6);
  return (definition) => {
    const number = definition.identifier;
    // The shown number; a book may restart it per chapter, while `number` stays unique.
    const shown = definition.label ?? number;
    const element = struct('Note', root);
    const context: Context = {
      width: width - labelColumn,
      size: theme.size,
      leading: theme.leading,
      blockSpace: theme.gap,
      align: 'justify',
      struct: element,
      indentParagraphs: true,
      maxHeight,
    };
    const rtl = (textDirection(toString(definition)) ?? languageDirection(state.lang)) === 'rtl';
    const boxes = shift(state.all(definition.children, context), rtl ? 0 : labelColumn);
    if (boxes.length === 0) boxes.push({ height: theme.leading, ops: [], notes: [], keep: false, struct: element });
    const first = boxes.find((box) => box.ops.some((op) => op.op === 'text')) ?? boxes[0]!;
    const firstText = first.ops.find((op) => op.op === 'text');
    const labelWidth = state.fonts.width(face, shown, theme.size);
    // The label goes first so that it precedes the note's text in reading order.
    first.ops.unshift({
      op: 'text',
      x: rtl ? width - labelColumn + theme.size * 0.5 : labelColumn - labelWidth - theme.size * 0.5,
      y: firstText && firstText.op === 'text' ? firstText.y : theme.leading * 0.75,
      text: shown,
      face: face.name,
      size: theme.size,
      color: state.theme.linkColor,
      extra: 0,
      width: labelWidth,
      link: state.citedNotes.has(number) ? { kind: 'internal', name: `fnref-${number}` } : undefined,
      struct: struct('Lbl', element),
    });
    boxes[0]!.dests = [...(boxes[0]!.dests ?? []), `fn-${number}`];
    for (const box of boxes) box.keep = false;
    const cites = [...new Set(boxes.flatMap((box) => box.notes))].filter((cited) => cited !== number);
    return { number, boxes, height: boxes.reduce((sum, box) => sum + box.height, 0), cites };
  };
}
