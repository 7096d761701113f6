import { describe, expect, it } from 'vitest';
import type { ReleaseView, RevisionView } from '@axum/protocol';
import { emptyEnvironmentDocument, type ReleasesDocument } from '../domain/revisions.js';
import { RequestFailure } from './pipeline.js';
import { releaseRecords, requestRecords, snapshotOf, undoSince, unsavedFailure } from './unsaved-requests.js';

const revision = (n: number): RevisionView => ({
  ...{ revision: n, status: 'live', kind: 'deploy', releaseId: `rel-${n}`, commit: 'c'.repeat(40), rollbackTo: null, verified: true },
  ...{ createdAt: 't', finishedAt: 't', by: 'ana', message: null, runId: null, metrics: { acc: 0.9 }, gates: [], steps: [], checks: { total: 0, failed: 0 } },
});
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

describe('undoSince', () => {
  it('puts back in place what changed: the same revision objects with their fields, revisions added since gone, fields added since removed', () => {
    const doc = emptyEnvironmentDocument();
    const first = revision(1);
    doc.revisions.push(first);
    const list = doc.revisions;
    const was = snapshotOf(doc);
    first.status = 'superseded';
    first.metrics.acc = 0.1;
    (first as RevisionView & { extra?: number }).extra = 1;
    doc.revisions.push(revision(2));
    doc.pinned = { by: 'ana', at: 't' };
    (doc as typeof doc & { extra?: string }).extra = 'x';
    undoSince(doc, was)();
    expect(doc).toEqual({ ...emptyEnvironmentDocument(), revisions: [revision(1)] });
    expect(doc.revisions).toBe(list);
    expect(doc.revisions[0]).toBe(first);
  });

  it('leaves what changed after it measured: another writer’s field and revision stay', () => {
    const doc = emptyEnvironmentDocument();
    const was = snapshotOf(doc);
    doc.pinned = { by: 'ana', at: 't' }; // the request's
    const undo = undoSince(doc, was);
    doc.incident = 'a monitor incident'; // another writer, while the save awaits
    doc.revisions.push(revision(1));
    undo();
    expect(doc).toMatchObject({ pinned: null, incident: 'a monitor incident', revisions: [revision(1)] });
  });
});

describe('requestRecords', () => {
  it('a save the disk refuses puts memory back as it was saved last, tells clients and answers why; other errors go on up', async () => {
    const doc = emptyEnvironmentDocument();
    let fail: Error | null = null;
    const published: string[] = [];
    const environments = { save: async () => void (fail && (await Promise.reject(fail))), unrecorded: () => undefined };
    const records = requestRecords('staging', doc, environments, (env) => void published.push(env));
    doc.pinned = { by: 'ana', at: 't' };
    expect(await records.save('the pin of staging')).toBeNull();
    doc.incident = 'changed after the save';
    fail = enospc();
    const failure = await records.save('the pin of staging');
    expect(failure).toMatchObject({ code: 'refused', message: 'the pin of staging could not be recorded: the disk is full (ENOSPC: no space left on device); nothing changed (make room on the disk that holds .axum and ask again)' });
    expect(doc).toEqual({ ...emptyEnvironmentDocument(), pinned: { by: 'ana', at: 't' } });
    expect(records.putBack).toBe(true);
    expect(published).toEqual(['staging']);
    fail = new Error('a bug');
    await expect(records.save('the pin of staging')).rejects.toThrow('a bug');
  });

  it('an operation whose revision never reached the disk takes back what the request changed; a refusal is left to the request', () => {
    const doc = emptyEnvironmentDocument();
    const unsaved = new Map<RevisionView, unknown>();
    const records = requestRecords('staging', doc, { save: async () => undefined, unrecorded: (r) => unsaved.get(r) }, () => undefined);
    doc.paused = null;
    doc.queuedReleaseId = 'rel-1';
    const refusal = new RequestFailure('conflict', 'busy');
    expect(records.operated('the deploy', refusal)).toBe(refusal);
    expect(doc.queuedReleaseId).toBe('rel-1');
    const recorded = revision(1);
    doc.revisions.push(recorded);
    expect(records.operated('the deploy', recorded)).toBe(recorded);
    const lost = revision(2);
    doc.revisions.push(lost);
    doc.incident = '#2 failed';
    unsaved.set(lost, enospc());
    expect(records.operated('the deploy of rel-2', lost)).toMatchObject({ code: 'refused', message: expect.stringMatching(/^the deploy of rel-2 could not be recorded: the disk is full/) });
    expect(doc.revisions).toEqual([recorded]);
    expect(doc).toMatchObject({ incident: null, queuedReleaseId: 'rel-1' });
  });

  it('a mark the disk refuses puts the same release object back as it was, tells clients and answers why', async () => {
    const release = { id: 'rel-1', bad: null, marks: [] } as unknown as ReleaseView;
    const doc: ReleasesDocument = { version: 1, releases: [release] };
    let told = 0;
    const records = releaseRecords(doc, () => Promise.reject(enospc()), () => void told++);
    release.bad = { by: 'dana', why: 'x', at: 't' };
    release.marks = [{ mark: 'bad', by: 'dana', why: 'x', at: 't' }];
    expect(await records.save('the mark of rel-1 as bad')).toMatchObject({ code: 'refused', message: expect.stringMatching(/^the mark of rel-1 as bad could not be recorded: the disk is full/) });
    expect(doc.releases[0]).toBe(release);
    expect(release).toEqual({ id: 'rel-1', bad: null, marks: [] });
    expect(told).toBe(1);
  });

  it('unsavedFailure says a disk error in one line, and throws anything else', () => {
    expect(unsavedFailure('the mark of rel-1 as bad', Object.assign(new Error('EROFS: read-only file system, open'), { code: 'EROFS' })).message).toBe(
      'the mark of rel-1 as bad could not be recorded: the filesystem is read-only (EROFS: read-only file system); nothing changed (.axum must be writable for the daemon to record anything)',
    );
    expect(() => unsavedFailure('x', new Error('boom'))).toThrow('boom');
  });

  it('unsavedFailure hands back what could not be recorded and the disk\'s words apart, for an answer that goes on (an unpin whose deploy the disk refused)', () => {
    expect(unsavedFailure('the deploy of rel-2 to staging', enospc())).toMatchObject({
      what: 'the deploy of rel-2 to staging',
      problem: { text: 'the disk is full (ENOSPC: no space left on device)', fix: 'make room on the disk that holds .axum and ask again' },
    });
  });
});
