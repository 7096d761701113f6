// An in-memory ReleaseStore for the deployments' tests (fake-ports.ts has the other ports): releases,
// their materialized folders and `current` pointers kept in maps, with switches to fail as disks do.
import type { ReleaseView } from '@axum/protocol';
import type { ReleaseInput, ReleaseStore } from '../ports.js';

/** What a release store holds outside the documents: pointers and materialized folders. */
export interface ReleaseStoreSnapshot {
  current: Map<string, string>;
  materialized: Set<string>;
}

export type FakeReleaseStore = ReleaseStore & {
  /** envDir → release id `current` names. */
  current: Map<string, string>;
  materialized: Set<string>;
  /** Every pointer swap, in order. */
  swaps: { envDir: string; releaseId: string }[];
  pruned: string[];
  sweeps: string[][];
  /** Switches that make the next operations fail like a real disk does. */
  faults: {
    /** The next N swaps throw EPERM (a pointer that cannot be written). */
    swapFailures: number;
    /** `check` reports a stored blob of these releases missing. */
    missingBlob: Set<string>;
    /** `verifyHashes` reports a hash mismatch for these releases. */
    hashMismatch: Set<string>;
    /** `verifyHashes` of these releases rejects with EIO (a read error of the machine). */
    unreadable: Set<string>;
    /** `materialize` of these releases throws ENOSPC. */
    diskFull: Set<string>;
    /** What materializing a release throws (a test makes the real error: a state-folder refusal…). */
    materializeErrors: Map<string, unknown>;
    /** `checkFolder` finds a file of these releases' folders changed. */
    folderChanged: Set<string>;
    /** Awaited by `currentTarget` after it read the link, before it answers: a slow read the world can move under. */
    afterCurrentRead: (() => Promise<void>) | null;
  };
  /** What `readManifests` finds in the release folders. */
  manifests: ReleaseView[];
  snapshot(): ReleaseStoreSnapshot;
};

const RELEASES_DIR = '/state/releases/';
const errno = (code: string, message: string) => Object.assign(new Error(`${code}: ${message}`), { code });

/** An in-memory ReleaseStore; `from` restores what a crashed daemon left on disk. */
export function createFakeReleaseStore(from?: ReleaseStoreSnapshot): FakeReleaseStore {
  const current = new Map(from?.current);
  const materialized = new Set(from?.materialized);
  const swaps: { envDir: string; releaseId: string }[] = [];
  const faults = { swapFailures: 0, missingBlob: new Set<string>(), hashMismatch: new Set<string>(), unreadable: new Set<string>(), diskFull: new Set<string>(), materializeErrors: new Map<string, unknown>(), folderChanged: new Set<string>(), afterCurrentRead: null as (() => Promise<void>) | null };
  const pruned: string[] = [];
  const sweeps: string[][] = [];
  let highestNumber = 0;
  const store: FakeReleaseStore = {
    current,
    materialized,
    swaps,
    pruned,
    sweeps,
    faults,
    snapshot: () => ({ current: new Map(current), materialized: new Set(materialized) }),
    async create(input: ReleaseInput): Promise<ReleaseView> {
      const { id, runId, commit, branch, subject, createdAt, metrics, config } = input;
      const refusal = input.refusePath?.('model/weights.bin') ?? null;
      if (refusal !== null) throw new Error(refusal);
      return { id, runId, commit, branch, subject, createdAt, metrics, artifacts: [{ path: 'model/weights.bin', sha256: 'a'.repeat(64), size: 4 }], bad: null, marks: [], config };
    },
    async check(release) {
      return faults.missingBlob.has(release.id) ? `model/weights.bin: stored file of ${release.id} is missing` : null;
    },
    async verifyHashes(release) {
      if (faults.unreadable.has(release.id)) throw new Error('model/weights.bin: its stored copy cannot be read (EIO: i/o error, read)');
      return faults.hashMismatch.has(release.id) ? 'model/weights.bin: sha256 does not match' : null;
    },
    async checkFolder(release) {
      return { materialized: materialized.has(release.id), problem: faults.folderChanged.has(release.id) ? 'model/weights.bin: changed since it was materialized' : null };
    },
    async highestReleaseNumber() {
      return highestNumber;
    },
    async recordReleaseNumber(n) {
      highestNumber = Math.max(highestNumber, n);
    },
    sweepPartials: async () => [],
    describe: async () => undefined,
    manifests: [],
    async readManifests() {
      return { releases: structuredClone(store.manifests), unreadable: [] };
    },
    async materialize(release) {
      if (faults.diskFull.has(release.id)) throw errno('ENOSPC', 'no space left on device');
      if (faults.materializeErrors.has(release.id)) throw faults.materializeErrors.get(release.id);
      materialized.add(release.id);
      return `${RELEASES_DIR}${release.id}`;
    },
    async repairFolder(release) {
      faults.folderChanged.delete(release.id);
      materialized.add(release.id);
      return release.artifacts.map((a) => a.path);
    },
    async restoreBlobs() {
      return { restored: [], lost: [] };
    },
    async swapCurrent(envDir, releaseDir) {
      if (faults.swapFailures > 0) {
        faults.swapFailures -= 1;
        throw errno('EPERM', `operation not permitted, rename '${envDir}/current.tmp'`);
      }
      const releaseId = releaseDir.slice(RELEASES_DIR.length);
      // The real store links to a folder: swapping to one never materialized is a caller's bug.
      if (!releaseDir.startsWith(RELEASES_DIR) || !materialized.has(releaseId)) throw new Error(`swap to ${releaseDir}, which was never materialized`);
      current.set(envDir, releaseId);
      swaps.push({ envDir, releaseId });
    },
    async prune(_kept, dropped) {
      for (const r of dropped) {
        pruned.push(r.id);
        materialized.delete(r.id);
      }
    },
    async sweep(kept) {
      sweeps.push(kept.map((r) => r.id));
      return { releases: [], blobs: 0 };
    },
    async clearCurrent(envDir) {
      current.delete(envDir);
    },
    async currentReleaseId(envDir) {
      return current.get(envDir) ?? null;
    },
    async currentTarget(envDir) {
      const releaseId = current.get(envDir);
      await faults.afterCurrentRead?.();
      return releaseId === undefined ? null : { releaseId, present: materialized.has(releaseId) };
    },
  };
  return store;
}

