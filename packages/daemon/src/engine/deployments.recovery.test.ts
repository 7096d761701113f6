// What happens to a live environment later: a monitor incident, and a daemon that died in the
// middle of an operation. A crash is the state the fakes had made durable at a named crash point
// (testing/deploy-world.ts), handed to a second Deployments as its documents and release store.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PipelineConfig } from '@axum/protocol';
import type { CrashPoint } from './crash-points.js';
import { releaseOf } from './testing/fake-ports.js';
import { deployWorlds, testConfig, type DeployWorld } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);
/** A new daemon started on what the old one left at the n-th pass of `point`, settled. */
async function restartedAt(old: DeployWorld, config: PipelineConfig, point: CrashPoint, n: number): Promise<DeployWorld> {
  const w = world(config, old.leftAt(point, n));
  await w.deployments.start();
  await w.settle();
  return w;
}

describe('monitor', () => {
  // Checks every 5 ms: two failures in a row make an incident within a few timer ticks.
  const monitored = (auto: boolean) => testConfig({ monitor: { run: 'health', every: '5ms', failures: 2 }, rollback: { auto } });

  it('an incident marks the live release bad and rolls back automatically to the last known good', async () => {
    const w = world(monitored(true));
    w.runner.script('health', (request) => (releaseOf(request) === 'rel-2' ? { exitCode: 1 } : {}));
    await w.ship();
    await w.ship();
    await vi.waitFor(() => expect(w.revisions('staging')).toHaveLength(3));
    await w.settle();
    expect(w.revisions('staging').map((r) => [r.revision, r.kind, r.status, r.releaseId, r.rollbackTo])).toEqual([
      [1, 'deploy', 'superseded', 'rel-1', null],
      [2, 'deploy', 'superseded', 'rel-2', null],
      [3, 'auto-rollback', 'live', 'rel-1', 1],
    ]);
    const incident = w.release('rel-2').bad?.why ?? '';
    expect(incident).toMatch(/^monitor failed 2 times in a row on #2 \(checks \d+–\d+; the last exited 1: axum logs staging#2 --step check-\d+\)$/);
    expect(w.release('rel-2').bad).toMatchObject({ by: 'monitor of staging#2', why: incident });
    expect(w.deployments.state('staging').incident).toBe(`${incident}; rolled back to #1`);
    expect(w.current()).toBe('rel-1');
    // The monitor follows the live revision.
    await vi.waitFor(() => expect(w.runner.ran('health').at(-1)?.env.AXUM_REVISION).toBe('3'));
    expect(w.disagreement()).toBeNull();
  });

  it('a passing check resets the count: failures that are not in a row make no incident', async () => {
    const w = world(monitored(true));
    let checks = 0;
    w.runner.script('health', () => ({ exitCode: ++checks % 2 })); // fail, pass, fail, pass…
    await w.ship();
    await vi.waitFor(() => expect(checks).toBeGreaterThanOrEqual(6));
    expect(w.deployments.state('staging')).toMatchObject({ incident: null, live: { revision: 1 } });
    expect(w.release('rel-1').bad).toBeNull();
  });

  it('with rollback.auto off, an incident marks the release bad and leaves it live', async () => {
    const w = world(monitored(false));
    w.runner.script('health', (request) => (releaseOf(request) === 'rel-2' ? { exitCode: 1 } : {}));
    await w.ship();
    await w.ship();
    await vi.waitFor(() => expect(w.release('rel-2').bad).not.toBeNull());
    await w.settle();
    expect(w.revisions('staging').map((r) => [r.revision, r.status])).toEqual([
      [1, 'superseded'],
      [2, 'live'],
    ]);
    expect(w.deployments.state('staging').incident).toMatch(/^monitor failed 2 times in a row on #2 \(checks \d+–\d+; the last exited 1: axum logs staging#2 --step check-\d+\)$/);
    expect(w.current()).toBe('rel-2');
    expect(w.disagreement()).toBeNull();
  });
});

describe('start after a crash', () => {
  it('a revision left verifying fails, and current goes back to the live release; nothing is marked bad', async () => {
    const old = world();
    await old.ship();
    await old.ship();
    const w = await restartedAt(old, testConfig(), 'deploy.verifying', 2);
    expect(w.revisions('staging').map((r) => [r.revision, r.status, r.releaseId])).toEqual([
      [1, 'live', 'rel-1'],
      [2, 'failed', 'rel-2'],
    ]);
    expect(w.revision('staging', 2).message).toBe('interrupted by a daemon restart while verifying');
    expect(w.current()).toBe('rel-1');
    expect(w.deployments.state('staging').incident).toBe('#2 interrupted by a daemon restart; current is back on #1; axum deploy staging --release rel-2 deploys it again');
    expect(w.deployments.releases().map((r) => r.bad)).toEqual([null, null]); // a crash is not the release's fault
    expect(w.disagreement()).toBeNull();
  });

  it('its run and its incident say alike how to deploy it again: not at all once its release is marked bad', async () => {
    const old = world();
    await old.ship();
    await old.ship();
    const left = old.leftAt('deploy.verifying', 2);
    const rel2 = left.releases?.releases.find((r) => r.id === 'rel-2');
    if (!rel2) throw new Error('rel-2 was not recorded');
    rel2.bad = { by: 'ana', why: 'wrong labels', at: '2026-01-01T00:00:00.000Z' }; // marked bad before the daemon died
    const w = world(testConfig(), left);
    await w.deployments.start();
    await w.settle();
    expect(w.deployments.state('staging').incident).toBe('#2 interrupted by a daemon restart; current is back on #1');
    expect(w.told.get('run-2')).toMatchObject({ outcome: 'interrupted', message: 'built rel-2; staging #2 interrupted by a daemon restart while verifying' });
  });

  it('a redeploy of the live release cut short is deployed again with --again, as its incident and, later, its run say', async () => {
    const old = world();
    await old.ship();
    await old.ship();
    const cut = await restartedAt(old, testConfig(), 'deploy.verifying', 2);
    expect(cut.told.get('run-2')?.message).toBe('built rel-2; staging #2 interrupted by a daemon restart while verifying (axum deploy staging --release rel-2 deploys it again)');
    await cut.deployments.deploy('staging', 'rel-2', 'ana');
    await cut.settle();
    await cut.deployments.deploy('staging', 'rel-2', 'ana', false, true); // #4, cut short: current goes back to rel-2 (#3)
    const w = await restartedAt(cut, testConfig(), 'deploy.verifying', 2);
    expect(w.deployments.state('staging').incident).toBe('#4 interrupted by a daemon restart; current is back on #3; axum deploy staging --release rel-2 --again deploys it again');
    // rel-2 is live again: run-2's deploy, retold at the start, goes again with --again too.
    expect(w.told.get('run-2')?.message).toBe('built rel-2; staging #2 interrupted by a daemon restart while verifying (axum deploy staging --release rel-2 --again deploys it again)');
  });

  it('the process group of a verify step left running is reaped and forgotten', async () => {
    const old = world();
    await old.ship();
    await old.ship();
    const left = old.leftAt('deploy.verify-step', 2).environments.get('staging');
    expect(left?.pgids).toHaveLength(1); // the step's group was durable before the crash
    const w = await restartedAt(old, testConfig(), 'deploy.verify-step', 2);
    expect(w.runner.reaped).toEqual(left?.pgids);
    expect(w.envStore('staging').persisted()?.pgids).toEqual([]);
    expect(w.revision('staging', 2).status).toBe('failed');
    expect(w.current()).toBe('rel-1');
  });

  it('a first deploy cut short leaves nothing in current', async () => {
    const old = world();
    await old.ship();
    const w = await restartedAt(old, testConfig(), 'deploy.verifying', 1);
    expect(w.revisions('staging').map((r) => r.status)).toEqual(['failed']);
    expect(w.current()).toBeNull();
    expect(w.deployments.state('staging').incident).toBe('#1 interrupted by a daemon restart; nothing was live before it; current is removed; axum deploy staging --release rel-1 deploys it again');
    expect(w.disagreement()).toBeNull();
  });

  it('a failed deploy whose automatic rollback never started is rolled back at start', async () => {
    const old = world();
    old.runner.script('smoke', (request) => (releaseOf(request) === 'rel-2' ? { exitCode: 1 } : {}));
    await old.ship();
    await old.ship();
    const left = old.leftAt('deploy.finished', 2);
    expect(left.store.current.get(old.envDir('staging'))).toBe('rel-2'); // the failed release still serves there
    const w = await restartedAt(old, testConfig(), 'deploy.finished', 2);
    expect(w.revisions('staging').map((r) => [r.revision, r.kind, r.status, r.releaseId, r.rollbackTo])).toEqual([
      [1, 'deploy', 'superseded', 'rel-1', null],
      [2, 'deploy', 'failed', 'rel-2', null],
      [3, 'auto-rollback', 'live', 'rel-1', 1],
    ]);
    expect(w.revision('staging', 3).by).toBe('auto: #2 failed (resumed after a daemon restart)');
    expect(w.release('rel-2').bad).toMatchObject({ by: 'verify of staging#2' });
    expect(w.current()).toBe('rel-1');
    expect(w.disagreement()).toBeNull();
  });

  it('a release queued before the restart that is older than the live one is superseded, not deployed over it', async () => {
    const said: string[] = [];
    const old = world();
    await old.ship();
    await old.ship();
    const left = old.leftAt('deploy.finished', 2);
    left.environments.set('staging', { ...left.environments.get('staging')!, queuedReleaseId: 'rel-1' });
    const w = world(testConfig(), left, { say: (what) => void said.push(what) });
    await w.deployments.start();
    await w.settle();
    expect(w.revisions('staging').map((r) => [r.revision, r.status, r.releaseId])).toEqual([
      [1, 'superseded', 'rel-1'],
      [2, 'live', 'rel-2'],
    ]);
    expect(w.envStore('staging').persisted()).toMatchObject({ queuedReleaseId: null });
    expect(w.told.get('run-1')).toMatchObject({ outcome: 'superseded', message: 'built rel-1; not deployed: a newer release (rel-2) is live in staging' });
    expect(said).toEqual(['run-1: rel-1 not deployed to staging: a newer release (rel-2) is live']);
    expect(w.current()).toBe('rel-2');
  });

  it('a failed first deploy with nothing known good is withdrawn from current at start', async () => {
    const old = world();
    old.runner.script('smoke', { exitCode: 1 });
    await old.ship();
    const w = await restartedAt(old, testConfig(), 'deploy.finished', 1);
    expect(w.revisions('staging').map((r) => [r.revision, r.status])).toEqual([[1, 'failed']]);
    expect(w.current()).toBeNull();
  });

  it('with rollback.auto off, a failed deploy stays in current across a restart', async () => {
    const manual = testConfig({ rollback: { auto: false } });
    const old = world(manual);
    old.runner.script('smoke', (request) => (releaseOf(request) === 'rel-2' ? { exitCode: 1 } : {}));
    await old.ship();
    await old.ship();
    const w = await restartedAt(old, manual, 'deploy.finished', 2);
    expect(w.revisions('staging')).toHaveLength(2);
    expect(w.current()).toBe('rel-2');
    expect(w.disagreement()).toBeNull();
  });

  it('a crash while the automatic rollback verifies leaves the last known good live', async () => {
    const old = world();
    old.runner.script('smoke', (request) => (releaseOf(request) === 'rel-2' ? { exitCode: 1 } : {}));
    await old.ship();
    await old.ship();
    const w = await restartedAt(old, testConfig(), 'auto-rollback.verifying', 1);
    expect(w.revisions('staging').map((r) => [r.revision, r.kind, r.status, r.releaseId])).toEqual([
      [1, 'deploy', 'live', 'rel-1'],
      [2, 'deploy', 'failed', 'rel-2'],
      [3, 'auto-rollback', 'failed', 'rel-1'],
    ]);
    expect(w.revision('staging', 1).message).toBe('restored after a daemon restart');
    expect(w.current()).toBe('rel-1');
    expect(w.disagreement()).toBeNull();
  });
});
