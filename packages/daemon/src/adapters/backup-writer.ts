// Writes one backup of `.axum/` to a target (docs/backups.md): a local folder or a folder on
// an SSH host (backup-targets.ts picks the destination). A target holds `objects/<sha256>` (every
// file's content, blobs and history documents alike, so nothing is ever overwritten in place) and
// `axum-backup.json`, the manifest, published last and atomically: a backup cut short leaves only
// extra objects, and the previous manifest still names a complete backup.
import type { BackupTargetReport } from '@axum/protocol';
import { BackupManifest, BackupManifestFile, planSend, snapshotId, snapshotsToKeep, type BackupFile } from '../domain/backup-manifest.js';
import { noCrash, type CrashHook } from '../engine/crash-points.js';
import type { BackupWriter } from '../engine/ports.js';
import type { BackupDestination } from './backup-destination.js';
import { sha256Of } from './fs-backup-objects.js';
import { collectSources, damagedHistoryFile, type LostBlob, type PreviousBackup, type Source } from './fs-backup-sources.js';
import { describeFsError } from '../domain/disk-errors.js';

/** The backup writer over `destinationFor` (one destination per target as written in `backup.to`); each backup is a snapshot. */
export function createBackupWriter(options: { stateDir: string; repoRoot: string; now: () => Date; destinationFor: (target: string) => BackupDestination; crash?: CrashHook }): BackupWriter {
  const { stateDir, repoRoot } = options;
  const crash = options.crash ?? noCrash;
  return {
    async backup(target, keep, takeOver = false) {
      const at = options.now().toISOString();
      const failed = (error: string): BackupTargetReport => ({ target, ok: false, error, files: 0, sent: { files: 0, bytes: 0 }, present: { files: 0, bytes: 0 }, at });
      let destination: BackupDestination;
      try {
        destination = options.destinationFor(target);
      } catch (err) {
        return failed((err as Error).message);
      }
      const { label } = destination;
      try {
        const damaged = await damagedHistoryFile(stateDir);
        if (damaged) {
          return failed(
            `not backed up: ${damaged} was moved aside as damaged, so the history may lack what the backup in ${label} holds, and that backup is kept as it is; compare them (axum restore --from ${label} into a fresh clone), then move ${damaged} out of .axum/history to back up the history as it is now`,
          );
        }
      } catch (err) {
        return failed(`reading .axum/: ${describeFsError(err)}`);
      }
      try {
        const contents = await destination.inspect();
        const owner = otherRepository(contents.manifest, repoRoot);
        if (owner !== null && !takeOver) return failed(otherRepositoryProblem(label, owner, repoRoot));
        let sources: Source[];
        const missing: LostBlob[] = [];
        try {
          sources = await collectSources(stateDir, previousBackup(contents.manifest), missing);
        } catch (err) {
          return failed(`reading .axum/: ${describeFsError(err)}`);
        }
        // A `.axum/` lost or wiped (`rm -rf .axum`, `git clean -fdx`) starts an empty history: backed
        // up as the newest snapshot, it would become what a restore brings back by default, and in
        // time push the real history out of the kept snapshots. Said instead, with the way back.
        const previous = parseManifestText(contents.manifest);
        const releasesThere = previous?.files.filter((f) => /^releases\/[^/]+\/manifest\.json$/.test(f.path)).length ?? 0;
        if (!takeOver && releasesThere > 0 && !sources.some((s) => s.path.startsWith('releases/'))) {
          return failed(
            `not backed up: this repository's .axum/ holds no release, but the backup in ${label} (${previous!.createdAt}) holds ${releasesThere}: was .axum/ lost? bring it back with axum daemon stop, then axum restore --from ${label}; to start the backups over from nothing, axum backup --take-over`,
          );
        }
        let files: BackupFile[] = sources.map((s) => ('bytes' in s ? { path: s.path, sha256: sha256Of(s.bytes), size: s.bytes.length } : { path: s.path, sha256: s.sha256, size: s.size }));
        // A blob lost here that the target still holds stays named by the new manifest (nothing to
        // send): left out, the snapshots naming it would age out and prune the last copy there is.
        for (const lost of missing) if (contents.objects.has(lost.sha256)) files.push({ path: `store/sha256/${lost.sha256}`, sha256: lost.sha256, size: lost.size });
        const lostWords = missing.map((l) => `${l.named} (sha256 ${l.sha256.slice(0, 12)}…${contents.objects.has(l.sha256) ? ', kept: the backup holds a copy' : ', not in the backup either'})`);
        const plan = planSend(files, contents.objects);
        const { sent, bytes, gone } = await destination.send(plan.send, sources, crash);
        crash('backup.objects-sent');
        if (gone.size > 0) files = files.filter((f) => !gone.has(f.path));
        const manifest: BackupManifest = { version: 1, repository: repoRoot, createdAt: at, files };
        const text = `${JSON.stringify({ manifest, sha256: sha256Of(JSON.stringify(manifest)) })}\n`;
        const id = snapshotId(at);
        await destination.publish(text, id, crash, files);
        crash('backup.manifest-renamed');
        const problem = await destination.verify(text, files);
        if (problem) return failed(`written but not verified: ${problem}`);
        // Only now, with the new manifest published and read back: the snapshots past `keep`, then
        // every object no kept snapshot names (they share objects, restic's way).
        const { kept, dropped } = snapshotsToKeep([...contents.snapshots.keys(), id], keep);
        const named = new Set(files.map((f) => f.sha256));
        for (const other of kept.filter((k) => k !== id)) for (const file of parseManifestText(contents.snapshots.get(other) ?? null)?.files ?? []) named.add(file.sha256);
        await destination.prune(named, dropped);
        return { target, ok: true, error: null, files: files.length, sent: { files: sent, bytes }, present: plan.present, at, ...(lostWords.length > 0 ? { missing: lostWords } : {}) };
      } catch (err) {
        return failed(destination.describe(err));
      }
    },
  };
}

/**
 * The repository whose backups the target's newest manifest holds, when it is not `repoRoot`
 * (null: ours, or none yet). One target serves one repository: a clone restored from it to compare
 * (as docs/backups.md suggests) would otherwise publish its own history there as the newest backup, which
 * the original's status would count as its own and a restore there would bring back.
 */
export function otherRepository(manifestText: string | null, repoRoot: string): string | null {
  const repository = parseManifestText(manifestText)?.repository;
  return repository !== undefined && repository !== repoRoot ? repository : null;
}

export const otherRepositoryProblem = (label: string, owner: string, repoRoot: string): string =>
  `not backed up: ${label} holds the backups of another repository (${owner}), not of ${repoRoot}; name another folder in backup.to, or, if this repository was moved from there, axum backup --take-over`;

/** A manifest file's text parsed and checked (its own sha256), or null when it is not one whole. */
export function parseManifestText(text: string | null): BackupManifest | null {
  if (text === null) return null;
  try {
    const outer = BackupManifestFile.parse(JSON.parse(text));
    if (sha256Of(JSON.stringify(outer.manifest)) !== outer.sha256) return null;
    return BackupManifest.parse(outer.manifest);
  } catch {
    return null;
  }
}

/** The target's current manifest, if it reads whole: which logs it already hashed (fs-backup-sources.ts). */
function previousBackup(text: string | null): PreviousBackup | null {
  const manifest = parseManifestText(text);
  return manifest && { files: new Map(manifest.files.map((f) => [f.path, { sha256: f.sha256, size: f.size }])), createdAtMs: Date.parse(manifest.createdAt) };
}
