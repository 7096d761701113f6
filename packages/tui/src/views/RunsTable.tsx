import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import type { RunView } from '@axum/protocol';

const STATUS_COLOR: Record<string, string> = {
  queued: 'gray',
  running: 'yellow',
  succeeded: 'green',
  failed: 'red',
  cancelled: 'magenta',
  superseded: 'gray',
  interrupted: 'red',
};

/** Seconds as `42s` / `3m05s`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** Ticks once a second while something runs, so elapsed times move. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

/** The runs list, newest first, at most `maxRows` rows so the frame never reaches the terminal's height. */
export function RunsTable({ runs, maxRows, selected }: { runs: RunView[]; maxRows: number; selected: number | null }) {
  const now = useNow(runs.some((r) => r.status === 'running'));
  if (runs.length === 0) {
    return <Text dimColor>no runs yet: commit on a branch that feeds an environment, or run `axum run`</Text>;
  }
  // Keep the selected run on screen: the window starts where it must.
  const size = Math.max(1, maxRows);
  const start = selected === null ? 0 : Math.max(0, Math.min(selected - size + 1, runs.length - size));
  const shown = runs.slice(start, start + size);
  return (
    <Box flexDirection="column">
      <Text bold>{'RUN'.padEnd(9)}{'STATUS'.padEnd(12)}{'TRIGGER'.padEnd(8)}{'BRANCH'.padEnd(12)}{'COMMIT'.padEnd(9)}{'STEPS'.padEnd(7)}{'TIME'.padEnd(8)}SUBJECT</Text>
      {shown.map((run) => {
        const done = run.steps.filter((s) => s.status === 'succeeded').length;
        const started = run.startedAt ? Date.parse(run.startedAt) : null;
        const ended = run.finishedAt ? Date.parse(run.finishedAt) : null;
        const time = started === null ? '' : formatElapsed((ended ?? now) - started);
        return (
          <Text key={run.id} wrap="truncate-end" inverse={selected !== null && runs[selected]?.id === run.id}>
            {run.id.padEnd(9)}
            <Text color={STATUS_COLOR[run.status]}>{run.status.padEnd(12)}</Text>
            {run.trigger.padEnd(8)}
            {run.branch.slice(0, 11).padEnd(12)}
            {run.commit.slice(0, 8).padEnd(9)}
            {`${done}/${run.steps.length}`.padEnd(7)}
            {time.padEnd(8)}
            {run.subject}
          </Text>
        );
      })}
      {runs.length > shown.length && <Text dimColor>… {runs.length - shown.length} more (j/k to scroll, axum runs)</Text>}
    </Box>
  );
}
