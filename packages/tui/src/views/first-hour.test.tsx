// The first hour at 80×24 (issue 18, the second pass), as drawn: an inconclusive check and a paused
// revision's metrics, the dashboard using its rows, the help's key column, history's BY, presence.
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DaemonState, RevisionView } from '@axum/protocol';
import { LogBuffer } from '../client/log-buffer.js';
import { LogPager } from '../client/log-pager.js';
import { gateBadge } from '../state/selectors.js';
import { initialTuiState, type TuiState } from '../state/tui-state.js';
import { RunView, type LogPosition } from './RunView.js';

const paused: RevisionView = {
  revision: 3, status: 'failed', kind: 'deploy', releaseId: 'rel-3', commit: 'a'.repeat(40), rollbackTo: null, verified: false, createdAt: 't', finishedAt: 't', by: 'push run-3',
  message: 'inconclusive: check error_rate: 1 measurements inconclusive (more than 0); the last: connection refused (axum logs staging#3 --step error_rate); nothing was marked bad or rolled back; staging is paused',
  runId: 'run-3', metrics: { accuracy: 0.92 }, gates: [], checks: { total: 0, failed: 0 }, paused: true,
  steps: [
    { stage: 'verify', name: 'eval', status: 'succeeded', exitCode: 0, durationMs: 1000, startedAt: 't', logBytes: 0 },
    { stage: 'verify', name: 'error_rate', status: 'failed', exitCode: null, durationMs: 1000, startedAt: 't', logBytes: 0 },
  ],
};

describe('a paused revision', () => {
  it('shows what its eval wrote in GATES (no verdict: not judged), not —', () => {
    expect(gateBadge(paused)).toBe('? accuracy 0.92');
    expect(gateBadge({ ...paused, metrics: { accuracy: 0.92, loss: 0.1 } })).toBe('? accuracy 0.92 +1');
    expect(gateBadge({ ...paused, gates: [{ metric: 'accuracy', op: '>=', threshold: null, value: 0.92, lkgValue: null, verdict: 'inconclusive', reason: 'no LKG', expression: '>= lkg' }] })).toBe('? accuracy 0.92');
  });

  it('its inconclusive check reads inconclusive (?), not failed', async () => {
    const state: TuiState = { ...initialTuiState, daemon: { runs: [], environments: [] } as unknown as DaemonState, histories: { staging: [paused] }, view: { kind: 'run', runId: 'staging#3', step: 1, scroll: null } };
    const pager = new LogPager(new LogBuffer(), async (offset) => ({ offset, nextOffset: offset, data: '', complete: true, times: [] }));
    const positionRef: { current: LogPosition | null } = { current: null };
    const { lastFrame } = render(<RunView state={state} view={state.view as Extract<TuiState['view'], { kind: 'run' }>} log={pager} rows={24} columns={80} positionRef={positionRef} />);
    const frame = lastFrame() ?? '';
    expect(frame).toMatch(/\? verify\/error_rate inconclusive/);
    expect(frame).toMatch(/✓ verify\/eval succeeded/);
    expect(frame).not.toMatch(/error_rate failed/);
  });
});
