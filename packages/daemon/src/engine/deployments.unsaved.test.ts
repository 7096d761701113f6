// A request whose save the disk refuses is not done: memory is put back as the records are, for
// the requests that start an operation (deploy, promote, approve) as for those that only save.
// On in-memory ports (testing/) whose environment store answers ENOSPC.
import { afterEach, describe, expect, it } from 'vitest';
import type { DeployWorld } from './testing/deploy-world.js';
import { deployWorlds, testConfig } from './testing/deploy-world.js';
import { RequestFailure } from './pipeline.js';

const world = deployWorlds(afterEach);
const check = { name: 'error_rate', prometheus: { url: 'http://127.0.0.1:9/', query: 'errors{release="$RELEASE"}' }, fail: '> 0.02', every: '5ms', count: 1 };
/** The config of a commit whose verification asks Prometheus: inconclusive here (no Prometheus client), so its environment pauses. */
const unsure = testConfig({ verify: { steps: [{ name: 'smoke', run: 'smoke' }], checks: [check] } });
const twoEnvironments = testConfig({ environments: { staging: { branch: 'staging' }, production: { branch: 'main' } } });

const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });

/** From here on every save of `env`'s document fails as on a full disk. */
function fillDisk(w: DeployWorld, env: string): void {
  w.envStore(env).save = () => Promise.reject(enospc());
}

/** Everything a client can see of an environment, and what its records hold. */
function seen(w: DeployWorld, env: string) {
  return structuredClone({ state: w.deployments.state(env), history: w.deployments.history(env), onDisk: w.envStore(env).persisted(), runs: Object.fromEntries(w.told), releases: w.deployments.releases() });
}

const unrecorded = (result: unknown) => (result instanceof RequestFailure ? `${result.code}: ${result.message}` : `answered ${JSON.stringify(result)}`);

/** staging with rel-1 live, pinned, and rel-2 held back by the pin. */
async function pinnedWithHeld(): Promise<DeployWorld> {
  const w = world();
  await w.ship();
  await w.deployments.pin('staging', true, 'ana');
  await w.ship();
  return w;
}

