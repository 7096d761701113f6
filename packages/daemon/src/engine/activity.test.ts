import { describe, expect, it } from 'vitest';
import type { EnvironmentView, Request, RevisionView, RunView } from '@axum/protocol';
import { activityText, environmentsMovedBy, movedText, resolvedText, runOutcomeText, whoOf } from './activity.js';

const revision = (extra: Partial<RevisionView>): RevisionView => ({
  revision: 5, status: 'live', kind: 'rollback', releaseId: 'rel-3', commit: 'a'.repeat(40), rollbackTo: 3, verified: true, createdAt: 't', finishedAt: 't', by: 'x', message: 'rolled back to #3',
  runId: null, metrics: {}, gates: [], steps: [], checks: { total: 0, failed: 0 }, ...extra,
});
const request = (body: Omit<Request, 'type' | 'id'>) => ({ type: 'request', id: 'r1', ...body }) as Request;

describe('activity lines', () => {
  it('say who in a person\'s words', () => {
    expect(whoOf({ name: 'axum-tui', user: 'alice', terminal: 'pts/3' })).toBe('alice (axum-tui on pts/3)');
    expect(whoOf({ name: 'axum-pin', user: null, terminal: null })).toBe('axum-pin');
  });

  it('say what a state-changing request did, or why it was refused; reads say nothing', () => {
    const rollback = request({ method: 'env.rollback', params: { env: 'production', to: null, force: false, by: 'alice' } });
    expect(activityText(rollback, { result: revision({}) })).toBe('rolled back production to #3 (#5, live)');
    expect(activityText(rollback, { refusal: 'production is busy' })).toBe('rollback of production to the last known good refused: production is busy');
    expect(activityText(request({ method: 'env.pin', params: { env: 'staging', pinned: false, by: 'a' } }), { result: {} })).toBe('unpinned staging');
    const unpin = request({ method: 'env.pin', params: { env: 'staging', pinned: false, by: 'a' } });
    expect(activityText(unpin, { result: { deployed: revision({ kind: 'deploy', revision: 4, message: null }), note: null } })).toBe('unpinned staging; deployed rel-3 (#4, live)');
    expect(activityText(unpin, { result: { deployed: null, note: 'rel-4 is marked bad by x (t): y: not deployed' } })).toBe('unpinned staging; rel-4 is marked bad by x (t): y: not deployed');
    const promote = request({ method: 'env.promote', params: { from: 'staging', to: 'production', force: false, by: 'a' } });
    expect(activityText(promote, { result: revision({ kind: 'deploy', message: null }) })).toBe('promoted rel-3 from staging to production (#5, live)');
    expect(activityText(promote, { refusal: 'nothing is live in staging: nothing to promote' })).toBe('promote of staging to production refused: nothing is live in staging: nothing to promote');
    const marks = [{ mark: 'good', by: 'a', why: 'cleared by hand', at: 't' }];
    expect(activityText(request({ method: 'release.mark', params: { releaseId: 'rel-3', mark: 'good', by: 'a' } }), { result: { marks } })).toBe('cleared the bad mark of rel-3 (cleared by hand)');
    expect(activityText(request({ method: 'release.mark', params: { releaseId: 'rel-3', mark: 'bad', by: 'a' } }), { refusal: 'no release rel-3' })).toBe('mark of rel-3 bad refused: no release rel-3');
    expect(activityText(request({ method: 'release.mark', params: { releaseId: 'rel-3', mark: 'bad', by: 'a' } }), { result: { marks: [], unchanged: true } })).toBe('mark of rel-3 bad: marked bad already, nothing changed');
    const twice = [{ mark: 'bad', by: 'a', why: 'first', at: 't' }, { mark: 'bad', by: 'b', why: 'second', at: 't' }];
    expect(activityText(request({ method: 'release.mark', params: { releaseId: 'rel-3', mark: 'bad', by: 'b' } }), { result: { marks: twice, unchanged: false } })).toBe("gave rel-3's bad mark a new reason (second)");
    expect(activityText(request({ method: 'env.deploy', params: { env: 'staging', releaseId: 'rel-3', force: false, by: 'a', again: false } }), { result: { releaseId: 'rel-3', revision: 2, unchanged: true } })).toBe('deploy of rel-3 to staging: live there already (#2), nothing changed');
    expect(activityText(request({ method: 'run.cancel', params: { runId: 'run-5' } }), { result: {} })).toBe('cancelled run-5');
    expect(activityText(request({ method: 'runs.list', params: { limit: 5 } }), { result: [] })).toBeNull();
    expect(activityText(request({ method: 'history.get', params: { env: 'staging' } }), { result: [] })).toBeNull();
  });
});

