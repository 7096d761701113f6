import { afterEach, describe, expect, it, vi } from 'vitest';
import { deployWorlds, holdVerify } from './testing/deploy-world.js';
import { releaseOf } from './testing/fake-ports.js';

const world = deployWorlds(afterEach);

describe('release integrity', () => {
  it('after a pointer move the folder is re-hashed in the background: a mismatch raises the incident, the operation is not held', async () => {
    const w = world();
    w.releases.faults.folderChanged.add('rel-1');
    await w.ship();
    expect(w.revisions('staging').map((r) => r.status)).toEqual(['live']);
    await vi.waitFor(() => expect(w.deployments.state('staging').incident).toBe('current names rel-1: model/weights.bin: changed since it was materialized'));
    expect(w.release('rel-1').bad).toBeNull(); // the stored files are whole: nothing is marked
  });

  it('after a pointer move the stored copies are re-hashed in the background too: a mismatch marks the release bad, the answer does not wait', async () => {
    const w = world();
    await w.ship();
    w.releases.faults.hashMismatch.add('rel-2');
    await w.ship();
    // The revision went live on its verify steps; the re-hash found the stored copy corrupt afterwards.
    expect(w.revisions('staging').map((r) => r.status)).toEqual(['superseded', 'live']);
    expect(w.release('rel-2').bad).toMatchObject({ by: 'integrity check after the move of staging', why: 'model/weights.bin: sha256 does not match' });
    expect(w.warnings).toContainEqual(expect.stringContaining('rel-2: model/weights.bin: sha256 does not match (marked bad'));
  });

  it('the re-hash after a move waits for the operation: no byte of the release is read while its verify steps run', async () => {
    const w = world();
    await w.ship();
    w.releases.faults.hashMismatch.add('rel-2'); // so the re-hash, once it runs, says so by marking rel-2 bad
    const finish = holdVerify(w, 'rel-2');
    await w.build();
    await vi.waitFor(() => expect(w.runner.ran('smoke').map(releaseOf)).toContain('rel-2'));
    expect(w.current('staging')).toContain('rel-2'); // moved, verifying
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 0)); // the fakes answer within a macrotask
    expect(w.release('rel-2').bad).toBeNull();
    finish();
    await w.settle();
    await vi.waitFor(() => expect(w.release('rel-2').bad).toMatchObject({ by: 'integrity check after the move of staging' }));
  });

  it('a read error while re-hashing in the background marks nothing (an error of the machine)', async () => {
    const w = world();
    await w.ship();
    w.releases.faults.unreadable.add('rel-2');
    await w.ship();
    expect(w.revisions('staging').map((r) => r.status)).toEqual(['superseded', 'live']);
    expect(w.release('rel-2').bad).toBeNull();
    expect(w.warnings).toContainEqual(expect.stringContaining('rel-2: its stored files could not be re-hashed (model/weights.bin: its stored copy cannot be read (EIO'));
  });

  it('fsck reports a changed folder current names (incident raised), marks nothing bad', async () => {
    const w = world();
    await w.ship();
    w.releases.faults.folderChanged.add('rel-1');
    const report = await w.deployments.fsck();
    expect(report.environments).toEqual([{ env: 'staging', problem: 'current names rel-1: model/weights.bin: changed since it was materialized' }]);
    expect(report.problems).toEqual([{ releaseId: 'rel-1', problem: 'model/weights.bin: changed since it was materialized (axum fsck --repair materializes it again from the store)' }]);
    expect(w.deployments.state('staging').incident).toBe(report.environments[0]?.problem);
    expect(w.release('rel-1').bad).toBeNull();
    // Asked to repair: the folder is made whole from the store, and its incident closes.
    const repaired = await w.deployments.fsck(false, true);
    expect(repaired).toMatchObject({ problems: [], environments: [], repaired: [{ releaseId: 'rel-1', repaired: 'materialized model/weights.bin again from the store' }] });
    expect(w.deployments.state('staging').incident).toBeNull();
  });

  it('fsck --rebuild adds the releases only the folders describe and keeps the marks the index still has', async () => {
    const w = world();
    await w.ship();
    await w.ship();
    w.releases.faults.hashMismatch.add('rel-1');
    await w.deployments.fsck(); // store corruption: rel-1 marked bad
    const [rel1, rel2] = [w.release('rel-1'), w.release('rel-2')];
    w.releases.manifests = [{ ...rel1, bad: null }, { ...rel2, bad: null }, { ...rel2, id: 'rel-0', createdAt: '2000-01-01T00:00:00.000Z', bad: null }];
    const report = await w.deployments.fsck(true);
    expect(report.rebuilt).toEqual({ added: ['rel-0'], kept: 2, withoutManifest: [] });
    expect(w.deployments.releases().map((r) => r.id)).toEqual(['rel-2', 'rel-1', 'rel-0']);
    expect(w.release('rel-1').bad).toMatchObject({ by: 'axum fsck' });
  });
});
