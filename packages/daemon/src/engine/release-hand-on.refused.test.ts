// A push deploy that `operate` refuses before recording anything (busy, no such release, no config)
// must still end its run's `pending`: `axum run --wait` waits for that outcome. On the engine
// fakes, with the hand-on over a coordinator whose `operate` answers as scripted.
import { afterEach, describe, expect, it } from 'vitest';
import type { RevisionView } from '@axum/protocol';
import { createDeployState } from './deploy-state.js';
import type { Hold } from './environment-holds.js';
import { RequestFailure } from './pipeline.js';
import { createHandOn } from './release-hand-on.js';
import { deployWorlds, testConfig } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);
const twoEnvironments = testConfig({ environments: { staging: { branch: 'staging' }, production: { branch: 'main' } } });

/** The hand-on over a fresh state on `w`'s records, `operate` scripted. */
async function handOnOver(w: ReturnType<typeof world>, operate: (holds: Map<string, Hold>) => Promise<RevisionView | RequestFailure>) {
  const state = createDeployState(w.deps);
  state.setConfig(twoEnvironments);
  await state.loadReleases();
  const holds = new Map<string, Hold>();
  const handOn = createHandOn({
    state,
    holds,
    save: (env) => state.persist(env),
    operate: () => operate(holds),
    runTriggers: new Map(),
    reusedBy: new Map(),
    reuseKey: (env, releaseId) => `${env}\0${releaseId}`,
    runFor: () => null,
    unrecorded: () => undefined,
  });
  return { state, handOn };
}

/** rel-1 (run-1's), live in staging; the hand-on to production over a fresh state on the same records, `operate` scripted. */
async function handOnWith(operate: (holds: Map<string, Hold>) => Promise<RevisionView | RequestFailure>) {
  const said: string[] = [];
  const w = world(twoEnvironments, undefined, { say: (line) => void said.push(line) });
  await w.ship();
  const { state, handOn } = await handOnOver(w, operate);
  const message = await handOn('production', state.release('rel-1')!);
  await new Promise((resolve) => setTimeout(resolve, 0)); // the deploy's answer arrives after the hand-on returns
  return { w, said, message, doc: await state.docOf('production') };
}

describe('a push deploy that operate refuses', () => {
  it('no such release: its run is told failed, with why and what to do, and the event log says so', async () => {
    const { w, said } = await handOnWith(async () => new RequestFailure('not-found', 'no release rel-1 (it may have been pruned by history.keepReleases)'));
    expect(w.told.get('run-1')).toEqual({
      env: 'production',
      revision: null,
      outcome: 'failed',
      message: "built rel-1; not deployed: no release rel-1 (it may have been pruned by history.keepReleases) (a new run of production's branch builds it again)",
    });
    expect(said).toEqual(['run-1: rel-1 not deployed to production: no release rel-1 (it may have been pruned by history.keepReleases)']);
  });

  it('no config: its run is told failed, with what deploys it once put right', async () => {
    const { w } = await handOnWith(async () => new RequestFailure('refused', 'rel-1 has no config snapshot and no valid axum.yml was ever loaded'));
    expect(w.told.get('run-1')).toMatchObject({
      outcome: 'failed',
      message: 'built rel-1; not deployed: rel-1 has no config snapshot and no valid axum.yml was ever loaded (axum deploy production --release rel-1 deploys it once that is put right)',
    });
  });

  it('busy (an operation took the environment since the hand-on found it free): it is queued behind that one', async () => {
    const { w, doc, message } = await handOnWith(async (holds) => {
      holds.set('production', { revision: 1, kind: 'deploy', holder: 'ana', startedAt: '2026-01-01T00:00:00.000Z', done: new Promise(() => undefined) });
      return new RequestFailure('conflict', 'production is busy: #1 (deploy) by ana');
    });
    expect(message).toBe('built rel-1; deploying to production');
    expect(w.told.get('run-1')).toMatchObject({ outcome: 'pending', message: 'built rel-1; queued to deploy to production after the operation in progress' });
    expect(doc.queuedReleaseId).toBe('rel-1');
    expect(w.envStore('production').persisted()?.queuedReleaseId).toBe('rel-1');
  });
});

describe('a queued release marked bad while it waited', () => {
  it('reused by a later run: refused-bad, and that run no longer waits here, in memory as on disk', async () => {
    const w = world(twoEnvironments);
    await w.ship();
    await w.deployments.mark('rel-1', 'bad', 'leaks test data', 'dana');
    let operated = false;
    const { state, handOn } = await handOnOver(w, async () => {
      operated = true;
      return new RequestFailure('conflict', 'unexpected');
    });
    // As the follow-up finds it: run-3 reused rel-1 for production, which waited behind an operation.
    const doc = await state.docOf('production');
    doc.waitingRuns = [{ releaseId: 'rel-1', runId: 'run-3' }];
    await state.persist('production');
    const message = await handOn('production', state.release('rel-1')!, { runId: 'run-3', lead: 'reused rel-1' }, true);
    expect(message).toBe('reused rel-1; not deployed: rel-1 was marked bad by dana while it waited: leaks test data (axum deploy production --release rel-1 --force deploys it anyway, or axum mark rel-1 good)');
    expect(w.told.get('run-3')).toMatchObject({ env: 'production', revision: null, outcome: 'refused-bad' });
    expect(operated).toBe(false);
    expect(doc.waitingRuns).toEqual([]);
    expect(w.envStore('production').persisted()).toMatchObject({ waitingRuns: [] });
  });
});
