import { createHash } from 'node:crypto';
import { constants, createReadStream, createWriteStream } from 'node:fs';
import { chmod, copyFile, lstat, readFile, rename, rm, stat, symlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { mkdirNoFollow, type ArtifactView, type ReleaseView } from '@axum/protocol';
import { linkProblem } from '../domain/artifact-links.js';
import type { ReleaseInput, ReleaseStore } from '../engine/ports.js';
import { selectArtifacts } from './fs-artifacts.js';
import { currentLink } from './fs-current-link.js';
import { releaseRetention } from './fs-release-retention.js';
import { repairFolder, restoreBlobs } from './fs-release-repair.js';
import { STORED_FILE_MODE } from './owner-only.js';
import {
  MANIFEST,
  MATERIALIZED,
  changedSinceMaterialized,
  contentOf,
  hashFolder,
  highestUsedNumber,
  manifestText,
  readManifests,
  readMaterialized,
  recordUsedNumber,
  stampFiles,
  sweepPartialCopies,
  writeDurably,
} from './fs-release-folders.js';

/**
 * Beside `files/` (never inside: a served folder holds only the release's files), written durably
 * once the complete copy is renamed into place: `files/` without it is a copy cut short between the
 * two, made again. `id` and content key, so a folder of a reused id is never served as another release.
 */
const COMPLETE = 'complete';
/** Where daemons before the marker moved out kept it: inside `files/`. Read, then moved beside it. */
const LEGACY_COMPLETE_MARKER = '.axum-complete';

/**
 * Releases on disk: blobs in `<root>/store/sha256/<hash>` (read-only, named by content, so an
 * identical model file is stored once) and each release's folder in `<root>/releases/<id>/files`,
 * materialized at its first deploy by copy-on-write clone where the filesystem has it, else a copy —
 * never a hardlink a step could write through. A symlink artifact is made again as a symlink (its
 * target text, stored as a blob like any file, so backups and retention need nothing of their own).
 * A rollback only swaps the `current` symlink (fs-current-link.ts).
 * Beside `files/` each release folder holds its manifest and the record of its materialization
 * (fs-release-folders.ts).
 */
export function createFsReleaseStore(root: string): ReleaseStore {
  const blobDir = join(root, 'store', 'sha256');
  const blobOf = (sha: string) => join(blobDir, sha);
  const releasesDir = join(root, 'releases');
  const folderOf = (id: string) => join(releasesDir, id);
  const filesOf = (id: string) => join(folderOf(id), 'files');
  /** The completion marker's text, or null while the folder is not complete. */
  const completion = async (id: string): Promise<string | null> => {
    const marker = await readFile(join(folderOf(id), COMPLETE), 'utf8').catch(() => null);
    if (marker !== null) return (await exists(filesOf(id))) ? marker : null;
    const legacy = await readFile(join(filesOf(id), LEGACY_COMPLETE_MARKER), 'utf8').catch(() => null);
    if (legacy === null) return null;
    // Moved out of the served folder: the new marker first, so a crash in between leaves one of them.
    await writeDurably(join(folderOf(id), COMPLETE), legacy);
    await rm(join(filesOf(id), LEGACY_COMPLETE_MARKER), { force: true });
    return legacy;
  };
  /** One materialization per release at a time: two environments deploying it share the work. */
  const materializing = new Map<string, Promise<string>>();

  async function storeFile(source: Readable): Promise<{ sha256: string; size: number }> {
    mkdirNoFollow(blobDir);
    const temp = join(blobDir, `.incoming-${process.pid}-${Math.random().toString(36).slice(2)}`);
    const hash = createHash('sha256');
    let size = 0;
    source.on('data', (chunk) => {
      hash.update(chunk);
      size += chunk.length;
    });
    try {
      await pipeline(source, createWriteStream(temp, { mode: STORED_FILE_MODE }));
    } catch (err) {
      // A full disk mid-copy: the part written would keep the disk full until the next start's sweep.
      await rm(temp, { force: true });
      throw err;
    }
    const sha256 = hash.digest('hex');
    try {
      await stat(blobOf(sha256));
      await rm(temp, { force: true }); // already stored: identical content is kept once
    } catch {
      await rename(temp, blobOf(sha256));
    }
    return { sha256, size };
  }

  /**
   * A complete folder is served as it is only when it holds this release's content: an id reused
   * after a history was lost must not serve the old release's files under the new release's name.
   */
  async function completeFolder(release: ReleaseView): Promise<string | null> {
    const files = filesOf(release.id);
    const marker = await completion(release.id);
    if (marker === null) return null;
    const content = contentOf(release);
    const record = await readMaterialized(folderOf(release.id));
    const named = marker.split('\n')[1] ?? '';
    if ((named !== '' && named !== content) || (record && record.content !== content)) throw new Error(`the folder of ${release.id} holds the files of another release of that id; refusing to serve it`);
    if (record) return files;
    // Made by an older daemon, before folders were stamped: proven by hash once, then stamped.
    const problem = await hashFolder(files, release);
    if (problem) throw new Error(`the folder of ${release.id} does not hold its files: ${problem}`);
    await writeDurably(join(folderOf(release.id), MATERIALIZED), `${JSON.stringify({ id: release.id, content, files: await stampFiles(files, release) })}\n`);
    return files;
  }

  /** One copy of a release's folder at a time: a deploy and a repair of it (or two environments) share it. */
  function materialize(release: ReleaseView): Promise<string> {
    let pending = materializing.get(release.id);
    if (!pending) {
      pending = materializeOnce(release).finally(() => materializing.delete(release.id));
      materializing.set(release.id, pending);
    }
    return pending;
  }

  async function materializeOnce(release: ReleaseView): Promise<string> {
    const complete = await completeFolder(release);
    if (complete) return complete;
    const files = filesOf(release.id);
    const refused = linkProblem(release.artifacts);
    if (refused) throw new Error(`${release.id}: ${refused}`);
    const temp = `${files}.partial-${process.pid}-${Date.now()}`;
    mkdirNoFollow(temp);
    try {
      for (const artifact of release.artifacts) {
        const target = join(temp, ...artifact.path.split('/'));
        mkdirNoFollow(dirname(target));
        if (artifact.link !== undefined) {
          await symlink(artifact.link, target);
          continue;
        }
        await copyFile(blobOf(artifact.sha256), target, constants.COPYFILE_FICLONE);
        await chmod(target, STORED_FILE_MODE);
      }
      const content = contentOf(release);
      // Stamped before the folder is in place (a rename moves no file's times), so every complete
      // folder has its record: the check before a pointer move compares against it.
      await writeDurably(join(folderOf(release.id), MATERIALIZED), `${JSON.stringify({ id: release.id, content, files: await stampFiles(temp, release) })}\n`);
      // Only an incomplete folder (a crash before its marker) is ever replaced; a complete one may be live.
      await rm(files, { recursive: true, force: true });
      await rename(temp, files); // a reader never sees a half-copied release folder
      // Complete from here: nothing names the folder before this returns (`current` moves after).
      await writeDurably(join(folderOf(release.id), COMPLETE), `${release.id}\n${content}\n`);
      return files;
    } catch (err) {
      await rm(temp, { recursive: true, force: true });
      throw err;
    }
  }

  return {
    async create(input: ReleaseInput): Promise<ReleaseView> {
      const { files, unmatched } = await selectArtifacts(input.workdir, input.patterns, input.refusePath);
      if (unmatched.length > 0) input.unmatched?.(unmatched);
      const artifacts: ArtifactView[] = [];
      for (const file of files) {
        if (file.link === undefined) artifacts.push({ path: file.path, ...(await storeFile(createReadStream(file.source))) });
        else artifacts.push({ path: file.path, ...(await storeFile(Readable.from([Buffer.from(file.link)]))), link: file.link });
      }
      const release: ReleaseView = {
        id: input.id,
        runId: input.runId,
        commit: input.commit,
        branch: input.branch,
        subject: input.subject,
        createdAt: input.createdAt,
        marks: [],
        artifacts,
        metrics: input.metrics,
        bad: null,
        config: input.config,
      };
      // Before the release is recorded: a folder always describes itself (the index can be rebuilt).
      mkdirNoFollow(folderOf(input.id));
      await writeDurably(join(folderOf(input.id), MANIFEST), manifestText(release));
      return release;
    },
    async check(release) {
      for (const artifact of release.artifacts) {
        let info;
        try {
          info = await stat(blobOf(artifact.sha256));
        } catch {
          return `${artifact.path}: its stored copy (sha256 ${artifact.sha256.slice(0, 12)}…) is missing from the store`;
        }
        if (info.size !== artifact.size) return `${artifact.path}: its stored copy has ${info.size} bytes, expected ${artifact.size} (corrupt)`;
        if ((info.mode & 0o222) !== 0) return `${artifact.path}: its stored copy is writable; refusing a blob that may have changed`;
        if (artifact.link !== undefined && createHash('sha256').update(artifact.link).digest('hex') !== artifact.sha256) {
          return `${artifact.path}: its recorded symlink target ${artifact.link} does not match its sha256 (a changed record)`;
        }
      }
      const refused = linkProblem(release.artifacts);
      if (refused) return refused;
      // A folder materialized earlier must still be what was verified (it is what `current` will
      // name): compared by size and change times, not re-hashed, so a move stays O(files).
      const files = filesOf(release.id);
      if ((await completion(release.id)) !== null) {
        const record = await readMaterialized(folderOf(release.id));
        const changed = record ? await changedSinceMaterialized(files, record, release) : null;
        if (record) return changed && `${changed} (axum fsck --repair materializes it again from the store)`;
        for (const artifact of release.artifacts) {
          const info = await lstat(join(files, ...artifact.path.split('/'))).catch(() => null);
          if (!info || info.size !== artifact.size || info.isSymbolicLink() !== (artifact.link !== undefined)) return `${artifact.path}: the release folder's copy is missing or resized`;
        }
      }
      return null;
    },
    async verifyHashes(release) {
      for (const artifact of release.artifacts) {
        const hash = createHash('sha256');
        try {
          await pipeline(createReadStream(blobOf(artifact.sha256)), hash);
        } catch (err) {
          // Missing is a store that lost the release; any other read error (EIO, EACCES…) is the
          // machine's, thrown so that it marks nothing (ARCHITECTURE.md, glossary: Bad).
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return `${artifact.path}: its stored copy is missing from the store`;
          throw new Error(`${artifact.path}: its stored copy cannot be read (${(err as Error).message})`);
        }
        const actual = hash.digest('hex');
        if (actual !== artifact.sha256) return `${artifact.path}: its stored copy hashes to ${actual.slice(0, 12)}…, not ${artifact.sha256.slice(0, 12)}… (corrupt)`;
      }
      return null;
    },
    async checkFolder(release, deep) {
      const files = filesOf(release.id);
      if ((await completion(release.id)) === null) return { materialized: false, problem: null };
      const record = await readMaterialized(folderOf(release.id));
      if (record && record.content !== contentOf(release)) return { materialized: true, problem: `the folder of ${release.id} holds the files of another release of that id` };
      const changed = record ? await changedSinceMaterialized(files, record, release) : null;
      return { materialized: true, problem: changed ?? (deep || !record ? await hashFolder(files, release) : null) };
    },
    highestReleaseNumber: () => highestUsedNumber(root, releasesDir),
    recordReleaseNumber: (n) => recordUsedNumber(root, n),
    sweepPartials: () => sweepPartialCopies(releasesDir),
    readManifests: () => readManifests(releasesDir),
    async describe(releases) {
      for (const release of releases) {
        const file = join(folderOf(release.id), MANIFEST);
        if (await exists(file)) continue;
        mkdirNoFollow(folderOf(release.id));
        await writeDurably(file, manifestText(release));
      }
    },
    async repairFolder(release) {
      // A record is not trusted (a tampered manifest read back by `fsck --rebuild`): no path of it may
      // leave the folder, no link point outside it — refused before anything is written or removed.
      const refused = linkProblem(release.artifacts);
      if (refused) throw new Error(`${release.id}: ${refused}`);
      await materializing.get(release.id)?.catch(() => undefined); // not beside a copy of the same folder
      // A folder that is gone or was never complete is made whole the way a deploy makes it, through
      // the same one-at-a-time copy (a deploy of it meanwhile shares it, never races it).
      if ((await completion(release.id)) === null) {
        await materialize(release);
        if (!(await exists(join(folderOf(release.id), MANIFEST)))) await writeDurably(join(folderOf(release.id), MANIFEST), manifestText(release));
        return release.artifacts.map((a) => a.path);
      }
      const record = await readMaterialized(folderOf(release.id));
      if (record && record.content !== contentOf(release)) throw new Error(`the folder of ${release.id} holds the files of another release of that id; refusing to repair it`);
      return repairFolder(release, folderOf(release.id), blobOf);
    },
    async restoreBlobs(release, sources, dryRun) {
      const complete = [];
      for (const source of [release, ...sources.filter((s) => s.id !== release.id)]) {
        if ((await completion(source.id)) !== null) complete.push({ id: source.id, files: filesOf(source.id), artifacts: source.artifacts });
      }
      mkdirNoFollow(blobDir);
      return restoreBlobs(release, complete, blobDir, dryRun);
    },
    materialize,
    ...releaseRetention(root),
    ...currentLink,
  };
}

async function exists(path: string): Promise<boolean> {
  return lstat(path).then(
    () => true,
    () => false,
  );
}
