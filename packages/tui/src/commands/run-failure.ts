// Why a run waited for failed, said where the person is looking: the failed step's last lines,
// then where all of it is — the first thing anyone types after a red `run --wait` is `axum logs`.
import type { RunView } from '@axum/protocol';
import type { RequestFn } from '../client/daemon-connection.js';

/** How much of the end of a failed step's log is read for its last lines: a few lines of a chatty step fit. */
const TAIL_BYTES = 4096;
const TAIL_LINES = 5;

/** `step broken failed (exit 4)`: why a run failed when it recorded no message of its own. */
export function failedStepText(run: RunView): string {
  const step = run.steps.find((s) => s.status === 'failed' || s.status === 'timed-out');
  return step ? `step ${step.name} ${step.status}${step.exitCode !== null ? ` (exit ${step.exitCode})` : ''}` : 'see axum runs --json';
}

/**
 * Lines for stderr after a run that failed: why (the one line a script greps, prefixed `axum: ` by
 * the caller), the failed step's last lines as printed (masked), and the command that shows the
 * rest. A log that cannot be read leaves only the why.
 */
export async function runFailureLines(connection: { request: RequestFn }, run: RunView): Promise<string[]> {
  if (run.status !== 'failed') return [];
  const step = run.steps.find((s) => s.status === 'failed' || s.status === 'timed-out');
  const why = `${run.id} failed: ${run.message ?? failedStepText(run)}`;
  if (!step || step.logBytes === 0) return [why];
  const offset = Math.max(0, step.logBytes - TAIL_BYTES);
  const chunk = await connection.request('logs.read', { runId: run.id, step: step.name, offset, limit: TAIL_BYTES }).catch(() => null);
  if (!chunk) return [why];
  const lines = chunk.data.split('\n');
  if (offset > 0) lines.shift(); // the first line is cut where the read began
  if (lines.at(-1) === '') lines.pop();
  const tail = lines.slice(-TAIL_LINES);
  if (tail.length === 0) return [why];
  return [`${why}; the last lines of step ${step.name}:`, ...tail.map((line) => `  ${line}`), `  (all of it: axum logs ${run.id} --step ${step.name})`];
}
