// `axum runs [--limit N] [--status S] [--branch B]`: recent runs, newest first, the table or --json.
import { RunStatus, type RunView } from '@axum/protocol';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import type { GlobalOptions, Output } from './output.js';
import { elide, outputWidth, table } from './table.js';
import { eachRow, foldRuns, foldText, type RunRow } from '../state/run-rows.js';
import { limitOf } from './typed-words.js';
import { deployCell } from './operations.js';
import { call, duration, withDaemon } from './runs.js';
import { failedStepText } from './run-failure.js';

const runDuration = (run: RunView) => (run.startedAt && run.finishedAt ? duration(Date.parse(run.finishedAt) - Date.parse(run.startedAt)) : run.startedAt ? 'running' : '');

/** `--status S` as typed: one of a run's statuses, else a usage error that lists them. */
export function runStatusOf(text: string | undefined): RunStatus | undefined {
  if (text === undefined) return undefined;
  const parsed = RunStatus.safeParse(text.trim());
  if (!parsed.success) throw new CliError(`--status ${text}: not a run status (one of ${RunStatus.options.join(', ')})`, EXIT.usage);
  return parsed.data;
}

/** What the filters asked for, said when no run matches: `superseded runs on develop`. */
function filteredText(status: RunStatus | undefined, branch: string | undefined): string {
  return `${status ?? ''} runs${branch !== undefined ? ` on ${branch}` : ''}`.trim();
}

/** `axum runs`: recent runs, newest first; --status and --branch keep only those (the daemon filters before the limit). */
export async function runsCommand(options: GlobalOptions & { limit?: string; status?: string; branch?: string }, out: Output): Promise<ExitCode> {
  const limit = limitOf(options.limit, 20) ?? 20;
  const status = runStatusOf(options.status);
  const branch = options.branch;
  if (branch !== undefined && branch.trim() === '') throw new CliError('--branch needs a branch name', EXIT.usage);
  const runs = await withDaemon(options, 'axum-runs', (c) => call(c, 'runs.list', { limit, ...(status ? { status } : {}), ...(branch !== undefined ? { branch } : {}) }));
  if (options.json) out.json(runs);
  else if (runs.length === 0) out.lines([status === undefined && branch === undefined ? 'no runs yet: commit on a branch that feeds an environment, or run `axum run`' : `no ${filteredText(status, branch)}`]);
  else out.lines(runsTableLines(runs, outputWidth(), { fold: status !== 'superseded' }));
  return EXIT.ok;
}

/**
 * The plain table: a merge makes a push run per commit passed over, all but the head's superseded,
 * so consecutive superseded runs of one branch fold into one line, as on the dashboard (not when
 * they were asked for with `--status superseded`). The limit counts runs, folded or not.
 */
export function runsTableLines(runs: readonly RunView[], width: number | null, options: { fold: boolean }): string[] {
  const rows: RunRow[] = options.fold ? foldRuns(runs) : eachRow(runs);
  const shown = rows.flatMap((row) => (row.kind === 'run' ? [row.run] : []));
  const [header = '', ...lines] = table(
    ['RUN', 'STATUS', 'DEPLOY', 'TRIGGER', 'BRANCH', 'COMMIT', 'TIME', 'SUBJECT'],
    shown.map((r) => [r.id, r.status, deployCell(r), r.trigger, r.branch, r.commit.slice(0, 8), runDuration(r), r.subject]),
    // The subject and the branch give way, then the time and the trigger; the run, its status, deploy and commit stay whole.
    width,
    { elide: [{ column: 7 }, { column: 4 }], drop: [6, 3] },
  );
  let next = 0;
  // Why a run failed, and what it warned of (a secret that arrived empty), is said under its row for
  // the newest few such runs: more would bury the list.
  const explained = new Set(shown.filter((r) => r.status === 'failed').slice(0, REASONS_AT_MOST).map((r) => r.id));
  const warned = new Set(shown.filter((r) => r.warnings.length > 0).slice(0, REASONS_AT_MOST).map((r) => r.id));
  const under = (run: RunView) => [...(explained.has(run.id) ? [reasonOf(run)] : []), ...(warned.has(run.id) ? warningLines(run) : [])].map((line) => fitted(`  ${line}`, width));
  return [header, ...rows.flatMap((row) => (row.kind === 'fold' ? [fitted(foldText(row), width)] : [lines[next++]!, ...under(row.run)]))];
}

/** How many failed runs, the newest, get their reason under their row; as many warned runs their warnings. */
const REASONS_AT_MOST = 5;
/** How many warnings of one run are listed; the rest are counted, `axum logs RUN` lists them all. */
const WARNINGS_AT_MOST = 3;

/** A run's warnings, one line each (a warning may span several). */
function warningLines(run: RunView): string[] {
  const warnings = run.warnings.map((w) => `warning: ${w.replace(/\s*\n\s*/g, ' ')}`);
  if (warnings.length <= WARNINGS_AT_MOST) return warnings;
  const rest = warnings.length - (WARNINGS_AT_MOST - 1);
  return [...warnings.slice(0, WARNINGS_AT_MOST - 1), `… ${rest} more warnings (axum logs ${run.id} lists them)`];
}

/** A failed run's reason on one line (an invalid axum.yml's may span several). */
const reasonOf = (run: RunView) => (run.message ?? failedStepText(run)).replace(/\s*\n\s*/g, ' ');

const fitted = (text: string, width: number | null) => (width === null ? text : elide(text, width));
