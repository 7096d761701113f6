// A pin against automatic rollbacks: the pin is the user saying the environment stays where it is,
// so a failure a rollback.auto would answer by moving it (a monitor incident, a failed verification)
// moves nothing; the incident says the failure was seen, that the environment is pinned, and how to
// go back by hand.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { releaseOf } from './testing/fake-ports.js';
import { deployWorlds, testConfig } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);
const pinnedText = 'staging is pinned: not rolled back automatically (axum rollback staging goes back by hand and stays pinned; or axum unpin staging, then axum rollback staging)';

describe('a pinned environment with rollback.auto', () => {
  it('a monitor incident marks the release bad but rolls nothing back', async () => {
    const w = world(testConfig({ monitor: { run: 'health', every: '5ms', failures: 2 }, rollback: { auto: true } }));
    let failing = false;
    w.runner.script('health', () => ({ exitCode: failing ? 1 : 0 }));
    await w.ship();
    await w.ship();
    await w.ship();
    // Back to #2 by hand: #4, pinned, rel-3 marked bad; rel-1 stays known good.
    await w.deployments.rollback('staging', 2, false, 'alice');
    await w.settle();
    expect(w.deployments.state('staging')).toMatchObject({ pinned: true, live: { revision: 4, releaseId: 'rel-2' } });
    failing = true;
    await vi.waitFor(() => expect(w.deployments.state('staging').incident).toContain('monitor failed 2 times in a row on #4'), { timeout: 60_000, interval: 20 });
    await w.settle();
    expect(w.deployments.state('staging').incident).toContain(pinnedText);
    expect(w.revisions('staging').map((r) => [r.revision, r.kind, r.releaseId])).toEqual([
      [1, 'deploy', 'rel-1'],
      [2, 'deploy', 'rel-2'],
      [3, 'deploy', 'rel-3'],
      [4, 'rollback', 'rel-2'],
    ]);
    expect(w.current()).toBe('rel-2');
    expect(w.release('rel-2').bad).not.toBeNull(); // the failure was seen: the mark stays
    expect(w.deployments.state('staging').pinned).toBe(true);
  });

  it('a deploy by hand that fails verification stays where it serves, failed, with the incident', async () => {
    const w = world(testConfig({ rollback: { auto: true } }));
    w.runner.script('smoke', (request) => (releaseOf(request) === 'rel-3' ? { exitCode: 1 } : {}));
    await w.ship();
    await w.ship();
    await w.deployments.rollback('staging', 1, false, 'alice'); // #3, pinned
    await w.settle();
    const built = await w.build();
    expect(built.releaseId).toBe('rel-3');
    await w.deployments.deploy('staging', 'rel-3', 'bob');
    await w.settle();
    expect(w.revisions('staging').map((r) => [r.revision, r.kind, r.status, r.releaseId])).toEqual([
      [1, 'deploy', 'superseded', 'rel-1'],
      [2, 'deploy', 'superseded', 'rel-2'],
      [3, 'rollback', 'superseded', 'rel-1'],
      [4, 'deploy', 'failed', 'rel-3'],
    ]);
    expect(w.current()).toBe('rel-3');
    expect(w.deployments.state('staging')).toMatchObject({ pinned: true, serving: { revision: 4, failed: true }, incident: expect.stringContaining(`#4 failed verify: verify step smoke exited 1`) });
    expect(w.deployments.state('staging').incident).toContain(pinnedText);
  });
});
