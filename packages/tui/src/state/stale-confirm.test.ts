// A confirmation does what it shows: the rollback carries the revision it named, and a dialog whose
// environment moved under it closes instead of doing something else.
import { describe, expect, it } from 'vitest';
import type { EnvironmentView } from '@axum/protocol';
import { confirmationFor } from './actions.js';
import { daemonState } from './first-hour.test.js';
import { initialTuiState, reduce, type Confirm, type TuiState } from './tui-state.js';

const at = (revision: number, releaseId: string) => ({ revision, releaseId, commit: 'c'.repeat(40) });
const env = (extra: Partial<EnvironmentView> = {}): EnvironmentView => ({
  name: 'staging', branch: 'staging', path: '/r/staging', protected: false, approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
  live: at(7, 'rel-9'), serving: null, lastKnownGood: at(6, 'rel-7'), rollbackTarget: at(6, 'rel-7'), heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null, ...extra,
});
const connected = (e: EnvironmentView): TuiState => reduce(initialTuiState, { type: 'connection.connected', clientId: 'me', state: daemonState([e]) });
const asked = (state: TuiState, confirm: ReturnType<typeof confirmationFor>): TuiState => {
  if (!confirm || 'refused' in confirm) throw new Error(`not asked: ${JSON.stringify(confirm)}`);
  return reduce(state, { type: 'confirm.open', confirm });
};

describe('a rollback confirmed from the dashboard', () => {
  it('carries the revision its dialog showed, never null (the daemon goes there or refuses)', () => {
    const state = connected(env());
    const confirm = confirmationFor({ kind: 'rollback', env: 'staging', to: null, force: false }, state) as Confirm;
    expect(confirm.title).toMatch(/^roll back staging to #6 \(rel-7\)\?/);
    expect(confirm.action).toEqual({ kind: 'rollback', env: 'staging', to: 6, releaseId: 'rel-7', force: false });
  });
});

describe('a confirmation whose environment changes under it', () => {
  it('closes with a notice when the live revision moves (another terminal rolled back first)', () => {
    let state = asked(connected(env()), confirmationFor({ kind: 'rollback', env: 'staging', to: null, force: false }, connected(env())));
    // A terminal, a mouse away, confirmed first: #8 (rel-7) is live now.
    state = reduce(state, { type: 'daemon.delta', delta: { type: 'environment.updated', environment: env({ live: at(8, 'rel-7'), rollbackTarget: at(5, 'rel-5') }) } });
    expect(state.confirm).toBeNull();
    expect(state.notice).toBe('staging changed while you were confirming: nothing done; press r again');
    expect(state.noticeLevel).toBe('high');
  });

  it('stays open while nothing it depends on changes (a monitor check, another environment)', () => {
    let state = asked(connected(env()), confirmationFor({ kind: 'rollback', env: 'staging', to: null, force: false }, connected(env())));
    state = reduce(state, { type: 'daemon.delta', delta: { type: 'environment.updated', environment: env({ lastCheck: { passed: true, inconclusive: false, at: 't', step: 'check-1' } }) } });
    expect(state.confirm?.title).toMatch(/^roll back staging to #6/);
  });

  it('closes an approval when the release waiting changes (approve carries no release: it is refused on change)', () => {
    const waiting = env({ approval: 'manual', awaitingApproval: true, pendingReleaseId: 'rel-10' });
    let state = asked(connected(waiting), confirmationFor({ kind: 'approve', env: 'staging' }, connected(waiting)));
    expect(state.confirm?.title).toBe('deploy rel-10 to staging?');
    state = reduce(state, { type: 'daemon.delta', delta: { type: 'environment.updated', environment: { ...waiting, pendingReleaseId: 'rel-11' } } });
    expect(state.confirm).toBeNull();
    expect(state.notice).toBe('staging changed while you were confirming: nothing done; press a again');
  });

  it('closes an unpin that would deploy a held release once another one is held', () => {
    const pinned = env({ protected: true, pinned: true, heldReleaseId: 'rel-10' });
    let state = asked(connected(pinned), confirmationFor({ kind: 'pin', env: 'staging', pinned: false }, connected(pinned)));
    state = reduce(state, { type: 'daemon.delta', delta: { type: 'environment.updated', environment: { ...pinned, heldReleaseId: 'rel-11' } } });
    expect(state.notice).toBe('staging changed while you were confirming: nothing done; press p again');
  });
});

describe('opening a cancelled run', () => {
  it('selects the step that was cancelled, not the first', () => {
    const step = (name: string, status: 'succeeded' | 'cancelled' | 'pending') => ({ stage: 'test', name, status, exitCode: null, durationMs: null, startedAt: null, attempts: 1, logBytes: 0 });
    const cancelled = { id: 'run-3', number: 3, status: 'cancelled', commit: 'a'.repeat(40), branch: 'staging', env: 'staging', trigger: 'push', reused: false, createdAt: 't', startedAt: 't', finishedAt: 't', subject: 's', releaseId: null, message: null, warnings: [], deploy: null, steps: [step('lint', 'succeeded'), step('train', 'cancelled'), step('eval', 'pending')] } as const;
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'me', state: daemonState([env()], { runs: [cancelled as never] }) });
    state = reduce(state, { type: 'focus.toggle' });
    state = reduce(state, { type: 'open' });
    expect(state.view).toMatchObject({ kind: 'run', runId: 'run-3', step: 1 });
  });
});

describe("a confirmation's details loaded after it opened", () => {
  it('land in the dialog they were loaded for, even when they come back at once; never in another one', () => {
    const state = connected(env());
    const confirm = confirmationFor({ kind: 'rollback', env: 'staging', to: null, force: false }, state) as Confirm;
    const open = asked(state, { ...confirm, details: ['loading the diff…'] });
    const loaded = reduce(open, { type: 'confirm.details', details: ['(no diff: not connected to the daemon)'], forAction: confirm.action });
    expect(loaded.confirm?.details).toEqual(['(no diff: not connected to the daemon)']);
    const other = reduce(open, { type: 'confirm.details', details: ['stale'], forAction: { ...confirm.action } });
    expect(other.confirm?.details).toEqual(['loading the diff…']);
  });
});
