import { describe, expect, it } from 'vitest';
import type { RevisionView } from '@axum/protocol';
import { emptyEnvironmentDocument, lastKnownGood, lastKnownGoodFor, lastKnownGoodIfMarked, lastKnownGoodOrLive, liveRevision, nextRevisionNumber, rollbackRefusal, type EnvironmentDocument } from './revisions.js';

const rev = (revision: number, releaseId: string, status: RevisionView['status'], verified: boolean, kind: RevisionView['kind'] = 'deploy'): RevisionView => ({
  revision,
  status,
  kind,
  releaseId,
  commit: `${releaseId}-commit`,
  rollbackTo: null,
  verified,
  createdAt: 't',
  finishedAt: 't',
  by: 'test',
  message: null,
  runId: null,
  metrics: {},
  gates: [],
  steps: [],
  checks: { total: 0, failed: 0 },
});
const doc = (...revisions: RevisionView[]): EnvironmentDocument => ({ ...emptyEnvironmentDocument(), revisions });
const none = () => false;

describe('last known good', () => {
  const table: [string, EnvironmentDocument, (id: string) => boolean, number | null][] = [
    ['no history', doc(), none, null],
    ['only the live one', doc(rev(1, 'a', 'live', true)), none, null],
    ['the previous verified one', doc(rev(1, 'a', 'superseded', true), rev(2, 'b', 'live', true)), none, 1],
    ['skips a failed verify', doc(rev(1, 'a', 'superseded', true), rev(2, 'b', 'failed', false), rev(3, 'c', 'live', true)), none, 1],
    ['skips a bad release even if it once verified', doc(rev(1, 'a', 'superseded', true), rev(2, 'b', 'superseded', true), rev(3, 'c', 'live', true)), (id) => id === 'b', 1],
    ['skips revisions of the live release', doc(rev(1, 'a', 'superseded', true), rev(2, 'b', 'superseded', true), rev(3, 'a', 'live', true, 'rollback')), none, 2],
    ['newest first among several good ones', doc(rev(1, 'a', 'superseded', true), rev(2, 'b', 'superseded', true), rev(3, 'c', 'live', true)), none, 2],
    ['never a later revision than the live one', doc(rev(1, 'a', 'superseded', true), rev(2, 'b', 'live', true), rev(3, 'c', 'failed', false)), none, 1],
    ['with nothing live, the newest good one', doc(rev(1, 'a', 'superseded', true), rev(2, 'b', 'failed', false)), none, 1],
  ];
  for (const [name, history, isBad, expected] of table) {
    it(name, () => expect(lastKnownGood(history, isBad)?.revision ?? null).toBe(expected));
  }

  it('as gates compare it: the live revision itself when it is verified and not bad, else the one before', () => {
    const history = doc(rev(1, 'a', 'superseded', true), rev(2, 'b', 'live', true));
    expect(lastKnownGoodOrLive(history, none)?.revision).toBe(2);
    expect(lastKnownGoodOrLive(history, (id) => id === 'b')?.revision).toBe(1);
    expect(lastKnownGoodOrLive(doc(rev(1, 'a', 'superseded', true), rev(2, 'b', 'failed', false)), none)?.revision).toBe(1);
  });

  it("for an operation's gates: a manual rollback's is never the release it leaves, which it marks bad; a deploy's may be the live one", () => {
    const history = doc(rev(1, 'a', 'superseded', true), rev(2, 'b', 'superseded', true), rev(3, 'c', 'live', true));
    expect(lastKnownGoodFor(history, none, 'rollback')?.revision).toBe(2);
    expect(lastKnownGoodFor(history, (id) => id === 'b', 'rollback')?.revision).toBe(1);
    expect(lastKnownGoodFor(history, none, 'deploy')?.revision).toBe(3);
    expect(lastKnownGoodFor(history, none, 'auto-rollback')?.revision).toBe(3);
    // Nothing live (a failed release serves): a rollback leaves nothing it would mark.
    expect(lastKnownGoodFor(doc(rev(1, 'a', 'superseded', true), rev(2, 'b', 'failed', false)), none, 'rollback')?.revision).toBe(1);
  });

  it('numbers revisions on from the last one (a rollback to #3 becomes #7)', () => {
    expect(nextRevisionNumber(doc(rev(1, 'a', 'superseded', true), rev(6, 'b', 'live', true)))).toBe(7);
    expect(nextRevisionNumber(doc())).toBe(1);
    expect(liveRevision(doc(rev(1, 'a', 'superseded', true), rev(2, 'b', 'live', true)))?.revision).toBe(2);
  });
});

