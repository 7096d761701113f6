// The dashboard's runs list as rows: a merge or a burst of commits supersedes several runs of one
// branch at once, and at 80×24 they would push every useful row off the screen. Consecutive
// superseded runs of one branch fold into one row (`… 4 superseded runs of develop (run-12..run-15)`);
// Enter on it shows them again, and so does a `/` filter (each run that matches is a row of its own).
import type { DaemonState, RunView } from '@axum/protocol';
import { visibleRuns } from './dashboard-filter.js';

/** One row of the runs list: a run, or superseded runs folded (newest first, as the list). */
export type RunRow = { kind: 'run'; run: RunView } | { kind: 'fold'; branch: string; runs: RunView[] };

/** What the rows read of the TUI's state (structural, so state/ has no import cycle). */
interface Folding {
  daemon: DaemonState | null;
  filter: { editing: boolean; text: string };
  /** Runs unfolded by Enter: they never fold again. */
  unfolded: readonly string[];
}

/** Fewer than this many superseded runs in a row stay as they are: a fold of one saves no row. */
const FOLD_AT = 2;

const foldable = (run: RunView | undefined, branch: string, unfolded: ReadonlySet<string>) => run !== undefined && run.status === 'superseded' && run.branch === branch && !unfolded.has(run.id);

/** The rows of the runs list, newest first: selection indexes point into these. */
export function runRows(state: Folding): RunRow[] {
  const runs = visibleRuns(state);
  return state.filter.text ? eachRow(runs) : foldRuns(runs, new Set(state.unfolded));
}

/** Runs (newest first) as rows, consecutive superseded runs of one branch folded; `unfolded` never fold. */
export function foldRuns(runs: readonly RunView[], unfolded: ReadonlySet<string> = new Set()): RunRow[] {
  const rows: RunRow[] = [];
  for (let i = 0; i < runs.length; ) {
    const run = runs[i]!;
    let end = i + 1;
    while (foldable(run, run.branch, unfolded) && foldable(runs[end], run.branch, unfolded)) end++;
    rows.push(end - i >= FOLD_AT ? { kind: 'fold', branch: run.branch, runs: runs.slice(i, end) } : { kind: 'run', run });
    i = end;
  }
  return rows;
}

/** The runs a row stands for. */
export const rowRuns = (row: RunRow | undefined): RunView[] => (row === undefined ? [] : row.kind === 'run' ? [row.run] : row.runs);

/** The run of the selected row; undefined on a fold or past the list. */
export function selectedRunOf(state: Folding & { selectedRun: number }): RunView | undefined {
  const row = runRows(state)[state.selectedRun];
  return row?.kind === 'run' ? row.run : undefined;
}

/** A fold's words: how many, of which branch, the oldest to the newest id. */
export function foldText(row: Extract<RunRow, { kind: 'fold' }>): string {
  return `… ${row.runs.length} superseded runs of ${row.branch} (${row.runs.at(-1)!.id}..${row.runs[0]!.id})`;
}

/** Each run a row of its own (what a filter shows). */
export const eachRow = (runs: readonly RunView[]): RunRow[] => runs.map((run) => ({ kind: 'run', run }));
