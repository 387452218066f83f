import { createRequire } from 'node:module';
import type { ElementContent, Properties } from 'hast';
import { fromHtml } from 'hast-util-from-html';
import type { Code, Root } from 'mdast';
import { visit } from '../visit.ts';
import type { HighlightMemo } from '../types.ts';
// Brings mdast's `data.hChildren` into scope.
import type {} from 'mdast-util-to-hast';

/**
 * Syntax highlighting, once, for all three editions: highlight.js (the tokenizer lowlight
 * wraps) turns fenced code with a known language into spans with `hljs-…` classes, stored
 * as the code's hast children. HTML and EPUB print them with colours from the stylesheet; the
 * PDF draws the same spans with the same colours (writers/shared/highlight-colors.ts).
 *
 * Why highlight.js and not Shiki or starry-night (README, "Syntax highlighting"): its start is
 * about 3× quicker, it needs no WebAssembly regex engine, and its grammars load one file per
 * language; it gives class names, so one colour table serves the stylesheet and the PDF. It is
 * loaded only when a document has fenced code with a language, and only the grammars used.
 * lowlight's own entry point imports every grammar at once, so the core is used directly.
 * An unknown language is plain text, without a warning.
 */

/** highlight.js's token tree (its default emitter's): text, and scopes around text. */
interface TokenNode {
  scope?: string;
  children?: (string | TokenNode)[];
}

interface HighlightResult {
  value: string;
  illegal: boolean;
  errorRaised?: unknown;
  _emitter?: { root: TokenNode };
}

interface Highlighter {
  registerLanguage(name: string, language: unknown): void;
  getLanguage(name: string): unknown;
  highlight(code: string, options: { language: string; ignoreIllegals: boolean }): HighlightResult;
  highlightAuto(code: string, languages: string[]): HighlightResult;
  newInstance(): Highlighter;
  configure(options: { classPrefix?: string; throwUnescapedHTML?: boolean; __emitter?: unknown }): void;
}

const require = createRequire(import.meta.url);

/** Common short names to grammar files; any other name is tried as a file name. */
const ALIASES: Readonly<Record<string, string>> = {
  js: 'javascript', jsx: 'javascript', mjs: 'javascript', cjs: 'javascript', node: 'javascript',
  ts: 'typescript', tsx: 'typescript', mts: 'typescript',
  py: 'python', py3: 'python', python3: 'python', gyp: 'python',
  sh: 'bash', shell: 'bash', zsh: 'bash', console: 'shell', shellsession: 'shell',
  yml: 'yaml', md: 'markdown', mkd: 'markdown',
  html: 'xml', xhtml: 'xml', svg: 'xml', rss: 'xml', atom: 'xml', plist: 'xml',
  'c++': 'cpp', cc: 'cpp', hpp: 'cpp', cxx: 'cpp', h: 'c',
  cs: 'csharp', 'c#': 'csharp', rb: 'ruby', rs: 'rust', kt: 'kotlin', golang: 'go',
  ps1: 'powershell', pwsh: 'powershell', tex: 'latex', hs: 'haskell', ex: 'elixir', exs: 'elixir',
  erl: 'erlang', pl: 'perl', pm: 'perl', jl: 'julia', m: 'objectivec', objc: 'objectivec',
  docker: 'dockerfile', make: 'makefile', mk: 'makefile', bat: 'dos', cmd: 'dos', patch: 'diff',
  jsonc: 'json', json5: 'json', toml: 'ini', proto: 'protobuf', vb: 'vbnet', gql: 'graphql',
};

/** What a grammar's file may be called: a language tag never names a path (`../x` is not a grammar). */
const GRAMMAR_NAME = /^[a-z][a-z0-9]{0,30}$/;

/** Per process: a highlight.js instance of Colophon's own and the grammars loaded into it. */
let shared: { hljs: Highlighter; tried: Map<string, string | undefined> } | undefined;

function languageOf(lang: string): { hljs: Highlighter; name: string } | undefined {
  const wanted = lang.toLowerCase();
  const file = ALIASES[wanted] ?? wanted;
  if (!GRAMMAR_NAME.test(file)) return undefined;
  if (!shared) {
    const hljs = (require('highlight.js/lib/core') as Highlighter).newInstance();
    hljs.configure({ throwUnescapedHTML: false });
    const emitter = silentEmitter(hljs);
    if (emitter) hljs.configure({ __emitter: emitter });
    shared = { hljs, tried: new Map() };
  }
  const { hljs, tried } = shared;
  register(hljs, tried, file);
  const name = tried.get(file);
  return name ? { hljs, name } : undefined;
}

