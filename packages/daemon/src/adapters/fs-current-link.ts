// An environment's `current`: the one symlink naming the release folder it serves, replaced
// atomically (a new link made beside it, renamed over it), and read back for reconciliation.
import { readlink, rename, rm, stat, symlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { mkdirNoFollow } from '@axum/protocol';
import type { ReleaseStore } from '../engine/ports.js';

/** The `current` half of the release store: swap, clear and read the link of an environment's folder. */
export const currentLink: Pick<ReleaseStore, 'swapCurrent' | 'clearCurrent' | 'currentReleaseId' | 'currentTarget'> = {
  async swapCurrent(envDir, releaseDir) {
    mkdirNoFollow(envDir);
    const temp = join(envDir, `.current-${process.pid}-${Date.now()}`);
    await symlink(releaseDir, temp);
    await rename(temp, join(envDir, 'current'));
  },
  async clearCurrent(envDir) {
    await rm(join(envDir, 'current'), { force: true });
  },
  async currentReleaseId(envDir) {
    try {
      const target = await readlink(join(envDir, 'current'));
      return basename(dirname(target));
    } catch {
      return null;
    }
  },
  async currentTarget(envDir) {
    const link = join(envDir, 'current');
    const target = await readlink(link).catch(() => null);
    if (target === null) return null;
    // stat follows the link: a dangling one (its folder removed) is not present.
    const present = await stat(link).then((s) => s.isDirectory(), () => false);
    const releaseId = basename(dirname(target));
    // Only `…/releases/<id>/files` is a release's folder (the repository may have moved since the
    // link was made); a link made by hand to anywhere else names none.
    const folder = resolve(envDir, target);
    if (basename(folder) !== 'files' || basename(dirname(dirname(folder))) !== 'releases') return { releaseId, present, foreign: target };
    return { releaseId, present };
  },
};
