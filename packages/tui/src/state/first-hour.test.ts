// The first hour at 80×24 (issue 18, the second pass): a deploy pending while the run builds, the
// history reopening on what serves, notices by priority, the event log's own entries.
import { describe, expect, it } from 'vitest';
import type { DaemonState, EnvironmentView, RevisionView, RunView } from '@axum/protocol';
import { deployBadge, deployOutcomeText } from './selectors.js';
import { eventEntries, eventLine, refusedEvent } from './event-log.js';
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
    expect(deployBadge(building)).toBe('dev pending');
    expect(deployOutcomeText(building)).toBe('deploy: pending, to dev once the stages succeed');
    const deploying = run('succeeded', { env: 'dev', revision: 4, outcome: 'pending' });
    expect(deployBadge(deploying)).toBe('dev#4 … deploying');
    expect(deployOutcomeText({ ...deploying, releaseId: 'rel-4' })).toBe('deploy: rel-4 deploying to dev#4…');
  });
});

describe("a run's deploy a daemon restart cut short", () => {
  it('is interrupted, not failed, and leaves how to deploy it again to the run\'s message (the daemon knows whether --again is needed)', () => {
    const cut = { ...run('succeeded', { env: 'dev', revision: 14, outcome: 'interrupted' }), releaseId: 'rel-32' };
    expect(deployBadge(cut)).toBe('dev#14 ↯ interrupted');
    expect(deployOutcomeText(cut)).toBe('deploy: rel-32 interrupted in dev#14 by a daemon restart, not retried by itself');
  });
});

