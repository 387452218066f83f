import { defListFromMarkdown } from 'mdast-util-definition-list';
import { defList } from 'micromark-extension-definition-list';
import type { Construct, Effects, Event, Extension, Resolver, State, TokenizeContext } from 'micromark-util-types';
import type { Processor } from 'unified';

/**
 * Pandoc definition lists, from micromark-extension-definition-list 2.0.1 (the latest; no
 * maintained alternative is a micromark extension), with one fix: a definition list inside a list
 * item.
 *
 * Why the extension misses it: before it opens a list at a `:` line, it walks the document
 * tokenizer's events backwards to find the term's paragraph, skipping only the prefixes it knows
 * (`linePrefix` and the block quote prefixes, so `> Term\n> : Def` works). Inside a list item the
 * line starts with the item's `listItemIndent`, which stops the walk: no term is found, the `:` line
 * stays paragraph text. Its resolver walks the same way and would fail at the same token.
 *
 * The fix wraps the construct rather than copying it: the start tokenizer sees the events with list
 * item indents shown as line prefixes (the trailing indent, the one before the `:`, left out, so the
 * definition's own indent is measured as at top level), and the resolver runs with those tokens
 * renamed for its duration. The continuation, which re-attempts the construct for a further `:`
 * line, is pointed at the wrapped construct, so the original resolver is never registered twice.
 */

const LIST_ITEM_INDENT = 'listItemIndent';
const LINE_PREFIX = 'linePrefix';

function wrapDefinitionList(original: Construct): Construct {
  const originalTokenize = original.tokenize;
  const originalResolveAll = original.resolveAll;
  const originalContinuation = original.continuation;
  if (!originalResolveAll || !originalContinuation) throw new Error('micromark-extension-definition-list changed shape');
  const continueTokenize = originalContinuation.tokenize;

  function tokenize(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
    const events = eventsSeenFromList(this.events);
    if (events === this.events) return originalTokenize.call(this, effects, ok, nok);
    const context = new Proxy(this, { get: (target, key) => (key === 'events' ? events : Reflect.get(target, key)) });
    return originalTokenize.call(context, effects, ok, nok);
  }

  const resolveAll: Resolver = (events, context) => {
    markLooseAfterListIndent(events);
    const renamed = events.filter(([, token]) => token.type === LIST_ITEM_INDENT).map(([, token]) => token);
    for (const token of renamed) token.type = LINE_PREFIX;
    try {
      return originalResolveAll(events, context);
    } finally {
      for (const token of renamed) token.type = LIST_ITEM_INDENT;
    }
  };

  function continuation(this: TokenizeContext, effects: Effects, ok: State, nok: State): State {
    const redirected: Effects = {
      ...effects,
      attempt: (construct, returnState, bogusState) =>
        effects.attempt(construct === original ? wrapped : construct, returnState, bogusState),
    };
    return continueTokenize.call(this, redirected, ok, nok);
  }

  const wrapped: Construct = { ...original, tokenize, resolveAll, continuation: { ...originalContinuation, tokenize: continuation } };
  return wrapped;
}

/**
 * The events as the extension expects them at top level, or the same array when the `:` line does
 * not follow a list item's indent. A read-only view, not a copy: the start tokenizer runs at every
 * `:` line, and copying the document's events there would make a long list quadratic.
 */
function eventsSeenFromList(events: Event[]): Event[] {
  let end = events.length;
  while (end > 0 && events[end - 1]?.[1].type === LIST_ITEM_INDENT) end--;
  if (end === events.length) return events;
  return new Proxy(events, {
    get(target, key, receiver) {
      if (key === 'length') return end;
      if (typeof key === 'string' && /^\d+$/.test(key)) {
        const event = Number(key) < end ? target[Number(key)] : undefined;
        return event?.[1].type === LIST_ITEM_INDENT ? [event[0], { ...event[1], type: LINE_PREFIX }, event[2]] : event;
      }
      return Reflect.get(target, key, receiver);
    },
  });
}

/**
 * The extension calls a definition loose when a blank line comes right before its `:`; in a list
 * item the item's indent comes between them, so look past it (and past the list's opening event).
 */
function markLooseAfterListIndent(events: Event[]): void {
  events.forEach(([kind, token], index) => {
    if (kind !== 'enter' || token.type !== 'defListDescriptionPrefix') return;
    let before = index - 1;
    while (events[before]?.[1].type === 'defList') before--;
    if (events[before]?.[1].type !== LIST_ITEM_INDENT) return;
    while (events[before]?.[1].type === LIST_ITEM_INDENT) before--;
    const previous = events[before]?.[1];
    const flowEvents = previous?.type === 'chunkFlow' ? previous._tokenizer?.events : undefined;
    if (previous?.type === 'lineEndingBlank' || flowEvents?.at(-1)?.[1].type === 'lineEndingBlank') {
      Object.assign(token, { _loose: true });
    }
  });
}

const COLON = 58;

export function definitionListSyntax(): Extension {
  const construct = defList.document?.[COLON];
  if (!construct || Array.isArray(construct)) throw new Error('micromark-extension-definition-list changed shape');
  return { ...defList, document: { ...defList.document, [COLON]: wrapDefinitionList(construct) } };
}

/** remark-definition-list's plugin, with the wrapped syntax (nothing here writes Markdown back). */
export function remarkDefinitionLists(this: Processor): void {
  const data = this.data();
  (data.micromarkExtensions ??= []).push(definitionListSyntax());
  (data.fromMarkdownExtensions ??= []).push(defListFromMarkdown);
}
