// The last known good a revision's gates are judged beside (ARCHITECTURE.md, glossary: Last known
// good) is never a release marked bad — also not one the same operation marks bad, as a manual
// rollback does to the release it leaves. On in-memory ports (testing/).
import { afterEach, describe, expect, it } from 'vitest';
import { releaseOf } from './testing/fake-ports.js';
import { deployWorlds, testConfig, type DeployWorld } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);
const ACCURACY: Record<string, number> = { 'rel-1': 0.93, 'rel-2': 0.81, 'rel-3': 0.41 };

/** rel-1 (accuracy 0.93) then rel-2 (0.81) live in staging, each judged by a fixed gate. */
async function twoLive(): Promise<DeployWorld> {
  const w = world(testConfig({ verify: { steps: [{ name: 'smoke', run: 'smoke' }], gates: { accuracy: '>= 0.5' } } }));
  w.runner.script('smoke', (request) => ({ metrics: { accuracy: ACCURACY[releaseOf(request) ?? ''] ?? 0 } }));
  await w.ship();
  await w.ship();
  expect(w.revision('staging', 2).gates[0]?.lkgValue).toBe(0.93);
  return w;
}

describe("a rollback revision's last known good", () => {
  it('is not the release the manual rollback leaves (and marks bad): its gates compare with what it goes back to', async () => {
    const w = await twoLive();
    await w.deployments.rollback('staging', null, false, 'ana');
    await w.settle();
    const back = w.revision('staging', 3);
    expect(back).toMatchObject({ kind: 'rollback', rollbackTo: 1, status: 'live', releaseId: 'rel-1' });
    expect(w.release('rel-2').bad).not.toBeNull();
    // rel-2's 0.81 was the value beside the gate before: the rollback itself made rel-2 bad.
    expect(back.gates).toEqual([expect.objectContaining({ metric: 'accuracy', value: 0.93, lkgValue: 0.93, verdict: 'pass' })]);
    expect(w.deployments.state('staging').lastKnownGood).toMatchObject({ revision: 3, releaseId: 'rel-1' });
  });

  it('after a failed verify, the automatic rollback compares with the last known good, never the release that just failed or one marked bad', async () => {
    const w = await twoLive();
    await w.deployments.rollback('staging', null, false, 'ana'); // rel-2 marked bad, #3 live on rel-1
    await w.settle();
    await w.deployments.pin('staging', false, 'ana');
    await w.ship(); // rel-3 (0.41) fails its gate, marked bad; back to #3
    await w.settle();
    const auto = w.revision('staging', 5);
    expect(auto).toMatchObject({ kind: 'auto-rollback', rollbackTo: 3, status: 'live', releaseId: 'rel-1' });
    expect(auto.gates[0]?.lkgValue).toBe(0.93);
    expect(w.deployments.state('staging').lastKnownGood).toMatchObject({ revision: 5, releaseId: 'rel-1' });
  });
});

describe("another environment's last known good, once a manual rollback marks its release bad", () => {
  const twoEnvs = () => testConfig({ environments: { staging: { branch: 'staging' }, production: { branch: 'main' } } });

  it('is said before the mark, as the mark then leaves it: none when it was the only verified release there', async () => {
    const w = world(twoEnvs());
    await w.ship('staging');
    await w.ship('staging');
    await w.deployments.promote('staging', 'production', false, 'erin'); // production #1: rel-2, its only release
    await w.settle('production');
    expect(w.deployments.state('production').ifLastKnownGoodMarked).toEqual({ lastKnownGood: null, othersMarkedBad: false });
    await w.deployments.rollback('staging', null, false, 'ana'); // marks rel-2 bad, everywhere
    await w.settle();
    expect(w.deployments.state('production').lastKnownGood).toBeNull();
  });

  it('names the older one it falls back to', async () => {
    const w = world(twoEnvs());
    await w.ship('staging');
    await w.deployments.promote('staging', 'production', false, 'erin'); // production #1: rel-1
    await w.settle('production');
    await w.ship('staging');
    await w.deployments.promote('staging', 'production', false, 'erin'); // production #2: rel-2
    await w.settle('production');
    expect(w.deployments.state('production').lastKnownGood).toMatchObject({ revision: 2, releaseId: 'rel-2' });
    expect(w.deployments.state('production').ifLastKnownGoodMarked).toEqual({ lastKnownGood: expect.objectContaining({ revision: 1, releaseId: 'rel-1' }), othersMarkedBad: false });
    await w.deployments.rollback('staging', null, false, 'ana');
    await w.settle();
    expect(w.deployments.state('production').lastKnownGood).toMatchObject({ revision: 1, releaseId: 'rel-1' });
  });
});
