import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VFile } from 'vfile';
import { beforeAll, describe, expect, it } from 'vitest';
import { build, type BuildResult } from '../pipeline/build/build.ts';
import { parse } from '../pipeline/parse/parse.ts';
import { createAssetResolver } from '../pipeline/read/assets.ts';
import { runTransforms } from '../pipeline/transforms/index.ts';
import type { ImageOp, TextOp } from '../pipeline/writers/pdf/boxes.ts';
import { planPdf, type Plan } from '../pipeline/writers/pdf/index.ts';
import { fixturesDir, projectRoot, tempProject, tool } from './helpers.ts';

/**
 * Images inside a line of text (badges, icons) are set on the line in the PDF, as Pandoc's
 * LaTeX and Typst set them: checked on the fixture with qpdf and poppler, and on laid-out pages.
 */

const FIXTURE = 'test/fixtures/pdf-inline-images/input.md';

type Objects = Record<string, { value?: Record<string, unknown> }>;

function objectsOf(pdf: string): Objects {
  return (JSON.parse(tool('qpdf', ['--json=2', '--json-key=qpdf', pdf])) as { qpdf: [unknown, Objects] }).qpdf[1];
}

/** The structure elements of a tag: their /Alt and their parent's tag. */
function elements(objects: Objects, tag: string): { alt?: string; parent?: string }[] {
  const out: { alt?: string; parent?: string }[] = [];
  for (const { value } of Object.values(objects)) {
    if (value?.['/S'] !== `/${tag}`) continue;
    const parent = typeof value['/P'] === 'string' ? objects[`obj:${value['/P']}`]?.value : undefined;
    out.push({ alt: typeof value['/Alt'] === 'string' ? value['/Alt'].replace(/^u:/, '') : undefined, parent: parent?.['/S'] as string | undefined });
  }
  return out;
}

/** The laid-out pages of a Markdown document in a scratch project beside copies of the fixture's images. */
function planOf(markdown: string): { plan: Plan; file: VFile } {
  const images = join(fixturesDir, 'pdf-inline-images');
  const root = tempProject({
    'doc.md': markdown,
    'icon.png': readFileSync(join(images, 'icon.png')),
    'tall.png': readFileSync(join(images, 'tall.png')),
    'badge.svg': readFileSync(join(images, 'badge.svg')),
  });
  const path = join(root, 'doc.md');
  const file = new VFile({ path, value: markdown });
  const tree = parse(file);
  const meta = runTransforms(tree, file);
  const assets = createAssetResolver({ root, documentDir: root, file, cache: new Map() });
  return { plan: planPdf({ tree, meta, file, assets, epoch: 0 }), file };
}

const imagesOf = (plan: Plan) => plan.pages.flatMap((page) => [...page.body, ...page.notes]).flatMap(({ box }) => box.ops.filter((op): op is ImageOp => op.op === 'image').map((op) => ({ op, box })));
const textOf = (plan: Plan) => plan.pages.flatMap((page) => page.body).flatMap(({ box }) => box.ops.filter((op): op is TextOp => op.op === 'text').map((op) => op.text)).join(' ');

let out: string;
let result: BuildResult;
const pdf = () => join(out, 'input.pdf');

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'colophon-inline-images-'));
  result = await build({ root: projectRoot, paths: [FIXTURE], out, formats: ['pdf'], cache: false });
  return () => rmSync(out, { recursive: true, force: true });
});

