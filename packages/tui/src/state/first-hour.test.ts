// The first hour at 80×24 (issue 18, the second pass): a deploy pending while the run builds, the
// history reopening on what serves, notices by priority, the event log's own entries.
import { describe, expect, it } from 'vitest';
import type { DaemonState, EnvironmentView, RevisionView, RunView } from '@axum/protocol';
import { deployBadge, deployOutcomeText } from './selectors.js';
import { initialTuiState, reduce, type TuiState } from './tui-state.js';

const env = (name: string, extra: Partial<EnvironmentView> = {}): EnvironmentView => ({
  name, branch: name, path: `/r/${name}`, protected: false, approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
  live: { revision: 7, releaseId: 'rel-7', commit: 'b'.repeat(40) }, serving: null, lastKnownGood: null, rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null, ...extra,
});
export const daemonState = (environments: EnvironmentView[], extra: Partial<DaemonState> = {}): DaemonState => ({
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/r', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' }, environments, runs: [], warnings: [], clients: 1, attached: [], activity: [], backups: [], ...extra,
});
const revision = (n: number, status: RevisionView['status']): RevisionView => ({
  revision: n, status, kind: 'deploy', releaseId: `rel-${n}`, commit: 'a'.repeat(40), rollbackTo: null, verified: true, createdAt: 't', finishedAt: 't', by: 'x', message: null,
  runId: null, metrics: {}, gates: [], steps: [], checks: { total: 0, failed: 0 },
});
const connected = (environments: EnvironmentView[]): TuiState => reduce(initialTuiState, { type: 'connection.connected', clientId: 'me', state: daemonState(environments) });
const run = (status: RunView['status'], deploy: RunView['deploy']): RunView =>
  ({ id: 'run-9', number: 9, status, commit: 'e'.repeat(40), branch: 'dev', env: 'dev', trigger: 'push', reused: false, createdAt: 't', startedAt: 't', finishedAt: null, steps: [], subject: 's', releaseId: null, message: null, warnings: [], deploy }) as RunView;

describe("a run's deploy while its stages run", () => {
  it('is pending, not deploying, until the stages succeeded (as axum runs says)', () => {
    const building = run('running', { env: 'dev', revision: null, outcome: 'pending' });
    expect(deployBadge(building)).toBe('dev … pending');
    expect(deployOutcomeText(building)).toBe('deploy: pending, to dev once the stages succeed');
    const deploying = run('succeeded', { env: 'dev', revision: 4, outcome: 'pending' });
    expect(deployBadge(deploying)).toBe('dev#4 … deploying');
    expect(deployOutcomeText({ ...deploying, releaseId: 'rel-4' })).toBe('deploy: rel-4 deploying to dev#4…');
  });
});

describe('a history view reopens on what serves', () => {
  it('after a rollback made elsewhere, not on the revision left last time (now BAD)', () => {
    let state = connected([env('staging')]);
    state = reduce(state, { type: 'open' });
    state = reduce(state, { type: 'history.loaded', env: 'staging', revisions: [revision(7, 'live'), revision(6, 'superseded')] });
    expect(state.view).toEqual({ kind: 'history', env: 'staging', selected: 0 });
    state = reduce(state, { type: 'back' });
    // Another terminal rolls back: #8 serves, #7 is bad.
    state = reduce(state, { type: 'daemon.delta', delta: { type: 'environment.updated', environment: env('staging', { live: { revision: 8, releaseId: 'rel-6', commit: 'c'.repeat(40) } }) } });
    state = reduce(state, { type: 'open' });
    // The history loaded last time has no #8 yet: the cursor waits for it.
    state = reduce(state, { type: 'history.loaded', env: 'staging', revisions: [revision(8, 'live'), revision(7, 'failed'), revision(6, 'superseded')] });
    expect(state.view).toEqual({ kind: 'history', env: 'staging', selected: 0 });
    // Kept on its revision while the view stays open.
    state = reduce(state, { type: 'selection.move', by: 1 });
    state = reduce(state, { type: 'history.loaded', env: 'staging', revisions: [revision(9, 'live'), revision(8, 'superseded'), revision(7, 'failed'), revision(6, 'superseded')] });
    expect(state.view).toEqual({ kind: 'history', env: 'staging', selected: 2 });
  });
});
