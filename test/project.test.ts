import { execFileSync, } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lacksColophonKey, readProjectDefaults } from '../pipeline/build/project.ts';
import { epubcheck, fixturesDir, nuCheck, requireTool, runCli, tempProject } from './helpers.ts';

const article = '---\ntitle: T\n---\n\nBody.\n';

function unzip(path: string, entry: string): string {
  return execFileSync('unzip', ['-p', path, entry], { encoding: 'utf8' });
}

function pageSize(path: string): string {
  requireTool('pdfinfo', 'apt-get install poppler-utils');
  return /Page size:\s+([\d.]+ x [\d.]+)/.exec(execFileSync('pdfinfo', [path], { encoding: 'utf8' }))?.[1] ?? '';
}

describe('the root of a build', () => {
  it('an input outside the working folder builds with its own folder as root (as Typst does); --root still decides', () => {
    const base = tempProject({ 'work/.keep': '', 'other/doc.md': article });
    const work = join(base, 'work');
    const built = runCli(['build', '../other/doc.md', '--format', 'html'], work);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    // Its editions go to dist/ under that root, next to the input.
    expect(readdirSync(join(base, 'other', 'dist'))).toEqual(['doc.html']);

    // Its folder is the root: a reference above it is refused.
    const escaping = tempProject({ 'work/.keep': '', 'other/doc.md': `${article}\n![x](../secret.png)\n`, 'secret.png': '' });
    const refused = runCli(['build', '../other/doc.md', '--format', 'html'], join(escaping, 'work'));
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/doc\.md:7:1: error: "\.\.\/secret\.png" lies outside the project .*\[asset-outside\]/);
    expect(existsSync(join(escaping, 'other', 'dist'))).toBe(false);

    // An explicit --root that does not hold the input still refuses it.
    const explicit = runCli(['build', '../other/doc.md', '--format', 'html', '--root', '.'], work);
    expect(explicit.status).toBe(2);
    expect(explicit.stderr).toMatch(/lies outside the project root/);
  });
});

