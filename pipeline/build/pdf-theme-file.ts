import type { VFile } from 'vfile';
import { report } from '../messages.ts';
import { checkThemeOverride, type ThemeOverride } from '../transforms/pdf-theme.ts';
import type { AssetResolver, DocumentMeta } from '../types.ts';

/**
 * The document's PDF theme override: the front matter's values (checked by the metadata
 * transform), or the JSON file it names, read inside the project and checked here against the
 * same schema. The build calls this before the writers run, so the PDF writer only applies a
 * checked override. Problems are errors at the `pdf-theme` key.
 */
export function resolvePdfTheme(meta: DocumentMeta, assets: AssetResolver, file: VFile): ThemeOverride | undefined {
  const theme = meta.pdfTheme;
  if (typeof theme !== 'string') return theme;
  const at = meta.places?.['pdf-theme'];
  const place = at ? { start: at, end: at } : undefined;
  const asset = assets.data(theme, place);
  if (!asset) return undefined;
  const text = new TextDecoder().decode(asset.bytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const offset = Number(/position (\d+)/.exec((error as Error).message)?.[1] ?? 0);
    const before = text.slice(0, offset).split('\n');
    report(file, 'error', `${asset.path}:${before.length}:${before.at(-1)!.length + 1}: not valid JSON (${(error as Error).message})`, place, 'pdf-theme');
    return undefined;
  }
  const { override, problems } = checkThemeOverride(value);
  for (const problem of problems) report(file, 'error', `${asset.path}: \`${problem.path.join('.')}\` ${problem.message}`, place, 'pdf-theme');
  return override;
}
