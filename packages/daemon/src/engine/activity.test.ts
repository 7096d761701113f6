import { describe, expect, it } from 'vitest';
import type { EnvironmentView, Request, RevisionView } from '@axum/protocol';
import { activityText, movedText, whoOf } from './activity.js';

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
    expect(activityText(rollback, { result: revision({}) })).toBe('rolled back production to #3 (#5, live: rolled back to #3)');
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
    expect(activityText(request({ method: 'release.mark', params: { releaseId: 'rel-3', mark: 'bad', by: 'a' } }), { refusal: 'rel-3 is marked bad already' })).toBe('mark of rel-3 bad refused: rel-3 is marked bad already');
    expect(activityText(request({ method: 'run.cancel', params: { runId: 'run-5' } }), { result: {} })).toBe('cancelled run-5');
    expect(activityText(request({ method: 'runs.list', params: { limit: 5 } }), { result: [] })).toBeNull();
    expect(activityText(request({ method: 'history.get', params: { env: 'staging' } }), { result: [] })).toBeNull();
  });
});

describe("the daemon's own moves", () => {
  const view = (extra: Partial<EnvironmentView>): EnvironmentView => ({ name: 'staging', live: null, operation: null, ...extra }) as EnvironmentView;
  const live = (revision: number) => ({ revision, releaseId: `rel-${revision}`, commit: 'c'.repeat(40) }) as EnvironmentView['live'];
  it('say a revision that went live with the kind and who of the operation that held the environment', () => {
    const before = view({ live: live(7), operation: { revision: 8, kind: 'auto-rollback', holder: 'auto: verify failed on #7', startedAt: 't' } });
    expect(movedText(before, view({ live: live(8) }))).toEqual({ who: 'auto: verify failed on #7', what: 'staging: auto-rollback #8 is live (rel-8, cccccccc)' });
  });
  it('say an operation that ended without going live, and what still serves', () => {
    const before = view({ live: live(7), operation: { revision: 8, kind: 'deploy', holder: 'push run-9', startedAt: 't' } });
    expect(movedText(before, view({ live: live(7) }))).toEqual({ who: 'push run-9', what: 'staging: deploy #8 did not go live, #7 still live (axum history staging)' });
    expect(movedText(view({ operation: before.operation }), view({}))?.what).toBe('staging: deploy #8 did not go live, nothing live (axum history staging)');
  });
  it('say nothing when nothing moved and no operation ended', () => {
    expect(movedText(view({ live: live(7) }), view({ live: live(7) }))).toBeNull();
    // Went live in an earlier update, the operation (its verification) ends in this one: said already.
    expect(movedText(view({ live: live(8), operation: { revision: 8, kind: 'rollback', holder: 'x', startedAt: 't' } }), view({ live: live(8) }))).toBeNull();
    expect(movedText(view({ live: live(7) }), view({ live: live(7), operation: { revision: 8, kind: 'deploy', holder: 'x', startedAt: 't' } }))).toBeNull();
  });
});
