import { Box, Text } from 'ink';
import type { RunView } from '@axum/protocol';
import { deployBadge } from '../state/selectors.js';
import { GUTTER, gutter } from './gutter.js';
import { Elapsed, formatElapsed } from './Elapsed.js';

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
const DEPLOY_COLOR: Record<string, string | undefined> = { failed: 'red', 'refused-bad': 'red', 'rolled-back': 'yellow', live: 'green', pending: 'yellow', 'awaiting-approval': 'cyan', 'held-by-pin': 'cyan', 'held-by-pause': 'yellow' };

/** The rows out of the window, each way: `↑ 18 more · ↓ 3 more (j/k, PgUp/PgDn; axum runs)`. */
export function moreLine(above: number, below: number): string {
  const ways = [above > 0 ? `↑ ${above} more` : '', below > 0 ? `↓ ${below} more` : ''].filter(Boolean);
  return `${ways.join(' · ')} (j/k, PgUp/PgDn; axum runs)`;
}

/** The runs list, newest first, at most `maxRows` rows so the frame never reaches the terminal's height. */
export function RunsTable({ runs, maxRows, selected, filter = '' }: { runs: RunView[]; maxRows: number; selected: number | null; filter?: string }) {
  if (runs.length === 0 && filter) return <Text dimColor>no run matches /{filter}</Text>;
  if (runs.length === 0) {
    return <Text dimColor>no runs yet: commit on a branch that feeds an environment, or run `axum run`</Text>;
  }
  // Keep the selected run on screen: the window starts where it must.
  const size = Math.max(1, maxRows);
  const start = selected === null ? 0 : Math.max(0, Math.min(selected - size + 1, runs.length - size));
  const shown = runs.slice(start, start + size);
  // As wide as the widest deploy shown (`production ✗ refused (bad)`): cut, an outcome reads as another one.
  const deployWidth = Math.min(32, Math.max(7, ...shown.map((r) => deployBadge(r).length + 1)));
  return (
    <Box flexDirection="column">
      <Text bold>{GUTTER}{'RUN'.padEnd(8)}{'STATUS'.padEnd(11)}{'DEPLOY'.padEnd(deployWidth)}{'BRANCH'.padEnd(8)}{'COMMIT'.padEnd(9)}{'TIME'.padEnd(7)}SUBJECT</Text>
      {shown.map((run) => {
        const done = run.steps.filter((s) => s.status === 'succeeded').length;
        const deploy = deployBadge(run);
        const started = run.startedAt ? Date.parse(run.startedAt) : null;
        const ended = run.finishedAt ? Date.parse(run.finishedAt) : null;
        // A running run's time moves by itself (Elapsed): a tick renders that cell, not the table.
        const ticking = run.status === 'running' && started !== null && ended === null;
        const time = started === null ? '' : formatElapsed((ended ?? Date.now()) - started);
        const isSelected = selected !== null && runs[selected]?.id === run.id;
        return (
          <Text key={run.id} wrap="truncate-end" inverse={isSelected}>
            {gutter(isSelected)}
            {run.id.padEnd(8)}
            <Text color={STATUS_COLOR[run.status]}>{(run.status === 'running' ? `run ${done}/${run.steps.length}` : run.status).slice(0, 10).padEnd(11)}</Text>
            <Text color={DEPLOY_COLOR[run.deploy?.outcome ?? 'none']}>{deploy.slice(0, deployWidth - 1).padEnd(deployWidth)}</Text>
            {run.branch.slice(0, 7).padEnd(8)}
            {run.commit.slice(0, 8).padEnd(9)}
            {ticking ? <Elapsed since={started} width={7} /> : time.slice(0, 6).padEnd(7)}
            {run.subject}
          </Text>
        );
      })}
      {runs.length > shown.length && <Text dimColor wrap="truncate-end">{moreLine(start, runs.length - start - shown.length)}</Text>}
    </Box>
  );
}
