import { readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import * as v from 'valibot';
import { isMap, isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { UsageError, withArticle } from '../messages.ts';
import { checkThemeOverride, type ThemeOverride } from '../transforms/pdf-theme.ts';
import { EDITIONS, type Edition, type PaperSize } from '../types.ts';
import { isInside, packageRoot, stylesheetProblem } from '../read/assets.ts';

/**
 * A project's defaults for every document: `colophon.yaml` at the root, or the `colophon` key of
 * the root's package.json. Front matter overrides them, the command line overrides both.
 * Relative paths in it are relative to the root; every file it names is read and checked here,
 * so a problem is one positioned message (`colophon.yaml:3:7: error: …`) and exit code 2.
 */
export interface ProjectDefaults {
  /** The file the defaults came from, relative to the working folder (for messages). */
  from?: string;
  /** Its absolute path (for --watch). */
  file?: string;
  papersize?: PaperSize;
  /** The theme override itself: a file named here is read and checked now. */
  pdfTheme?: ThemeOverride;
  /** Absolute paths of the stylesheets, each checked (inside the root, CSS text, at most 1 MB). */
  css?: string[];
  formats?: Edition[];
  /** Absolute output folder. */
  out?: string;
}

const path = v.pipe(v.string(), v.trim(), v.minLength(1, 'must not be empty'));
const editionList = v.pipe(
  v.union([v.pipe(v.string(), v.transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean))), v.array(v.string())]),
  v.check((list) => list.length > 0 && list.every((item) => (EDITIONS as readonly string[]).includes(item)), `must list editions among ${EDITIONS.join(', ')}`),
);
const schema = v.strictObject({
  papersize: v.optional(v.picklist(['a4', 'a5', 'letter'])),
  'pdf-theme': v.optional(v.union([path, v.record(v.string(), v.unknown())])),
  css: v.optional(v.union([v.pipe(path, v.transform((one) => [one])), v.array(path)])),
  formats: v.optional(editionList),
  out: v.optional(path),
});

/**
 * Whether a package.json is JSON without a top-level `colophon` key, as most are: the YAML parse
 * that keeps every value's place then has nothing to read, and JSON.parse says so in a fraction
 * of its time (in a fresh process, a 4 KB package.json took the YAML parser about a tenth of the
 * set-up before the seed's first render). Anything else goes to the YAML parse, as before.
 */
export function lacksColophonKey(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  return typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, 'colophon');
}

/** Read the project's defaults; none when it has neither file. Throws a UsageError with a position. */
export function readProjectDefaults(root: string, cwd = process.cwd()): ProjectDefaults {
  checkProjectTemplates(root, cwd);
  const yamlPath = resolve(root, 'colophon.yaml');
  const packagePath = resolve(root, 'package.json');
  const shown = (file: string) => relative(cwd, file) || file;
  let text: string;
  let source: string;
  let document: Document;
  const lineCounter = new LineCounter();
  if (isFile(yamlPath)) {
    source = yamlPath;
    text = readFileSync(yamlPath, 'utf8');
    document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  } else if (isFile(packagePath)) {
    source = packagePath;
    text = readFileSync(packagePath, 'utf8');
    if (lacksColophonKey(text)) return {};
    // JSON is YAML: parsed this way, every value keeps its line and column.
    document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    // A package.json that is not even JSON is npm's problem, not ours; without a `colophon` key there is nothing to read.
    if (document.errors.length > 0 || !isMap(document.contents) || !document.contents.has('colophon')) return {};
  } else {
    return {};
  }
  const fail = (offset: number, message: string): never => {
    const { line, col } = lineCounter.linePos(offset);
    throw new UsageError(`${shown(source)}:${line}:${col}: error: ${message}`, { positioned: true });
  };
  for (const error of document.errors) fail(error.pos[0], `invalid YAML: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);

  const inPackage = source === packagePath;
  const prefix = inPackage ? ['colophon'] : [];
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: 100 });
  } catch (error) {
    fail(0, `invalid YAML: ${(error as Error).message}`);
  }
  if (inPackage) value = (value as Record<string, unknown>).colophon;
  if (value === null || value === undefined) return { from: shown(source), file: source };
  if (typeof value !== 'object' || Array.isArray(value)) fail(offsetOf(document, prefix), `${inPackage ? '`colophon` ' : ''}must be a mapping of papersize, pdf-theme, css, formats, out`);

  const result = v.safeParse(schema, value);
  if (!result.success) {
    const issue = result.issues[0];
    const at = (issue.path ?? []).map((item) => item.key as string | number);
    fail(offsetOf(document, [...prefix, ...at]), `\`${at.join('.') || 'colophon'}\` ${describe(issue)}`);
    throw new Error('unreachable');
  }
  const data = result.output;
  const realRoot = realpathSync(root);
  /** A file the defaults name: inside the root, a regular file. */
  const locate = (name: string, keyPath: (string | number)[]): string => {
    const full = resolve(root, name);
    let real = '';
    try {
      real = realpathSync(full);
    } catch {
      fail(offsetOf(document, [...prefix, ...keyPath]), `file not found: "${name}"`);
    }
    if (isAbsolute(name) || !isInside(realRoot, real)) fail(offsetOf(document, [...prefix, ...keyPath]), `"${name}" lies outside the project (${realRoot}); Colophon reads nothing outside it`);
    if (!isFile(real)) fail(offsetOf(document, [...prefix, ...keyPath]), `"${name}" is not a regular file`);
    return real;
  };

  const defaults: ProjectDefaults = { from: shown(source), file: source, papersize: data.papersize, formats: data.formats as Edition[] | undefined };
  if (data.out) defaults.out = resolve(root, data.out);
  if (data.css) {
    defaults.css = data.css.map((name, index) => {
      const keyPath = typeof value === 'object' && Array.isArray((value as { css?: unknown }).css) ? ['css', index] : ['css'];
      const real = locate(name, keyPath);
      const problem = stylesheetProblem(name, readFileSync(real));
      if (problem) fail(offsetOf(document, [...prefix, ...keyPath]), problem);
      return real;
    });
  }
  const theme = data['pdf-theme'];
  if (theme !== undefined) {
    let themeValue: unknown = theme;
    let where = (problemPath: (string | number)[]) => offsetOf(document, [...prefix, 'pdf-theme', ...problemPath]);
    if (typeof theme === 'string') {
      const real = locate(theme, ['pdf-theme']);
      try {
        themeValue = JSON.parse(readFileSync(real, 'utf8'));
      } catch (error) {
        fail(offsetOf(document, [...prefix, 'pdf-theme']), `"${theme}" is not valid JSON (${(error as Error).message})`);
      }
      where = () => offsetOf(document, [...prefix, 'pdf-theme']);
    }
    const { override, problems } = checkThemeOverride(themeValue);
    const [problem] = problems;
    if (problem) fail(where(problem.path), `\`pdf-theme.${problem.path.join('.')}\` ${problem.message}`);
    defaults.pdfTheme = override;
  }
  return defaults;
}