describe('a request whose save the disk refuses', () => {
  it('a deploy by hand that would lift a pause leaves memory as it was: the pause, the held release, the revisions', async () => {
    const w = world();
    await w.ship();
    await w.ship('staging', { runConfig: unsure }); // rel-2 inconclusive: paused over #2
    await w.ship(); // rel-3 held by the pause
    const before = seen(w, 'staging');
    expect(before.state).toMatchObject({ paused: { revision: 2 }, heldReleaseId: 'rel-3' });
    fillDisk(w, 'staging');
    const result = await w.deployments.deploy('staging', 'rel-1', 'ana', false, true);
    expect(unrecorded(result)).toMatch(/^refused: the deploy of rel-1 to staging could not be recorded: the disk is full \(ENOSPC: no space left on device\); nothing changed/);
    await w.settle();
    expect(seen(w, 'staging')).toEqual(before);
    expect(w.current()).toBe('rel-2');
  });

  it('a promote leaves both environments as they were', async () => {
    const w = world(twoEnvironments);
    await w.ship();
    await w.ship('production');
    const staging = seen(w, 'staging');
    const production = seen(w, 'production');
    fillDisk(w, 'production');
    const result = await w.deployments.promote('staging', 'production', false, 'ana');
    expect(unrecorded(result)).toMatch(/^refused: the promotion of rel-1 to production could not be recorded: the disk is full/);
    await w.settle('production');
    expect(seen(w, 'production')).toEqual(production);
    expect(seen(w, 'staging')).toEqual(staging);
  });

  it('a promote onto a paused environment leaves the pause as it was', async () => {
    const w = world(twoEnvironments);
    await w.ship();
    await w.ship('production');
    await w.ship('production', { runConfig: unsure }); // production paused over its #2
    const production = seen(w, 'production');
    expect(production.state).toMatchObject({ paused: { revision: 2 } });
    fillDisk(w, 'production');
    const result = await w.deployments.promote('staging', 'production', false, 'ana');
    await w.settle('production');
    expect(seen(w, 'production')).toEqual(production);
    expect(unrecorded(result)).toMatch(/^refused: the promotion of rel-1 to production could not be recorded: the disk is full/);
  });

  it('an approval of a waiting release leaves it waiting', async () => {
    const w = world(testConfig({ environments: { staging: { branch: 'staging', approval: 'manual' } } }));
    await w.ship();
    const before = seen(w, 'staging');
    expect(before.state).toMatchObject({ pendingReleaseId: 'rel-1' });
    fillDisk(w, 'staging');
    expect(unrecorded(await w.deployments.approve('staging', 'ana'))).toMatch(/^refused: the approval of rel-1 in staging could not be recorded: the disk is full/);
    await w.settle();
    expect(seen(w, 'staging')).toEqual(before);
  });

  it.each([
    ['pin', (w: DeployWorld) => w.deployments.pin('staging', true, 'ana')],
    ['rollback', (w: DeployWorld) => w.deployments.rollback('staging', 1, false, 'ana')],
  ])('a %s leaves memory as it was', async (_name, ask) => {
    const w = world();
    await w.ship();
    await w.ship();
    const before = seen(w, 'staging');
    fillDisk(w, 'staging');
    expect(unrecorded(await ask(w))).toMatch(/could not be recorded: the disk is full/);
    await w.settle();
    expect(seen(w, 'staging')).toEqual(before);
  });

  it('an approval that accepts what serves on a paused environment leaves the pause, the held release and the revisions', async () => {
    const w = world();
    await w.ship();
    await w.ship('staging', { runConfig: unsure });
    await w.ship(); // rel-3 held by the pause
    const before = seen(w, 'staging');
    fillDisk(w, 'staging');
    expect(unrecorded(await w.deployments.approve('staging', 'ana'))).toMatch(/^refused: the approval of #2 in staging could not be recorded: the disk is full/);
    await w.settle();
    expect(seen(w, 'staging')).toEqual(before);
  });

  it('an unpin leaves the pin and the release it holds', async () => {
    const w = await pinnedWithHeld();
    const before = seen(w, 'staging');
    expect(before.state).toMatchObject({ pinned: true, heldReleaseId: 'rel-2' });
    fillDisk(w, 'staging');
    expect(unrecorded(await w.deployments.pin('staging', false, 'ana'))).toMatch(/^refused: the unpin of staging could not be recorded: the disk is full/);
    await w.settle();
    expect(seen(w, 'staging')).toEqual(before);
  });

  it('an unpin saved whose deploy of the held release the disk refuses says the unpin stood and the release was not deployed', async () => {
    const w = await pinnedWithHeld();
    const store = w.envStore('staging');
    const save = store.save.bind(store);
    let saves = 0;
    // The unpin's own save reaches the disk; the disk is full from the deploy's first save on.
    store.save = (...args: Parameters<typeof save>) => (saves++ === 0 ? save(...args) : Promise.reject(enospc()));
    const result = await w.deployments.pin('staging', false, 'ana');
    expect(unrecorded(result)).toMatch(
      /^refused: staging is unpinned \(that was recorded\), but the deploy of rel-2 to staging could not be recorded: the disk is full \(ENOSPC: no space left on device\): rel-2 was not deployed; once there is room, axum deploy staging --release rel-2 deploys it$/,
    );
    await w.settle();
    expect(w.deployments.state('staging')).toMatchObject({ pinned: false, live: { revision: 1, releaseId: 'rel-1' } });
    expect(w.deployments.history('staging')).toEqual([expect.objectContaining({ revision: 1 })]);
    expect(w.current()).toBe('rel-1');
    // rel-2 stays queued in memory as on disk (the follow-up's save was refused too): once there is
    // room, the next operation's follow-up deploys it, as a restart would.
    expect(store.persisted()?.queuedReleaseId).toBe('rel-2');
    store.save = save;
    // An edit of axum.yml that leaves staging declared moves nothing (only declaring it again does).
    w.deployments.setConfig(testConfig({ history: { keepRuns: 400 } }));
    await w.settle();
    expect(w.current()).toBe('rel-1');
    expect(await w.deployments.deploy('staging', 'rel-1', 'ana', false, true)).toMatchObject({ releaseId: 'rel-1', status: 'live' });
    await w.settle();
    expect(w.current()).toBe('rel-2');
  });

  it('an operation whose first save the disk refuses and whose outcome save it takes keeps the revision, in memory as on disk', async () => {
    const w = world();
    await w.ship();
    await w.ship();
    const store = w.envStore('staging');
    const save = store.save.bind(store);
    let saves = 0;
    // Full for the revision's first save; room again for the save of its outcome.
    store.save = (...args: Parameters<typeof save>) => (saves++ === 0 ? Promise.reject(enospc()) : save(...args));
    const result = await w.deployments.deploy('staging', 'rel-1', 'ana');
    await w.settle();
    expect(result).toMatchObject({ revision: 3, status: 'failed', releaseId: 'rel-1' });
    const onDisk = (store.persisted()?.revisions ?? []).map((r) => [r.revision, r.status, r.releaseId]);
    expect(onDisk).toEqual([
      [1, 'superseded', 'rel-1'],
      [2, 'live', 'rel-2'],
      [3, 'failed', 'rel-1'],
    ]);
    expect(w.revisions('staging').map((r) => [r.revision, r.status, r.releaseId])).toEqual(onDisk);
    await w.ship(); // the next operation takes the next number
    expect(w.revisions('staging').map((r) => r.revision)).toEqual([1, 2, 3, 4]);
    expect(w.current()).toBe('rel-3');
  });

  it('an operation whose revision never reached the disk is never published: no client sees its incident come and go', async () => {
    const incidents: (string | null)[] = [];
    // Read when the world tells clients, as the daemon reads its view then (the world exists by the first publish).
    const w: DeployWorld = world(undefined, undefined, { publish: (env) => void (env === 'staging' && incidents.push(w.deployments.state(env).incident)) });
    await w.ship();
    await w.ship();
    fillDisk(w, 'staging');
    expect(unrecorded(await w.deployments.deploy('staging', 'rel-1', 'ana'))).toMatch(/^refused: the deploy of rel-1 to staging could not be recorded: the disk is full/);
    await w.settle();
    expect(incidents.length).toBeGreaterThan(0);
    expect(incidents.filter((incident) => incident !== null)).toEqual([]);
  });
  it('a push deploy whose revision no save wrote tells its run it failed, says so in the event log and keeps an incident', async () => {
    const said: string[] = [];
    const w = world(undefined, undefined, { say: (line) => void said.push(line) });
    await w.ship();
    fillDisk(w, 'staging');
    await w.ship(); // run-2 built rel-2: its deploy starts by itself, no request answers it
    expect(w.told.get('run-2')).toEqual({
      env: 'staging',
      revision: null,
      outcome: 'failed',
      message: 'built rel-2; not deployed: its deploy could not be recorded: the disk is full (ENOSPC: no space left on device) (make room on the disk that holds .axum and ask again: axum deploy staging --release rel-2)',
    });
    expect(said).toEqual(['run-2: rel-2 not deployed to staging: its deploy could not be recorded: the disk is full (ENOSPC: no space left on device)']);
    expect(w.revisions('staging').map((r) => [r.revision, r.status, r.releaseId])).toEqual([[1, 'live', 'rel-1']]);
    expect(w.deployments.state('staging').incident).toBe(
      'rel-2 was not deployed: its deploy could not be recorded: the disk is full (ENOSPC: no space left on device); #1 stays live (make room on the disk that holds .axum and ask again: axum deploy staging --release rel-2)',
    );
    expect(w.current()).toBe('rel-1');
  });
});