/**
 * highlight.js's own emitter (the token tree's), but for the HTML it renders from the tree at the
 * end of every highlight (`result.value`; about a tenth of highlighting 1 MB of READMEs): Colophon
 * reads the tree. A result whose tree is not read (illegal, or an error raised) has its value from
 * the code itself, not from the emitter. The class is found through a result of no language.
 */
function silentEmitter(hljs: Highlighter): unknown {
  const TokenTreeEmitter = hljs.highlightAuto('', [])._emitter?.constructor as (new (options: unknown) => { toHTML(): string }) | undefined;
  if (!TokenTreeEmitter) return undefined;
  return class extends TokenTreeEmitter {
    override toHTML(): string {
      return '';
    }
  };
}

/**
 * Load a grammar, then every grammar it embeds by name (`subLanguage`: bash in a console session,
 * CSS and HTML in JavaScript's template strings, HTML in Markdown): highlight.js uses an embedded
 * grammar only if it is loaded, so without this a block's colours would depend on which
 * documents this process had highlighted before.
 */
function register(hljs: Highlighter, tried: Map<string, string | undefined>, file: string): void {
  if (tried.has(file)) return;
  let name: string | undefined;
  try {
    hljs.registerLanguage(file, require(`highlight.js/lib/languages/${file}`));
    name = file;
  } catch {
    // No such grammar: the code stays plain.
  }
  tried.set(file, name);
  if (name) for (const embedded of embeddedLanguages(hljs.getLanguage(name))) register(hljs, tried, embedded);
}

/** The grammar names a language's modes embed, found by a walk over its definition. */
function embeddedLanguages(language: unknown): Set<string> {
  const names = new Set<string>();
  const seen = new Set<object>();
  const walk = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return;
    seen.add(value);
    const sub = (value as { subLanguage?: unknown }).subLanguage;
    for (const embedded of typeof sub === 'string' ? [sub] : Array.isArray(sub) ? sub : []) {
      if (typeof embedded === 'string' && GRAMMAR_NAME.test(embedded)) names.add(embedded);
    }
    for (const child of Object.values(value)) walk(child);
  };
  walk(language);
  return names;
}

/**
 * Highlight every fenced code block with a known language. With `memo` (a watch session), code
 * highlighted before is taken from there: the spans are a function of the grammar and the text.
 */
export function highlightCode(tree: Root, memo?: HighlightMemo): void {
  // Spans of one scope share their properties (never changed: see HighlightMemo), one object per
  // scope instead of one per span: a book's code has hundreds of thousands of spans.
  const classes = new Map<string, Properties>();
  const compact = compactSpans();
  visit(tree, 'code', (node: Code) => {
    const language = node.lang ? languageOf(node.lang) : undefined;
    if (!language || node.value === '') return;
    const key = memo ? `${language.name}\0${node.value}` : '';
    let children = memo?.get(key);
    if (!children) {
      const result = language.hljs.highlight(node.value, { language: language.name, ignoreIllegals: true });
      const root = result._emitter?.root;
      children = root && !result.illegal && !result.errorRaised ? tokensToHast(root, classes) : fromHtmlChildren(result.value);
      memo?.set(key, children);
    }
    node.data = { ...node.data };
    // mdast-util-to-hast ends a code block's text with a line break; keep it.
    if (!compact.keep(node.data, children, node.value)) node.data.hChildren = [...children, { type: 'text', value: '\n' }];
  });
}

/**
 * Highlighted code kept compact until an edition reads it. A book's code has hundreds of
 * thousands of spans, and their hast (an element, its children's array and a text node per span,
 * the text copied out of the code) lived as long as the book's tree, through every edition: about
 * a fifth of the transformed tree's heap. The spans are kept as one number per span's start and
 * end and per text (its length: texts are read back from the code itself), and `hChildren` is an
 * accessor that makes the same hast afresh for each reader (the HTML, EPUB and PDF writers read it
 * once each; the garbage goes with the block). A span's properties stay the one object of its
 * scope. Spans that cannot be read back exactly (texts that are not the code's own, as after a CR
 * LF was normalised) are kept as hast, as before. Assigning `hChildren` replaces the accessor by
 * the value, as a plain property would be; the accessor is enumerable, so spreading or cloning a
 * block's data, or walking its keys, sees the hast as before.
 */
