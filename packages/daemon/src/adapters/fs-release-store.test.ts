import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PipelineConfigSchema } from '@axum/protocol';
import { createFsReleaseStore } from './fs-release-store.js';

function fixture() {
  const root = mkdtempSync(join(tmpdir(), 'axum-store-'));
  const work = join(root, 'work');
  mkdirSync(join(work, 'model'), { recursive: true });
  writeFileSync(join(work, 'model', 'weights.bin'), 'w'.repeat(1000));
  writeFileSync(join(work, 'model', 'config.json'), '{}');
  writeFileSync(join(work, 'train.py'), 'not an artifact');
  const store = createFsReleaseStore(join(root, 'state'));
  const input = { id: 'rel-1', runId: 'run-1', commit: 'c'.repeat(40), branch: 'main', subject: 's', workdir: work, patterns: ['model/**'], metrics: {}, createdAt: 't', config: PipelineConfigSchema.parse({ version: 1, environments: { staging: { branch: 'main' } }, stages: [{ name: 'b', steps: [{ name: 's', run: 'true' }] }] }) };
  return { root, store, input };
}

describe('createFsReleaseStore', () => {
  it('stores only the artifacts, read-only, by content', async () => {
    const { root, store, input } = fixture();
    const release = await store.create(input);
    expect(release.artifacts.map((a) => `${a.path}:${a.size}`)).toEqual(['model/config.json:2', 'model/weights.bin:1000']);
    const blob = join(root, 'state', 'store', 'sha256', release.artifacts[1]?.sha256 ?? '');
    expect(statSync(blob).mode & 0o777).toBe(0o400);
    expect(await store.check(release)).toBeNull();
  });

  it('materializes once even when two environments deploy the same release at the same moment', async () => {
    const { root, store, input } = fixture();
    const release = await store.create(input);
    const dirs = await Promise.all(Array.from({ length: 10 }, () => store.materialize(release)));
    expect(new Set(dirs).size).toBe(1);
    const dir = dirs[0] ?? '';
    expect(readFileSync(join(dir, 'model', 'weights.bin'), 'utf8')).toBe('w'.repeat(1000));
    await Promise.all(['a', 'b'].map((env) => store.swapCurrent(join(root, 'envs', env), dir)));
    for (const env of ['a', 'b']) expect(readlinkSync(join(root, 'envs', env, 'current'))).toBe(dir);
    expect(await store.currentReleaseId(join(root, 'envs', 'a'))).toBe('rel-1');
    // A later call finds the complete folder and does not copy again.
    expect(await store.materialize(release)).toBe(dir);
  });

  it('sweep removes what no recorded release uses: files and folders a crash left stored but unrecorded', async () => {
    const { root, store, input } = fixture();
    const kept = await store.create(input);
    writeFileSync(join(input.workdir, 'model', 'weights.bin'), 'x'.repeat(500)); // a new model file
    const orphan = await store.create({ ...input, id: 'rel-2', runId: 'run-2' });
    await store.materialize(orphan);
    const blobDir = join(root, 'state', 'store', 'sha256');
    writeFileSync(join(blobDir, '.incoming-1-abc'), 'half a copy');
    const swept = await store.sweep([kept]);
    expect(swept).toEqual({ releases: ['rel-2'], blobs: 2 }); // rel-2's own weights + the half copy
    expect(readdirSync(blobDir).sort()).toEqual(kept.artifacts.map((a) => a.sha256).sort());
    expect(existsSync(join(root, 'state', 'releases', 'rel-2'))).toBe(false);
    expect(await store.check(kept)).toBeNull();
    expect(await store.sweep([kept])).toEqual({ releases: [], blobs: 0 });
  });

  it('keeps a symlink artifact as a symlink: made again in the folder, checked as a link, and a record that points it outside is refused', async () => {
    const { root, store, input } = fixture();
    symlinkSync('weights.bin', join(input.workdir, 'model', 'latest.bin'));
    const release = await store.create(input);
    const link = release.artifacts.find((a) => a.path === 'model/latest.bin');
    expect(link).toMatchObject({ link: 'weights.bin', size: 'weights.bin'.length });
    // The link's text is stored as a blob like a file's bytes: retention, backups and re-hashing need nothing more.
    expect(readFileSync(join(root, 'state', 'store', 'sha256', link!.sha256), 'utf8')).toBe('weights.bin');
    expect(await store.check(release)).toBeNull();
    const dir = await store.materialize(release);
    expect(lstatSync(join(dir, 'model', 'latest.bin')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'model', 'latest.bin'))).toBe('weights.bin');
    expect(await store.checkFolder(release, true)).toEqual({ materialized: true, problem: null });

    // Replaced by the file it named (the same bytes a reader would get): no longer the release.
    rmSync(join(dir, 'model', 'latest.bin'));
    writeFileSync(join(dir, 'model', 'latest.bin'), 'w'.repeat(1000));
    expect((await store.checkFolder(release, true)).problem).toContain('model/latest.bin: the release folder\'s symlink to weights.bin is no longer a symlink');
    expect(await store.check(release)).toContain('model/latest.bin');

    // A record (a tampered manifest or backup) whose link leaves the release is never made.
    const outside = { ...release, id: 'rel-2', artifacts: release.artifacts.map((a) => (a.link === undefined ? a : { ...a, link: '../../../../etc/passwd' })) };
    await expect(store.materialize(outside)).rejects.toThrow('model/latest.bin: a symlink to ../../../../etc/passwd, which is not a file of the release');
    expect(existsSync(join(root, 'state', 'releases', 'rel-2', 'files'))).toBe(false);
    expect(await store.check(outside)).toContain('does not match its sha256');
  });
});

/** A 256 KiB tmpfs for a full disk, or null where mounting one is not allowed (not root). */
function smallDisk(): { dir: string; unmount: () => void } | null {
  const dir = mkdtempSync(join(tmpdir(), 'axum-full-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return null;
  }
  return {
    dir,
    unmount: () => {
      execFileSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
const disk = smallDisk();
disk?.unmount();

describe.skipIf(disk === null)('createFsReleaseStore on a disk that fills up (a real tmpfs of 256 KiB)', () => {
  it('refuses the release with the disk error and leaves no half-copied file taking the space', async () => {
    const small = smallDisk()!;
    try {
      const { input } = fixture();
      writeFileSync(join(input.workdir, 'model', 'weights.bin'), Buffer.alloc(1024 * 1024, 7));
      const store = createFsReleaseStore(join(small.dir, 'state'));
      await expect(store.create(input)).rejects.toThrow(/ENOSPC/);
      expect(readdirSync(join(small.dir, 'state', 'store', 'sha256')).filter((name) => name.startsWith('.incoming-'))).toEqual([]);
    } finally {
      small.unmount();
    }
  });
});
