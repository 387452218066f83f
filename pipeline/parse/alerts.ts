import type { BlockContent, DefinitionContent, Root } from 'mdast';
import { remarkAlert } from 'remark-github-blockquote-alert';
import { visit } from '../visit.ts';

/**
 * GitHub alerts (`> [!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, `[!WARNING]`, `[!CAUTION]`).
 * remark-github-blockquote-alert recognises them; it marks the block quote for HTML only
 * (`data.hName: 'div'`, an English title paragraph and an octicon `svg` dressed as emphasis).
 * Its result is turned here into a typed `alert` node, without the icon and the title
 * paragraph, so every writer handles one node type and prints the localised title that the
 * alerts transform sets. Any other `[!TYPE]` stays an ordinary block quote.
 */

export const ALERT_KINDS = ['note', 'tip', 'important', 'warning', 'caution'] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

declare module 'mdast' {
  interface Alert extends Parent {
    type: 'alert';
    kind: AlertKind;
    children: (BlockContent | DefinitionContent)[];
    data?: AlertData;
  }
  interface AlertData extends Data {
    /** The localised title ("Note", "Hinweis"), set once by the alerts transform. */
    title?: string;
  }
  interface BlockContentMap {
    alert: Alert;
  }
  interface RootContentMap {
    alert: Alert;
  }
}

const detect = remarkAlert.call(undefined as never);

// GitHub's rule: the marker alone on the quote's first line. The plugin would also take a marker
// followed by text on its line (and drop that text) or one in a later paragraph.
const MARKER_LINE = /^\[!(?:NOTE|TIP|IMPORTANT|WARNING|CAUTION)\][ \t]*(?:\n|$)/i;

export function githubAlerts(tree: Root): void {
  visit(tree, 'blockquote', (node) => {
    const first = node.children[0];
    const text = first?.type === 'paragraph' ? first.children[0] : undefined;
    if (text?.type === 'text' && MARKER_LINE.test(text.value)) (detect as unknown as (tree: Root) => void)({ type: 'root', children: [node] });
  });
  visit(tree, 'blockquote', (node, index, parent) => {
    const classes = node.data?.hProperties?.className;
    const kind = Array.isArray(classes) ? ALERT_KINDS.find((name) => classes.includes(`markdown-alert-${name}`)) : undefined;
    if (!kind || !parent || index === undefined) return;
    // The plugin's title paragraph (icon and English word) goes: the transform sets the title.
    const children = node.children.slice(1).filter((child) => !(child.type === 'paragraph' && child.children.length === 0));
    parent.children[index] = { type: 'alert', kind, children, position: node.position } as never;
  });
}
