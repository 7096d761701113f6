// The pause (ARCHITECTURE.md, glossary: Inconclusive): a verification or monitor check that neither
// passed nor failed stops automatic actions until a person decides, on in-memory ports (testing/).
// These worlds have no Prometheus client, so every Prometheus measurement is inconclusive.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { releaseOf } from './testing/fake-ports.js';
import { deployWorlds, testConfig, type DeployWorld } from './testing/deploy-world.js';
import { RequestFailure } from './pipeline.js';

const world = deployWorlds(afterEach);
const check = { name: 'error_rate', prometheus: { url: 'http://127.0.0.1:9/', query: 'errors{release="$RELEASE"}' }, fail: '> 0.02', every: '5ms', count: 1 };
/** The config of a commit whose verification asks Prometheus: inconclusive here. */
const unsure = testConfig({ verify: { steps: [{ name: 'smoke', run: 'smoke' }], checks: [check] } });

/** rel-1 live and verified, then rel-2 whose verification is inconclusive: the environment pauses over #2. */
async function pausedWorld(): Promise<DeployWorld> {
  const w = world();
  await w.ship();
  await w.ship('staging', { runConfig: unsure });
  return w;
}

describe('an inconclusive verification', () => {
  it('pauses the environment, saved with the failed revision, and marks and rolls back nothing', async () => {
    const w = await pausedWorld();
    const failed = w.revision('staging', 2);
    expect(failed).toMatchObject({ status: 'failed', message: expect.stringMatching(/^inconclusive: check error_rate: .*; staging is paused: axum approve staging keeps it, axum rollback staging goes back$/) });
    const state = w.deployments.state('staging');
    expect(state.paused).toEqual({ since: expect.any(String), revision: 2, reason: expect.stringMatching(/^inconclusive: check error_rate: 1 measurement inconclusive/) });
    expect(state.serving).toMatchObject({ revision: 2, releaseId: 'rel-2', failed: true });
    expect(w.envStore('staging').persisted()?.paused).toEqual(state.paused); // on disk, not only in memory
    expect(w.release('rel-2').bad).toBeNull();
    expect(w.revisions('staging')).toHaveLength(2);
    expect(w.current()).toBe('rel-2');
    expect(w.deployments.history('staging')).toEqual(expect.arrayContaining([expect.objectContaining({ revision: 2, paused: true, serving: true })]));
  });

  it('promote from where it serves is refused as inconclusive, not as failed', async () => {
    const w = world(testConfig({ environments: { staging: { branch: 'staging' }, prod: { branch: 'main' } } }));
    await w.ship();
    await w.ship('staging', { runConfig: unsure });
    const refusal = await w.deployments.promote('staging', 'prod', false, 'ana');
    expect(refusal).toBeInstanceOf(RequestFailure);
    expect((refusal as RequestFailure).message).toBe('nothing is live in staging (#2, rel-2, serves, its verification inconclusive (staging is paused: axum approve staging keeps it)): nothing to promote');
  });

  it('sets no incident that only repeats the pause: the incident keeps what the pause does not say', async () => {
    const w = await pausedWorld();
    expect(w.deployments.state('staging').incident).toBeNull();
    // What went wrong before (a failed verify, rolled back) is not the pause's to say: it stays.
    const again = world();
    again.runner.script('smoke', (request) => (releaseOf(request) === 'rel-2' ? { exitCode: 1 } : {}));
    await again.ship();
    await again.ship();
    const before = again.deployments.state('staging').incident;
    expect(before).toMatch(/^#2 failed verification .*; rolled back to #1$/);
    await again.ship('staging', { runConfig: unsure });
    expect(again.deployments.state('staging')).toMatchObject({ paused: { revision: 4 }, incident: before });
    expect(again.disagreement()).toBeNull();
  });

  it('holds the release of a new commit (newest wins) and its run says why', async () => {
    const w = await pausedWorld();
    await w.ship();
    expect(w.told.get('run-3')).toMatchObject({ outcome: 'held-by-pause', message: expect.stringMatching(/not deployed: staging is paused since \d{4}-\d\d-\d\d \d\d:\d\d UTC \(/) });
    expect(w.told.get('run-3')?.message).toContain('axum approve staging keeps #2 and deploys it');
    await w.ship();
    expect(w.told.get('run-3')).toMatchObject({ outcome: 'superseded', message: 'built rel-3; a newer release (rel-4) is held by the pause of staging instead' });
    expect(w.told.get('run-4')).toMatchObject({ outcome: 'held-by-pause' });
    expect(w.deployments.state('staging')).toMatchObject({ heldReleaseId: 'rel-4', paused: { revision: 2 } });
    expect(w.revisions('staging')).toHaveLength(2);
    expect(w.current()).toBe('rel-2');
  });

  it('approve keeps what serves as a new live, verified revision by that person, lifts the pause, and the held release deploys', async () => {
    const w = await pausedWorld();
    await w.ship();
    const accepted = await w.deployments.approve('staging', 'ana');
    expect(accepted).toMatchObject({ revision: 3, kind: 'deploy', status: 'live', verified: true, releaseId: 'rel-2', by: 'ana', runId: 'run-2', steps: [] });
    expect(accepted instanceof RequestFailure ? '' : accepted.message).toMatch(/^accepted #2 as live and verified \(approved by ana after: inconclusive: check error_rate/);
    expect(accepted instanceof RequestFailure ? '' : accepted.message).toMatch(/; the approval holds for staging only: the next environment's gate is judged on its own$/);
    await w.settle();
    expect(w.revisions('staging').map((r) => [r.revision, r.status, r.releaseId, r.by])).toEqual([
      [1, 'superseded', 'rel-1', 'push run-1'],
      [2, 'failed', 'rel-2', 'push run-2'],
      [3, 'superseded', 'rel-2', 'ana'],
      [4, 'live', 'rel-3', 'push run-3'],
    ]);
    expect(w.deployments.state('staging')).toMatchObject({ paused: null, heldReleaseId: null, incident: null, live: { revision: 4, releaseId: 'rel-3' } });
    expect(w.told.get('run-3')).toMatchObject({ outcome: 'live', revision: 4 });
    expect(w.current()).toBe('rel-3');
    expect(w.disagreement()).toBeNull();
  });

  it('approve with nothing held leaves the accepted revision live, its release the last known good', async () => {
    const w = await pausedWorld();
    await w.deployments.approve('staging', 'ana');
    await w.settle();
    expect(w.deployments.state('staging')).toMatchObject({ paused: null, live: { revision: 3, releaseId: 'rel-2' }, lastKnownGood: { revision: 3, releaseId: 'rel-2' }, serving: { failed: false } });
    expect(w.told.get('run-2')).toMatchObject({ outcome: 'live', revision: 3 });
    expect(w.envStore('staging').persisted()?.paused).toBeNull();
    expect(w.disagreement()).toBeNull();
    // Not paused any more: approve is about a release waiting for approval again.
    expect(await w.deployments.approve('staging', 'ana')).toMatchObject({ code: 'refused', message: 'nothing is waiting for approval in staging' });
  });

  it('rollback goes to the last known good and lifts the pause; the held release stays held, by the pin now', async () => {
    const w = await pausedWorld();
    await w.ship();
    const back = await w.deployments.rollback('staging', null, false, 'bob');
    expect(back).toMatchObject({ revision: 3, kind: 'rollback', status: 'live', releaseId: 'rel-1', by: 'bob' });
    await w.settle();
    expect(w.deployments.state('staging')).toMatchObject({ paused: null, pinned: true, heldReleaseId: 'rel-3' });
    expect(w.current()).toBe('rel-1');
    expect(w.disagreement()).toBeNull();
  });

  it('rollback marks the release it leaves bad: the one the pause served, though nothing was live', async () => {
    const w = await pausedWorld();
    expect(w.deployments.state('staging')).toMatchObject({ live: null, serving: { releaseId: 'rel-2' } });
    expect(await w.deployments.rollback('staging', null, false, 'bob')).toMatchObject({ status: 'live', releaseId: 'rel-1' });
    await w.settle();
    expect(w.release('rel-2').bad).toMatchObject({ why: 'rolled back from #2 to #1' });
    expect(w.release('rel-1').bad).toBeNull();
  });

  it('a manual deploy lifts the pause; the held release deploys after it', async () => {
    const w = await pausedWorld();
    await w.ship();
    const deployed = await w.deployments.deploy('staging', 'rel-1', 'carol');
    expect(deployed).toMatchObject({ revision: 3, status: 'live', releaseId: 'rel-1' });
    await w.settle();
    expect(w.deployments.state('staging')).toMatchObject({ paused: null, heldReleaseId: null, live: { revision: 4, releaseId: 'rel-3' } });
    expect(w.disagreement()).toBeNull();
  });

  it('a manual deploy of a newer release lifts the pause; the older release it held is superseded, not deployed over it', async () => {
    const said: string[] = [];
    const w = world(testConfig({ environments: { staging: { branch: 'staging' }, production: { branch: 'main' } } }), undefined, { say: (what) => void said.push(what) });
    await w.ship();
    await w.ship('staging', { runConfig: unsure }); // paused over #2
    await w.ship(); // rel-3 held by the pause
    await w.ship('production'); // rel-4, newer
    expect(await w.deployments.deploy('staging', 'rel-4', 'carol')).toMatchObject({ revision: 3, status: 'live', releaseId: 'rel-4' });
    await w.settle();
    expect(w.deployments.state('staging')).toMatchObject({ paused: null, heldReleaseId: null, live: { revision: 3, releaseId: 'rel-4' } });
    expect(w.revisions('staging').map((r) => r.releaseId)).toEqual(['rel-1', 'rel-2', 'rel-4']);
    expect(w.envStore('staging').persisted()).toMatchObject({ queuedReleaseId: null, heldReleaseId: null, waitingRuns: [] });
    expect(w.told.get('run-3')).toMatchObject({ env: 'staging', revision: null, outcome: 'superseded', message: 'built rel-3; not deployed: a newer release (rel-4) is live in staging' });
    expect(said).toEqual(['run-3: rel-3 not deployed to staging: a newer release (rel-4) is live']);
    expect(w.disagreement()).toBeNull();
  });

  it('a manual deploy refused before it starts leaves the pause as it was', async () => {
    const w = await pausedWorld();
    await w.ship();
    expect(await w.deployments.deploy('staging', 'rel-99', 'carol')).toBeInstanceOf(RequestFailure);
    expect(w.deployments.state('staging')).toMatchObject({ paused: { revision: 2 }, heldReleaseId: 'rel-3' });
  });

  it('a manual deploy refused at its integrity check (nothing moved) puts the pause back', async () => {
    const w = await pausedWorld();
    await w.ship();
    w.releases.faults.missingBlob.add('rel-1');
    const refused = await w.deployments.deploy('staging', 'rel-1', 'carol');
    expect(refused).toMatchObject({ status: 'failed', releaseId: 'rel-1' });
    await w.settle();
    expect(w.deployments.state('staging')).toMatchObject({ paused: { revision: 2 }, heldReleaseId: 'rel-3', serving: { revision: 2 } });
    expect(w.disagreement()).toBeNull();
  });

  it('unpin while paused lifts only the pin: the held release waits for approve', async () => {
    const w = await pausedWorld();
    await w.deployments.pin('staging', true, 'dana');
    await w.ship();
    expect(w.told.get('run-3')).toMatchObject({ outcome: 'held-by-pin' });
    const unpinned = await w.deployments.pin('staging', false, 'dana');
    expect(unpinned).toMatchObject({ pinned: false, deployed: null, note: 'rel-3 stays held: staging is paused over #2 (axum approve staging deploys it)', paused: { revision: 2 }, heldReleaseId: 'rel-3' });
  });

  it('release retention keeps the release a paused environment serves, so approve can keep it', async () => {
    const w = world(testConfig({ history: { keepReleases: 1 } }));
    await w.ship();
    await w.ship('staging', { runConfig: testConfig({ history: { keepReleases: 1 }, verify: { steps: [{ name: 'smoke', run: 'smoke' }], checks: [check] } }) });
    await w.ship();
    await w.ship();
    expect(w.deployments.releases().map((r) => r.id)).toEqual(expect.arrayContaining(['rel-2', 'rel-4']));
    expect(await w.deployments.approve('staging', 'ana')).toMatchObject({ status: 'live', releaseId: 'rel-2' });
    await w.settle();
    expect(w.deployments.state('staging').live).toMatchObject({ releaseId: 'rel-4' });
  });

  it('release retention keeps the release the pause holds, however many newer releases other environments make', async () => {
    const twoEnvs = (extra: Record<string, unknown> = {}) => testConfig({ environments: { staging: { branch: 'staging' }, dev: { branch: 'dev' } }, history: { keepReleases: 1 }, ...extra });
    const w = world(twoEnvs());
    await w.ship();
    await w.ship('staging', { runConfig: twoEnvs({ verify: { steps: [{ name: 'smoke', run: 'smoke' }], checks: [check] } }) });
    await w.ship(); // rel-3: held by the pause
    await w.ship('dev');
    await w.ship('dev');
    expect(w.deployments.state('staging').heldReleaseId).toBe('rel-3');
    expect(w.deployments.releases().map((r) => r.id)).toContain('rel-3');
    expect(await w.deployments.approve('staging', 'ana')).toMatchObject({ status: 'live', releaseId: 'rel-2' });
    await w.settle();
    expect(w.deployments.state('staging').live).toMatchObject({ releaseId: 'rel-3' });
  });

  it('survives a restart: the next daemon is still paused and still holds', async () => {
    const old = await pausedWorld();
    const w = world(testConfig(), old.leftAt('deploy.finished', 2));
    await w.deployments.start();
    await w.settle();
    // rollback.auto is on, and #2 failed with nothing live: still no automatic rollback at start.
    expect(w.revisions('staging')).toHaveLength(2);
    expect(w.deployments.state('staging')).toMatchObject({ paused: { revision: 2 }, serving: { revision: 2, failed: true } });
    expect(w.current()).toBe('rel-2');
    const built = await w.build();
    expect(built.message).toContain('not deployed: staging is paused');
  });
});

describe('a monitor check inconclusive past its limit', () => {
  const monitored = testConfig({ monitor: { run: 'health', every: '5ms', failures: 2, checks: [{ ...check, inconclusive: 1 }] }, rollback: { auto: true } });

  it('pauses the environment over the live revision, and an incident then rolls nothing back', async () => {
    const w = world(monitored);
    await w.ship();
    w.runner.script('health', (request) => (releaseOf(request) === 'rel-2' ? { exitCode: 1 } : {}));
    await w.ship();
    await vi.waitFor(() => expect(w.deployments.state('staging').paused).toMatchObject({ revision: 2, reason: expect.stringMatching(/^monitor check error_rate inconclusive 2 times in a row on #2/) }));
    await vi.waitFor(() => expect(w.release('rel-2').bad).not.toBeNull());
    await w.settle();
    expect(w.revisions('staging').map((r) => [r.revision, r.status, r.releaseId])).toEqual([
      [1, 'superseded', 'rel-1'],
      [2, 'live', 'rel-2'],
    ]);
    expect(w.deployments.state('staging').incident).toMatch(/— paused: no automatic rollback \(axum rollback staging goes back, axum approve staging keeps it\)$/);
    // A release marked bad is not accepted by approve without force (or its mark cleared, or a rollback).
    expect(await w.deployments.approve('staging', 'ana')).toMatchObject({ code: 'refused', message: expect.stringContaining('to keep it anyway: axum approve staging --force; or axum rollback staging') });
    expect(await w.deployments.approve('staging', 'ana', true)).toMatchObject({ revision: 3, status: 'live', releaseId: 'rel-2', by: 'ana' });
    expect(w.deployments.state('staging')).toMatchObject({ paused: null, live: { revision: 3 } });
  });
});
