import { describe, expect, it } from 'vitest';
import type { DaemonState } from '@axum/protocol';
import { connectionLabel, initialTuiState, reduce, type TuiState } from './tui-state.js';
import { connectionDetail } from './notices.js';

const daemonState: DaemonState = {
  daemon: { pid: 42, version: '0.1.0', protocolVersion: 1, repo: '/r', socket: '/s', tokenFile: '/t', listen: null, startedAt: '2026-01-01T00:00:00.000Z' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: '2026-01-01T00:00:00.000Z' },
  environments: ['dev', 'staging', 'production'].map((name) => ({
    name,
    branch: name,
    path: `/r/.axum/envs/${name}`,
    protected: name === 'production',
    approval: 'auto' as const,
    inConfig: true,
    pinned: false,
    awaitingApproval: false,
    live: null,
    serving: null,
    lastKnownGood: null, rollbackTarget: null, heldReleaseId: null, paused: null,
    pendingReleaseId: null,
    operation: null,
    incident: null,
    liveMetric: null,
    lastCheck: null,
  })),
  runs: [],
  warnings: [],
  clients: 1, attached: [], activity: [], backups: [],
};

describe('reduce', () => {
  it('takes the snapshot on connect and applies deltas on top', () => {
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemonState });
    expect(connectionLabel(state.connection)).toBe('connected');
    state = reduce(state, { type: 'daemon.delta', delta: { type: 'clients.changed', clients: 3, attached: [] } });
    expect(state.daemon?.clients).toBe(3);
  });

  it('keeps the last state while reconnecting, marked stale since the first loss', () => {
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemonState });
    state = reduce(state, { type: 'connection.lost', attempt: 1, reason: 'closed', retryInMs: 250, at: '2026-12-03T10:00:01.000Z' });
    state = reduce(state, { type: 'connection.lost', attempt: 2, reason: 'not running', retryInMs: 200, at: '2026-12-03T10:00:02.000Z' });
    expect(state.daemon).toBe(daemonState);
    expect(connectionLabel(state.connection)).toBe('STALE since 10:00:01: disconnected, reconnecting…');
    expect(connectionDetail(state.connection)).toBe('not running');
    // Gone for longer than a restart takes: said so, and how to start it (the retries go on).
    state = reduce(state, { type: 'connection.lost', attempt: 3, reason: 'not running', retryInMs: 200, at: '2026-12-03T10:00:04.000Z' });
    expect(connectionLabel(state.connection)).toBe('STALE since 10:00:01: the daemon is not running; retrying');
    expect(connectionDetail(state.connection)).toContain('axum daemon start');
    state = reduce(state, { type: 'connection.connected', clientId: 'c2', state: daemonState });
    state = reduce(state, { type: 'connection.lost', attempt: 1, reason: 'closed', retryInMs: 250, at: '2026-12-03T10:05:00.000Z' });
    expect(connectionLabel(state.connection)).toContain('since 10:05:00');
  });

  it('moves the selection within the environments and clamps it when they shrink', () => {
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemonState });
    state = reduce(state, { type: 'selection.move', by: 5 });
    expect(state.selected).toBe(2);
    state = reduce(state, { type: 'selection.move', by: -1 });
    expect(state.selected).toBe(1);
    const oneEnv = daemonState.environments.slice(0, 1);
    state = reduce(state, { type: 'daemon.delta', delta: { type: 'config.changed', config: daemonState.config, environments: oneEnv } });
    expect(state.selected).toBe(0);
  });

  it('toggles help; Esc closes help first, then goes back to the dashboard', () => {
    expect(reduce(initialTuiState, { type: 'help.toggle' }).helpOpen).toBe(true);
    const inRun = { ...initialTuiState, helpOpen: true, view: { kind: 'run' as const, runId: 'run-1', step: 0, scroll: null } };
    const once = reduce(inRun, { type: 'back' });
    expect(once).toMatchObject({ helpOpen: false, view: { kind: 'run' } });
    expect(reduce(once, { type: 'back' }).view).toEqual({ kind: 'dashboard' });
  });

  it('Enter opens the history of the selected environment, or the selected run at its first failed step', () => {
    const run = {
      id: 'run-7', number: 7, status: 'failed' as const, commit: 'c'.repeat(40), branch: 'main', env: 'production', trigger: 'push' as const, reused: false,
      createdAt: 't', startedAt: 't', finishedAt: 't', subject: 's', releaseId: null, message: null, warnings: [], deploy: null,
      steps: ['unit', 'lint', 'train'].map((name, i) => ({ stage: 'test', name, status: (i === 1 ? 'failed' : 'succeeded') as 'failed', exitCode: 0, durationMs: 1, startedAt: 't', attempts: 1, logBytes: 0 })),
    };
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: { ...daemonState, runs: [run] } });
    expect(reduce(state, { type: 'open' }).view).toEqual({ kind: 'history', env: 'dev', selected: 0 });
    state = reduce(state, { type: 'focus.toggle' });
    expect(reduce(state, { type: 'open' }).view).toEqual({ kind: 'run', runId: 'run-7', step: 1, scroll: null });
  });

  it('scrolls a log: up from the tail, top, and back to following', () => {
    let state: TuiState = { ...initialTuiState, view: { kind: 'run', runId: 'r', step: 0, scroll: null } };
    state = reduce(state, { type: 'log.scroll', by: 'top' });
    expect(state.view).toMatchObject({ scroll: 0 });
    state = reduce(state, { type: 'log.scroll', by: 1, pageRows: 10 });
    expect(state.view).toMatchObject({ scroll: 10 });
    state = reduce(state, { type: 'log.scroll', by: 'bottom' });
    expect(state.view).toMatchObject({ scroll: null });
  });

  it('scrolls up from the lines on screen while following, within the kept lines', () => {
    // The view shows lines 5000–5027 of a log whose kept lines are 4000…5027 (absolute numbers).
    const position = { from: 5000, min: 4000, max: 5000 };
    let state: TuiState = { ...initialTuiState, view: { kind: 'run', runId: 'r', step: 0, scroll: null } };
    state = reduce(state, { type: 'log.scroll', by: -1, ...position });
    expect(state.view).toMatchObject({ scroll: 4999 });
    state = reduce(state, { type: 'log.scroll', by: -1, pageRows: 10, ...position, from: 4999 });
    expect(state.view).toMatchObject({ scroll: 4989 });
    state = reduce(state, { type: 'log.scroll', by: 1, pageRows: 10, ...position, from: 4995 });
    expect(state.view).toMatchObject({ scroll: 5000 });
    state = reduce(state, { type: 'log.scroll', by: -1, pageRows: 10, ...position, from: 4003 });
    expect(state.view).toMatchObject({ scroll: 4000 });
    state = reduce(state, { type: 'log.scroll', by: 'top', ...position });
    expect(state.view).toMatchObject({ scroll: 4000 });
  });

  it("says what another terminal or the daemon itself did, with who; this terminal's own acts are its own notices", () => {
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemonState });
    const moved = { at: '2026-12-04T10:00:02.000Z', who: 'push run-3', what: 'production: deploy #3 is live (rel-2, aaaaaaaa)', clientId: '' };
    state = reduce(state, { type: 'daemon.delta', delta: { type: 'activity.added', entry: moved } });
    expect(state.notice).toBe('10:00:02 push run-3 production: deploy #3 is live (rel-2, aaaaaaaa)');
    const mine = reduce(state, { type: 'daemon.delta', delta: { type: 'activity.added', entry: { ...moved, what: 'pinned production', clientId: 'c1' } } });
    expect(mine.notice).toBe(state.notice);
  });

  it('collects typed confirmation input', () => {
    let state = reduce(initialTuiState, { type: 'confirm.open', confirm: { title: 't', details: [], typed: 'production', action: { kind: 'approve', env: 'production' } } });
    for (const ch of 'prod') state = reduce(state, { type: 'confirm.key', input: ch, backspace: false });
    state = reduce(state, { type: 'confirm.key', input: '', backspace: true });
    expect(state.confirm?.input).toBe('pro');
  });

  it('keeps where n/N landed (match 3 of 17) for its log, and forgets it for a new query', () => {
    let state: TuiState = { ...initialTuiState, view: { kind: 'run', runId: 'run-1', step: 2, scroll: null }, search: { editing: false, input: '', query: 'error' } };
    state = reduce(state, { type: 'search.match', index: 3, total: 17 });
    expect(state.search.match).toEqual({ index: 3, total: 17, runId: 'run-1', step: 2 });
    // Esc while typing keeps the last query and its count.
    state = reduce(reduce(state, { type: 'search.start' }), { type: 'search.done', commit: false });
    expect(state.search).toMatchObject({ query: 'error', match: { index: 3, total: 17 } });
    state = reduce(reduce(reduce(state, { type: 'search.start' }), { type: 'search.key', input: 'warn', backspace: false }), { type: 'search.done', commit: true });
    expect(state.search).toMatchObject({ query: 'warn', match: null });
  });
});
