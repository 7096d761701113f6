// Writes one backup of `.axum/` to a local folder (README.md, "Backups"). The folder holds
// `objects/<sha256>` (every file's content, blobs and history documents alike, so nothing is ever
// overwritten in place) and `axum-backup.json`, the manifest, written last and atomically: a backup
// cut short leaves only extra objects, and the previous manifest still names a complete backup.
import { readFile, readdir, mkdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BackupTargetReport } from '@axum/protocol';
import { BACKUP_MANIFEST, BACKUP_OBJECTS, BackupManifest, BackupManifestFile, planSend, type BackupFile } from '../domain/backup-manifest.js';
import { noCrash, type CrashHook } from '../engine/crash-points.js';
import type { BackupWriter } from '../engine/ports.js';
import { copyVerified, isIncoming, removeIncoming, sha256Of, writeBytesDurably } from './fs-backup-objects.js';
import { collectSources, damagedHistoryFile, type PreviousBackup, type Source } from './fs-backup-sources.js';
import { describeFsError } from './fs-errors.js';
import { verifyBackup } from './fs-backup-reader.js';

export function createFsBackupWriter(options: { stateDir: string; repoRoot: string; now: () => Date; crash?: CrashHook }): BackupWriter {
  const { stateDir, repoRoot } = options;
  const crash = options.crash ?? noCrash;
  return {
    async backup(target) {
      const folder = resolve(repoRoot, target);
      const at = options.now().toISOString();
      const failed = (error: string): BackupTargetReport => ({ target, ok: false, error, files: 0, sent: { files: 0, bytes: 0 }, present: { files: 0, bytes: 0 }, at });
      let sources: Source[];
      try {
        const damaged = await damagedHistoryFile(stateDir);
        if (damaged) {
          return failed(
            `not backed up: ${damaged} was moved aside as damaged, so the history may lack what the backup in ${folder} holds, and that backup is kept as it is; compare them (axum restore --from ${folder} into a fresh clone), then move ${damaged} out of .axum/history to back up the history as it is now`,
          );
        }
        sources = await collectSources(stateDir, await previousBackup(folder));
      } catch (err) {
        return failed(`reading .axum/: ${describeFsError(err)}`);
      }
      try {
        const objects = join(folder, BACKUP_OBJECTS);
        await mkdir(objects, { recursive: true });
        let files: BackupFile[] = sources.map((s) => ('bytes' in s ? { path: s.path, sha256: sha256Of(s.bytes), size: s.bytes.length } : { path: s.path, sha256: s.sha256, size: s.size }));
        const present = new Set((await readdir(objects)).filter((name) => /^[0-9a-f]{64}$/.test(name)));
        const plan = planSend(files, present);
        const { sent, bytes, gone } = await sendObjects(objects, plan.send, sources, crash);
        crash('backup.objects-sent');
        if (gone.size > 0) files = files.filter((f) => !gone.has(f.path));
        const manifest: BackupManifest = { version: 1, repository: repoRoot, createdAt: at, files };
        const body = JSON.stringify(manifest);
        // Last, atomically: until this rename the previous manifest names a complete backup.
        writeBytesDurably(join(folder, BACKUP_MANIFEST), `${JSON.stringify({ manifest, sha256: sha256Of(body) })}\n`, 0o644, () => crash('backup.manifest-written'));
        crash('backup.manifest-renamed');
        // Verified after writing, as a restore reads it (the manifest's own sha256, every object there
        // at its size; the objects sent now were hashed as they were written): a target that lost
        // what it stored (a flaky NAS) is a failed backup now, not a surprise at restore time.
        const verified = await verifyBackup(folder, target, { deep: false });
        if (!verified.ok) return failed(`written but not verified: ${verified.problem}`);
        await pruneObjects(objects, new Set(files.map((f) => f.sha256)));
        // A manifest's temp copy a kill left beside it.
        await removeIncoming(folder);
        return { target, ok: true, error: null, files: files.length, sent: { files: sent, bytes }, present: plan.present, at };
      } catch (err) {
        return failed(`cannot write to ${folder}: ${describeFsError(err)}`);
      }
    },
  };
}

/**
 * Writes each object the target lacks (`send`), fsync'd and hashed before it is renamed into
 * place. A log that run retention removed meanwhile is left out (`gone`); a stored blob that
 * vanished fails the backup.
 */
async function sendObjects(objects: string, send: readonly BackupFile[], sources: readonly Source[], crash: CrashHook): Promise<{ sent: number; bytes: number; gone: Set<string> }> {
  const byPath = new Map(sources.map((s) => [s.path, s]));
  const gone = new Set<string>();
  let sent = 0;
  let bytes = 0;
  const beforeRename = () => crash('backup.object-written');
  for (const file of send) {
    const source = byPath.get(file.path)!;
    const into = join(objects, file.sha256);
    if ('bytes' in source) {
      writeBytesDurably(into, source.bytes, 0o444, beforeRename);
      bytes += source.bytes.length;
    } else {
      try {
        bytes += await copyVerified(source.file, into, file.sha256, `.axum/${file.path}`, { length: source.size, beforeRename });
      } catch (err) {
        if (!source.log || (err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        gone.add(file.path);
        continue;
      }
    }
    sent++;
    crash('backup.object-sent');
  }
  return { sent, bytes, gone };
}

/** The target's current manifest, if it reads whole: which logs it already hashed (fs-backup-sources.ts). */
async function previousBackup(folder: string): Promise<PreviousBackup | null> {
  try {
    const outer = BackupManifestFile.parse(JSON.parse(await readFile(join(folder, BACKUP_MANIFEST), 'utf8')));
    if (sha256Of(JSON.stringify(outer.manifest)) !== outer.sha256) return null;
    const manifest = BackupManifest.parse(outer.manifest);
    return { files: new Map(manifest.files.map((f) => [f.path, { sha256: f.sha256, size: f.size }])), createdAtMs: Date.parse(manifest.createdAt) };
  } catch {
    return null;
  }
}

/** Objects the new manifest does not name (older documents, pruned releases) and cut-short copies. */
async function pruneObjects(objects: string, named: ReadonlySet<string>): Promise<void> {
  for (const name of await readdir(objects)) {
    if (isIncoming(name) || (/^[0-9a-f]{64}$/.test(name) && !named.has(name))) await rm(join(objects, name), { force: true });
  }
}