describe('rollback refusals', () => {
  const history = doc(rev(1, 'a', 'superseded', true), rev(2, 'b', 'failed', false), rev(3, 'c', 'live', true));
  it('explains each refusal', () => {
    expect(rollbackRefusal(history, undefined, 9, undefined, false)).toMatch(/^no revision #9 \(revisions: #1, #2, #3\)/);
    expect(rollbackRefusal(doc(rev(1, 'a', 'live', true)), undefined, null, undefined, false)).toBe('no last known good revision to roll back to (nothing earlier passed verification)');
    // Earlier verified releases there, but marked bad (so no target): said, with the way on.
    const rolledBack = doc(rev(1, 'a', 'superseded', true), rev(2, 'b', 'superseded', true), rev(3, 'a', 'live', true));
    expect(rollbackRefusal(rolledBack, undefined, null, undefined, false)).toBe('no last known good revision to roll back to: the earlier verified releases are marked bad (the newest: #2, b; --to 2 --force goes back to it anyway)');
    expect(rollbackRefusal(doc(rev(1, 'a', 'superseded', true), rev(2, 'a', 'live', true)), undefined, null, undefined, false)).toBe('no last known good revision to roll back to: the earlier verified revisions hold a, live now');
    expect(rollbackRefusal(history, history.revisions[1], 2, { by: 'verify', why: 'accuracy 0.4', at: 't' }, false)).toBe('the release of #2, b, is marked bad by verify (t): accuracy 0.4 — pass --force to roll back to it anyway, or clear the mark: axum mark b good');
    expect(rollbackRefusal(history, history.revisions[1], 2, { by: 'verify', why: 'accuracy 0.4', at: 't' }, true)).toBeNull();
    expect(rollbackRefusal(history, history.revisions[2], 3, undefined, false)).toMatch(/is live already/);
    // Live already and marked bad: nothing would move, so the answer is that, not a --force that could not help.
    expect(rollbackRefusal(history, history.revisions[2], 3, { by: 'ana', why: 'x', at: 't' }, false)).toMatch(/is live already/);
    expect(rollbackRefusal(history, history.revisions[0], 1, undefined, false)).toBeNull();
  });
});

describe('a bare rollback after an automatic rollback', () => {
  // #1 a, #2 b, #3 c failed verification, #4 the automatic rollback to #2 (b).
  const auto = { ...rev(4, 'b', 'live', true, 'auto-rollback'), rollbackTo: 2 };
  const history = doc(rev(1, 'a', 'superseded', true), rev(2, 'b', 'superseded', true), rev(3, 'c', 'failed', false), auto);
  it('is refused while the environment serves its last known good (no step further back out of habit)', () => {
    expect(rollbackRefusal(history, history.revisions[0], null, undefined, false)).toMatch(/^#4 is the automatic rollback to the last known good #2: .*--to N/);
  });
  it('goes ahead when the release it went back to was marked bad since: that is not the last known good any more', () => {
    expect(lastKnownGood(history, (id) => id === 'b')?.revision).toBe(1);
    expect(rollbackRefusal(history, history.revisions[0], null, undefined, false, true)).toBeNull();
  });
});

describe('release retention', () => {
  it('keeps the newest and every referenced release', async () => {
    const { releasesToPrune } = await import('./revisions.js');
    const releases = ['r1', 'r2', 'r3', 'r4', 'r5'].map((id) => ({ id }));
    expect(releasesToPrune(releases, 2, new Set(['r2']))).toEqual(['r1', 'r3']);
    expect(releasesToPrune(releases, 10, new Set())).toEqual([]);
  });
});

describe('release diff pieces', () => {
  it('lists changed config keys, artifacts and metrics', async () => {
    const { changedConfigKeys, changedArtifacts, metricDeltas, configChanges } = await import('./revisions.js');
    // Going from the first to the second: an env var only the second has is added, a gate only the first has removed.
    expect(configChanges({ verify: { gates: { accuracy: '>= 0.9', p95_ms: '<= 250' } } }, { verify: { gates: { accuracy: '>= 0.8' } }, stages: [{ env: { HF_HOME: '/x' } }] })).toEqual([
      { key: 'stage 1', change: 'added' },
      { key: 'verify gate "accuracy"', change: 'changed' },
      { key: 'verify gate "p95_ms"', change: 'removed' },
    ]);
    // Named as the user wrote them (as `axum validate` names a place), never `stages.0.steps.1.run`;
    // a removed key is named in the config that had it, and a list of plain values is one key.
    const train = (run: string, extra: object = {}) => ({ name: 'train', steps: [{ name: 'prepare', run: 'x' }, { name: 'fit', run, ...extra }] });
    expect(configChanges({ stages: [train('a', { timeout: '1m' })], watch: { paths: ['src/**'] } }, { stages: [train('b')], watch: { paths: ['src/**', 'model/**', 'data/**'] } })).toEqual([
      { key: 'stage "train", step "fit", run', change: 'changed' },
      { key: 'stage "train", step "fit", timeout', change: 'removed' },
      { key: 'watch paths', change: 'added' },
    ]);
    // A step, stage, check or environment only one side has is one key, not one per field; a step
    // removed from the middle is matched by name, so the steps after it are not "changed".
    const smoke = { name: 'smoke', run: 'curl -f localhost:8080', timeout: '1m' };
    const probe = { name: 'probe', run: 'python probe.py' };
    expect(configChanges({ verify: { steps: [probe, smoke] } }, { verify: { steps: [probe] } })).toEqual([{ key: 'verify step "smoke"', change: 'removed' }]);
    expect(configChanges({ verify: { steps: [smoke, probe] } }, { verify: { steps: [probe] } })).toEqual([{ key: 'verify step "smoke"', change: 'removed' }]);
    expect(configChanges({ verify: { steps: [probe] } }, { verify: { steps: [probe, smoke] } })).toEqual([{ key: 'verify step "smoke"', change: 'added' }]);
    expect(configChanges({ stages: [train('a')] }, {})).toEqual([{ key: 'stage "train"', change: 'removed' }]);
    expect(configChanges({ environments: { dev: { branch: 'develop' }, prod: { branch: 'main', approval: 'manual' } } }, { environments: { dev: { branch: 'develop' } } })).toEqual([
      { key: 'environment "prod"', change: 'removed' },
    ]);
    expect(configChanges({ verify: { steps: [probe, smoke] } }, { verify: { steps: [probe, { name: 'smoke', run: 'curl localhost' }] } })).toEqual([
      { key: 'verify step "smoke", run', change: 'changed' },
      { key: 'verify step "smoke", timeout', change: 'removed' },
    ]);
    expect(changedConfigKeys({ verify: { gates: { accuracy: '>= 0.9' } }, stages: [{ name: 'a' }] }, { verify: { gates: { accuracy: '>= 0.8', p95: '<= 1' } }, stages: [{ name: 'a' }] })).toEqual([
      'verify gate "accuracy"',
      'verify gate "p95"',
    ]);
    const rel = (artifacts: { path: string; sha256: string; size: number; link?: string }[], metrics: Record<string, number>) => ({ id: 'r', runId: 'x', commit: 'c', branch: 'b', subject: 's', createdAt: 't', artifacts, metrics, bad: null, marks: [], config: null });
    const a = rel([{ path: 'model/w', sha256: 'a'.repeat(64), size: 10 }, { path: 'config/c', sha256: 'c'.repeat(64), size: 1 }], { accuracy: 0.91 });
    const b = rel([{ path: 'model/w', sha256: 'b'.repeat(64), size: 12 }, { path: 'config/c', sha256: 'c'.repeat(64), size: 1 }, { path: 'model/new', sha256: 'd'.repeat(64), size: 3 }], { accuracy: 0.88, p95_ms: 120 });
    expect(changedArtifacts(a, b)).toEqual([
      { path: 'model/new', change: 'added', fromSize: null, toSize: 3 },
      { path: 'model/w', change: 'changed', fromSize: 10, toSize: 12 },
    ]);
    // A file that became a link whose target text has the file's very bytes is still a change.
    const asLink = rel([{ path: 'model/w', sha256: 'a'.repeat(64), size: 10, link: 'weights.bi' }, { path: 'config/c', sha256: 'c'.repeat(64), size: 1 }], {});
    expect(changedArtifacts(a, asLink)).toEqual([{ path: 'model/w', change: 'changed', fromSize: 10, toSize: 10 }]);
    expect(metricDeltas(a, b)).toEqual([
      { name: 'accuracy', from: 0.91, to: 0.88 },
      { name: 'p95_ms', from: null, to: 120 },
    ]);
    // What verify wrote joins the build's, and the metrics the gates judge come first, moved or not.
    const verified: Record<string, Record<string, number>> = { a: { zeta: 1 }, b: { zeta: 1, p95_ms: 130 } };
    const given = { of: (r: typeof a) => ({ ...r.metrics, ...(r === a ? verified.a : verified.b) }), gated: () => ['zeta', 'p95_ms'] };
    expect(metricDeltas(a, b, given)).toEqual([
      { name: 'zeta', from: 1, to: 1, gated: true },
      { name: 'p95_ms', from: null, to: 130, gated: true },
      { name: 'accuracy', from: 0.91, to: 0.88 },
    ]);
  });
});

describe('the last known good once a release is marked bad too', () => {
  it('falls back to the older one, or to none, saying whether the others there were marked bad already', () => {
    const only = doc(rev(1, 'a', 'live', true));
    expect(lastKnownGoodIfMarked(only, none, 'a')).toEqual({ lastKnownGood: null, othersMarkedBad: false });
    const two = doc(rev(1, 'a', 'superseded', true), rev(2, 'b', 'live', true));
    expect(lastKnownGoodIfMarked(two, none, 'b')).toMatchObject({ lastKnownGood: { revision: 1 }, othersMarkedBad: false });
    expect(lastKnownGoodIfMarked(two, (id) => id === 'a', 'b')).toEqual({ lastKnownGood: null, othersMarkedBad: true });
  });
});
