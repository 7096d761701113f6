import { describe, expect, it } from 'vitest';
import type { EnvironmentView } from '@axum/protocol';
import { badText, humanSize, nextEnvironment, noRollbackTargetReason, promotedReleaseText, releaseMarkedByRollback, verifiedText } from './releases.js';

const env = (name: string, extra: Partial<EnvironmentView> = {}): EnvironmentView => ({
  name, branch: name, path: `/r/${name}`, protected: name === 'production', approval: 'auto', inConfig: true, pinned: false, awaitingApproval: false,
  live: null, serving: null, lastKnownGood: null, rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null, ...extra,
});
const at = (revision: number, releaseId: string) => ({ revision, releaseId, commit: 'c'.repeat(40) });

describe('release cells', () => {
  it('sizes read as people read them', () => {
    expect([0, 999, 1000, 1234, 1_234_567, 2_000_000_000].map(humanSize)).toEqual(['0 B', '999 B', '1.0 kB', '1.2 kB', '1.2 MB', '2.0 GB']);
  });
  it('verified and bad say where, who, when and why', () => {
    expect(verifiedText({ verifiedIn: [{ env: 'staging', revision: 3 }, { env: 'production', revision: 5 }] })).toBe('staging#3, production#5');
    expect(verifiedText({ verifiedIn: [] })).toBe('—');
    expect(badText({ bad: { why: 'verification failed', by: 'staging#3', at: '2026-12-04T03:36:12.000Z' } })).toBe('bad: verification failed — by staging#3, 2026-12-04 03:36');
    expect(badText({ bad: null })).toBe('');
  });
  it('a promote names the release and where it was verified', () => {
    expect(promotedReleaseText('rel-4', 'staging', { verifiedIn: [{ env: 'dev', revision: 1 }, { env: 'staging', revision: 3 }] }, at(3, 'rel-4'))).toBe('rel-4 (live in staging, verified as staging#3)');
    // Not listed (yet): the live revision is verified by definition.
    expect(promotedReleaseText('rel-4', 'staging', undefined, at(7, 'rel-4'))).toBe('rel-4 (live in staging, verified as staging#7)');
  });
});

describe('the next environment to promote to', () => {
  const state = { environments: [env('dev'), env('old', { inConfig: false }), env('staging'), env('production')] };
  it("follows the config's order among the declared ones", () => {
    expect(nextEnvironment(state, 'dev')?.name).toBe('staging');
    expect(nextEnvironment(state, 'staging')?.name).toBe('production');
  });
  it('has none after the last, for an unknown name, or one not in axum.yml', () => {
    expect(nextEnvironment(state, 'production')).toBeNull();
    expect(nextEnvironment(state, '__proto__')).toBeNull();
    expect(nextEnvironment(state, 'old')).toBeNull();
    expect(nextEnvironment(null, 'dev')).toBeNull();
  });
});

describe('what a rollback marks bad', () => {
  it('the serving release, when the target is another release', () => {
    expect(releaseMarkedByRollback(env('production', { live: at(5, 'rel-4') }), 'rel-2')).toEqual({ releaseId: 'rel-4', revision: 5, failed: false });
    expect(releaseMarkedByRollback(env('production', { live: null, serving: { ...at(6, 'rel-5'), failed: true } }), 'rel-2')).toEqual({ releaseId: 'rel-5', revision: 6, failed: true });
  });
  it('nothing when the target holds the serving release or nothing serves', () => {
    expect(releaseMarkedByRollback(env('production', { live: at(5, 'rel-2') }), 'rel-2')).toBeNull();
    expect(releaseMarkedByRollback(env('production'), 'rel-2')).toBeNull();
  });
  it('with no target to offer, says why and names --to', () => {
    const served = env('production', { live: at(7, 'rel-2'), lastKnownGood: at(7, 'rel-2') });
    expect(noRollbackTargetReason(served)).toContain('axum rollback production --to N');
    expect(noRollbackTargetReason(served)).toContain('serves its only last known good (#7)');
    // In the history already: no "Enter" to get there.
    expect(noRollbackTargetReason(served)).toContain('or Enter, then r on an older one');
    expect(noRollbackTargetReason(served, true)).toContain('axum rollback production --to N goes further back, or select an older one (j/k) and press r');
    expect(noRollbackTargetReason(env('production'))).toContain('no last known good');
  });
});