function compactSpans() {
  const properties: Properties[] = [];
  const numbers = new Map<Properties, number>();
  const spans = new WeakMap<object, { ops: Int32Array; value: string }>();
  /** One op per text (minus its length), span start (its properties' number plus one) and span end (0). */
  const encode = (children: ElementContent[], value: string): number[] | undefined => {
    const ops: number[] = [];
    let at = 0;
    const walk = (nodes: ElementContent[]): boolean => {
      for (const node of nodes) {
        const keys = Object.keys(node);
        if (node.type === 'text' && keys.length === 2 && keys[0] === 'type' && keys[1] === 'value') {
          if (node.value === '' || !value.startsWith(node.value, at)) return false;
          ops.push(-node.value.length);
          at += node.value.length;
        } else if (node.type === 'element' && node.tagName === 'span' && keys.join() === 'type,tagName,properties,children') {
          let number = numbers.get(node.properties);
          if (number === undefined) {
            number = properties.push(node.properties);
            numbers.set(node.properties, number);
          }
          ops.push(number);
          if (!walk(node.children)) return false;
          ops.push(0);
        } else return false;
      }
      return true;
    };
    return walk(children) ? ops : undefined;
  };
  const expand = (ops: Int32Array, value: string): ElementContent[] => {
    const root: ElementContent[] = [];
    const open: ElementContent[][] = [root];
    let at = 0;
    for (const op of ops) {
      const into = open[open.length - 1]!;
      if (op < 0) {
        into.push({ type: 'text', value: value.slice(at, at - op) });
        at -= op;
      } else if (op === 0) open.pop();
      else {
        const children: ElementContent[] = [];
        into.push({ type: 'element', tagName: 'span', properties: properties[op - 1]!, children });
        open.push(children);
      }
    }
    root.push({ type: 'text', value: '\n' });
    return root;
  };
  const accessor: PropertyDescriptor = {
    enumerable: true,
    configurable: true,
    get(this: object) {
      const kept = spans.get(this);
      return kept ? expand(kept.ops, kept.value) : undefined;
    },
    set(this: object, children: unknown) {
      Object.defineProperty(this, 'hChildren', { value: children, writable: true, enumerable: true, configurable: true });
    },
  };
  return {
    /** Keep `children` compact as `data.hChildren` (plus the closing line break); false when they cannot be. */
    keep(data: object, children: ElementContent[], value: string): boolean {
      const ops = encode(children, value);
      if (!ops) return false;
      spans.set(data, { ops: Int32Array.from(ops), value });
      Object.defineProperty(data, 'hChildren', accessor);
      return true;
    },
  };
}

/** What highlight.js's HTML parses to (used only when its token tree is not the result). */
export function fromHtmlChildren(html: string): ElementContent[] {
  const fragment = fromHtml(html, { fragment: true });
  // Places in highlight.js's HTML are not places in the document.
  visit(fragment, (child) => {
    delete child.position;
  });
  return fragment.children as ElementContent[];
}

/**
 * The hast that parsing highlight.js's HTML gives (as `fromHtmlChildren` does), built from its
 * token tree instead, at a fraction of the cost: a scope is a span with highlight.js's classes,
 * a scope-less node (the root, an unnamed sub-language) only its children; adjacent texts are
 * one text node, and texts are normalised as an HTML parser does (CR LF and CR to LF, NUL dropped).
 */
export function tokensToHast(root: TokenNode, classes = new Map<string, Properties>()): ElementContent[] {
  const propertiesOf = (scope: string): Properties => {
    let properties = classes.get(scope);
    if (!properties) {
      properties = { className: scopeToClasses(scope) };
      classes.set(scope, properties);
    }
    return properties;
  };
  const walk = (node: TokenNode, into: ElementContent[]): ElementContent[] => {
    for (const child of node.children ?? []) {
      if (typeof child === 'string') {
        const last = into.at(-1);
        if (last?.type === 'text') last.value += child;
        else if (child !== '') into.push({ type: 'text', value: child });
      } else if (!child.children) {
        // highlight.js's renderer skips a node without children, wrapper and all.
      } else if (child.scope) {
        into.push({ type: 'element', tagName: 'span', properties: propertiesOf(child.scope), children: walk(child, []) });
      } else {
        walk(child, into);
      }
    }
    for (let index = into.length - 1; index >= 0; index--) {
      const item = into[index]!;
      if (item.type !== 'text') continue;
      item.value = item.value.replace(/\r\n?/g, '\n').replaceAll('\0', '');
      if (item.value === '') into.splice(index, 1);
    }
    return into;
  };
  return walk(root, []);
}

/** highlight.js's `scopeToCSSClass`, as a class list: `title.function` → hljs-title function_. */
function scopeToClasses(scope: string): string[] {
  if (scope.startsWith('language:')) return [scope.replace('language:', 'language-')];
  const [first = '', ...rest] = scope.split('.');
  return [`hljs-${first}`, ...rest.map((piece, index) => `${piece}${'_'.repeat(index + 1)}`)];
}
