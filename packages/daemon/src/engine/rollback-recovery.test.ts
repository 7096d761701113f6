// A manual rollback cut short by a crash: finished by the next daemon (a new rollback revision to
// the same target), or undone whole when its target cannot be made live. Marks, pin and pointer agree.
import { afterEach, describe, expect, it } from 'vitest';
import type { CrashPoint } from './crash-points.js';
import { deployWorlds, testConfig, type DeployWorld } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);

/** Two releases shipped (#2 live), then a manual rollback to #1, settled: every crash point of it was passed. */
async function rolledBackAndCut(): Promise<DeployWorld> {
  const old = world();
  await old.ship();
  await old.ship();
  const result = await old.deployments.rollback('staging', null, false, 'alice');
  expect(result).toMatchObject({ kind: 'rollback', rollbackTo: 1 });
  await old.settle();
  return old;
}

async function restart(old: DeployWorld, point: CrashPoint, prepare?: (w: DeployWorld) => void): Promise<DeployWorld> {
  const w = world(testConfig(), old.leftAt(point));
  prepare?.(w);
  await w.deployments.start();
  await w.settle();
  return w;
}

describe('a manual rollback cut short by a crash', () => {
  it.each<CrashPoint>(['rollback.recorded', 'rollback.swapped', 'rollback.marked', 'rollback.verifying'])('killed at %s: finished by a new rollback revision to the same target', async (point) => {
    const old = await rolledBackAndCut();
    const w = await restart(old, point);
    expect(w.revisions('staging').map((r) => [r.revision, r.kind, r.status, r.releaseId, r.rollbackTo])).toEqual([
      [1, 'deploy', 'superseded', 'rel-1', null],
      [2, 'deploy', 'superseded', 'rel-2', null],
      [3, 'rollback', 'failed', 'rel-1', 1],
      [4, 'rollback', 'live', 'rel-1', 1],
    ]);
    expect(w.revision('staging', 3).message).toMatch(/^interrupted by a daemon restart while (deploying|verifying); finished by #4$/);
    expect(w.revision('staging', 4).by).toBe('alice');
    expect(w.current()).toBe('rel-1');
    expect(w.release('rel-2').bad).toMatchObject({ by: expect.stringMatching(/^rollback of staging#[34] \(alice\)$/), why: 'rolled back from #2 to #1' });
    expect(w.release('rel-1').bad).toBeNull();
    expect(w.deployments.state('staging')).toMatchObject({ pinned: true, live: { revision: 4 } });
    expect(w.envStore('staging').persisted()?.pinned?.rollback).toBe(4);
    expect(w.disagreement()).toBeNull();
  });

  it.each<CrashPoint>(['rollback.swapped', 'rollback.marked', 'rollback.verifying'])('killed at %s with its target broken since: undone whole (pointer, mark, pin)', async (point) => {
    const old = await rolledBackAndCut();
    const w = await restart(old, point, (next) => next.releases.faults.missingBlob.add('rel-1'));
    expect(w.revisions('staging').map((r) => [r.revision, r.kind, r.status, r.releaseId])).toEqual([
      [1, 'deploy', 'superseded', 'rel-1'],
      [2, 'deploy', 'live', 'rel-2'],
      [3, 'rollback', 'failed', 'rel-1'],
    ]);
    expect(w.current()).toBe('rel-2');
    expect(w.release('rel-2').bad).toBeNull();
    expect(w.deployments.state('staging').pinned).toBe(false);
    expect(w.deployments.state('staging').incident).toMatch(/^#3 interrupted by a daemon restart; current is back on #2; rollback #3 is undone \(.+\)(; rel-2 is no longer marked bad)?; staging is no longer pinned$/);
    expect(w.disagreement()).toBeNull();
  });

  it('a pin that was there before the rollback stays when the rollback is undone', async () => {
    const old = world();
    await old.ship();
    await old.ship();
    await old.deployments.pin('staging', true, 'bob');
    await old.deployments.rollback('staging', null, false, 'alice');
    await old.settle();
    const w = await restart(old, 'rollback.marked', (next) => next.releases.faults.missingBlob.add('rel-1'));
    expect(w.current()).toBe('rel-2');
    expect(w.release('rel-2').bad).toBeNull();
    expect(w.envStore('staging').persisted()?.pinned).toMatchObject({ by: 'bob' });
  });
});