describe("the run of a release a rollback put back", () => {
  it('says its release is live again, not only that a newer one superseded it', () => {
    const replaced = { ...run('succeeded', { env: 'staging', revision: 4, outcome: 'superseded' }), releaseId: 'rel-10' };
    const live = { revision: 6, releaseId: 'rel-10' };
    expect(deployOutcomeText(replaced, live)).toBe('deploy: rel-10 to staging superseded by a newer release; live again in staging#6');
    const rolledBack = { ...replaced, deploy: { env: 'staging', revision: 4, outcome: 'rolled-back' as const } };
    expect(deployOutcomeText(rolledBack, live)).toBe('deploy: rel-10 was live in staging#4, then rolled back; live again in staging#6');
    // Another release serves: the words stay as they were.
    expect(deployOutcomeText(replaced, { revision: 6, releaseId: 'rel-11' })).toBe('deploy: rel-10 to staging superseded by a newer release');
    expect(deployOutcomeText(replaced)).toBe('deploy: rel-10 to staging superseded by a newer release');
    // Superseded before its deploy (a newer run of the same release took it over): it never served, so not "again".
    const neverServed = { ...replaced, deploy: { env: 'staging', revision: null, outcome: 'superseded' as const } };
    expect(deployOutcomeText(neverServed, { revision: 5, releaseId: 'rel-10' })).toBe('deploy: rel-10 to staging superseded by a newer release');
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

describe('notices by priority (lazygit): a refusal holds the footer', () => {
  // The daemon's own move, as its activity says it (a push deploy).
  const live = (name: string, n: number) => ({ type: 'daemon.delta' as const, delta: { type: 'activity.added' as const, entry: { at: '2026-12-04T10:00:05.000Z', who: `push run-${n}`, what: `${name}: deploy #${n} is live (rel-${n}, cccccccc)`, clientId: '' } } });
  it('a routine notice from another environment waits until a key or the hold ends, then shows: never dropped', () => {
    let state = connected([env('staging'), env('dev')]);
    state = reduce(state, { type: 'notice', message: 'refused: nothing to roll back to', level: 'high', log: true, at: '2026-12-04T10:00:00.000Z' });
    state = reduce(state, live('dev', 8));
    expect(state.notice).toBe('refused: nothing to roll back to');
    // The hold ends (10 s): the local refusal goes, and what waited shows (it stays, as notices from elsewhere do).
    const expired = reduce(state, { type: 'notice.expire', id: state.noticeId });
    expect(expired.notice).toBe('10:00:05 push run-8 dev: deploy #8 is live (rel-8, cccccccc)');
    expect(reduce(expired, { type: 'notice.expire', id: expired.noticeId }).notice).toBe(expired.notice);
    // A key pressed: seen, what waited shows at once, and the next routine notice replaces it.
    const seen = reduce(state, { type: 'notice.seen' });
    expect(seen.notice).toBe('10:00:05 push run-8 dev: deploy #8 is live (rel-8, cccccccc)');
    expect(reduce(seen, live('dev', 9)).notice).toBe('10:00:05 push run-9 dev: deploy #9 is live (rel-9, cccccccc)');
    // A second refusal, or this terminal's own notice, before the hold ends: what waited still waits behind it.
    const refusedAgain = reduce(state, { type: 'notice', message: 'refused: staging is pinned', level: 'high', log: true });
    expect(refusedAgain.notice).toBe('refused: staging is pinned');
    expect(reduce(refusedAgain, { type: 'notice.expire', id: refusedAgain.noticeId }).notice).toBe('10:00:05 push run-8 dev: deploy #8 is live (rel-8, cccccccc)');
    const ownNotice = reduce(state, { type: 'notice', message: 'no step failed in run-3' });
    expect(ownNotice.notice).toBe('no step failed in run-3');
    expect(reduce(ownNotice, { type: 'notice.expire', id: ownNotice.noticeId }).notice).toBe('10:00:05 push run-8 dev: deploy #8 is live (rel-8, cccccccc)');
    // With nothing waiting, the hold's end clears the refusal; the screen's change does too.
    const alone = reduce(connected([env('staging')]), { type: 'notice', message: 'refused: nothing to roll back to', level: 'high', log: true });
    expect(reduce(alone, { type: 'notice.expire', id: alone.noticeId }).notice).toBeNull();
  });
  it("another terminal's act that comes while this terminal's refusal holds shows once the screen it was about goes", () => {
    let state = connected([env('staging'), env('production')]);
    state = reduce(state, { type: 'open' });
    state = reduce(state, { type: 'notice', message: 'refused: #1 has the release that is live already (rel-2 in #5): nothing would change', level: 'high', log: true });
    const other = { type: 'daemon.delta' as const, delta: { type: 'activity.added' as const, entry: { at: '2026-12-04T10:00:07.000Z', who: 'bob (axum on pts/2)', what: 'deployed rel-29 to production (#6, live)', clientId: 'other' } } };
    state = reduce(state, other);
    expect(state.notice).toContain('refused: #1');
    expect(reduce(state, { type: 'back' }).notice).toBe('10:00:07 bob (axum on pts/2) deployed rel-29 to production (#6, live)');
  });
  it('what waited, shown by the key that ends the hold, waits again behind the notice that key makes: shown when that one expires', () => {
    let state = connected([env('staging'), env('dev')]);
    state = reduce(state, { type: 'notice', message: 'refused: nothing to roll back to', level: 'high', log: true });
    state = reduce(state, live('dev', 8));
    const seen = reduce(state, { type: 'notice.seen' });
    // The key said nothing of its own: what waited stays shown.
    expect(reduce(seen, { type: 'notice.rewait', message: state.pendingNotice!, id: seen.noticeId }).notice).toBe('10:00:05 push run-8 dev: deploy #8 is live (rel-8, cccccccc)');
    const refused = reduce(seen, { type: 'notice', message: 'a: nothing is waiting for approval here', level: 'high' });
    const behind = reduce(refused, { type: 'notice.rewait', message: state.pendingNotice!, id: seen.noticeId });
    expect(behind.notice).toBe('a: nothing is waiting for approval here');
    expect(reduce(behind, { type: 'notice.expire', id: behind.noticeId }).notice).toBe('10:00:05 push run-8 dev: deploy #8 is live (rel-8, cccccccc)');
  });
  it("a local action's notice expires after the hold, or on the next screen", () => {
    let state = connected([env('staging')]);
    state = reduce(state, { type: 'notice', message: 'cancelled: nothing changed', log: true });
    expect(reduce(state, { type: 'notice.expire', id: state.noticeId }).notice).toBeNull();
    expect(reduce(state, { type: 'open' }).notice).toBeNull();
    // A timer for an older notice leaves a newer one alone.
    const newer = reduce(state, { type: 'notice', message: 'staging pinned' });
    expect(reduce(newer, { type: 'notice.expire', id: state.noticeId }).notice).toBe('staging pinned');
  });
});

describe('the event log', () => {
  it("holds this terminal's refusals (never sent), others' acts and the daemon's own moves, by time", () => {
    let state = connected([env('staging')]);
    state = reduce(state, { type: 'notice', message: 'refused: staging: nothing is live to roll back from', level: 'high', log: refusedEvent({ kind: 'rollback', env: 'staging', to: null, force: false }, 'staging: nothing is live to roll back from'), at: '2026-12-04T10:00:00.000Z' });
    state = reduce(state, { type: 'daemon.delta', delta: { type: 'activity.added', entry: { at: '2026-12-04T10:00:01.000Z', who: 'bob (axum-tui on pts/2)', what: 'pinned dev', clientId: 'other' } }, at: '2026-12-04T10:00:01.000Z' });
    const rollback = { at: '2026-12-04T10:00:02.000Z', who: 'auto: verify failed on #7', what: 'staging: auto-rollback #8 is live (rel-6, cccccccc)', clientId: '' };
    state = reduce(state, { type: 'daemon.delta', delta: { type: 'activity.added', entry: rollback }, at: '2026-12-04T10:00:02.000Z' });
    expect(eventEntries(state).map(eventLine)).toEqual([
      '00:00:00 connected to the daemon (pid 1) (this terminal only)',
      // What happened, in the words the daemon uses for a request it refuses: no "you refused".
      '10:00:00 refused: rollback of staging to the last known good — staging: nothing is live to roll back from (this terminal only)',
      '10:00:01 bob (axum-tui on pts/2) pinned dev',
      '10:00:02 auto: verify failed on #7 staging: auto-rollback #8 is live (rel-6, cccccccc)',
    ]);
  });
  it('says a (re)connect in one line, and keeps what the daemon said before it restarted, marked so', () => {
    const pinned = { at: '2026-12-04T09:00:00.000Z', who: 'alice', what: 'pinned staging', clientId: 'a' };
    let before = reduce(initialTuiState, { type: 'connection.connected', clientId: 'me', state: daemonState([env('staging')], { activity: [pinned] }), at: '2026-12-04T08:59:00.000Z' });
    before = reduce(before, { type: 'daemon.stopping', reason: 'stopped by axum daemon stop', at: '2026-12-04T09:01:00.000Z' });
    before = reduce(before, { type: 'connection.lost', attempt: 1, reason: 'closed', retryInMs: 200, at: '2026-12-04T09:01:00.000Z' });
    // The new daemon's first state is the baseline: what it serves is not news, the restart is.
    const restarted = daemonState([env('staging')]);
    const after = reduce(before, { type: 'connection.connected', clientId: 'me2', state: { ...restarted, daemon: { ...restarted.daemon, pid: 2 } }, at: '2026-12-04T09:02:00.000Z' });
    expect(eventEntries(after).map(eventLine)).toEqual([
      '08:59:00 connected to the daemon (pid 1) (this terminal only)',
      '09:00:00 alice pinned staging (before the daemon restarted)',
      '09:01:00 daemon stopping: stopped by axum daemon stop (this terminal only)',
      '09:02:00 reconnected: the daemon restarted (pid 2, was 1) (this terminal only)',
    ]);
    expect(after.notice).toBe('reconnected: the daemon restarted (pid 2, was 1)');
    // The same daemon again (a dropped connection): said, and nothing is doubled.
    const again = reduce(before, { type: 'connection.connected', clientId: 'me2', state: daemonState([env('staging')], { activity: [pinned] }), at: '2026-12-04T09:02:00.000Z' });
    expect(eventEntries(again).map(eventLine)).toEqual([
      '08:59:00 connected to the daemon (pid 1) (this terminal only)',
      '09:00:00 alice pinned staging',
      '09:01:00 daemon stopping: stopped by axum daemon stop (this terminal only)',
      '09:02:00 reconnected to the daemon (pid 1) (this terminal only)',
    ]);
  });
});
