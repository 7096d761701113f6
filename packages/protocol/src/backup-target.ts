import { parseHostSpec, type HostSpec } from './host-spec.js';

// Apart from pipeline-config.ts: the daemon reads a backup target (`backup.to`, `axum restore
// --from`) but never builds the axum.yml schema itself (it parses axum.yml in a worker thread).

/**
 * The host of an SSH backup target (`user@host:/path`, host-spec.ts), or null for a local folder.
 * Anything with a colon before its first `/` is read as SSH, never as a local folder called
 * `backup@10.0.0.9:` (which would silently back up into the repository).
 */
export function sshBackupTarget(target: string): HostSpec | { problem: string } | null {
  return /^[^/]*:/.test(target) ? parseHostSpec(target) : null;
}

/** Why `target` is not a backup target this version can write (a folder, or an SSH host's folder), or null. */
export function backupTargetProblem(target: string): string | null {
  if (target.trim() === '') return 'an empty folder name';
  const host = sshBackupTarget(target);
  if (host) return 'problem' in host ? host.problem : null;
  // The daemon runs no shell: `~` would be a folder called `~` in the repository.
  if (target === '~' || target.startsWith('~/')) return `${target}: ~ is not expanded here; write the whole path (e.g. /home/you/${target.slice(2) || 'axum-backup'})`;
  return relativeInsideRepository(target) ? `${target} is inside the repository: a backup there would sit in the work tree (one \`git clean\` or \`git add -A\` away); name a folder outside it, e.g. ../axum-backup or /mnt/nas/axum` : null;
}

/** A relative folder (read from the repository's root) that does not climb out of it. */
function relativeInsideRepository(target: string): boolean {
  if (target.startsWith('/') || /^[A-Za-z]:[\\/]/.test(target)) return false;
  let depth = 0;
  for (const part of target.split(/[\\/]+/)) {
    if (part === '..') depth -= 1;
    else if (part !== '.' && part !== '') depth += 1;
    if (depth < 0) return false;
  }
  return true;
}
