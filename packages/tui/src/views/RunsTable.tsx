import { Box, Text } from 'ink';
import type { RunView } from '@axum/protocol';
import { deployBadge } from '../state/selectors.js';
import { GUTTER, gutter } from './gutter.js';
import { Elapsed, formatDuration, formatElapsed } from './Elapsed.js';
import { listWindow, moreText } from './list-window.js';
import { foldText, type RunRow } from '../state/run-rows.js';

const STATUS_COLOR: Record<string, string> = {
  queued: 'gray',
  running: 'yellow',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'magenta',
  superseded: 'gray',
  interrupted: 'red',
};

/** A deploy that failed or was refused stands out: a run is never shown as a plain success while its deploy failed. */
const DEPLOY_COLOR: Record<string, string | undefined> = { failed: 'red', interrupted: 'yellow', inconclusive: 'yellow', 'refused-bad': 'red', 'rolled-back': 'yellow', live: 'green', pending: 'yellow', 'awaiting-approval': 'cyan', queued: 'cyan', 'held-by-pin': 'cyan', 'held-by-pause': 'yellow' };

/** The rows out of the window, each way: `↑ 18 more · ↓ 3 more (j/k, PgUp/PgDn; axum runs)`. */
export function moreLine(above: number, below: number): string {
  return moreText(above, below, 'j/k, PgUp/PgDn; axum runs');
}

/** The columns, in order; SUBJECT, the last, takes what is left of the row. */
const COLUMNS = [
  { title: 'RUN', max: 10, cell: 'id' },
  { title: 'STATUS', max: 11, cell: 'status' },
  // Cut, an outcome reads as another one: as wide as `production ✗ refused (bad)`.
  { title: 'DEPLOY', max: 31, cell: 'deploy' },
  { title: 'BRANCH', max: 12, cell: 'branch' },
  { title: 'COMMIT', max: 8, cell: 'commit' },
  { title: 'TIME', max: 6, cell: 'time' },
  { title: 'SUBJECT', max: Number.MAX_SAFE_INTEGER, cell: 'subject' },
] as const;

type Cell = (typeof COLUMNS)[number]['cell'];

/** A run's cells as text; a running run's time is `since` (it moves by itself) with room kept for `59m59s`. */
function runCells(run: RunView): Record<Cell, string> & { since: number | null; widths: Partial<Record<Cell, number>> } {
  // A running run says where it is among its steps and names the running one: `▶ 2/3 train` (the
  // name is what a narrow column cuts, never the place).
  const at = run.steps.findIndex((s) => s.status === 'running');
  const running = at >= 0 ? `▶ ${at + 1}/${run.steps.length} ${run.steps[at]!.name}` : `running ${run.steps.filter((s) => s.status === 'succeeded').length}/${run.steps.length}`;
  const started = run.startedAt ? Date.parse(run.startedAt) : null;
  const ended = run.finishedAt ? Date.parse(run.finishedAt) : null;
  // A running run's time moves by itself (Elapsed): a tick renders that cell, not the table.
  const since = run.status === 'running' && started !== null && ended === null ? started : null;
  return {
    id: run.id,
    status: run.status === 'running' ? running : run.status,
    deploy: deployBadge(run),
    branch: run.branch,
    commit: run.commit.slice(0, 8),
    time: started === null ? '' : ended !== null ? formatDuration(ended - started) : formatElapsed(Date.now() - started),
    subject: run.subject,
    since,
    widths: since !== null ? { time: 6 } : {},
  };
}

/**
 * The runs list, newest first, in `maxRows` rows (`↓ N more` one of them) so the frame never reaches
 * the terminal's height; superseded runs folded into one row are one dim line.
 */
export function RunsTable({ runs, maxRows, selected, filter = '' }: { runs: RunRow[]; maxRows: number; selected: number | null; filter?: string }) {
  if (runs.length === 0 && filter) return <Text dimColor>no run matches /{filter}</Text>;
  if (runs.length === 0) {
    return <Text dimColor>no runs yet: commit on a branch that feeds an environment, or run `axum run`</Text>;
  }
  // Keep the selected run on screen: the window starts where it must.
  const { start, size } = listWindow(runs.length, selected ?? 0, maxRows);
  const shown = runs.slice(start, start + size);
  // A fold's line is not cut in columns: the columns are as wide as the runs shown need.
  const cellsOf = shown.map((row) => (row.kind === 'run' ? runCells(row.run) : null));
  const rows = cellsOf.filter((cells) => cells !== null);
  // Each column as wide as its widest cell shown (up to its `max`), a column of space between, so
  // SUBJECT, the last, gets the rest: at 80 columns a subject is not cut by padding.
  const widths = COLUMNS.map((c) => Math.min(c.max, Math.max(c.title.length, ...rows.map((r) => r.widths[c.cell] ?? r[c.cell].length))) + 1);
  const cell = (text: string, j: number) => text.slice(0, widths[j]! - 1).padEnd(widths[j]!);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {GUTTER}
        {COLUMNS.map((c, j) => (j === COLUMNS.length - 1 ? c.title : c.title.padEnd(widths[j]!))).join('')}
      </Text>
      {shown.map((row, i) => {
        const isSelected = selected === start + i;
        if (row.kind === 'fold') {
          return (
            <Text key={`fold-${row.runs[0]!.id}`} wrap="truncate-end" inverse={isSelected} dimColor={!isSelected}>
              {gutter(isSelected)}
              {foldText(row)}
              {isSelected ? ' · Enter shows them' : ''}
            </Text>
          );
        }
        const run = row.run;
        const cells = cellsOf[i]!;
        return (
          <Text key={run.id} wrap="truncate-end" inverse={isSelected}>
            {gutter(isSelected)}
            {cell(cells.id, 0)}
            <Text color={STATUS_COLOR[run.status]}>{cell(cells.status, 1)}</Text>
            <Text color={DEPLOY_COLOR[run.deploy?.outcome ?? 'none']}>{cell(cells.deploy, 2)}</Text>
            {cell(cells.branch, 3)}
            {cell(cells.commit, 4)}
            {cells.since !== null ? <Elapsed since={cells.since} width={widths[5]!} /> : cell(cells.time, 5)}
            {cells.subject}
          </Text>
        );
      })}
      {runs.length > shown.length && <Text dimColor wrap="truncate-end">{moreLine(start, runs.length - start - shown.length)}</Text>}
    </Box>
  );
}
