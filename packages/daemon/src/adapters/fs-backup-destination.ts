// A backup target that is a local folder (a disk, a mounted NAS): `objects/<sha256>` written by
// copyVerified (temp file, fsync, hashed, renamed), and `axum-backup.json` written durably last.
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { BACKUP_MANIFEST, BACKUP_OBJECTS, BACKUP_SNAPSHOTS, SNAPSHOT_ID, snapshotFile, type BackupFile } from '../domain/backup-manifest.js';
import type { CrashHook } from '../engine/crash-points.js';
import type { BackupDestination, SendResult } from './backup-destination.js';
import { copyVerified, isIncoming, removeIncoming, writeBytesDurably } from './fs-backup-objects.js';
import { verifyBackup } from './fs-backup-reader.js';
import type { Source } from './fs-backup-sources.js';
import { describeFsError } from '../domain/disk-errors.js';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, STORED_FILE_MODE } from './owner-only.js';

const OBJECT_NAME = /^[0-9a-f]{64}$/;

/** The local folder `folder` (absolute) as a backup destination. */
export function createFsBackupDestination(folder: string): BackupDestination {
  const objects = join(folder, BACKUP_OBJECTS);
  return {
    label: folder,
    async inspect() {
      const manifest = await readFile(join(folder, BACKUP_MANIFEST), 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return null;
        throw err;
      });
      const names = await readdir(objects).catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return [] as string[];
        throw err;
      });
      const snapshots = new Map<string, string>();
      for (const name of await readdir(join(folder, BACKUP_SNAPSHOTS)).catch(() => [] as string[])) {
        const id = name.replace(/\.json$/, '');
        if (!SNAPSHOT_ID.test(id) || name !== `${id}.json`) continue;
        const text = await readFile(join(folder, snapshotFile(id)), 'utf8').catch(() => null);
        if (text !== null) snapshots.set(id, text);
      }
      return { manifest, objects: new Set(names.filter((name) => OBJECT_NAME.test(name))), snapshots };
    },
    async send(files, sources, crash) {
      await mkdir(objects, { recursive: true, mode: PRIVATE_DIR_MODE });
      return sendObjects(objects, files, sources, crash);
    },
    async publish(text, id, crash) {
      // Last, atomically: until this rename the previous manifest names a complete backup. The
      // objects sent now were hashed as they were written. The snapshot first: a kill between the two
      // leaves one more complete snapshot, never a newest manifest that no snapshot holds.
      await mkdir(join(folder, BACKUP_SNAPSHOTS), { recursive: true, mode: PRIVATE_DIR_MODE });
      writeBytesDurably(join(folder, snapshotFile(id)), text, PRIVATE_FILE_MODE);
      writeBytesDurably(join(folder, BACKUP_MANIFEST), text, PRIVATE_FILE_MODE, () => crash('backup.manifest-written'));
    },
    async verify() {
      // As a restore reads it (the manifest's own sha256, every object there at its size): a target
      // that lost what it stored (a flaky NAS) is a failed backup now, not a surprise at restore time.
      const verified = await verifyBackup(folder, folder, { deep: false });
      return verified.ok ? null : verified.problem;
    },
    async prune(named, dropped) {
      for (const id of dropped) if (SNAPSHOT_ID.test(id)) await rm(join(folder, snapshotFile(id)), { force: true });
      for (const name of await readdir(objects)) {
        if (isIncoming(name) || (OBJECT_NAME.test(name) && !named.has(name))) await rm(join(objects, name), { force: true });
      }
      // A manifest's temp copy a kill left beside it.
      await removeIncoming(folder);
      await removeIncoming(join(folder, BACKUP_SNAPSHOTS));
    },
    describe: (err) => `cannot write to ${folder}: ${describeFsError(err)}`,
  };
}

/**
 * Writes each object the target lacks (`send`), fsync'd and hashed before it is renamed into
 * place. A log that run retention removed meanwhile is left out (`gone`); a stored blob that
 * vanished fails the backup.
 */
async function sendObjects(objects: string, send: readonly BackupFile[], sources: readonly Source[], crash: CrashHook): Promise<SendResult> {
  const byPath = new Map(sources.map((s) => [s.path, s]));
  const gone = new Set<string>();
  let sent = 0;
  let bytes = 0;
  const beforeRename = () => crash('backup.object-written');
  for (const file of send) {
    const source = byPath.get(file.path)!;
    const into = join(objects, file.sha256);
    if ('bytes' in source) {
      writeBytesDurably(into, source.bytes, STORED_FILE_MODE, beforeRename);
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
