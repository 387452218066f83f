import type { Link, LinkReference, Root } from 'mdast';
import type { VFile } from 'vfile';
import { report } from '../messages.ts';
import { plainText } from '../plain-text.ts';
import { visit } from '../visit.ts';

/**
 * A link's text is what a screen reader announces for it, and what the EPUB and PDF print when
 * its image cannot be shown. A README's badge often links an image with an empty alt and a
 * title (`<a href="…"><img src="…" alt="" title="Documentation"></a>`): the link then has no
 * name at all, and the EPUB and PDF print nothing where it was. An image that is a link's
 * only content is not decorative, so when the link has no other text, each such image takes
 * its title as its alt text: the author's own words for it. A link still without text is reported.
 */
export function nameImageLinks(tree: Root, file: VFile): void {
  const check = (link: Link | LinkReference) => {
    if (hasText(link)) return;
    for (const child of link.children) {
      if (child.type === 'image' && !child.alt && child.title?.trim()) child.alt = child.title.trim();
    }
    if (!hasText(link)) {
      const target = link.type === 'link' ? `"${link.url}"` : `[${link.label ?? link.identifier}]`;
      report(file, 'warning', `link to ${target} has no text: screen readers announce only that a link is there; give it text or its image alt text`, link, 'link-text');
    }
  };
  visit(tree, (node) => node.type === 'link' || node.type === 'linkReference', (node) => check(node as Link | LinkReference));
}

/** Whether a link has text: its own, or an image's alt text (mdast-util-to-string reads alt text). */
function hasText(link: Link | LinkReference): boolean {
  return plainText(link.children).trim() !== '';
}
