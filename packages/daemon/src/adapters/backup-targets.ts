// Which destination a `backup.to` entry is (docs/backups.md): `user@host:/path` an SSH host's
// folder (sshBackupTarget, the remote environments' host-spec rules), anything else a local folder,
// relative to the repository.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { sshBackupTarget } from '@axum/protocol';
import { snapshotId, type BackupManifest } from '../domain/backup-manifest.js';
import type { BackupDestination, DestinationContents } from './backup-destination.js';
import { otherRepository, otherRepositoryProblem, parseManifestText } from './backup-writer.js';
import { createFsBackupDestination } from './fs-backup-destination.js';
import type { SshConnections } from './openssh-masters.js';
import { createSshBackupDestination } from './ssh-backup-destination.js';

/** Where backups and restores find their targets. */
export interface BackupTargetOptions {
  repoRoot: string;
  stateDir: string;
  /** `ssh -F FILE` (AXUM_SSH_CONFIG). */
  sshConfigFile?: string | null;
  /** The environment of ssh and rsync (the daemon's, with its step marker: openssh.ts). */
  env?: NodeJS.ProcessEnv;
  /** The daemon's connection per host (openssh-masters.ts), shared with remote environments; none: each command connects. */
  connections?: SshConnections;
}

/** The destination `target` names; throws when it is neither a folder nor a valid host spec. */
export function backupDestinationFor(target: string, options: BackupTargetOptions): BackupDestination {
  const host = sshBackupTarget(target);
  if (host && 'problem' in host) throw new Error(host.problem);
  if (host) return createSshBackupDestination(host, { stateDir: options.stateDir, configFile: options.sshConfigFile, env: options.env, connections: options.connections });
  const folder = resolve(options.repoRoot, target);
  // An absolute path into the work tree passes the config's check (it cannot know the root).
  const inside = relative(options.repoRoot, folder);
  if (inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside)) throw new Error(`${target} is inside the repository (${options.repoRoot}): a backup there would sit in the work tree; name a folder outside it`);
  return createFsBackupDestination(folder);
}

/**
 * When the newest backup in `destination` was written (its manifest's time, its sha256 checked), or
 * null; an error when it is another repository's (its age says nothing of this one's).
 */
export async function lastBackupAt(destination: BackupDestination, repoRoot: string): Promise<string | null> {
  const { manifest } = await destination.inspect();
  const owner = otherRepository(manifest, repoRoot);
  if (owner !== null) throw new Error(otherRepositoryProblem(destination.label, owner, repoRoot));
  return parseManifestText(manifest)?.createdAt ?? null;
}

/** One backup a target holds, as `axum restore --from T --list` shows it. */
export interface SnapshotSummary {
  id: string;
  createdAt: string;
  files: number;
  bytes: number;
  /** The newest backup: what `axum restore --from T` restores without `--snapshot`. */
  newest: boolean;
  /** The repository root it was taken from, as its manifest names it. */
  repository: string;
}

/** The snapshots a target holds, newest first (a manifest that does not read whole is left out: it cannot be restored). */
export function listSnapshots(contents: DestinationContents): SnapshotSummary[] {
  const newest = parseManifestText(contents.manifest);
  const newestId = newest ? snapshotId(newest.createdAt) : null;
  const summaries = new Map<string, SnapshotSummary>();
  const add = (id: string, manifest: BackupManifest) =>
    summaries.set(id, { id, createdAt: manifest.createdAt, files: manifest.files.length, bytes: manifest.files.reduce((sum, f) => sum + f.size, 0), newest: id === newestId, repository: manifest.repository });
  for (const [id, text] of contents.snapshots) {
    const manifest = parseManifestText(text);
    if (manifest) add(id, manifest);
  }
  // A backup written before snapshots were kept: only the newest manifest.
  if (newest && newestId && !summaries.has(newestId)) add(newestId, newest);
  return [...summaries.values()].sort((a, b) => (a.id < b.id ? 1 : -1));
}
