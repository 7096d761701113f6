import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PipelineConfigSchema } from '@axum/protocol';
import { createFsReleaseStore } from './fs-release-store.js';

function fixture() {
  const root = mkdtempSync(join(tmpdir(), 'axum-folders-'));
  const work = join(root, 'work');
  mkdirSync(join(work, 'model'), { recursive: true });
  writeFileSync(join(work, 'model', 'weights.bin'), 'w'.repeat(1000));
  const state = join(root, 'state');
  const store = createFsReleaseStore(state);
  const input = { id: 'rel-1', runId: 'run-1', commit: 'c'.repeat(40), branch: 'main', subject: 's', workdir: work, patterns: ['model/**'], metrics: { accuracy: 0.9 }, createdAt: '2026-01-01T00:00:00.000Z', config: PipelineConfigSchema.parse({ version: 1, environments: { staging: { branch: 'main' } }, stages: [{ name: 'b', steps: [{ name: 's', run: 'true' }] }] }) };
  return { state, work, store, input };
}

describe('release folders describe themselves', () => {
  it('the manifest is written at create and read back whole (without marks)', async () => {
    const { state, store, input } = fixture();
    const release = await store.create(input);
    expect(JSON.parse(readFileSync(join(state, 'releases', 'rel-1', 'manifest.json'), 'utf8'))).toMatchObject({ id: 'rel-1', commit: input.commit, metrics: { accuracy: 0.9 }, artifacts: release.artifacts });
    mkdirSync(join(state, 'releases', 'rel-0'), { recursive: true }); // an older daemon's folder: no manifest
    expect(await store.readManifests()).toEqual({ releases: [release], unreadable: ['rel-0'] });
    // At start, from a history read whole, the older daemon's release gets its manifest.
    const older = { ...release, id: 'rel-0', createdAt: '2025-01-01T00:00:00.000Z' };
    await store.describe([older, release]);
    expect(await store.readManifests()).toEqual({ releases: [older, release], unreadable: [] });
  });

  it('the check before a move compares size and change times: a same-size rewrite of a materialized file is caught with its path', async () => {
    const { store, input } = fixture();
    const release = await store.create(input);
    const dir = await store.materialize(release);
    expect(await store.check(release)).toBeNull();
    expect(await store.checkFolder(release, true)).toEqual({ materialized: true, problem: null });
    const file = join(dir, 'model', 'weights.bin');
    chmodSync(file, 0o644);
    writeFileSync(file, 'x'.repeat(1000));
    chmodSync(file, 0o444);
    expect(await store.check(release)).toBe('model/weights.bin: changed since it was materialized (axum fsck --repair materializes it again from the store)');
    expect((await store.checkFolder(release, true)).problem).toMatch(/^model\/weights\.bin: changed since it was materialized/);
    // Not silently copied again: the folder stays as found, and the deploy is refused by the check.
    expect(await store.materialize(release)).toBe(dir);
    expect(readFileSync(file, 'utf8')).toBe('x'.repeat(1000));
    rmSync(file);
    expect(await store.check(release)).toMatch(/^model\/weights\.bin: missing from the release folder/);
  });

  it('a complete folder holding another release of the same id is refused, never served', async () => {
    const { work, store, input } = fixture();
    const old = await store.create(input);
    await store.materialize(old);
    writeFileSync(join(work, 'model', 'weights.bin'), 'n'.repeat(1000));
    const reused = await store.create(input); // same id, other content (a lost history's id)
    await expect(store.materialize(reused)).rejects.toThrow(/holds the files of another release of that id/);
  });

  it('release numbers: the counter is durable and respects every rel-N folder on disk', async () => {
    const { state, store } = fixture();
    expect(await store.highestReleaseNumber()).toBe(0);
    await store.recordReleaseNumber(3);
    expect(await store.highestReleaseNumber()).toBe(3);
    expect(readFileSync(join(state, 'release-counter'), 'utf8')).toBe('3\n');
    mkdirSync(join(state, 'releases', 'rel-7-2'), { recursive: true }); // an older daemon's id
    expect(await createFsReleaseStore(state).highestReleaseNumber()).toBe(7);
  });

  it('a served folder holds only the release files: its completion is marked beside it, and a copy whose mark never came is made again', async () => {
    const { state, store, input } = fixture();
    const release = await store.create(input);
    const dir = await store.materialize(release);
    expect(readdirSync(dir, { recursive: true }).sort()).toEqual(['model', join('model', 'weights.bin')]);
    const folder = join(state, 'releases', 'rel-1');
    expect(readFileSync(join(folder, 'complete'), 'utf8')).toMatch(/^rel-1\n[0-9a-f]+\n$/);
    // Killed between the rename of the whole copy and its mark: not complete, so never served as is.
    rmSync(join(folder, 'complete'));
    expect(await store.checkFolder(release, false)).toEqual({ materialized: false, problem: null });
    writeFileSync(join(dir, 'stray'), 'left by the copy cut short');
    expect(await store.materialize(release)).toBe(dir);
    expect(existsSync(join(dir, 'stray'))).toBe(false);
    expect(existsSync(join(folder, 'complete'))).toBe(true);
    expect(await store.check(release)).toBeNull();
  });

  it("an older daemon's folder, marked complete inside, is served and its mark moved out of it", async () => {
    const { state, store, input } = fixture();
    const release = await store.create(input);
    const dir = await store.materialize(release);
    const folder = join(state, 'releases', 'rel-1');
    renameSync(join(folder, 'complete'), join(dir, '.axum-complete'));
    expect(await store.checkFolder(release, true)).toEqual({ materialized: true, problem: null });
    expect(existsSync(join(dir, '.axum-complete'))).toBe(false);
    expect(existsSync(join(folder, 'complete'))).toBe(true);
    expect(await store.materialize(release)).toBe(dir);
  });

  it('partial copies are swept, complete folders kept', async () => {
    const { state, store, input } = fixture();
    const release = await store.create(input);
    await store.materialize(release);
    const partial = join(state, 'releases', 'rel-1', 'files.partial-1-2');
    mkdirSync(join(partial, 'model'), { recursive: true });
    expect(await store.sweepPartials()).toEqual(['rel-1/files.partial-1-2']);
    expect(existsSync(partial)).toBe(false);
    expect(await store.check(release)).toBeNull();
  });
});

