// Which destination a `backup.to` entry is (README.md, "Backups"): `user@host:/path` an SSH host's
// folder (sshBackupTarget, the remote environments' host-spec rules), anything else a local folder,
// relative to the repository.
import { resolve } from 'node:path';
import { sshBackupTarget } from '@axum/protocol';
import type { BackupDestination } from './backup-destination.js';
import { parseManifestText } from './backup-writer.js';
import { createFsBackupDestination } from './fs-backup-destination.js';
import { createSshBackupDestination } from './ssh-backup-destination.js';

/** Where backups and restores find their targets. */
export interface BackupTargetOptions {
  repoRoot: string;
  stateDir: string;
  /** `ssh -F FILE` (AXUM_SSH_CONFIG). */
  sshConfigFile?: string | null;
}

/** The destination `target` names; throws when it is neither a folder nor a valid host spec. */
export function backupDestinationFor(target: string, options: BackupTargetOptions): BackupDestination {
  const host = sshBackupTarget(target);
  if (host && 'problem' in host) throw new Error(host.problem);
  return host ? createSshBackupDestination(host, { stateDir: options.stateDir, configFile: options.sshConfigFile }) : createFsBackupDestination(resolve(options.repoRoot, target));
}

/** When the newest backup in `destination` was written (its manifest's time, its sha256 checked), or null. */
export async function lastBackupAt(destination: BackupDestination): Promise<string | null> {
  return parseManifestText((await destination.inspect()).manifest)?.createdAt ?? null;
}
