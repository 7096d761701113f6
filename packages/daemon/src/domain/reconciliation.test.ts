import { describe, expect, it } from 'vitest';
import type { RevisionView } from '@axum/protocol';
import { currentDisagreement } from './reconciliation.js';

const revision = (n: number, releaseId: string, status: RevisionView['status']): RevisionView => ({
  ...{ revision: n, status, kind: 'deploy', releaseId, commit: 'c'.repeat(40), rollbackTo: null, verified: status !== 'failed' },
  ...{ createdAt: '2026-01-01T00:00:00.000Z', finishedAt: null, by: 'push', message: null, runId: null, metrics: {}, gates: [], steps: [], checks: { total: 0, failed: 0 } },
});
const here = (releaseId: string) => ({ releaseId, present: true });

describe('current against the history', () => {
  const history = [revision(1, 'rel-1', 'superseded'), revision(2, 'rel-2', 'live')];
  it('agree when current names the live revision’s release, or nothing when nothing was ever deployed', () => {
    expect(currentDisagreement(history, here('rel-2'))).toBeNull();
    expect(currentDisagreement([], null)).toBeNull();
  });
  it('names both facts when current names another release', () => {
    expect(currentDisagreement(history, here('rel-1'))).toBe('current and history disagree: current names rel-1 but history says #2 (rel-2) is live');
  });
  it('says so when current is missing, or its folder is gone', () => {
    expect(currentDisagreement(history, null)).toBe('current and history disagree: current is missing but history says #2 (rel-2) is live');
    expect(currentDisagreement(history, { releaseId: 'rel-2', present: false })).toBe('current and history disagree: current names rel-2, whose folder is gone; history says #2 (rel-2) is live');
  });
  it('with nothing live, current must name nothing — or the newest revision that failed and still serves', () => {
    const failed = [revision(1, 'rel-1', 'superseded'), revision(2, 'rel-2', 'failed')];
    expect(currentDisagreement(failed, null)).toBeNull();
    expect(currentDisagreement(failed, here('rel-2'))).toBeNull();
    expect(currentDisagreement(failed, here('rel-1'))).toBe('current and history disagree: current names rel-1 but history says nothing is live (#2 (rel-2) failed)');
    // A refusal after the failure moved nothing: the failed release still serves.
    expect(currentDisagreement([...failed, revision(3, 'rel-3', 'failed')], here('rel-2'))).toBeNull();
    expect(currentDisagreement([revision(1, 'rel-1', 'superseded')], here('rel-1'))).toBe('current and history disagree: current names rel-1 but history says nothing is live');
  });
});
