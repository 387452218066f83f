import type { FootnoteDefinition, FootnoteReference, Root, Table } from 'mdast';
import type { Abstract, Figure, HighlightMemo } from '../pipeline/types.ts';
import { createSharedResources } from '../pipeline/build/resources.ts';
import { term } from '../pipeline/terms.ts';
import { toString } from 'mdast-util-to-string';
import { visit } from 'unist-util-visit';
import { VFile } from 'vfile';
import { compareMessage } from 'vfile-sort';
import { createRequire } from 'node:module';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatMessage } from '../pipeline/cli/cli.ts';
import { parse } from '../pipeline/parse/parse.ts';
import { numberFootnotes } from '../pipeline/transforms/footnotes.ts';
import { fromHtmlChildren, highlightCode } from '../pipeline/transforms/highlight.ts';
import { runTransforms } from '../pipeline/transforms/index.ts';
import { inlineNotes } from '../pipeline/transforms/inline-notes.ts';
import { extractMetadata } from '../pipeline/transforms/metadata.ts';
import { bylineMdast } from '../pipeline/writers/shared/byline.ts';
import { build } from '../pipeline/build/build.ts';
import { tempProject, tool } from './helpers.ts';

function process(markdown: string, path = 'doc.md') {
  const file = new VFile({ path, value: markdown });
  const tree = parse(file);
  const meta = runTransforms(tree, file);
  return { file, tree, meta, messages: [...file.messages].sort(compareMessage).map(formatMessage) };
}

function references(tree: Root): string[] {
  const found: string[] = [];
  visit(tree, 'footnoteReference', (node: FootnoteReference) => {
    found.push(node.identifier);
  });
  return found;
}

function definitions(tree: Root): { id: string; text: string }[] {
  return tree.children
    .filter((node): node is FootnoteDefinition => node.type === 'footnoteDefinition')
    .map((node) => ({ id: node.identifier, text: toString(node) }));
}