describe('images in a line of text, in the PDF', () => {
  it('draws every local one with no warning, and names the remote one it could not draw', () => {
    const messages = result.documents[0]!.file.messages;
    expect(messages.filter((message) => message.fatal === true)).toEqual([]);
    expect(messages.map((message) => `${message.line}:${message.column} ${message.ruleId}`)).toEqual(['27:16 pdf-image-remote']);
    expect(tool('qpdf', ['--check', pdf()])).toContain('No syntax or stream encoding errors');
  });

  it('keeps the text around an image on its line, and the alt text of the one not fetched', () => {
    const text = tool('pdftotext', ['-layout', '-f', '1', '-l', '1', pdf(), '-']);
    expect(text).toMatch(/Status +of the project/);
    expect(text).toMatch(/An item with an icon +inside it\./);
    expect(text).toMatch(/A small icon +stands in the middle/);
    expect(text).toMatch(/A tall picture +taller than the line/);
    expect(text).toContain('A remote badge [remote badge] is not fetched');
  });

  it('embeds each image file once however often it is drawn', () => {
    const rows = tool('pdfimages', ['-list', pdf()]).split('\n').slice(2).filter((line) => line.trim());
    // The icon, drawn six times (paragraph, decorative, raw HTML, list, table, note), and the tall picture; SVGs are drawn as vectors.
    expect(rows.length).toBe(7);
    const objectIds = new Set(rows.map((row) => row.trim().split(/\s+/)[10]));
    expect(objectIds.size).toBe(2);
  });

  it('tags each as a Figure with its alt text, a linked one inside its Link, a decorative one as an artifact', () => {
    const objects = objectsOf(pdf());
    const figures = elements(objects, 'Figure');
    expect(figures.map((figure) => figure.alt).sort()).toEqual(['a green bar', 'build passing', 'build passing', 'coverage', 'info', 'info', 'info', 'info', 'star', 'star', 'wide icon']);
    expect(figures.find((figure) => figure.parent === '/H1')?.alt).toBe('star');
    expect(figures.filter((figure) => figure.parent === '/Link').map((figure) => figure.alt)).toEqual(['build passing']);
    expect(figures.filter((figure) => figure.parent === '/TD').map((figure) => figure.alt).sort()).toEqual(['build passing', 'info']);
    // The badge is a link: its annotation covers it.
    const uris = Object.values(objects).flatMap(({ value }) => (typeof value?.['/URI'] === 'string' ? [value['/URI'].replace(/^u:/, '')] : []));
    expect(uris).toContain('https://ci.example.org/project');
  });
});

describe('an image in a line, laid out', () => {
  it('sits on the baseline at its natural size (96 dpi), a taller one opening its line up', () => {
    const { plan, file } = planOf('---\ntitle: T\n---\n\nA line with an icon ![i](icon.png) in it.\n\nA tall ![t](tall.png) one.\n');
    expect(file.messages).toEqual([]);
    const [icon, tall] = imagesOf(plan);
    expect([icon!.op.w, icon!.op.h]).toEqual([12, 12]);
    expect([tall!.op.w, tall!.op.h]).toEqual([18, 48]);
    const text = (box: typeof icon) => box!.box.ops.find((op): op is TextOp => op.op === 'text')!;
    // Bottom on the baseline.
    expect(icon!.op.y + icon!.op.h).toBeCloseTo(text(icon).y, 6);
    expect(tall!.op.y + tall!.op.h).toBeCloseTo(text(tall).y, 6);
    // The icon's line keeps the body leading only if the icon fits under it; the tall one's grows by what stands above.
    expect(tall!.box.height).toBeGreaterThan(48);
    expect(tall!.op.y).toBeCloseTo(0, 6);
  });

  it('is scaled down, keeping its aspect, to the measure and the page', () => {
    const { plan } = planOf('---\ntitle: T\nraw-html: trust\n---\n\nWide <img src="icon.png" alt="huge" width="3000" height="1500"> here; tall <img src="tall.png" alt="towering" height="3000">.\n');
    const [wide, towering] = imagesOf(plan);
    expect(wide!.op.w).toBeCloseTo(plan.frame.width, 6);
    expect(wide!.op.h).toBeCloseTo(plan.frame.width / 2, 6);
    expect(towering!.op.h).toBeCloseTo(plan.frame.height * 0.85, 6);
    expect(towering!.op.w / towering!.op.h).toBeCloseTo(24 / 64, 6);
    for (const page of plan.pages) for (const { box } of page.body) expect(box.height).toBeLessThanOrEqual(plan.frame.height);
  });

  it('shows the alt text of a missing one, with the error at its place', () => {
    const { plan, file } = planOf('---\ntitle: T\n---\n\nBefore ![gone](nowhere.png) after.\n');
    expect(file.messages.map((message) => `${message.line}:${message.column} ${message.ruleId}`)).toEqual(['5:8 asset-missing']);
    expect(imagesOf(plan)).toEqual([]);
    expect(textOf(plan)).toMatch(/Before +\[gone\] after\./);
  });

  it('widens a table column to the picture in it', () => {
    const { plan } = planOf('---\ntitle: T\n---\n\n| A | B |\n|---|---|\n| x | ![build passing](badge.svg) |\n');
    const [badge] = imagesOf(plan);
    expect([badge!.op.w, badge!.op.h]).toEqual([67.5, 15]);
  });
});
