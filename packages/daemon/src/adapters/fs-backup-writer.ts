// Writes one backup of `.axum/` to a local folder (README.md, "Backups"). The folder holds
// `objects/<sha256>` (every file's content, blobs and history documents alike, so nothing is ever
// overwritten in place) and `axum-backup.json`, the manifest, written last and atomically: a backup
// cut short leaves only extra objects, and the previous manifest still names a complete backup.
import { readFile, readdir, mkdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { BackupTargetReport } from '@axum/protocol';
import { BACKUP_MANIFEST, BACKUP_OBJECTS, planSend, type BackupFile, type BackupManifest } from '../domain/backup-manifest.js';
import type { BackupWriter } from '../engine/ports.js';
import { copyVerified, isIncoming, sha256Of, writeBytesDurably } from './fs-backup-objects.js';
import { describeFsError } from './fs-errors.js';
import { readRunsHistory } from './runs-journal.js';
import { recordedEnvironmentNames } from './state-files.js';
import { verifyBackup } from './fs-backup-reader.js';

/** A file the backup takes: its path under `.axum/`, and its bytes (documents) or its stored blob. */
type Source = { path: string; bytes: Buffer } | { path: string; blob: string; sha256: string; size: number };

export function createFsBackupWriter(options: { stateDir: string; repoRoot: string; now: () => Date }): BackupWriter {
  const { stateDir, repoRoot } = options;
  return {
    async backup(target) {
      const folder = resolve(repoRoot, target);
      const at = options.now().toISOString();
      const failed = (error: string): BackupTargetReport => ({ target, ok: false, error, files: 0, sent: { files: 0, bytes: 0 }, present: { files: 0, bytes: 0 }, at });
      let sources: Source[];
      try {
        sources = await collectSources(stateDir);
      } catch (err) {
        return failed(`reading .axum/: ${describeFsError(err)}`);
      }
      try {
        const objects = join(folder, BACKUP_OBJECTS);
        await mkdir(objects, { recursive: true });
        const files: BackupFile[] = sources.map((s) => ('bytes' in s ? { path: s.path, sha256: sha256Of(s.bytes), size: s.bytes.length } : { path: s.path, sha256: s.sha256, size: s.size }));
        const present = new Set((await readdir(objects)).filter((name) => /^[0-9a-f]{64}$/.test(name)));
        const plan = planSend(files, present);
        let bytes = 0;
        for (const file of plan.send) {
          const source = sources.find((s) => s.path === file.path)!;
          const into = join(objects, file.sha256);
          if ('bytes' in source) {
            writeBytesDurably(into, source.bytes);
            bytes += source.bytes.length;
          } else {
            bytes += await copyVerified(source.blob, into, file.sha256, `.axum/${file.path}`);
          }
        }
        const manifest: BackupManifest = { version: 1, repository: repoRoot, createdAt: at, files };
        const body = JSON.stringify(manifest);
        // Last, atomically: until this rename the previous manifest names a complete backup.
        writeBytesDurably(join(folder, BACKUP_MANIFEST), `${JSON.stringify({ manifest, sha256: sha256Of(body) })}\n`, 0o644);
        // Verified after writing, as a restore reads it (the manifest's own sha256, every object there
        // at its size; the objects sent now were hashed as they were written): a target that lost
        // what it stored (a flaky NAS) is a failed backup now, not a surprise at restore time.
        const verified = await verifyBackup(folder, target, { deep: false });
        if (!verified.ok) return failed(`written but not verified: ${verified.problem}`);
        await pruneObjects(objects, new Set(files.map((f) => f.sha256)));
        return { target, ok: true, error: null, files: files.length, sent: { files: plan.send.length, bytes }, present: plan.present, at };
      } catch (err) {
        return failed(`cannot write to ${folder}: ${describeFsError(err)}`);
      }
    },
  };
}

/**
 * Everything a restore needs, as saved now: each lowdb document is replaced by rename, so a read is
 * one whole version; the runs history (snapshot + journal) is replayed into one document, read again
 * if a compaction moved its files meanwhile. Blobs are the ones the releases history names.
 */
async function collectSources(stateDir: string): Promise<Source[]> {
  const history = join(stateDir, 'history');
  const sources: Source[] = [];
  // Environments first, the releases history after: a release is recorded before any revision names
  // it, so every release the environments read here name is in the releases history read next.
  for (const env of await recordedEnvironmentNames(join(history, 'envs'))) {
    const bytes = await readFile(join(history, 'envs', `${env}.json`)).catch(() => null);
    if (bytes) sources.push({ path: `history/envs/${env}.json`, bytes });
  }
  sources.push({ path: 'history/runs.json', bytes: Buffer.from(JSON.stringify(await stableRunsHistory(join(history, 'runs.json')))) });
  const releasesBytes = await readFile(join(history, 'releases.json')).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return Buffer.from(JSON.stringify({ version: 1, releases: [] }));
    throw err;
  });
  sources.push({ path: 'history/releases.json', bytes: releasesBytes });
  const counter = await readFile(join(stateDir, 'release-counter')).catch(() => null);
  if (counter) sources.push({ path: 'release-counter', bytes: counter });
  const releases = (JSON.parse(releasesBytes.toString('utf8')) as { releases?: { id: string; artifacts: { sha256: string; size: number }[] }[] }).releases ?? [];
  const blobs = new Map<string, number>();
  for (const release of releases) {
    const manifest = await readFile(join(stateDir, 'releases', release.id, 'manifest.json')).catch(() => null);
    if (manifest) sources.push({ path: `releases/${release.id}/manifest.json`, bytes: manifest });
    for (const artifact of release.artifacts) blobs.set(artifact.sha256, artifact.size);
  }
  for (const [sha256, size] of blobs) sources.push({ path: `store/sha256/${sha256}`, blob: join(stateDir, 'store', 'sha256', sha256), sha256, size });
  return sources;
}

async function stableRunsHistory(file: string): Promise<unknown> {
  const signature = async () => (await Promise.all([file, `${file.replace(/\.json$/, '')}.journal.old`].map((f) => stat(f).then((s) => `${s.ino}:${s.mtimeMs}`, () => '-')))).join('|');
  for (let attempt = 0; ; attempt++) {
    const before = await signature();
    const history = readRunsHistory(file);
    if ((await signature()) === before || attempt >= 4) return history;
  }
}

/** Objects the new manifest does not name (older documents, pruned releases) and cut-short copies. */
async function pruneObjects(objects: string, named: ReadonlySet<string>): Promise<void> {
  for (const name of await readdir(objects)) {
    if (isIncoming(name) || (/^[0-9a-f]{64}$/.test(name) && !named.has(name))) await rm(join(objects, name), { force: true });
  }
}