describe("the daemon's own moves", () => {
  const view = (extra: Partial<EnvironmentView>): EnvironmentView => ({ name: 'staging', live: null, serving: null, operation: null, ...extra }) as EnvironmentView;
  const live = (revision: number) => ({ revision, releaseId: `rel-${revision}`, commit: 'c'.repeat(40) }) as EnvironmentView['live'];
  const op = (revision: number, kind: string, holder: string) => ({ revision, kind, holder, startedAt: 't' });
  it('say a revision that went live with the kind and the cause of the operation that held the environment', () => {
    expect(movedText(view({ live: live(7), operation: op(8, 'auto-rollback', 'auto: #7 failed verification') }), view({ live: live(8) }))).toBe('staging: auto-rollback #8 is live (rel-8, cccccccc), after #7 failed verification');
    expect(movedText(view({ live: live(7), operation: op(8, 'deploy', 'push run-9') }), view({ live: live(8) }))).toBe('staging: deploy #8 is live (rel-8, cccccccc), by push run-9');
  });
  it('say an operation that ended without going live, and what still serves — or that it failed where it serves', () => {
    const before = view({ live: live(7), operation: op(8, 'deploy', 'push run-9') });
    expect(movedText(before, view({ live: live(7) }))).toBe('staging: deploy #8 did not go live, by push run-9; #7 still live (axum logs staging#8)');
    expect(movedText(view({ operation: before.operation }), view({}))).toBe('staging: deploy #8 did not go live, by push run-9; nothing live (axum logs staging#8)');
    // Verification failed after the pointer moved: #8 serves, failed (an automatic rollback says itself next).
    expect(movedText(view({ operation: before.operation }), view({ serving: { ...live(8)!, failed: true } }))).toBe('staging: deploy #8 FAILED where it serves, by push run-9 (axum logs staging#8)');
    // Paused over it: its verification could not decide, which is not a failure.
    const paused = { since: 't', revision: 8, reason: 'inconclusive' };
    expect(movedText(view({ operation: before.operation }), view({ serving: { ...live(8)!, failed: true }, paused }))).toBe('staging: deploy #8 inconclusive where it serves, by push run-9: paused (axum approve staging keeps it; axum logs staging#8)');
  });
  it('say nothing when nothing moved and no operation ended', () => {
    expect(movedText(view({ live: live(7) }), view({ live: live(7) }))).toBeNull();
    expect(movedText(view({ live: live(7) }), view({ live: live(7), operation: op(8, 'deploy', 'x') }))).toBeNull();
    // Went live in an earlier update, the operation (its verification) ends in this one: said already.
    expect(movedText(view({ live: live(8), operation: op(8, 'rollback', 'x') }), view({ live: live(8) }))).toBeNull();
  });
  it('say nothing when a starting daemon loads what served already: nothing known before, no operation (a restart is no deploy)', () => {
    expect(movedText(view({}), view({ live: live(7) }))).toBeNull();
    expect(movedText(view({}), view({ serving: { ...live(7)!, failed: true } }))).toBeNull();
    // A first deploy holds the environment: it is said.
    expect(movedText(view({ operation: op(1, 'deploy', 'push run-1') }), view({ live: live(1) }))).toBe('staging: deploy #1 is live (rel-1, cccccccc), by push run-1');
  });
  it("say a run's deploy that waits for a person or was refused, once, when it becomes so", () => {
    const run = (outcome: string | null) => ({ id: 'run-9', releaseId: 'rel-9', deploy: outcome ? { env: 'production', revision: null, outcome } : null }) as unknown as RunView;
    expect(runOutcomeText(run('pending'), run('awaiting-approval'))).toBe('run-9: rel-9 waits for approval in production (axum approve production)');
    expect(runOutcomeText(run('pending'), run('held-by-pin'))).toBe('run-9: rel-9 is held by the pin of production (axum unpin production deploys it)');
    expect(runOutcomeText(run(null), run('refused-bad'))).toBe('run-9: rel-9 not deployed to production: marked bad (axum runs shows why)');
    expect(runOutcomeText(run('awaiting-approval'), run('awaiting-approval'))).toBeNull();
    expect(runOutcomeText(undefined, run('awaiting-approval'))).toBeNull();
    expect(runOutcomeText(run('pending'), run('live'))).toBeNull();
  });
});

describe('environmentsMovedBy', () => {
  it('names what a rollback, deploy, approve, promote or unpin may move; nothing for a pin or a read', () => {
    const request = (method: string, params: Record<string, unknown>) => ({ type: 'request', id: '1', method, params }) as unknown as Request;
    expect(environmentsMovedBy(request('env.rollback', { env: 'production', to: null, force: false, by: 'x' }))).toEqual(['production']);
    expect(environmentsMovedBy(request('env.promote', { from: 'staging', to: 'production', force: false, by: 'x' }))).toEqual(['production']);
    expect(environmentsMovedBy(request('env.pin', { env: 'production', pinned: false, by: 'x' }))).toEqual(['production']);
    expect(environmentsMovedBy(request('env.pin', { env: 'production', pinned: true, by: 'x' }))).toEqual([]);
    expect(environmentsMovedBy(request('history.get', { env: 'production' }))).toEqual([]);
  });
});

describe('an incident that goes', () => {
  const env = (incident: string | null) => ({ name: 'staging', incident }) as EnvironmentView;
  it('is said once, with what it was, so the event log keeps it', () => {
    expect(resolvedText(env('current and history disagree: current is missing'), env(null))).toBe('staging: incident resolved: current and history disagree: current is missing');
  });
  it('says nothing while it stands, when another replaced it, or when there was none', () => {
    expect(resolvedText(env('a'), env('a'))).toBeNull();
    expect(resolvedText(env('a'), env('b'))).toBeNull();
    expect(resolvedText(env(null), env(null))).toBeNull();
  });
});