describe('metadata', () => {
  it('normalises authors given as a string, a list of strings or objects', () => {
    expect(process('---\ntitle: T\nauthor: Ada\n---\n').meta.authors).toEqual([{ name: 'Ada' }]);
    expect(process('---\ntitle: T\nauthors: [Ada, Bo]\n---\n').meta.authors).toEqual([{ name: 'Ada' }, { name: 'Bo' }]);
    const { meta } = process('---\ntitle: T\nauthors:\n  - name: Ada\n    affiliation: Lab\n    orcid: https://orcid.org/0000-0002-1825-0097\n---\n');
    expect(meta.authors).toEqual([{ name: 'Ada', affiliation: 'Lab', orcid: '0000-0002-1825-0097' }]);
  });

  it('fills defaults: lang en, a4, a deterministic urn:uuid identifier', () => {
    const one = process('---\ntitle: T\nauthor: Ada\ndate: 2018-06\n---\n\nBody.').meta;
    const two = process('---\ntitle: T\nauthor: Ada\ndate: 2018-06\n---\n\nOther body.').meta;
    expect(one.lang).toBe('en');
    expect(one.papersize).toBe('a4');
    expect(one.identifier).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(one.identifier).toBe(two.identifier);
    expect(process('---\ntitle: U\nauthor: Ada\ndate: 2018-06\n---\n').meta.identifier).not.toBe(one.identifier);
    expect(process('---\ntitle: T\nisbn: 978-3-16-148410-0\n---\n').meta.identifier).toBe('urn:isbn:9783161484100');
  });

  it('falls back to the first heading, then to the file name, with a warning each', () => {
    const heading = process('# My Project\n\nText.', 'README.md');
    expect(heading.meta.title).toBe('My Project');
    expect(heading.messages).toEqual(['README.md:1:1-1:13: warning: no `title` in front matter: using the first heading, "My Project" [metadata-title]'.replace('1:1-1:13', '1:1')]);
    expect(heading.tree.children.some((node) => node.type === 'heading')).toBe(false);
    // A README's badges beside its name are not part of it; a name made of an image alone is its alt text.
    expect(process('smart-buffer  [![Build Status](b.svg)](x)  [![Coverage](c.svg)](y)\n===\n', 'README.md').meta.title).toBe('smart-buffer');
    expect(process('# ![Valibot  logo](v.svg)\n', 'README.md').meta.title).toBe('Valibot logo');
    // Badges or a logo above the name, on a line of their own, do not hide the heading after them.
    const badged = process('[![CI](ci.svg)](ci) [![npm]](npm)<!-- badges -->\n![logo](logo.png)\n\n[npm]: n.svg\n\n## ip-address\n\nText.', 'README.md');
    expect(badged.meta.title).toBe('ip-address');
    expect(badged.tree.children.map((node) => node.type)).toEqual(['paragraph', 'definition', 'paragraph']);
    expect(process('[![CI](ci.svg)](ci) builds nightly.\n\n# Name\n', 'notes/badge.md').meta.title).toBe('badge');
    // Nor does a paragraph with nothing to read: ajv's `&nbsp;` spacer under its raw-HTML logo.
    expect(process('<img align="right" alt="Ajv logo" width="160" src="logo.svg">\n\n&nbsp;\n\n# Ajv: Another JSON schema validator\n', 'README.md').meta.title).toBe('Ajv: Another JSON schema validator');
    const none = process('Just text.', 'notes/plain.md');
    expect(none.meta.title).toBe('plain');
    expect(none.messages[0]).toContain('warning: no `title` in front matter and no heading: using the file name, "plain"');
  });

  it('sets a heading that skips levels one below its section, its siblings with it, and reports a skip the author wrote once', () => {
    const depths = (tree: Root) => tree.children.flatMap((node) => (node.type === 'heading' ? [node.depth] : []));
    // A title taken from `## ip-address`: its `###` sections are level 2, side by side, and nothing skipped.
    const titled = process('## ip-address\n\n### Install\n\n### Examples\n\n#### Node\n\n### API\n', 'README.md');
    expect(depths(titled.tree)).toEqual([2, 2, 3, 2]);
    expect(titled.messages.filter((message) => message.includes('heading-skip'))).toEqual([]);
    // A skip the author wrote: reported at its first heading, its siblings set with it.
    const skipped = process('---\ntitle: T\n---\n\n## A\n\n#### B\n\n#### C\n\n### D\n\n## E\n\n#### F\n');
    expect(depths(skipped.tree)).toEqual([2, 3, 3, 3, 2, 3]);
    expect(skipped.messages.filter((message) => message.includes('heading-skip'))).toEqual([
      'doc.md:7:1: warning: heading level 4 follows level 2: it skips a level, so it is set as level 3 [heading-skip]',
      'doc.md:15:1: warning: heading level 4 follows level 2: it skips a level, so it is set as level 3 [heading-skip]',
    ]);
  });

  it('reports a YAML syntax error at its line and column in the Markdown file', () => {
    const { messages } = process('---\ntitle: T\nauthors: [Ada\n---\n\nText.\n');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/^doc\.md:3:14: error: invalid YAML in front matter: Flow sequence .* \[metadata-yaml\]$/);
  });

  it('reports a wrong type at the offending value', () => {
    const { messages } = process('---\ntitle: T\ntoc: maybe\npapersize: b5\ndate: June 2018\n---\n');
    expect(messages).toEqual([
      'doc.md:3:6: error: front matter `toc` must be a boolean [metadata-type]',
      'doc.md:4:12: error: front matter `papersize` must be one of "a4", "a5", "letter" [metadata-type]',
      'doc.md:5:7: error: front matter `date` must be an ISO 8601 date: YYYY, YYYY-MM, YYYY-MM-DD or a date-time [metadata-type]',
    ]);
  });

  it('refuses a YAML alias bomb instead of expanding it', () => {
    const bomb = ['a: &a [x,x,x,x,x,x,x,x,x]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]', 'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]'].join('\n');
    const { messages } = process(`---\ntitle: T\n${bomb}\n---\n`);
    // At the first alias, where the expansion starts.
    expect(messages[0]).toMatch(/^doc\.md:4:8: error: invalid YAML in front matter: Excessive alias count/);
  });

  it('builds without complaint when there is no front matter but a title heading', () => {
    const { file } = process('# Title\n\nSome *text*.\n');
    expect(file.messages.filter((message) => message.fatal)).toEqual([]);
  });

  it('lets a command-line paper size win over front matter', () => {
    const file = new VFile({ path: 'x.md', value: '---\ntitle: T\npapersize: a5\n---\n' });
    expect(extractMetadata(parse(file), file, { papersize: 'letter' }).papersize).toBe('letter');
  });
});