describe('repair (axum fsck --repair)', () => {
  it('a live folder with a file rewritten and a folder put in its place: each put back from the store by a rename, the folder stamped anew', async () => {
    const { store, input, work } = fixture();
    writeFileSync(join(work, 'model', 'config.json'), '{}');
    const release = await store.create(input);
    const dir = await store.materialize(release);
    const file = join(dir, 'model', 'weights.bin');
    chmodSync(file, 0o644);
    writeFileSync(file, 'x'.repeat(1000));
    rmSync(join(dir, 'model', 'config.json'));
    mkdirSync(join(dir, 'model', 'config.json'));
    const before = statSync(dir).ino;
    expect(await store.repairFolder(release)).toEqual(['model/config.json', 'model/weights.bin']);
    expect(readFileSync(file, 'utf8')).toBe('w'.repeat(1000));
    expect(statSync(file).mode & 0o777).toBe(0o400);
    expect(readFileSync(join(dir, 'model', 'config.json'), 'utf8')).toBe('{}');
    expect(statSync(dir).ino).toBe(before); // the same folder: `current` never named a missing one
    expect(readdirSync(join(dir, '..')).filter((n) => n.startsWith('.'))).toEqual([]); // no temp copy left
    expect(await store.check(release)).toBeNull();
    expect(await store.checkFolder(release, true)).toEqual({ materialized: true, problem: null });
    // Whole again: a second repair puts nothing back.
    expect(await store.repairFolder(release)).toEqual([]);
  });

  it('a folder on the way replaced by a symlink to a folder outside: the link is removed, nothing is written outside the release', async () => {
    const { state, store, input } = fixture();
    const release = await store.create(input);
    const dir = await store.materialize(release);
    const outside = join(state, '..', 'outside');
    mkdirSync(outside);
    rmSync(join(dir, 'model'), { recursive: true, force: true });
    symlinkSync(outside, join(dir, 'model'));
    expect(await store.repairFolder(release)).toEqual(['model/weights.bin']);
    expect(readdirSync(outside)).toEqual([]);
    expect(lstatSync(join(dir, 'model')).isDirectory()).toBe(true);
    expect(readFileSync(join(dir, 'model', 'weights.bin'), 'utf8')).toBe('w'.repeat(1000));
    expect(await store.checkFolder(release, true)).toEqual({ materialized: true, problem: null });
  });

  it('a record whose path leaves the folder (a tampered manifest) repairs nothing and writes or removes nothing outside', async () => {
    const { state, store, input } = fixture();
    const release = await store.create(input);
    const dir = await store.materialize(release);
    writeFileSync(join(dir, 'model', 'weights.bin'), 'x'.repeat(1000));
    // The file the tampered path names, outside the release: two levels above files/.
    const victim = join(dir, '..', '..', 'victim.txt');
    writeFileSync(victim, 'mine');
    const tampered = { ...release, artifacts: release.artifacts.map((a) => ({ ...a, path: '../../victim.txt' })) };
    await expect(store.repairFolder(tampered)).rejects.toThrow(/"\.\.\/\.\.\/victim\.txt": a path with an empty, \. or \.\. part; refusing to make it/);
    expect(readFileSync(victim, 'utf8')).toBe('mine');
    expect(readFileSync(join(dir, 'model', 'weights.bin'), 'utf8')).toBe('x'.repeat(1000)); // nothing repaired either
    expect(existsSync(join(state, 'releases'))).toBe(true);
  });

  it('a store copy that no longer hashes to its sha256 repairs nothing: the damaged file stays as found', async () => {
    const { state, store, input } = fixture();
    const release = await store.create(input);
    const dir = await store.materialize(release);
    const blob = join(state, 'store', 'sha256', release.artifacts[0]!.sha256);
    chmodSync(blob, 0o644);
    writeFileSync(blob, 'b'.repeat(1000));
    const file = join(dir, 'model', 'weights.bin');
    chmodSync(file, 0o644);
    writeFileSync(file, 'x'.repeat(1000));
    await expect(store.repairFolder(release)).rejects.toThrow(/model\/weights\.bin: its stored copy does not hash to its sha256 either/);
    expect(readFileSync(file, 'utf8')).toBe('x'.repeat(1000));
  });

  it('a lost or corrupt stored file is given back from an intact folder copy (another release of the same bytes too), by its sha256', async () => {
    const { state, store, input } = fixture();
    const first = await store.create(input);
    const second = await store.create({ ...input, id: 'rel-2', runId: 'run-2' });
    await store.materialize(second); // only rel-2 has a folder
    const blob = join(state, 'store', 'sha256', first.artifacts[0]!.sha256);
    rmSync(blob);
    expect(await store.restoreBlobs(first, [first, second], true)).toEqual({ restored: [{ path: 'model/weights.bin', from: 'rel-2' }], lost: [] });
    expect(existsSync(blob)).toBe(false); // a dry run writes nothing
    expect(await store.restoreBlobs(first, [first, second], false)).toEqual({ restored: [{ path: 'model/weights.bin', from: 'rel-2' }], lost: [] });
    expect(readFileSync(blob, 'utf8')).toBe('w'.repeat(1000));
    expect(statSync(blob).mode & 0o777).toBe(0o400);
    expect(await store.verifyHashes(first)).toBeNull();
    // The only folder copy changed as well: nothing to give it back from.
    chmodSync(blob, 0o644);
    writeFileSync(blob, 'b'.repeat(1000));
    const copy = join(state, 'releases', 'rel-2', 'files', 'model', 'weights.bin');
    chmodSync(copy, 0o644);
    writeFileSync(copy, 'c'.repeat(1000));
    expect(await store.restoreBlobs(first, [first, second], false)).toEqual({ restored: [], lost: ['model/weights.bin'] });
    expect(readFileSync(blob, 'utf8')).toBe('b'.repeat(1000));
  });
});
