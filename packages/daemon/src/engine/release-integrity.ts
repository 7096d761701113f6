// The release store telling the truth about itself (RELIABILITY.md, "Release integrity"): the
// full re-hash of a release folder after every pointer move (in the background: the check before
// the move is by size and change times), `axum fsck` over stored files, release folders and every
// environment's `current`, and the rebuild of a lost release index from the folders' manifests.
import type { FsckReport, ReleaseView } from '@axum/protocol';
import type { DeployState } from './deploy-state.js';
import type { ReleaseStore } from './ports.js';
import { environmentsOf, runFsck } from './release-fsck.js';

/**
 * The store with a hook after every pointer move (deploy, rollback, auto-rollback, recovery), and
 * the daemon's own moves counted per environment folder: `quiet` is null while one is under way,
 * else how many began and ended (a comparison of `current` with the history spanning one is void).
 */
export function watchingMoves(store: ReleaseStore, moved: (envDir: string) => void): { store: ReleaseStore; quiet(envDir: string): number | null } {
  const moves = new Map<string, { running: number; count: number }>();
  const counted = async (envDir: string, move: () => Promise<void>) => {
    const at = moves.get(envDir) ?? { running: 0, count: 0 };
    moves.set(envDir, at);
    at.running++;
    at.count++;
    try {
      await move();
    } finally {
      at.running--;
      at.count++;
    }
  };
  return {
    store: {
      ...store,
      async swapCurrent(envDir, releaseDir) {
        await counted(envDir, () => store.swapCurrent(envDir, releaseDir));
        moved(envDir);
      },
      clearCurrent: (envDir) => counted(envDir, () => store.clearCurrent(envDir)),
    },
    quiet(envDir) {
      const at = moves.get(envDir);
      return !at ? 0 : at.running > 0 ? null : at.count;
    },
  };
}


export interface ReleaseIntegrity {
  /** After a pointer move: re-hashes the folder in the background once the operation is done; a mismatch raises the environment's incident. */
  afterMove(envDir: string): void;
  /** `axum fsck` (`rebuild`: first adds every release a folder's manifest describes and the index lacks; `repair`: puts right what can be, release-fsck.ts). */
  fsck(rebuild: boolean, repair: boolean): Promise<FsckReport>;
}

/** What the integrity checks need from the environments' coordinator. */
export interface IntegrityHooks {
  /** Resolves when the operation holding the environment (if any) has recorded its outcome. */
  operationDone(env: string): Promise<void>;
  /** Counts background work as the environment's (what `idle` waits for). */
  track(env: string, work: Promise<void>): void;
  /** Compares the environment's `current` with its history now (reconciliation.ts): after a repair, a disagreement may have gone. */
  compare(env: string): Promise<string | null>;
}

export function createReleaseIntegrity(state: DeployState, hooks: IntegrityHooks): ReleaseIntegrity {
  const { deps } = state;

  /** Says it on the environment (status, TUI), unless `current` no longer names that release. */
  async function raise(env: string, named: string | null, incident: string): Promise<void> {
    if ((await deps.releases.currentReleaseId(state.envDir(env))) !== named) return;
    const doc = await state.docOf(env);
    doc.incident = incident;
    deps.logger.warn(`${env}: ${doc.incident}`);
    await state.persist(env);
  }

  /**
   * The full re-hash after a move, off the critical path: it starts once the operation has recorded
   * its outcome, so the answer ("verified") never waits for O(bytes) work nor competes with it. A folder that no longer matches its manifest (what `current` serves) raises the
   * environment's incident and marks nothing: the release's stored files are whole. A stored copy
   * that no longer matches marks the release bad, as `axum fsck` does: it could not be
   * materialized again. A read error is the machine's: said, nothing marked.
   */
  async function rehash(env: string, release: ReleaseView): Promise<void> {
    const folder = await deps.releases.checkFolder(release, true).then(
      ({ problem }) => problem,
      (err: Error) => `its files could not be re-hashed (${err.message})`,
    );
    const stored = await deps.releases.verifyHashes(release).then(
      (problem) => (problem ? { problem, corrupt: true } : null),
      (err: Error) => ({ problem: `its stored files could not be re-hashed (${err.message})`, corrupt: false }),
    );
    if (stored?.corrupt) await state.markBad(release.id, `integrity check after the move of ${env}`, stored.problem);
    if (stored) deps.warn(`${release.id}: ${stored.problem}${stored.corrupt ? ' (marked bad; axum fsck checks every release)' : ''}`);
    if (!folder) return;
    // After the operation has recorded its outcome, which would otherwise clear the incident.
    await hooks.operationDone(env);
    await raise(env, release.id, `current names ${release.id}: ${folder}`);
  }

  async function rebuildIndex(): Promise<NonNullable<FsckReport['rebuilt']>> {
    const doc = state.releasesDoc();
    const known = new Set(doc.releases.map((r) => r.id));
    const { releases, unreadable } = await deps.releases.readManifests();
    const added = releases.filter((r) => !known.has(r.id));
    if (added.length > 0) {
      // Marks still known stay (the index's own releases are untouched); the added ones carry none.
      doc.releases = [...doc.releases, ...added].sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
      await deps.releasesStore.save(doc);
      deps.logger.info(`release index rebuilt: added ${added.map((r) => r.id).join(', ')} from their folders' manifests`);
    }
    return { added: added.map((r) => r.id), kept: known.size, withoutManifest: unreadable.filter((id) => !known.has(id)) };
  }

  return {
    afterMove(envDir) {
      const env = environmentsOf(state).find((name) => state.envDir(name) === envDir);
      if (!env) return;
      hooks.track(
        env,
        deps.releases
          .currentReleaseId(envDir)
          .then(async (id) => {
            const release = id === null ? undefined : state.release(id);
            if (!release) return;
            // Once the operation that moved it has its outcome: its verify steps, and the CLI waiting
            // for their answer, never share the disk and the CPU with reading every byte of the release.
            await hooks.operationDone(env);
            await rehash(env, release);
          })
          .catch((err: Error) => deps.logger.warn(`${env}: re-hashing the release current names after the pointer moved: ${err.message}`)),
      );
    },
    async fsck(rebuild, repair) {
      const rebuilt = rebuild ? await rebuildIndex() : null;
      return { ...(await runFsck(state, repair, raise, hooks.compare)), rebuilt };
    },
  };
}
