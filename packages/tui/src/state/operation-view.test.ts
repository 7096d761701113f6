import { describe, expect, it } from 'vitest';
import type { EnvironmentView, RevisionView } from '@axum/protocol';
import { incidentLog, stepsOf } from './selectors.js';
import { initialTuiState, reduce, type TuiState } from './tui-state.js';

const step = (stage: 'deploy' | 'verify' | 'monitor', name: string, status: RevisionView['steps'][number]['status']) => ({ stage, name, status, exitCode: status === 'failed' ? 1 : 0, durationMs: 5, startedAt: 't', logBytes: 10 });
const revision = (n: number, steps: RevisionView['steps']): RevisionView => ({
  revision: n, status: 'failed', kind: 'deploy', releaseId: `rel-${n}`, commit: 'c'.repeat(40), rollbackTo: null, verified: false, createdAt: 't', finishedAt: 't',
  by: 'push run-3', message: 'verify step eval exited 1', runId: 'run-3', metrics: {}, gates: [], steps, checks: { total: 0, failed: 0 },
});
const history = [revision(3, [step('deploy', 'deploy', 'succeeded'), step('verify', 'eval', 'failed')]), revision(2, [step('verify', 'eval', 'succeeded'), step('monitor', 'check-4', 'succeeded'), step('monitor', 'check-5', 'failed')])];

describe("a revision's operations in the TUI", () => {
  it('Enter on a revision opens its steps at the first failed one; Esc goes back to the history on it', () => {
    let state: TuiState = reduce({ ...initialTuiState, view: { kind: 'history', env: 'staging', selected: 0 } }, { type: 'history.loaded', env: 'staging', revisions: history });
    state = reduce(state, { type: 'open' });
    expect(state.view).toEqual({ kind: 'run', runId: 'staging#3', step: 1, scroll: null });
    expect(stepsOf(state, 'staging#3').map((s) => s.name)).toEqual(['deploy', 'eval']);
    state = reduce(state, { type: 'selection.move', by: -1 });
    expect(state.view).toMatchObject({ step: 0 });
    state = reduce(state, { type: 'step.first-failed' });
    expect(state.view).toMatchObject({ step: 1 });
    expect(reduce(state, { type: 'back' }).view).toEqual({ kind: 'history', env: 'staging', selected: 0 });
  });

  it('from an incident, opens the check behind it once the history is loaded; Esc goes back to where i was pressed', () => {
    let state = reduce(initialTuiState, { type: 'operation.open', runId: 'staging#2', step: 'check-5' });
    expect(state.view).toMatchObject({ kind: 'run', runId: 'staging#2', step: 0, wantStep: 'check-5' });
    state = reduce(state, { type: 'history.loaded', env: 'staging', revisions: history });
    expect(state.view).toEqual({ kind: 'run', runId: 'staging#2', step: 2, scroll: null });
    // i was pressed on the dashboard: Esc goes back there, not to a history the person never opened.
    expect(reduce(state, { type: 'back' }).view).toEqual({ kind: 'dashboard' });
    // Pressed in a history: back to that history, on the row it was on.
    let fromHistory = reduce({ ...initialTuiState, view: { kind: 'history', env: 'staging', selected: 0 } }, { type: 'history.loaded', env: 'staging', revisions: history });
    fromHistory = reduce(fromHistory, { type: 'operation.open', runId: 'staging#2', step: 'check-5' });
    expect(reduce(fromHistory, { type: 'back' }).view).toEqual({ kind: 'history', env: 'staging', selected: 0 });
  });

  it('finds the output an incident names', () => {
    const env = (incident: string | null) => ({ incident }) as EnvironmentView;
    expect(incidentLog(env('monitor failed 2 times in a row on #2 (checks 4–5; the last exited 1: axum logs staging#2 --step check-5); rolled back to #1'))).toEqual({ runId: 'staging#2', step: 'check-5' });
    expect(incidentLog(env('#3 failed verify: verify step eval exited 1 (axum logs staging#3 --step eval)'))).toEqual({ runId: 'staging#3', step: 'eval' });
    expect(incidentLog(env('#3 refused: release rel-3 failed its integrity check'))).toBeNull();
    expect(incidentLog(env(null))).toBeNull();
    // An inconclusive revision is said by its pause alone: its reason names the output.
    const paused = { since: 't', revision: 4, reason: 'inconclusive: check error_rate: 1 measurement inconclusive (axum logs staging#4 --step error_rate)' };
    expect(incidentLog({ incident: null, paused } as EnvironmentView)).toEqual({ runId: 'staging#4', step: 'error_rate' });
    expect(incidentLog({ incident: '#3 failed verify: x (axum logs staging#3 --step eval)', paused } as EnvironmentView)).toEqual({ runId: 'staging#3', step: 'eval' });
  });
});
