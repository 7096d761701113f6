// A built release's wait (held by a pin, waiting for approval, queued) is saved before anyone is
// told: when the disk refuses that save, memory is put back as the records are — a restart does
// what memory said — and the run is told its release was not deployed, with why and what to do.
// On in-memory ports (testing/) whose environment store answers ENOSPC.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { DeployWorld } from './testing/deploy-world.js';
import { deployWorlds, holdVerify, testConfig } from './testing/deploy-world.js';
import { releaseOf } from './testing/fake-ports.js';

const world = deployWorlds(afterEach);
const enospc = () => Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
const DISK = 'the disk is full (ENOSPC: no space left on device)';
const ROOM = 'make room on the disk that holds .axum and ask again';

/** Every save of `env`'s document fails as on a full disk until the returned function is called. */
function fillDisk(w: DeployWorld, env: string): () => void {
  const store = w.envStore(env);
  const save = store.save.bind(store);
  store.save = () => Promise.reject(enospc());
  return () => void (store.save = save);
}

/** The releases waiting in the environment as clients see them, and as its records hold them. */
function waits(w: DeployWorld, env = 'staging') {
  const { heldReleaseId, pendingReleaseId } = w.deployments.state(env);
  const disk = w.envStore(env).persisted();
  return { memory: { heldReleaseId, pendingReleaseId }, disk: { heldReleaseId: disk?.heldReleaseId ?? null, pendingReleaseId: disk?.pendingReleaseId ?? null } };
}

describe('a hand-on whose save the disk refuses', () => {
  it('held by a pin: the release held before stays held, in memory as on disk, and the new run is told why it was not deployed', async () => {
    const said: string[] = [];
    const w = world(undefined, undefined, { say: (line) => void said.push(line) });
    await w.ship();
    await w.deployments.pin('staging', true, 'ana');
    await w.ship(); // rel-2 held by the pin
    fillDisk(w, 'staging');
    const built = await w.build(); // rel-3
    const why = `its hold by the pin could not be recorded: ${DISK}`;
    expect(built.message).toBe(`built rel-3; not deployed: ${why} (${ROOM}: axum deploy staging --release rel-3)`);
    expect(w.told.get('run-3')).toMatchObject({ outcome: 'failed', message: built.message });
    expect(w.told.get('run-2')).toMatchObject({ outcome: 'held-by-pin' }); // not superseded: rel-2 is still the one held
    expect(said).toEqual([`run-3: rel-3 not deployed to staging: ${why}`]);
    const { memory, disk } = waits(w);
    expect(memory).toEqual({ heldReleaseId: 'rel-2', pendingReleaseId: null });
    expect(disk).toEqual(memory);
  });

  it('an error of the save that is not the disk\'s is a bug: it goes on up, as before', async () => {
    const w = world();
    await w.ship();
    await w.deployments.pin('staging', true, 'ana');
    w.envStore('staging').save = () => Promise.reject(new Error('a bug'));
    await expect(w.build()).rejects.toThrow('a bug');
  });

  it('waiting for approval: the release waiting before still waits, in memory as on disk', async () => {
    const w = world(testConfig({ environments: { staging: { branch: 'staging', approval: 'manual' } } }));
    await w.ship(); // rel-1 waits for approval
    fillDisk(w, 'staging');
    const built = await w.build();
    expect(built.message).toBe(`built rel-2; not deployed: its wait for approval could not be recorded: ${DISK} (${ROOM}: axum deploy staging --release rel-2)`);
    expect(w.told.get('run-2')).toMatchObject({ outcome: 'failed' });
    const { memory, disk } = waits(w);
    expect(memory).toEqual({ heldReleaseId: null, pendingReleaseId: 'rel-1' });
    expect(disk).toEqual(memory);
  });

  it('queued behind the operation in progress: it is not queued, so it does not deploy after that one (as a restart would not)', async () => {
    const w = world();
    await w.ship();
    const finish = holdVerify(w, 'rel-2');
    await w.build();
    await vi.waitFor(() => expect(w.runner.ran('smoke').map(releaseOf)).toContain('rel-2'));
    const room = fillDisk(w, 'staging');
    const built = await w.build(); // rel-3, while rel-2 verifies
    room();
    expect(w.envStore('staging').persisted()?.queuedReleaseId).toBeNull();
    expect(built.message).toBe(`built rel-3; not deployed: its place in the queue could not be recorded: ${DISK} (${ROOM}: axum deploy staging --release rel-3)`);
    expect(w.told.get('run-3')).toMatchObject({ outcome: 'failed' });
    finish();
    await w.settle();
    expect(w.revisions('staging').map((r) => r.releaseId)).toEqual(['rel-1', 'rel-2']);
    expect(w.current()).toBe('rel-2');
  });

  it('queued while axum.yml does not declare the environment: not queued, so declaring it again deploys nothing (as a restart would not)', async () => {
    const production = { production: { branch: 'main' } };
    const both = testConfig({ environments: { staging: { branch: 'staging' }, ...production } });
    const w = world(both);
    await w.ship();
    w.deployments.setConfig(testConfig({ environments: production })); // staging left out
    const room = fillDisk(w, 'staging');
    const built = await w.build('staging');
    room();
    expect(built.message).toBe(`built rel-2; not deployed: its place in the queue could not be recorded: ${DISK} (${ROOM}: axum deploy staging --release rel-2)`);
    expect(w.envStore('staging').persisted()?.queuedReleaseId).toBeNull();
    w.deployments.setConfig(both);
    await w.settle();
    expect(w.revisions('staging').map((r) => r.releaseId)).toEqual(['rel-1']);
    expect(w.current()).toBe('rel-1');
  });
});
