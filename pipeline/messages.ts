import type { Node, Point, Position } from 'unist';
import type { VFile } from 'vfile';
import type { VFileMessage } from 'vfile-message';

export type Severity = 'error' | 'warning' | 'info';

/**
 * Record a problem on the file. Errors are messages with `fatal: true`: the build goes on
 * collecting every problem, and the CLI turns any error into exit code 1.
 */
export function report(
  file: VFile,
  severity: Severity,
  reason: string,
  place: Node | Position | Point | undefined,
  ruleId: string,
): VFileMessage {
  const where = place && 'type' in place ? place.position : place;
  const message = withoutStack(() => file.message(reason, { place: where ?? undefined, ruleId, source: 'colophon' }));
  message.fatal = severity === 'error' ? true : severity === 'warning' ? false : undefined;
  return message;
}

/**
 * `make()`, with no JavaScript stack captured for the Errors it makes: a VFileMessage is an
 * Error whose `stack` its constructor sets to '' (vfile-message 4), so the stack V8 captures
 * (the costly part of making one: a book's 12,000 warnings, each build) is thrown away anyway.
 */
export function withoutStack<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** "a number", "an object": a type name as a message says it. */
export function withArticle(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/**
 * A problem with how Colophon was asked to build (options, paths, the project's colophon.yaml)
 * rather than with a document: the CLI prints it and exits with 2. A positioned one already
 * reads `file:line:col: error: …` and is printed as it is.
 */
export class UsageError extends Error {
  readonly positioned: boolean;
  constructor(message: string, options: { positioned?: boolean } = {}) {
    super(message);
    this.positioned = options.positioned ?? false;
  }
}

/** A value quoted in a message (a URL, a path): at most 80 characters, so the line stays readable. */
export function quoted(value: string): string {
  return value.length > 80 ? `${value.slice(0, 77)}…` : value;
}