describe('footnotes', () => {
  it('numbers notes by first citation and moves definitions to the end in order', () => {
    const { tree, messages } = process('---\ntitle: T\n---\n\n[^b]: Bee.\n\nOne[^a] two[^b] three[^a].\n\n[^a]: Ay.\n');
    expect(messages).toEqual([]);
    expect(references(tree)).toEqual(['1', '2', '1']);
    expect(definitions(tree)).toEqual([{ id: '1', text: 'Ay.' }, { id: '2', text: 'Bee.' }]);
  });

  it('numbers author notes first, since the byline precedes the body', () => {
    const { tree, file } = process('---\ntitle: T\nauthors:\n  - name: Ada\n    note: ada\n---\n\nText[^x].\n\n[^x]: X.\n\n[^ada]: Ada is a person.\n');
    expect(file.data.footnotes?.authorNotes).toEqual({ 0: '1' });
    expect(definitions(tree).map((note) => note.text)).toEqual(['Ada is a person.', 'X.']);
  });

  it('reports undefined, unused and duplicate notes with their positions', () => {
    const { messages } = process('---\ntitle: T\n---\n\nCited[^missing] and[^a].\n\n[^a]: First.\n\n[^a]: Second.\n\n[^lonely]: Never cited.\n');
    expect(messages).toEqual([
      'doc.md:5:6-5:16: error: footnote "missing" is cited but never defined [footnote-undefined]',
      'doc.md:9:1-9:14: warning: footnote "a" is defined twice; the first definition is used [footnote-duplicate]',
      'doc.md:11:1-11:25: warning: footnote "lonely" is defined but never cited [footnote-unused]',
    ].map((line) => line.replace(/:(\d+):(\d+)-\d+:\d+:/, ':$1:$2:')));
  });

  it('keeps an undefined citation visible as text', () => {
    const { tree } = process('---\ntitle: T\n---\n\nSee[^nope].\n');
    expect(toString(tree)).toBe('See[^nope].');
  });

  it('turns inline notes into numbered notes in the same sequence', () => {
    const { tree, messages } = process('---\ntitle: T\n---\n\nA[^a] then^[an *inline* note with [a link](https://x.test) and [brackets]] end.\n\n[^a]: Ay.\n');
    expect(messages).toEqual([]);
    expect(references(tree)).toEqual(['1', '2']);
    expect(definitions(tree)).toEqual([{ id: '1', text: 'Ay.' }, { id: '2', text: 'an inline note with a link and [brackets]' }]);
    expect(toString(tree.children[0]!)).toBe('A then end.');
  });

  it('leaves an unclosed ^[ alone', () => {
    const file = new VFile({ value: 'Price^[ no close' });
    const tree = parse(file);
    inlineNotes(tree);
    expect(toString(tree)).toBe('Price^[ no close');
  });

  it('numbers thousands of notes (numbering is linear)', () => {
    const count = 3_000;
    const body = Array.from({ length: count }, (_, index) => `N${index}[^n${index}].`).join(' ');
    const defs = Array.from({ length: count }, (_, index) => `[^n${index}]: Note ${index}.`).join('\n\n');
    const file = new VFile({ value: `---\ntitle: T\n---\n\n${body}\n\n${defs}\n` });
    const tree = parse(file);
    const meta = extractMetadata(tree, file);
    const info = numberFootnotes(tree, file, meta);
    expect(info.count).toBe(count);
    expect(file.messages).toEqual([]);
  });
});