describe('a path from / (root-relative)', () => {
  it('names the project root first, as GitHub reads it in a repository; an absolute path inside the root still works, one outside is refused', () => {
    const dot = readFileSync(join(fixturesDir, 'images', 'dot.png'));
    const root = tempProject({ 'docs/readme.md': `${article}\n![Terminal](/shots/dot.png)\n\n![Pass](/etc/passwd)\n`, 'shots/dot.png': dot });
    const refused = runCli(['build', 'docs/readme.md', '--format', 'html'], root);
    // pyenv's README (`![Terminal output example](/install_local_python.gif)`) stopped here: "file not found".
    expect(refused.stderr).not.toContain('dot.png');
    expect(refused.stderr).toMatch(/readme\.md:9:1: error: "\/etc\/passwd" lies outside the project .*\[asset-outside\]/);
    expect(refused.status).toBe(1);

    writeFileSync(join(root, 'docs/readme.md'), `${article}\n![Terminal](/shots/dot.png)\n\n![Again](${join(root, 'shots', 'dot.png')})\n`);
    const built = runCli(['build', 'docs/readme.md'], root);
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    const html = readFileSync(join(root, 'dist', 'readme.html'), 'utf8');
    expect(html.match(/<img src="data:image\/png;base64,/g)).toHaveLength(2);
    expect(execFileSync('unzip', ['-l', join(root, 'dist', 'readme.epub')], { encoding: 'utf8' })).toMatch(/\.png/);
    expect(execFileSync('pdfimages', ['-list', join(root, 'dist', 'readme.pdf')], { encoding: 'utf8' }).trim().split('\n').length).toBeGreaterThan(2);
  });
});

describe('css: in front matter', () => {
  it('adds the stylesheets, in order, after the built-in one in the HTML and EPUB editions; both stay valid', async () => {
    const root = tempProject({
      'source/doc.md': '---\ntitle: Styled\ncss:\n  - ../styles/house.css\n  - wide.css\n---\n\nBody text.\n',
      'styles/house.css': 'p { color: rgb(10, 20, 30); }\n',
      'source/wide.css': '/* a stylesheet cannot close the style element: </style> */\nmain { max-width: 50em; }\n',
    });
    const run = runCli(['build', '--format', 'html,epub'], root);
    // Colophon cannot vouch for the contrast of a stylesheet it did not write: the EPUB makes no conformance claim, and says so.
    expect(run.stderr).toBe('source/doc.md:4:3: info: the EPUB makes no accessibility conformance claim: the language of the text is not declared (front matter lang); its own stylesheets are not checked for colour contrast [epub-conformance]\n');
    expect(run.status).toBe(0);
    const html = readFileSync(join(root, 'dist', 'doc.html'), 'utf8');
    const style = /<style>([\s\S]*)<\/style>/.exec(html)?.[1] ?? '';
    expect(style.indexOf('rgb(10, 20, 30)')).toBeGreaterThan(style.indexOf('@page'));
    expect(style.indexOf('max-width: 50em')).toBeGreaterThan(style.indexOf('rgb(10, 20, 30)'));
    expect(style).not.toContain('</style>');
    expect(nuCheck([join(root, 'dist', 'doc.html')]).filter((message) => message.type === 'error')).toEqual([]);
    const css = unzip(join(root, 'dist', 'doc.epub'), 'OEBPS/style.css');
    expect(css.indexOf('rgb(10, 20, 30)')).toBeGreaterThan(0);
    expect(css.indexOf('max-width: 50em')).toBeGreaterThan(css.indexOf('rgb(10, 20, 30)'));
    const check = await epubcheck(join(root, 'dist', 'doc.epub'));
    expect(check.status, check.stdout).toBe(0);
  });

  it('a stylesheet missing, outside the root, binary, over 1 MB or not .css is an error at its place; nothing is written', () => {
    const base = tempProject({ 'outside.css': 'p {}' });
    const root = join(base, 'project');
    const files = {
      'doc.md': '---\ntitle: T\ncss:\n  - nope.css\n  - ../outside.css\n  - binary.css\n  - big.css\n  - notes.txt\n---\n\nBody.\n',
      'binary.css': new Uint8Array([0x70, 0x20, 0x7b, 0x00, 0x7d]),
      'big.css': `/* ${'x'.repeat(1024 * 1024)} */`,
      'notes.txt': 'p {}',
    };
    for (const [name, content] of Object.entries(files)) {
      execFileSync('mkdir', ['-p', root]);
      writeFileSync(join(root, name), content);
    }
    const run = runCli(['build', 'doc.md', '--format', 'html,epub,pdf'], root);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('doc.md:4:5: error: file not found: "nope.css" [asset-missing]');
    expect(run.stderr).toMatch(/doc\.md:5:5: error: "\.\.\/outside\.css" lies outside the project .*\[asset-outside\]/);
    expect(run.stderr).toContain('doc.md:6:5: error: "binary.css" is not CSS text (a NUL byte at offset 3) [asset-type]');
    expect(run.stderr).toContain('doc.md:7:5: error: "big.css" is larger than 1 MB [asset-type]');
    expect(run.stderr).toContain('doc.md:8:5: error: "notes.txt" is not a stylesheet (a .css file) [asset-type]');
    expect(existsSync(join(root, 'dist'))).toBe(false);

    writeFileSync(join(root, 'doc.md'), '---\ntitle: T\ncss: [12]\n---\n\nBody.\n');
    const typed = runCli(['build', 'doc.md', '--format', 'html'], root);
    expect(typed.status).toBe(1);
    expect(typed.stderr).toMatch(/^doc\.md:3:6: error: front matter `css` must be a string or a list of strings \[metadata-type\]$/m);
  });
});

describe('colophon.yaml: defaults for every document of a project', () => {
  it('sets formats, out, papersize and css; front matter overrides it; the command line overrides both', () => {
    const root = tempProject({
      'colophon.yaml': '# house defaults\nformats: [html, pdf]\nout: public\npapersize: letter\ncss: styles/house.css\n',
      'styles/house.css': 'p { color: rgb(10, 20, 30); }\n',
      'source/plain.md': article,
      'source/own.md': '---\ntitle: Own\npapersize: a5\ncss: own.css\n---\n\nBody.\n',
      'source/own.css': 'p { color: rgb(40, 50, 60); }\n',
    });
    const run = runCli(['build'], root);
    expect(run.stderr).not.toMatch(/error|warning/);
    expect(run.status).toBe(0);
    expect(readdirSync(join(root, 'public')).sort()).toEqual(['own.html', 'own.pdf', 'plain.html', 'plain.pdf']);
    expect(pageSize(join(root, 'public', 'plain.pdf'))).toBe('612 x 792');
    expect(pageSize(join(root, 'public', 'own.pdf'))).toBe('419.53 x 595.28');
    expect(readFileSync(join(root, 'public', 'plain.html'), 'utf8')).toContain('rgb(10, 20, 30)');
    const own = readFileSync(join(root, 'public', 'own.html'), 'utf8');
    expect(own).toContain('rgb(40, 50, 60)');
    expect(own).not.toContain('rgb(10, 20, 30)');

    const cli = runCli(['build', 'source/own.md', '--format', 'pdf', '--papersize', 'a4', '--out', 'cli'], root);
    expect(cli.status).toBe(0);
    expect(readdirSync(join(root, 'cli'))).toEqual(['own.pdf']);
    expect(pageSize(join(root, 'cli', 'own.pdf'))).toMatch(/^595\.28? x 841\.89/);
  });

  it('the same defaults from the `colophon` key of package.json', () => {
    const root = tempProject({ 'package.json': '{\n  "name": "site",\n  "colophon": { "formats": "html", "out": "site" }\n}\n', 'source/doc.md': article });
    const run = runCli(['build'], root);
    expect(run.status).toBe(0);
    expect(readdirSync(join(root, 'site'))).toEqual(['doc.html']);
    writeFileSync(join(root, 'package.json'), '{\n  "name": "site",\n  "colophon": { "formats": ["html", "docx"] }\n}\n');
    const bad = runCli(['build'], root);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('package.json:3:28: error: `formats` must list editions among html, pdf, epub\n');
  });

  it('a package.json read by JSON.parse first: only one that may hold a `colophon` key goes to the YAML parse', () => {
    expect(lacksColophonKey('{"name": "site", "dependencies": {"colophon": "1"}}')).toBe(true);
    expect(lacksColophonKey('[1, 2]')).toBe(true);
    expect(lacksColophonKey('"colophon"')).toBe(true);
    expect(lacksColophonKey('{"name": "site", "colophon": {}}')).toBe(false);
    expect(lacksColophonKey('{"name": "site", "\\u0063olophon": {}}')).toBe(false);
    // Not JSON (a byte-order mark, a trailing comma): the YAML parse decides, as before.
    expect(lacksColophonKey('\uFEFF{"name": "site"}')).toBe(false);
    expect(lacksColophonKey('{"name": "site",}')).toBe(false);
    const root = tempProject({ 'package.json': '{"name": "site", "colophon": {"out": "site"}, "colophon": {"out": "other"}}\n' });
    expect(readProjectDefaults(root, root)).toEqual({});
    writeFileSync(join(root, 'package.json'), '{"name": "site", "dependencies": {"colophon": "1"}}\n');
    expect(readProjectDefaults(root, root)).toEqual({});
    writeFileSync(join(root, 'package.json'), '{"name": "site", "colophon": {"out": "site"}}\n');
    expect(readProjectDefaults(root, root)).toMatchObject({ out: join(root, 'site') });
  });

  it('a malformed or invalid colophon.yaml is colophon.yaml:line:col and exit 2; nothing is built', () => {
    const cases: [string, RegExp][] = [
      ['formats: [html\nout: x\n', /^colophon\.yaml:2:1: error: invalid YAML: /],
      ['papersize: a3\n', /^colophon\.yaml:1:12: error: `papersize` must be one of /],
      ['colour: red\n', /^colophon\.yaml:1:\d+: error: `colour` is not a project setting \(papersize, pdf-theme, css, formats, out\)/],
      ['css:\n  - styles/missing.css\n', /^colophon\.yaml:2:5: error: file not found: "styles\/missing\.css"/],
      ['css: ../outside.css\n', /^colophon\.yaml:1:6: error: "\.\.\/outside\.css" lies outside the project/],
      ['css: styles/binary.css\n', /^colophon\.yaml:1:6: error: "styles\/binary\.css" is not CSS text/],
      ['pdf-theme:\n  body:\n    size: big\n', /^colophon\.yaml:3:11: error: `pdf-theme\.body\.size` /],
    ];
    for (const [text, expected] of cases) {
      const base = tempProject({ 'outside.css': 'p {}' });
      const root = join(base, 'project');
      execFileSync('mkdir', ['-p', join(root, 'styles')]);
      writeFileSync(join(root, 'styles', 'binary.css'), new Uint8Array([0x70, 0x00]));
      writeFileSync(join(root, 'doc.md'), article);
      writeFileSync(join(root, 'colophon.yaml'), text);
      const run = runCli(['build', 'doc.md'], root);
      expect(run.status, text).toBe(2);
      expect(run.stderr, text).toMatch(expected);
      expect(existsSync(join(root, 'dist')), text).toBe(false);
    }
  });
});

describe('a project templates/ folder', () => {
  it('overrides the packaged templates file by file, and a change to it rebuilds', () => {
    const page = readFileSync(join(import.meta.dirname, '..', 'templates', 'html', 'page.html'), 'utf8');
    const root = tempProject({ 'doc.md': article, 'templates/html/page.html': page.replace('<body>', '<body class="house">') });
    expect(runCli(['build', 'doc.md', '--format', 'html,epub'], root).status).toBe(0);
    const html = readFileSync(join(root, 'dist', 'doc.html'), 'utf8');
    expect(html).toContain('<body class="house">');
    // The other templates are still Colophon's own.
    expect(html).toContain('@page');
    writeFileSync(join(root, 'templates', 'html', 'page.html'), page.replace('<body>', '<body class="second">'));
    expect(runCli(['build', 'doc.md', '--format', 'html'], root).status).toBe(0);
    expect(readFileSync(join(root, 'dist', 'doc.html'), 'utf8')).toContain('<body class="second">');
  });

  it('a page template without its slots, or a PDF theme that is not JSON, lacks keys or has a wrong one, is file:line:col and exit 2', () => {
    const theme = readFileSync(join(import.meta.dirname, '..', 'templates', 'pdf', 'theme.json'), 'utf8');
    const cases: [string, string, RegExp][] = [
      ['templates/html/page.html', '<html>{{body}}</html>\n', /^templates\/html\/page\.html:1:1: error: the page template lacks \{\{lang\}\}, \{\{head\}\}, \{\{style\}\} /],
      ['templates/pdf/theme.json', '{ "body": ', /^templates\/pdf\/theme\.json:1:11: error: invalid JSON: /],
      ['templates/pdf/theme.json', '{\n  "linkColor": 3\n}\n', /^templates\/pdf\/theme\.json:2:16: error: `linkColor` must be /],
      ['templates/pdf/theme.json', '{}\n', /^templates\/pdf\/theme\.json:1:1: error: the theme lacks `/],
    ];
    for (const [path, text, expected] of cases) {
      const root = tempProject({ 'doc.md': article, [path]: text });
      const run = runCli(['build', 'doc.md', '--format', 'html,pdf'], root);
      expect(run.status, text).toBe(2);
      expect(run.stderr, text).toMatch(expected);
      expect(existsSync(join(root, 'dist')), text).toBe(false);
    }
    // A complete copy is accepted.
    expect(runCli(['build', 'doc.md', '--format', 'pdf'], tempProject({ 'doc.md': article, 'templates/pdf/theme.json': theme })).status).toBe(0);
  });
});
