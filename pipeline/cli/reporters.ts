import type { VFileMessage } from 'vfile-message';
import type { BuildResult, DocumentResult } from '../build/build.ts';

/**
 * How a build's outcome is told. Reporters only format: they return text, and the CLI alone
 * prints it. `document` is called as each document finishes; `summary` once at the end.
 */
export interface Reporter {
  document(result: DocumentResult): { stdout?: string; stderr?: string };
  summary(result: BuildResult, ms: number): { stdout?: string; stderr?: string };
}

export const REPORTERS = ['human', 'json', 'github'] as const;
export type ReporterName = (typeof REPORTERS)[number];

function severity(message: VFileMessage): 'error' | 'warning' | 'info' {
  return message.fatal === true ? 'error' : message.fatal === false ? 'warning' : 'info';
}

/** `path:line:col: severity: message [rule-id]`, one line per message. */
export function formatMessage(message: VFileMessage): string {
  const place = message.line ? `:${message.line}:${message.column ?? 1}` : ':1:1';
  const reason = message.reason.split('\n')[0];
  return `${message.file}${place}: ${severity(message)}: ${reason}${message.ruleId ? ` [${message.ruleId}]` : ''}`;
}

function formatSize(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

const human = (dryRun: boolean): Reporter => ({
  document(result) {
    const stderr = result.file.messages.map((message) => `${formatMessage(message)}\n`).join('');
    if (!result.ok) return { stderr: `${stderr}${result.source}: not built (errors above); earlier editions left in place\n` };
    const verb = dryRun ? 'checked' : 'wrote';
    const stdout = result.editions
      .map((edition) => `${edition.cached ? 'up to date' : verb} ${edition.path} (${formatSize(edition.size)}${edition.cached ? ', from cache' : ''})\n`)
      .join('');
    return { stdout, stderr };
  },
  summary(result, ms) {
    const failed = result.documents.filter((document) => !document.ok).length;
    const editions = result.documents.reduce((sum, document) => sum + (document.ok ? document.editions.length : 0), 0);
    const cached = result.documents.reduce((sum, document) => sum + (document.ok ? document.editions.filter((edition) => edition.cached).length : 0), 0);
    const what = `${result.documents.length} document${result.documents.length === 1 ? '' : 's'}, ${editions} edition${editions === 1 ? '' : 's'}${cached ? ` (${cached} from cache)` : ''}`;
    return { stderr: result.documents.length > 1 || failed ? `${failed ? `${failed} failed of ` : ''}${what} in ${(ms / 1000).toFixed(2)} s\n` : '' };
  },
});

/** One JSON document on stdout, written at the end. */
const json: Reporter = {
  document: () => ({}),
  summary(result, ms) {
    const report = {
      ok: result.ok,
      ms: Math.round(ms),
      documents: result.documents.map((document) => ({
        source: document.source,
        ok: document.ok,
        ms: Math.round(document.ms),
        editions: document.ok ? document.editions.map((edition) => ({ edition: edition.edition, path: edition.path, bytes: edition.size, cached: edition.cached })) : [],
        messages: document.file.messages.map((message) => ({
          file: message.file,
          line: message.line ?? 1,
          column: message.column ?? 1,
          severity: severity(message),
          message: message.reason,
          rule: message.ruleId ?? null,
        })),
      })),
    };
    return { stdout: `${JSON.stringify(report, null, 2)}\n` };
  },
};

/** GitHub Actions workflow commands: annotations on the source lines. */
const github = (dryRun: boolean): Reporter => ({
  document(result) {
    const escape = (value: string) => value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
    const property = (value: string) => escape(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
    const stdout = result.file.messages
      .map((message) => {
        const kind = severity(message) === 'error' ? 'error' : severity(message) === 'warning' ? 'warning' : 'notice';
        const title = message.ruleId ? `,title=${property(message.ruleId)}` : '';
        return `::${kind} file=${property(message.file ?? '')},line=${message.line ?? 1},col=${message.column ?? 1}${title}::${escape(message.reason.split('\n')[0]!)}\n`;
      })
      .join('');
    const verb = dryRun ? 'checked' : 'wrote';
    const written = result.ok ? result.editions.map((edition) => `${edition.cached ? 'up to date' : verb} ${edition.path}\n`).join('') : `${result.source}: not built\n`;
    return { stdout: stdout + written };
  },
  summary: (result, ms) => human(dryRun).summary(result, ms),
});

export function createReporter(name: ReporterName, dryRun = false): Reporter {
  return name === 'json' ? json : name === 'github' ? github(dryRun) : human(dryRun);
}
