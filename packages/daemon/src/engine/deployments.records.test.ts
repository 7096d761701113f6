// The config in use decides what runs, never what is recovered or deleted (ARCHITECTURE.md,
// glossary: Records): an environment with records is served whatever the config declares, and a
// release runs with its own config snapshot. End to end: test/records-truth.test.ts.
import { afterEach, describe, expect, it } from 'vitest';
import { RequestFailure } from './pipeline.js';
import { deployWorlds, testConfig } from './testing/deploy-world.js';

const world = deployWorlds(afterEach);
/** Another branch's axum.yml: it declares `dev` only. */
const devOnly = (overrides: Record<string, unknown> = {}) => testConfig({ environments: { dev: { branch: 'develop' } }, ...overrides });

describe('an environment the config in use does not declare', () => {
  it('is recovered at start from its records: the cut revision fails, current goes back, history and pin work', async () => {
    const old = world();
    await old.ship();
    await old.ship();
    const w = world(devOnly(), old.leftAt('deploy.verify-step', 2));
    await w.deployments.start();
    await w.settle();
    expect(w.revisions('staging').map((r) => r.status)).toEqual(['live', 'failed']);
    expect(w.current()).toBe('rel-1');
    expect(w.deployments.undeclared()).toEqual([{ name: 'staging', branch: 'staging', path: '/repo/.axum/envs/staging', protected: false, approval: 'auto' }]);
    const pinned = await w.deployments.pin('staging', true, 'me');
    expect(pinned).toMatchObject({ pinned: true });
    expect(await w.deployments.pin('staging', false, 'me')).toMatchObject({ pinned: false });
    expect(await w.deployments.pin('nowhere', true, 'me')).toBeInstanceOf(RequestFailure);
  });

  it('keeps its live and last known good releases however many releases other environments make', async () => {
    const old = world();
    await old.ship();
    await old.ship();
    const w = world(devOnly({ history: { keepReleases: 1 } }), old.leftAt('deploy.finished', 2));
    await w.deployments.start();
    for (let i = 0; i < 4; i++) await w.ship('dev');
    const kept = w.deployments.releases().map((r) => r.id);
    expect(kept).toContain('rel-1');
    expect(kept).toContain('rel-2');
    expect(w.releases.pruned).not.toContain('rel-1');
    expect(w.releases.pruned).not.toContain('rel-2');
    const rolled = await w.deployments.rollback('staging', null, false, 'me');
    expect(rolled).toMatchObject({ kind: 'rollback', releaseId: 'rel-1' });
    await w.settle();
    expect(w.current('staging')).toBe('rel-1');
  });
});

describe('commits', () => {
  it('deploy nothing to an environment the config in use no longer declares', async () => {
    const w = world();
    await w.ship();
    w.deployments.setConfig(devOnly());
    const built = await w.ship('staging');
    expect(built.message).toBe('built rel-2; not deployed: staging is not in axum.yml now (queued: it deploys when axum.yml declares staging again)');
    // Queued, not `none`: the runs table and the status say the release waits there.
    expect(w.told.get('run-2')).toMatchObject({ outcome: 'queued' });
    expect(w.deployments.state('staging')).toMatchObject({ queuedReleaseId: 'rel-2' });
    expect(w.revisions('staging')).toHaveLength(1);
    expect(w.current()).toBe('rel-1');
  });
  it('deploy the newest release built meanwhile once the config declares the environment again', async () => {
    const w = world();
    await w.ship();
    w.deployments.setConfig(devOnly());
    await w.ship('staging');
    await w.ship('staging');
    expect(w.told.get('run-2')).toMatchObject({ outcome: 'superseded' });
    expect(w.revisions('staging')).toHaveLength(1);
    w.deployments.setConfig(testConfig());
    await w.settle();
    expect(w.revisions('staging').map((r) => `${r.releaseId} ${r.status}`)).toEqual(['rel-1 superseded', 'rel-3 live']);
    expect(w.current()).toBe('rel-3');
    expect(w.told.get('run-3')).toMatchObject({ outcome: 'live' });
  });
});

describe('the config an operation runs with', () => {
  it('is the release snapshot; a release recorded before snapshots falls back to the config in use', async () => {
    const w = world();
    await w.ship('staging', { runConfig: testConfig({ verify: { steps: [{ name: 'smoke', run: 'smoke --own' }] } }) });
    await w.ship();
    w.deployments.setConfig(testConfig({ verify: { steps: [{ name: 'smoke', run: 'smoke --in-use' }] } }));
    // rel-1 keeps its own config; rel-2 stands for a release recorded before snapshots.
    const old = w.deployments.releases().find((r) => r.id === 'rel-2');
    if (old) old.config = null;
    await w.deployments.rollback('staging', 1, false, 'me');
    await w.settle();
    await w.deployments.pin('staging', false, 'me');
    await w.deployments.deploy('staging', 'rel-2', 'me', true); // the rollback marked it bad
    await w.settle();
    expect(w.runner.calls.map((c) => c.command)).toEqual(['smoke --own', 'smoke', 'smoke --own', 'smoke --in-use']);
  });
});
