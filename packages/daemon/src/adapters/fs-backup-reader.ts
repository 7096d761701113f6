// Reads a backup folder and proves it whole before anything trusts it (docs/backups.md): the
// manifest's own sha256, its file list (only paths a backup takes), and every object's size and —
// for a restore — sha256. A truncated or tampered backup is refused naming the file; nothing of it
// is written anywhere by this module.
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BACKUP_MANIFEST, BACKUP_OBJECTS, BackupManifest, BackupManifestFile, manifestProblems } from '../domain/backup-manifest.js';
import { describeFsError } from '../domain/disk-errors.js';
import { hashFile, sha256Of } from './fs-backup-objects.js';

export type VerifiedBackup = { ok: true; manifest: BackupManifest; objects: string } | { ok: false; problem: string };

/**
 * `deep`: re-hash every object (a restore); otherwise sizes only (after a backup wrote and hashed
 * them). `manifest`: the manifest file to read (a snapshot's, `snapshots/<id>.json`), else the newest.
 */
export async function verifyBackup(folder: string, label: string, options: { deep: boolean; manifest?: string }): Promise<VerifiedBackup> {
  const refuse = (problem: string): VerifiedBackup => ({ ok: false, problem: `${label}: ${problem}` });
  const manifestFile = options.manifest ?? BACKUP_MANIFEST;
  let text: string;
  try {
    text = await readFile(join(folder, manifestFile), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return refuse(options.manifest ? `no such snapshot (no ${manifestFile}; axum restore --from ${label} --list names them)` : `no backup here (no ${manifestFile})`);
    return refuse(`${manifestFile} cannot be read (${describeFsError(err)})`);
  }
  let outer: { manifest: unknown; sha256: string };
  try {
    outer = BackupManifestFile.parse(JSON.parse(text));
  } catch {
    return refuse(`${manifestFile} is truncated or not a backup manifest`);
  }
  if (sha256Of(JSON.stringify(outer.manifest)) !== outer.sha256) return refuse(`${manifestFile} does not match its sha256 (tampered or corrupt)`);
  const parsed = BackupManifest.safeParse(outer.manifest);
  if (!parsed.success) return refuse(`${manifestFile} is not a manifest this version reads`);
  const problems = manifestProblems(parsed.data);
  if (problems.length > 0) return refuse(`${manifestFile}: ${problems[0]}`);
  const objects = join(folder, BACKUP_OBJECTS);
  for (const file of parsed.data.files) {
    const object = join(objects, file.sha256);
    const name = `${file.path} (${BACKUP_OBJECTS}/${file.sha256.slice(0, 12)}…)`;
    try {
      const info = await stat(object);
      if (info.size !== file.size) return refuse(`${name} has ${info.size} bytes, expected ${file.size} (truncated or tampered)`);
      if (!options.deep) continue;
      const actual = await hashFile(object);
      if (actual.sha256 !== file.sha256) return refuse(`${name} hashes to ${actual.sha256.slice(0, 12)}…, not ${file.sha256.slice(0, 12)}… (tampered or corrupt)`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return refuse(`${name} is missing`);
      return refuse(`${name} cannot be read (${describeFsError(err)})`);
    }
  }
  return { ok: true, manifest: parsed.data, objects };
}