/**
 * The project's own templates replace Colophon's file by file; those a mistake would break are
 * checked here, before any document, with positions: the HTML page must keep its slots, and a
 * PDF theme must be JSON that holds every key of Colophon's, each of the right kind.
 */
function checkProjectTemplates(root: string, cwd: string): void {
  if (resolve(root) === resolve(packageRoot)) return;
  const page = resolve(root, 'templates', 'html', 'page.html');
  if (isFile(page)) {
    const text = readFileSync(page, 'utf8');
    const missing = ['lang', 'head', 'style', 'body'].filter((slot) => !text.includes(`{{${slot}}}`));
    if (missing.length > 0) throw new UsageError(`${relative(cwd, page) || page}:1:1: error: the page template lacks ${missing.map((slot) => `{{${slot}}}`).join(', ')} (see Colophon's templates/html/page.html)`, { positioned: true });
  }
  const themePath = resolve(root, 'templates', 'pdf', 'theme.json');
  if (!isFile(themePath)) return;
  const shown = relative(cwd, themePath) || themePath;
  const lineCounter = new LineCounter();
  const document = parseDocument(readFileSync(themePath, 'utf8'), { lineCounter, prettyErrors: false, uniqueKeys: true });
  const fail = (offset: number, message: string): never => {
    const { line, col } = lineCounter.linePos(offset);
    throw new UsageError(`${shown}:${line}:${col}: error: ${message}`, { positioned: true });
  };
  for (const error of document.errors) fail(error.pos[0], `invalid JSON: ${error.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`);
  const theme: unknown = document.toJS();
  if (typeof theme !== 'object' || theme === null || Array.isArray(theme)) fail(0, 'a PDF theme must be a JSON object');
  const [problem] = checkThemeOverride(theme).problems;
  if (problem) fail(offsetOf(document, problem.path), `\`${problem.path.join('.')}\` ${problem.message}`);
  const packaged = JSON.parse(readFileSync(resolve(packageRoot, 'templates', 'pdf', 'theme.json'), 'utf8')) as Record<string, unknown>;
  const absent = Object.keys(packaged).filter((key) => !(key in (theme as Record<string, unknown>)));
  if (absent.length > 0) fail(0, `the theme lacks ${absent.map((key) => `\`${key}\``).join(', ')}: it replaces Colophon's whole theme (copy templates/pdf/theme.json, or change part of it with pdf-theme in colophon.yaml)`);
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function offsetOf(document: Document, keyPath: (string | number)[]): number {
  for (let length = keyPath.length; length > 0; length--) {
    const found = document.getIn(keyPath.slice(0, length), true);
    if (isNode(found) && found.range) return found.range[0];
  }
  return 0;
}

function describe(issue: v.BaseIssue<unknown>): string {
  if (issue.type === 'strict_object') return `is not a project setting (papersize, pdf-theme, css, formats, out)`;
  if (issue.type === 'picklist') return `must be one of ${issue.expected?.replace(/^\(|\)$/g, '').replace(/ \| /g, ', ')}`;
  if (issue.type === 'union') {
    const inner = issue.issues?.find((sub) => sub.kind === 'validation');
    if (inner) return inner.message;
    const key = issue.path?.at(-1)?.key;
    if (key === 'pdf-theme') return 'must be a mapping of PDF theme values or the path of a JSON theme file';
    if (key === 'formats') return `must be a list of editions among ${EDITIONS.join(', ')}`;
    return 'must be a path or a list of paths';
  }
  if (issue.kind === 'schema') return `must be ${withArticle(issue.expected ?? issue.type)}`;
  return issue.message;
}
