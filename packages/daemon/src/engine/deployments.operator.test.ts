// What people ask of an environment (rollback, pin, approve, deploy by hand) and what they are
// refused, through the Deployments interface on in-memory ports (testing/).
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PipelineConfig } from '@axum/protocol';
import { RequestFailure } from './pipeline.js';
import { releaseOf } from './testing/fake-ports.js';
import { deployWorlds, holdVerify, testConfig, type DeployWorld } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);
/** A world with `count` releases deployed one after the other, the last one live. */
async function shipped(count: number, config?: PipelineConfig): Promise<DeployWorld> {
  const w = world(config);
  for (let i = 0; i < count; i++) await w.ship();
  return w;
}
const refusal = (result: unknown) => (result instanceof RequestFailure ? { code: result.code, message: result.message } : { code: 'none', message: JSON.stringify(result) });

describe('manual rollback', () => {
  it('with no target goes to the last known good, pins, and marks the release it moves away from bad', async () => {
    const w = await shipped(2);
    const back = await w.deployments.rollback('staging', null, false, 'alice');
    expect(back).toMatchObject({ revision: 3, kind: 'rollback', status: 'live', releaseId: 'rel-1', rollbackTo: 1, verified: true, by: 'alice', message: 'rolled back to #1' });
    expect(w.revision('staging', 2).status).toBe('superseded');
    expect(w.release('rel-2').bad).toMatchObject({ by: 'rollback of staging#3 (alice)', why: 'rolled back from #2 to #1' });
    expect(w.release('rel-1').bad).toBeNull();
    expect(w.deployments.state('staging')).toMatchObject({ pinned: true, live: { revision: 3, releaseId: 'rel-1' }, incident: null });
    expect(w.current()).toBe('rel-1');
    expect(w.runner.ran('smoke').at(-1)?.env.AXUM_REVISION).toBe('3'); // verified like any deploy
    expect(w.disagreement()).toBeNull();
  });

  it('with no target skips a release marked bad: the last known good, not the previous one', async () => {
    const w = await shipped(3);
    w.releases.faults.hashMismatch.add('rel-2');
    await w.deployments.fsck();
    const back = await w.deployments.rollback('staging', null, false, 'alice');
    expect(back).toMatchObject({ revision: 4, releaseId: 'rel-1', rollbackTo: 1, status: 'live' });
    expect(w.current()).toBe('rel-1');
    expect(w.disagreement()).toBeNull();
  });

  it('is refused when nothing earlier is good, and to a revision that does not exist', async () => {
    const w = await shipped(2);
    await w.deployments.rollback('staging', null, false, 'alice'); // rel-2 is bad now, rel-1 live
    expect(refusal(await w.deployments.rollback('staging', null, false, 'alice'))).toEqual({ code: 'refused', message: expect.stringContaining('no last known good revision') });
    expect(refusal(await w.deployments.rollback('staging', 9, false, 'alice'))).toEqual({ code: 'refused', message: 'no revision #9 (revisions: #1, #2, #3)' });
    expect(w.revisions('staging')).toHaveLength(3);
    expect(w.current()).toBe('rel-1');
  });

  it('to a bad release is refused without force, and goes with it', async () => {
    const w = await shipped(2);
    await w.deployments.rollback('staging', 1, false, 'alice');
    const refused = refusal(await w.deployments.rollback('staging', 2, false, 'bob'));
    expect(refused).toEqual({ code: 'refused', message: expect.stringMatching(/^the release of #2, rel-2, is marked bad by rollback of staging#3 \(alice\) \(.+\): rolled back from #2 to #1 — pass --force to roll back to it anyway, or clear the mark: axum mark rel-2 good$/) });
    expect(w.revisions('staging')).toHaveLength(3);
    expect(w.current()).toBe('rel-1');
    const forced = await w.deployments.rollback('staging', 2, true, 'bob');
    expect(forced).toMatchObject({ revision: 4, kind: 'rollback', status: 'live', releaseId: 'rel-2', rollbackTo: 2 });
    expect(w.release('rel-1').bad).toMatchObject({ by: 'rollback of staging#4 (bob)', why: 'rolled back from #3 to #2' });
    expect(w.current()).toBe('rel-2');
    expect(w.disagreement()).toBeNull();
  });

  it('that fails verification is marked failed and the automatic rollback does not go back to the release it left', async () => {
    const w = await shipped(3);
    w.runner.script('smoke', (request) => (releaseOf(request) === 'rel-2' && request.env.AXUM_REVISION === '4' ? { exitCode: 1 } : {}));
    await w.deployments.rollback('staging', 2, false, 'alice');
    await w.settle();
    expect(w.revisions('staging').map((r) => [r.revision, r.kind, r.status, r.releaseId])).toEqual([
      [1, 'deploy', 'superseded', 'rel-1'],
      [2, 'deploy', 'superseded', 'rel-2'],
      [3, 'deploy', 'superseded', 'rel-3'],
      [4, 'rollback', 'failed', 'rel-2'],
      [5, 'auto-rollback', 'live', 'rel-1'],
    ]);
    expect(w.release('rel-3').bad).toMatchObject({ by: 'rollback of staging#4 (alice)' });
    expect(w.release('rel-2').bad).toMatchObject({ by: 'verify of staging#4' });
    expect(w.current()).toBe('rel-1');
    expect(w.disagreement()).toBeNull();
  });

  it('to a revision whose release retention pruned is refused as not found, and leaves no pin', async () => {
    const w = await shipped(3, testConfig({ history: { keepReleases: 1 } }));
    expect(w.releases.pruned).toEqual(['rel-1']); // neither live nor last known good
    expect(refusal(await w.deployments.rollback('staging', 1, false, 'alice'))).toEqual({ code: 'not-found', message: expect.stringContaining('no release rel-1') });
    expect(w.deployments.state('staging').pinned).toBe(false);
    expect(w.revisions('staging')).toHaveLength(3);
    expect(w.current()).toBe('rel-3');
    expect(w.disagreement()).toBeNull();
  });

  // ARCHITECTURE.md glossary, Last known good: "when the environment already serves its LKG after an automatic
  // rollback, `rollback` with no target is refused (name `--to`), so a second keystroke out of habit
  // does not step further back."
  it('that the machine stops (the pointer cannot move) leaves no pin and no mark: nothing of it remains', async () => {
    const w = await shipped(2);
    w.releases.faults.swapFailures = 1;
    const result = await w.deployments.rollback('staging', 1, false, 'alice');
    expect(result).toMatchObject({ status: 'failed', message: expect.stringMatching(/^error: /) });
    expect(w.deployments.state('staging')).toMatchObject({ pinned: false, live: { revision: 2 } });
    expect(w.release('rel-2').bad).toBeNull();
    expect(w.current()).toBe('rel-2');
  });

  it('from serving, failed, that the machine stops leaves no pin either', async () => {
    const w = world(testConfig({ rollback: { auto: false } }));
    w.runner.script('smoke', (request) => (releaseOf(request) === 'rel-2' ? { exitCode: 1 } : {}));
    await w.ship();
    await w.ship();
    expect(w.deployments.state('staging')).toMatchObject({ live: null, serving: { revision: 2, failed: true } });
    w.releases.faults.swapFailures = 1;
    const result = await w.deployments.rollback('staging', null, false, 'alice');
    expect(result).toMatchObject({ status: 'failed', message: expect.stringMatching(/^error: /) });
    expect(w.deployments.state('staging')).toMatchObject({ pinned: false, serving: { revision: 2, failed: true } });
    expect(w.current()).toBe('rel-2');
  });

  it('with no target right after an automatic rollback is refused, naming --to', async () => {
    const w = world();
    w.runner.script('smoke', (request) => (releaseOf(request) === 'rel-3' ? { exitCode: 1 } : {}));
    for (let i = 0; i < 3; i++) await w.ship();
    expect(w.revision('staging', 4)).toMatchObject({ kind: 'auto-rollback', status: 'live', releaseId: 'rel-2' });
    expect(refusal(await w.deployments.rollback('staging', null, false, 'alice'))).toEqual({ code: 'refused', message: expect.stringContaining('--to') });
    expect(w.current()).toBe('rel-2');
  });
});

describe('pin and approval', () => {
  it('a pinned environment builds a new release but holds it: no revision, current unchanged', async () => {
    const w = await shipped(1);
    expect(await w.deployments.pin('staging', true, 'carol')).toMatchObject({ pinned: true });
    const held = await w.ship();
    expect(held).toEqual({ releaseId: 'rel-2', message: expect.stringContaining('not deployed: staging is pinned'), warnings: [] });
    expect(w.revisions('staging')).toHaveLength(1);
    expect(w.current()).toBe('rel-1');
    expect(w.deployments.state('staging')).toMatchObject({ pinned: true, awaitingApproval: false, live: { revision: 1 } });
    expect(w.deployments.state('staging').heldReleaseId).toBe('rel-2');
    expect(w.told.get('run-2')).toMatchObject({ outcome: 'held-by-pin' });
    expect(await w.deployments.pin('staging', false, 'carol')).toMatchObject({ pinned: false, heldReleaseId: null, deployed: { revision: 2, releaseId: 'rel-2', status: 'live' }, note: null });
    await w.ship();
    expect(w.revision('staging', 3)).toMatchObject({ releaseId: 'rel-3', status: 'live' });
    expect(w.disagreement()).toBeNull();
  });

  it('a second pin changes nothing and keeps who pinned and when; unpinning what is not pinned changes nothing', async () => {
    const w = await shipped(1);
    await w.deployments.pin('staging', true, 'carol');
    const again = await w.deployments.pin('staging', true, 'dave');
    expect(again).toMatchObject({ pinned: true, unchanged: true, note: expect.stringMatching(/^pinned already since \d{4}-\d\d-\d\d \d\d:\d\d UTC by carol$/) });
    // dave's pin did not replace carol's.
    expect(await w.deployments.pin('staging', true, 'eve')).toMatchObject({ unchanged: true, note: expect.stringMatching(/by carol$/) });
    expect(await w.deployments.pin('staging', false, 'dave')).toMatchObject({ pinned: false, note: null });
    expect(await w.deployments.pin('staging', false, 'dave')).toMatchObject({ pinned: false, unchanged: true, deployed: null, note: null });
  });

  // ARCHITECTURE.md glossary, Pinned: "`unpin` then deploys the newest release held back by the pin (a protected
  // environment asks first), or says that none waits."
  it('unpin deploys the newest release the pin held back', async () => {
    const w = await shipped(1);
    await w.deployments.pin('staging', true, 'carol');
    await w.ship();
    await w.ship();
    expect(w.told.get('run-2')).toMatchObject({ outcome: 'superseded', message: expect.stringContaining('a newer release (rel-3) is held by the pin of staging instead') });
    const unpinned = await w.deployments.pin('staging', false, 'carol');
    await w.settle();
    expect(unpinned).toMatchObject({ pinned: false, deployed: { revision: 2, releaseId: 'rel-3', status: 'live', runId: 'run-3' }, note: null });
    expect(unpinned instanceof RequestFailure ? null : unpinned.deployed?.by).toMatch(/^carol \(held by the pin since \d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/);
    expect(w.revisions('staging').at(-1)).toMatchObject({ revision: 2, releaseId: 'rel-3', status: 'live' });
    expect(w.told.get('run-3')).toMatchObject({ revision: 2, outcome: 'live' });
    expect(w.current()).toBe('rel-3');
    expect(w.disagreement()).toBeNull();
  });

  it('unpin with nothing held back says none waits (deployed and note null)', async () => {
    const w = await shipped(1);
    await w.deployments.pin('staging', true, 'carol');
    expect(await w.deployments.pin('staging', false, 'carol')).toMatchObject({ pinned: false, deployed: null, note: null });
    expect(w.revisions('staging')).toHaveLength(1);
  });

  it('unpin does not deploy a held release that is marked bad, and says why', async () => {
    const w = await shipped(1);
    await w.deployments.pin('staging', true, 'carol');
    await w.ship();
    await w.deployments.mark('rel-2', 'bad', 'leaks test data', 'dana');
    const unpinned = await w.deployments.pin('staging', false, 'carol');
    expect(unpinned).toMatchObject({ pinned: false, heldReleaseId: null, deployed: null, note: expect.stringMatching(/^rel-2 is marked bad by dana \(.+\): leaks test data: not deployed \(axum deploy staging --release rel-2 --force deploys it anyway\)$/) });
    expect(w.revisions('staging')).toHaveLength(1);
    expect(w.current()).toBe('rel-1');
  });

  it('unpin does not go back to a held release older than what a manual deploy made live since', async () => {
    const w = await shipped(1);
    await w.deployments.pin('staging', true, 'carol');
    await w.ship(); // rel-2 held
    await w.build('production-like'); // rel-3, not for staging's branch: deployed by hand below
    expect(await w.deployments.deploy('staging', 'rel-3', 'dana')).toMatchObject({ revision: 2, status: 'live' });
    expect(w.deployments.state('staging').pinned).toBe(true); // a manual deploy keeps the pin
    const unpinned = await w.deployments.pin('staging', false, 'carol');
    expect(unpinned).toMatchObject({ deployed: null, note: 'rel-2 was held by the pin, but a newer release (rel-3) is live: not deployed' });
    expect(w.current()).toBe('rel-3');
  });

  it('deploy by hand of the release live there already does nothing and answers with the live revision; again makes a new revision', async () => {
    const w = await shipped(1);
    expect(await w.deployments.deploy('staging', 'rel-1', 'dana')).toMatchObject({ revision: 1, releaseId: 'rel-1', status: 'live', unchanged: true });
    expect(w.revisions('staging')).toHaveLength(1);
    expect(await w.deployments.deploy('staging', 'rel-1', 'dana', false, true)).toMatchObject({ revision: 2, releaseId: 'rel-1', status: 'live' });
    expect(w.revisions('staging')).toHaveLength(2);
  });

  it('approval: manual waits for approve, which deploys the release', async () => {
    const w = world(testConfig({ environments: { production: { branch: 'main', approval: 'manual' } } }));
    const built = await w.ship('production');
    expect(built.message).toContain('waiting for approval (axum approve production)');
    expect(w.deployments.state('production')).toMatchObject({ awaitingApproval: true, pendingReleaseId: 'rel-1', live: null });
    expect(w.revisions('production')).toEqual([]);
    expect(w.current('production')).toBeNull();
    const approved = await w.deployments.approve('production', 'dana');
    expect(approved).toMatchObject({ revision: 1, kind: 'deploy', status: 'live', releaseId: 'rel-1', by: 'dana' });
    expect(w.deployments.state('production')).toMatchObject({ awaitingApproval: false, pendingReleaseId: null, live: { revision: 1 } });
    expect(w.current('production')).toBe('rel-1');
    expect(refusal(await w.deployments.approve('production', 'dana'))).toEqual({ code: 'refused', message: 'nothing is waiting for approval in production' });
    expect(w.disagreement('production')).toBeNull();
  });

  it('approve and promote name the release the person saw: another one there by then is refused, nothing moves', async () => {
    const w = world(testConfig({ environments: { staging: { branch: 'main' }, production: { branch: 'prod', approval: 'manual' } } }));
    await w.ship(); // rel-1 live in staging
    await w.ship('production'); // rel-2 waits for approval in production
    expect(refusal(await w.deployments.approve('production', 'dana', false, 'rel-9'))).toEqual({ code: 'refused', message: 'you asked about rel-9, but rel-2 waits for approval in production now: nothing changed; look again (axum status) and ask again' });
    expect(refusal(await w.deployments.promote('staging', 'production', false, 'dana', 'rel-7'))).toEqual({ code: 'refused', message: 'you asked about rel-7, but rel-1 is live in staging now: nothing changed; look again (axum status) and ask again' });
    expect(w.revisions('production')).toEqual([]);
    expect(w.deployments.state('production').pendingReleaseId).toBe('rel-2');
    expect(await w.deployments.approve('production', 'dana', false, 'rel-2')).toMatchObject({ status: 'live', releaseId: 'rel-2' });
    expect(await w.deployments.promote('staging', 'production', false, 'dana', 'rel-1')).toMatchObject({ status: 'live', releaseId: 'rel-1' });
  });
});

describe('one operation per environment', () => {
  /** Holds rel-2's verify step open until the returned function is called. */
  async function busy(said?: string[]): Promise<{ w: DeployWorld; finish(): void }> {
    const w = world(undefined, undefined, said ? { say: (what) => void said.push(what) } : {});
    await w.ship();
    const finish = holdVerify(w, 'rel-2');
    await w.build();
    await vi.waitFor(() => expect(w.runner.ran('smoke').map(releaseOf)).toContain('rel-2'));
    return { w, finish };
  }

  it('a manual deploy or rollback while a deploy verifies is refused with a conflict naming the holder', async () => {
    const { w, finish } = await busy();
    expect(w.deployments.state('staging').operation).toMatchObject({ revision: 2, kind: 'deploy', holder: 'push run-2' });
    const conflict = { code: 'conflict', message: expect.stringContaining('staging is busy: ask again once #2 has ended (deploy by push run-2') };
    expect(refusal(await w.deployments.deploy('staging', 'rel-1', 'erin'))).toEqual(conflict);
    expect(refusal(await w.deployments.rollback('staging', 1, false, 'erin'))).toEqual(conflict);
    expect(w.deployments.state('staging').pinned).toBe(false); // a refused rollback leaves no pin behind
    finish();
    await w.settle();
    expect(w.revisions('staging').map((r) => [r.revision, r.status, r.releaseId])).toEqual([
      [1, 'superseded', 'rel-1'],
      [2, 'live', 'rel-2'],
    ]);
    expect(w.deployments.state('staging').operation).toBeNull();
    expect(w.disagreement()).toBeNull();
  });

  it('a release built while a deploy verifies is queued, the newest wins, and it deploys after', async () => {
    const { w, finish } = await busy();
    expect((await w.build()).message).toContain('queued to deploy to staging after the operation in progress');
    expect((await w.build()).message).toContain('(supersedes queued rel-3)');
    finish();
    await w.settle();
    expect(w.revisions('staging').map((r) => [r.revision, r.status, r.releaseId])).toEqual([
      [1, 'superseded', 'rel-1'],
      [2, 'superseded', 'rel-2'],
      [3, 'live', 'rel-4'],
    ]);
    expect(w.current()).toBe('rel-4');
    expect(w.disagreement()).toBeNull();
  });

  it('a queued release marked bad while it waited does not deploy: its run says refused-bad, and how to deploy it anyway', async () => {
    const said: string[] = [];
    const { w, finish } = await busy(said);
    expect((await w.build()).message).toContain('queued to deploy to staging after the operation in progress');
    await w.deployments.mark('rel-3', 'bad', 'leaks test data', 'dana');
    finish();
    await w.settle();
    expect(w.revisions('staging').map((r) => [r.revision, r.status, r.releaseId])).toEqual([
      [1, 'superseded', 'rel-1'],
      [2, 'live', 'rel-2'],
    ]);
    expect(w.told.get('run-3')).toMatchObject({ env: 'staging', revision: null, outcome: 'refused-bad' });
    expect(w.told.get('run-3')?.message).toContain('rel-3 was marked bad by dana while it waited: leaks test data (axum deploy staging --release rel-3 --force deploys it anyway, or axum mark rel-3 good)');
    expect(said).toContain('run-3: rel-3 not deployed to staging: marked bad by dana while it waited');
    expect(w.disagreement()).toBeNull();
  });

  it('an approval refused because the environment is busy still waits', async () => {
    const w = world(testConfig({ environments: { production: { branch: 'main', approval: 'manual' } } }));
    const finish = holdVerify(w, 'rel-1');
    await w.ship('production');
    const first = w.deployments.approve('production', 'dana');
    await vi.waitFor(() => expect(w.runner.ran('smoke')).toHaveLength(1));
    await w.build('production'); // rel-2 waits for approval while rel-1 verifies
    expect(refusal(await w.deployments.approve('production', 'dana'))).toMatchObject({ code: 'conflict' });
    expect(w.deployments.state('production')).toMatchObject({ awaitingApproval: true, pendingReleaseId: 'rel-2' });
    finish();
    await first;
    expect(await w.deployments.approve('production', 'dana')).toMatchObject({ revision: 2, releaseId: 'rel-2', status: 'live' });
    expect(w.disagreement('production')).toBeNull();
  });
});
