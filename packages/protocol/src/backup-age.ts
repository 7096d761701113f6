import type { BackupTargetStatus } from './state.js';
import { ageText } from './duration.js';

/**
 * How a client words one backup target (docs/backups.md): its age, and a warning when the
 * newest backup is older than twice `every` (one missed backup is normal: a laptop asleep), never
 * written, or the last attempt failed. Shared by `axum status` and the TUI so they agree.
 */
export function backupAge(status: BackupTargetStatus, nowMs: number): { age: string; stale: boolean; warning: string | null } {
  const at = status.lastBackupAt === null ? null : Date.parse(status.lastBackupAt);
  const age = at === null ? 'never' : `${ageText(nowMs - at)} ago`;
  const stale = at === null || nowMs - at > 2 * status.everyMs;
  let warning: string | null = null;
  if (status.error !== null) warning = `backup to ${status.target} failed: ${status.error}`;
  else if (at === null) warning = `no backup in ${status.target} yet`;
  else if (stale) warning = `the backup in ${status.target} is ${ageText(nowMs - at)} old (more than twice every ${ageText(status.everyMs)})`;
  return { age, stale, warning };
}