describe('headings', () => {
  it("never slugs a heading to a note's id: the second heading \"fn\" is not the first note's `fn-1`", () => {
    const { tree } = process('# Doc\n\n## fn\n\nText[^a].\n\n## fn\n\n## fnref 1\n\n[^a]: A note.\n');
    const ids = tree.children.flatMap((node) => (node.type === 'heading' ? [node.data?.id] : []));
    expect(ids).toEqual(['fn', 'section-fn-1', 'section-fnref-1']);
  });

  it('gives unique GitHub-style ids, shared by every edition', () => {
    const { tree } = process('---\ntitle: T\n---\n\n## Intro\n\n## Intro\n\n### Notes\n');
    const ids: string[] = [];
    visit(tree, 'heading', (node) => {
      ids.push(node.data?.id ?? '');
    });
    expect(ids).toEqual(['intro', 'intro-1', 'notes']);
  });

  it('points a fragment at the one anchor it names in another case, as GitHub does, and leaves the rest as written', () => {
    const markdown = [
      '---\ntitle: T\n---\n',
      'See [makeRe](#makeRe), [twice][t], [Bar](#Bar), [exact](#Raw) and [nothing](#Missing).\n',
      '[t]: #MAKERE\n',
      '## makeRe\n',
      '<a id="Raw"></a>\n\n## raw\n',
      '## Bar\n\n<a id="BAR"></a>\n',
    ].join('\n');
    const { tree } = process(markdown);
    const urls: string[] = [];
    visit(tree, (node) => {
      if (node.type === 'link' || node.type === 'definition') urls.push((node as { url: string }).url);
    });
    // `#Bar` matches both `bar` and `BAR` but for case: left as written, like `#Missing`.
    expect(urls).toEqual(['#makere', '#Bar', '#Raw', '#Missing', '#makere']);
  });
});

describe('figures and table captions', () => {
  const figures = (tree: Root) => tree.children.filter((node): node is Figure => node.type === 'figure');

  it('makes an image alone in its paragraph a numbered figure captioned by its alt text', () => {
    const { tree } = process('![A map of the city](map.png)\n\nText with ![an icon](i.png) inline.\n\n![Second](b.png){#fig:second .nofloat}\n');
    const found = figures(tree);
    expect(found.map((figure) => [figure.kind, figure.number, figure.label, figure.identifier, figure.float])).toEqual([
      ['figure', 1, 'Figure\u00a01', undefined, true],
      ['figure', 2, 'Figure\u00a02', 'fig:second', false],
    ]);
    expect(found[0]!.children.map((child) => child.type)).toEqual(['image', 'caption']);
    expect(toString(found[0]!.children[1]!)).toBe('A map of the city');
    // The inline image stays in its paragraph.
    expect(tree.children[1]!.type).toBe('paragraph');
    expect(toString(tree)).not.toContain('{#fig');
  });

  it('keeps an image without alt text an image, as Pandoc does', () => {
    const { tree } = process('![](plain.png)\n');
    expect(figures(tree)).toEqual([]);
  });

  it('attaches Table: and : captions before, after or right under a table, with pandoc-crossref ids', () => {
    const table = '| a | b |\n|---|---|\n| 1 | 2 |\n';
    const { tree } = process(`Table: Before *it* {#tbl:one}\n\n${table}\nText.\n\n${table}\n: After it\n\nText.\n\n${table}Table: Right under\n`);
    const found = figures(tree);
    expect(found.map((figure) => [figure.kind, figure.label, figure.identifier, toString(figure.children[0]!)])).toEqual([
      ['table', 'Table\u00a01', 'tbl:one', 'Before it'],
      ['table', 'Table\u00a02', undefined, 'After it'],
      ['table', 'Table\u00a03', undefined, 'Right under'],
    ]);
    // The caption row GFM read is gone from the last table.
    const last = found[2]!.children[1]! as Table;
    expect(last.children).toHaveLength(2);
    expect(toString(tree)).not.toMatch(/Table:/);
  });

  it('numbers figures and tables separately, labelled in the document language', () => {
    const table = '| a |\n|---|\n| 1 |\n\nTable: T\n';
    for (const [lang, figure, tableLabel] of [['fr', 'Figure\u00a01', 'Tableau\u00a01'], ['de', 'Abbildung\u00a01', 'Tabelle\u00a01'], ['ja', '図1', '表1'], ['pt-BR', 'Figura\u00a01', 'Tabela\u00a01']]) {
      const { tree } = process(`---\ntitle: T\nlang: ${lang}\n---\n\n![F](f.png)\n\n${table}`);
      expect(figures(tree).map((node) => node.label)).toEqual([figure, tableLabel]);
    }
    expect(term('xx', 'figure')).toBe('Figure');
  });

  it('keeps every figure in place with float: false', () => {
    const { tree } = process('---\ntitle: T\nfloat: false\n---\n\n![F](f.png)\n');
    expect(figures(tree)[0]!.float).toBe(false);
  });

  it('numbers a note in a caption above its table before the notes in the table', () => {
    const { tree } = process('Table: Caption.[^a]\n\n| a |\n|---|\n| x[^b] |\n\n[^a]: A.\n[^b]: B.\n');
    expect(definitions(tree).map((note) => note.text)).toEqual(['A.', 'B.']);
  });
});

