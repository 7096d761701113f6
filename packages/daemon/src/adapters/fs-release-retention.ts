// What retention and the sweep at start delete on disk: the folders of releases no longer kept,
// and every stored file no kept release names (a blob is shared by content, so it goes only when
// the last release naming it goes).
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReleaseStore } from '../engine/ports.js';

/** The delete half of the release store under `root` (`releases/<id>`, `store/sha256/<hash>`). */
export function releaseRetention(root: string): Pick<ReleaseStore, 'prune' | 'sweep'> {
  const blobDir = join(root, 'store', 'sha256');
  return {
    async prune(kept, dropped) {
      for (const release of dropped) await rm(join(root, 'releases', release.id), { recursive: true, force: true });
      const used = new Set(kept.flatMap((r) => r.artifacts.map((a) => a.sha256)));
      const blobs = await readdir(blobDir).catch(() => [] as string[]);
      for (const blob of blobs) if (/^[0-9a-f]{64}$/.test(blob) && !used.has(blob)) await rm(join(blobDir, blob), { force: true });
    },
    async sweep(kept) {
      const keptIds = new Set(kept.map((r) => r.id));
      const releases: string[] = [];
      for (const id of await readdir(join(root, 'releases')).catch(() => [] as string[])) {
        if (keptIds.has(id)) continue;
        await rm(join(root, 'releases', id), { recursive: true, force: true });
        releases.push(id);
      }
      const used = new Set(kept.flatMap((r) => r.artifacts.map((a) => a.sha256)));
      let blobs = 0;
      for (const blob of await readdir(blobDir).catch(() => [] as string[])) {
        // Stored files no release names, and half-copied `.incoming-*` files of a cut-short store.
        if ((/^[0-9a-f]{64}$/.test(blob) && !used.has(blob)) || blob.startsWith('.incoming-')) {
          await rm(join(blobDir, blob), { force: true });
          blobs++;
        }
      }
      return { releases, blobs };
    },
  };
}
