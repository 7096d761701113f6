import type { RevisionView } from '@axum/protocol';
import { describe, expect, it } from 'vitest';
import { acceptanceRevision, holdOf, liftPause, pause } from './pause.js';
import { emptyEnvironmentDocument } from './revisions.js';

const failed: RevisionView = {
  revision: 3, status: 'failed', kind: 'deploy', releaseId: 'rel-3', commit: 'c'.repeat(40), rollbackTo: null, verified: false, createdAt: 't0', finishedAt: 't1',
  by: 'push run-3', message: 'inconclusive: …', runId: 'run-3', metrics: { accuracy: 0.9 }, gates: [], steps: [{ stage: 'verify', name: 'smoke', status: 'succeeded', exitCode: 0, durationMs: 1, startedAt: 't0', logBytes: 0 }], checks: { total: 0, failed: 0 },
};

describe('the pause', () => {
  it('keeps its first reason: a person is asked about one thing', () => {
    const doc = emptyEnvironmentDocument();
    expect(pause(doc, 3, 'inconclusive: no series', 't1')).toBe(true);
    expect(pause(doc, 4, 'monitor check inconclusive', 't2')).toBe(false);
    expect(doc.paused).toEqual({ since: 't1', revision: 3, reason: 'inconclusive: no series' });
  });

  it('holds commits after a pin, which is the older explicit act', () => {
    const doc = emptyEnvironmentDocument();
    expect(holdOf(doc)).toBeNull();
    pause(doc, 3, 'why', 't');
    expect(holdOf(doc)).toBe('pause');
    doc.pinned = { by: 'ana', at: 't' };
    expect(holdOf(doc)).toBe('pin');
  });

  it('lifted, moves the held release to the queue unless a pin still holds it, and can be put back', () => {
    const doc = { ...emptyEnvironmentDocument(), heldReleaseId: 'rel-5' };
    pause(doc, 3, 'why', 't');
    const restore = liftPause(doc);
    expect(doc).toMatchObject({ paused: null, heldReleaseId: null, queuedReleaseId: 'rel-5' });
    restore();
    expect(doc).toMatchObject({ paused: { revision: 3 }, heldReleaseId: 'rel-5', queuedReleaseId: null });
    doc.pinned = { by: 'ana', at: 't' };
    liftPause(doc);
    expect(doc).toMatchObject({ paused: null, heldReleaseId: 'rel-5', queuedReleaseId: null });
  });

  it('approve appends a live, verified revision of the serving release by that person, with its metrics and no steps', () => {
    const doc = { ...emptyEnvironmentDocument(), revisions: [failed] };
    pause(doc, 3, 'inconclusive: no series', 't1');
    expect(acceptanceRevision(doc, 'dev', failed, 4, 'ana', 't2')).toEqual({
      revision: 4, status: 'live', kind: 'deploy', releaseId: 'rel-3', commit: failed.commit, rollbackTo: null, verified: true, createdAt: 't2', finishedAt: 't2',
      by: 'ana', runId: 'run-3', metrics: { accuracy: 0.9 }, gates: [], steps: [], checks: { total: 0, failed: 0 },
      message: "accepted #3 as live and verified (approved by ana after: inconclusive: no series); the approval holds for dev only: the next environment's gate is judged on its own",
    });
  });
});