describe('abstract', () => {
  it('opens the body with the front matter abstract (Markdown) and becomes the description when none is given', () => {
    const { tree, meta } = process('---\ntitle: T\nabstract: |\n  We *counted* visitors.[^n]\n\n  A second paragraph.\n---\n\nBody.\n\n[^n]: A note.\n');
    const first = tree.children[0]!;
    expect(first.type).toBe('abstract');
    expect((first as Abstract).children.map((node) => node.type)).toEqual(['paragraph', 'paragraph']);
    expect(meta.description).toBe('We counted visitors. A second paragraph.');
    // A note cited in the abstract is numbered first.
    expect(references(tree)).toEqual(['1']);
    expect(process('---\ntitle: T\ndescription: Given.\nabstract: An abstract.\n---\n').meta.description).toBe('Given.');
  });

  it('smartens the metadata it prints and the description it derives, like the body (not with smart: false)', () => {
    const { meta } = process('---\ntitle: "It\'s \\"T\\""\nauthor: "Patrick O\'Brian"\neditor: "Ann O\'Neil"\nrights: "CC -- \'by\'"\nabstract: |\n  "We" counted -- `"code"`.\n---\n\nBody.\n');
    expect([meta.title, meta.authors[0]!.name, meta.editors[0], meta.rights, meta.description]).toEqual(['It’s “T”', 'Patrick O’Brian', 'Ann O’Neil', 'CC – ‘by’', '“We” counted – "code".']);
    expect(process('---\ntitle: T\nlang: fr\n---\n\n"Vrai?" Oui.\n').meta.description).toBe('«\u202FVrai\u202F?\u202F» Oui.');
    const plain = process('---\ntitle: "It\'s"\nauthor: "O\'Brian"\nsmart: false\n---\n\n"Body" -- text.\n').meta;
    expect([plain.title, plain.authors[0]!.name, plain.description]).toEqual(["It's", "O'Brian", '"Body" -- text.']);
  });
});

describe('emoji shortcodes', () => {
  it('shows GitHub’s shortcodes as the emoji they name, in text only, unknown names as written; not with emoji: false', () => {
    const source = '## :rocket: Launch\n\nShip it :tada: :+1:, `:tada:` in code, :no_such_name: kept.\n\n```\n:tada:\n```\n';
    const { tree } = process(`---\ntitle: T\n---\n\n${source}`);
    expect(toString(tree.children[0])).toBe('🚀 Launch');
    // The heading's id is GitHub's, from the shortcode as written.
    expect(tree.children[0]?.type === 'heading' && tree.children[0].data?.id).toBe('rocket-launch');
    expect(toString(tree.children[1])).toBe('Ship it 🎉 👍, :tada: in code, :no_such_name: kept.');
    expect(tree.children[2]?.type === 'code' && tree.children[2].value).toBe(':tada:');
    const kept = process(`---\ntitle: T\nemoji: false\n---\n\n${source}`);
    expect(toString(kept.tree.children[1])).toBe('Ship it :tada: :+1:, :tada: in code, :no_such_name: kept.');
    expect(kept.messages).toEqual([]);
  });
});

