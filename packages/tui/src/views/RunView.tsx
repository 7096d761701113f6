import { Box, Text } from 'ink';
import { useEffect, useState } from 'react';
import type { DaemonLink } from '../client/live-connection.js';
import { LogBuffer } from '../client/log-buffer.js';
import type { TuiState, View } from '../state/tui-state.js';
import { formatElapsed } from './RunsTable.js';

/** Re-renders for new log lines at most this often: a firehose must not flood React or the terminal. */
const LOG_FRAME_MS = 66;

const STATUS_MARK: Record<string, string> = { pending: '·', running: '▶', succeeded: '✓', failed: '✗', 'timed-out': '⏱', cancelled: '⊘', skipped: '–' };

/**
 * Follows one step's log into a ring buffer outside React (from offset 0, and from the last
 * offset after a reconnect: no gap, no duplicate) and re-renders on a timer only when it changed.
 */
function useStepLog(link: DaemonLink | null, runId: string, step: string | undefined): LogBuffer {
  const [buffer, setBuffer] = useState(() => new LogBuffer());
  const [, setVersion] = useState(0);
  useEffect(() => {
    const fresh = new LogBuffer();
    setBuffer(fresh);
    if (!link || !step) return;
    const follow = () => void link.request('logs.follow', { runId, step, offset: fresh.offset }).catch(() => undefined);
    const offChunk = link.onLogChunk((chunk) => {
      if (chunk.runId !== runId || chunk.step !== step || chunk.offset !== fresh.offset) return;
      fresh.append(chunk.data, chunk.nextOffset, chunk.complete, chunk.times ?? []);
    });
    const offReconnect = link.onReconnect(follow);
    follow();
    let shown = -1;
    const timer = setInterval(() => {
      if (fresh.version !== shown) {
        shown = fresh.version;
        setVersion(shown);
      }
    }, LOG_FRAME_MS);
    return () => {
      clearInterval(timer);
      offChunk();
      offReconnect();
      void link.request('logs.unfollow', { runId, step }).catch(() => undefined);
    };
  }, [link, runId, step]);
  return buffer;
}

/** A run: its step tree, and the selected step's log (following the tail unless scrolled). */
export function RunView({
  state,
  view,
  link,
  rows,
  columns,
  logRef,
}: {
  state: TuiState;
  view: Extract<View, { kind: 'run' }>;
  link: DaemonLink | null;
  rows: number;
  columns: number;
  logRef: { current: LogBuffer | null };
}) {
  const run = state.daemon?.runs.find((r) => r.id === view.runId);
  const step = run?.steps[view.step];
  const buffer = useStepLog(link, view.runId, step?.name);
  logRef.current = buffer;
  if (!run) return <Text dimColor>{view.runId} is no longer in the recent runs (axum logs {view.runId})</Text>;
  const lines = buffer.all();
  // The frame stays below the terminal's height: header 3, run line 1, steps, margins, footer 3.
  const logRows = Math.max(3, rows - run.steps.length - 10);
  const maxStart = Math.max(0, lines.length - logRows);
  const start = view.scroll === null ? maxStart : Math.min(view.scroll, maxStart);
  // With wrap on, a long line takes several rows: take lines until the rows are used up.
  const shown: string[] = [];
  let used = 0;
  const stamp = (i: number) => {
    const t = buffer.times[i];
    return t == null ? '            ' : `${new Date(t).toISOString().slice(11, 23)} `;
  };
  for (let i = start; i < lines.length && used < logRows; i++) {
    const line = state.timestamps ? `${stamp(i)}${lines[i] ?? ''}` : (lines[i] ?? '');
    const height = state.wrap ? Math.max(1, Math.ceil(line.length / Math.max(20, columns))) : 1;
    if (used + height > logRows && shown.length > 0) break;
    shown.push(state.wrap && height > logRows ? line.slice(0, logRows * columns) : line);
    used += height;
  }
  const query = state.search.query?.toLowerCase();
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>{run.id}</Text> {run.status} · {run.trigger} · {run.branch} {run.commit.slice(0, 8)} {run.subject}
        {run.message ? ` — ${run.message}` : ''}
      </Text>
      {run.steps.map((s, i) => (
        <Text key={s.name} inverse={i === view.step} wrap="truncate-end">
          {STATUS_MARK[s.status] ?? '?'} {s.stage}/{s.name} {s.status}
          {s.exitCode !== null ? ` (exit ${s.exitCode})` : ''}
          {s.durationMs !== null ? ` ${formatElapsed(s.durationMs)}` : ''}
        </Text>
      ))}
      <Box flexDirection="column" marginTop={1}>
        <Text dimColor wrap="truncate-end">
          {step ? `── ${step.name} · lines ${lines.length === 0 ? 0 : start + 1}-${start + shown.length} of ${lines.length}${buffer.dropped ? ` (+${buffer.dropped} older)` : ''}${view.scroll === null ? ' · following' : ' · G to follow'}` : 'no steps yet'}
        </Text>
        {shown.map((line, i) => (
          <Text key={start + i} wrap={state.wrap ? 'wrap' : 'truncate-end'} color={query && line.toLowerCase().includes(query) ? 'yellow' : undefined}>
            {line}
          </Text>
        ))}
      </Box>
    </Box>
  );
}
