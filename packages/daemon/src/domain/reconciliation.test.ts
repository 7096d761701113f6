import { describe, expect, it } from 'vitest';
import type { RevisionView } from '@axum/protocol';
import { currentDisagreement } from './reconciliation.js';

const revision = (n: number, releaseId: string, status: RevisionView['status']): RevisionView => ({
  ...{ revision: n, status, kind: 'deploy', releaseId, commit: 'c'.repeat(40), rollbackTo: null, verified: status !== 'failed' },
  ...{ createdAt: '2026-01-01T00:00:00.000Z', finishedAt: null, by: 'push', message: null, runId: null, metrics: {}, gates: [], steps: [], checks: { total: 0, failed: 0 } },
});
const here = (releaseId: string) => ({ releaseId, present: true });
const live = { revision: revision(2, 'rel-2', 'live'), failed: false };

describe('current against the history', () => {
  it('agree when current names the serving release, or nothing when nothing serves', () => {
    expect(currentDisagreement(live, here('rel-2'))).toBeNull();
    expect(currentDisagreement(null, null)).toBeNull();
  });
  it('names both facts when current names another release', () => {
    expect(currentDisagreement(live, here('rel-1'))).toBe('current and history disagree: current names rel-1 but history says #2 (rel-2) is live');
  });
  it('says so when current is missing, or its folder is gone', () => {
    expect(currentDisagreement(live, null)).toBe('current and history disagree: current is missing but history says #2 (rel-2) is live');
    expect(currentDisagreement(live, { releaseId: 'rel-2', present: false })).toBe('current and history disagree: current names rel-2, whose folder is gone; history says #2 (rel-2) is live');
  });
  it('a revision serving, failed is what current must name; with nothing serving, current names nothing', () => {
    const failed = { revision: revision(3, 'rel-3', 'failed'), failed: true };
    expect(currentDisagreement(failed, here('rel-3'))).toBeNull();
    expect(currentDisagreement(failed, here('rel-1'))).toBe('current and history disagree: current names rel-1 but history says #3 (rel-3) failed and serves');
    expect(currentDisagreement(null, here('rel-1'))).toBe('current and history disagree: current names rel-1 but history says nothing is live');
  });
  it('a missing current, or one naming another release or no release folder, says how to serve the live release again', () => {
    const putBack = ' (to serve it again: axum deploy staging --release rel-2 --again, or axum rollback staging)';
    expect(currentDisagreement(live, null, 'staging')).toBe(`current and history disagree: current is missing but history says #2 (rel-2) is live${putBack}`);
    expect(currentDisagreement(live, { releaseId: 'tmp', present: true, foreign: '/tmp/x' }, 'staging')).toBe(`current and history disagree: current names /tmp/x, which is no release folder; history says #2 (rel-2) is live${putBack}`);
    expect(currentDisagreement(live, here('rel-1'), 'staging')).toBe(`current and history disagree: current names rel-1 but history says #2 (rel-2) is live${putBack}`);
    expect(currentDisagreement(null, { releaseId: 'tmp', present: true, foreign: '/tmp/x' }, 'staging')).toBe('current and history disagree: current names /tmp/x, which is no release folder; history says nothing is live');
  });
});