describe('line breaks between East Asian characters', () => {
  const texts = (markdown: string) => {
    const { tree } = process(`---\ntitle: T\nsmart: false\n---\n\n${markdown}`);
    return tree.children.map((block) => toString(block));
  };

  it('takes out a break between Chinese or Japanese characters, inside a text or across emphasis and links', () => {
    expect(texts('資訊，\n或直接前往。\n\n**最初から**\n設計されています\n[リンク](https://example.com)\nです。')).toEqual(['資訊，或直接前往。', '最初から設計されていますリンクです。']);
    // An ideograph beyond the first plane (a surrogate pair in JavaScript) is one character.
    expect(texts('𠀋\n字')).toEqual(['𠀋字']);
    // Spaces a line kept around its break go with it.
    expect(texts('漢字 \n  漢字')).toEqual(['漢字漢字']);
  });

  it('keeps it as a space where either side is Latin, Hangul, ambiguous-width or not text, and where the author wrote a space', () => {
    expect(texts('Biome 的\nAPI\n\n한국어는\n띄어 씁니다\n\n中文\n`code`\n中文\n\n“引号”\n中文\n\n中文 中文')).toEqual([
      'Biome 的\nAPI',
      '한국어는\n띄어 씁니다',
      '中文\ncode\n中文',
      '“引号”\n中文',
      '中文 中文',
    ]);
  });

  it('reads the same in all three editions: no space where the source broke a Chinese line', async () => {
    const root = tempProject({ 'doc.md': '---\ntitle: 測試\nlang: zh-TW\n---\n\n訪問我們的首頁以了解更多關於的資訊，\n或直接前往入門指南開始使用。\n' });
    try {
      const result = await build({ root, paths: ['doc.md'], out: 'dist', formats: ['html', 'pdf', 'epub'], cache: false });
      expect(result.ok).toBe(true);
      const joined = '的資訊，或直接前往';
      expect(readFileSync(join(root, 'dist', 'doc.html'), 'utf8')).toContain(joined);
      expect(tool('unzip', ['-p', join(root, 'dist', 'doc.epub'), 'OEBPS/chapter-01.xhtml'])).toContain(joined);
      expect(tool('pdftotext', [join(root, 'dist', 'doc.pdf'), '-']).replace(/\n/g, '')).toContain(joined);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('takes out a break beside a zero-width space, and leaves code alone', () => {
    expect(texts('a\u200b\nb\n\n```\n中文\n中文\n```')).toEqual(['a\u200bb', '中文\n中文']);
  });
});

describe('code highlighting', () => {
  it('builds from highlight.js’s token tree the hast its HTML parses to (scopes, sub-languages, CR LF, NUL)', () => {
    const hljs = createRequire(import.meta.url)('highlight.js') as { highlight(code: string, options: { language: string; ignoreIllegals: boolean }): { value: string } };
    const samples: [string, string][] = [
      // Colophon loads only the grammars a document names: CSS first, so that HTML's <style> finds it.
      ['css', 'p > a:hover { color: #fff; }\n'],
      ['js', 'function area(r) {\r\n  return Math.PI * r ** 2; // "<b>" & \'x\'\0\n}\r'],
      ['html', '<p class="a">&amp; text</p>\n<script>const a = "</p>";</script>\n<style>p { color: red }</style>\n'],
      ['python', 'class A(B):\n    def f(self): return f"{self!r}"\n'],
      ['diff', '--- a\n+++ b\n@@ -1 +1 @@\n-x\n+y\n'],
    ];
    const tree: Root = { type: 'root', children: samples.map(([lang, value]) => ({ type: 'code', lang, value })) };
    highlightCode(tree);
    tree.children.forEach((node, index) => {
      const [lang, value] = samples[index]!;
      const html = hljs.highlight(value, { language: lang === 'js' ? 'javascript' : lang === 'html' ? 'xml' : lang, ignoreIllegals: true }).value;
      expect((node.data as { hChildren?: unknown } | undefined)?.hChildren).toEqual([...fromHtmlChildren(html), { type: 'text', value: '\n' }]);
    });
  });

  it('in a watch session, highlights each code block once: a rebuild takes unchanged code from the memo, with the same spans', () => {
    const memo = createSharedResources({ treeMemoryBytes: 1024 * 1024 }).highlights;
    expect(memo).toBeDefined();
    let misses = 0;
    const counting: HighlightMemo = {
      get: (key) => memo?.get(key),
      set: (key, children) => {
        misses++;
        memo?.set(key, children);
      },
    };
    const code = (value: string): Root => ({ type: 'root', children: [{ type: 'code', lang: 'js', value }, { type: 'code', lang: 'python', value: 'x = 1\n' }, { type: 'code', lang: 'nosuch', value: 'y' }] });
    const first = code('let a = 1;');
    highlightCode(first, counting);
    expect(misses).toBe(2);
    // An edit of the first block: only it is highlighted again; the result is a cold run's.
    const edited = code('let a = 2;');
    highlightCode(edited, counting);
    expect(misses).toBe(3);
    const cold = code('let a = 2;');
    highlightCode(cold);
    expect(edited).toEqual(cold);
  });
});

describe('the byline word, in the document’s language', () => {
  const bylineText = (lang: string) => {
    const file = new VFile({ value: `---\ntitle: T\nlang: ${lang}\nauthor: [Ada Ferreira, Jonas Berg]\n---\n\nText.\n` });
    const meta = extractMetadata(parse(file), file);
    const byline = bylineMdast(meta, { authorNotes: [] } as unknown as Parameters<typeof bylineMdast>[1]);
    return byline ? toString(byline) : undefined;
  };
  it('is By, Von, Par, or nothing where bylines print the names alone', () => {
    expect(bylineText('en')).toBe('By Ada Ferreira, Jonas Berg');
    expect(bylineText('de-AT')).toBe('Von Ada Ferreira, Jonas Berg');
    expect(bylineText('fr')).toBe('Par Ada Ferreira, Jonas Berg');
    expect(bylineText('ja')).toBe('Ada Ferreira, Jonas Berg');
    expect(bylineText('ar')).toBe('Ada Ferreira, Jonas Berg');
  });
});

describe('link text', () => {
  it("names a link whose only content is images without alt text by the images' titles, and reports a link left with none", () => {
    const { tree, messages } = process(
      [
        '---',
        'title: Badges',
        '---',
        '',
        '<a href="https://example.org/docs"><img src="https://example.org/badge.svg" alt="" title="Documentation"></a>',
        '[![](badge.svg "Build status")](https://example.org/ci) [![CI](badge.svg "ignored")](https://example.org/ci)',
        '',
        '[](https://example.org/empty) and <a href="https://example.org/bare"><img src="b.svg" alt=""></a>',
      ].join('\n'),
    );
    const alts: string[] = [];
    visit(tree, 'image', (node) => {
      alts.push(node.alt ?? '');
    });
    expect(alts).toEqual(['Documentation', 'Build status', 'CI', '']);
    expect(messages.filter((message) => message.includes('[link-text]'))).toEqual([
      'doc.md:8:1: warning: link to "https://example.org/empty" has no text: screen readers announce only that a link is there; give it text or its image alt text [link-text]',
      'doc.md:8:35: warning: link to "https://example.org/bare" has no text: screen readers announce only that a link is there; give it text or its image alt text [link-text]',
    ]);
  });
});
