import { backupAge, type BackupTargetStatus } from '@axum/protocol';

/**
 * The TUI header's word on backups (docs/backups.md): null when none are configured; red when a
 * target failed, yellow when one is stale (older than twice `every`, or never written), else the age
 * of the oldest target's backup. One short piece of one line: the header's height never changes.
 */
const short = (target: string) => (target.length > 40 ? `…${target.slice(-39)}` : target);

export function backupBadge(backups: readonly BackupTargetStatus[], nowMs: number): { text: string; color: 'green' | 'yellow' | 'red' } | null {
  if (backups.length === 0) return null;
  const failed = backups.find((b) => b.error !== null);
  if (failed) return { text: `backup FAILED: ${short(failed.target)}`, color: 'red' };
  const ages = backups.map((b) => ({ b, ...backupAge(b, nowMs) }));
  const stale = ages.find((a) => a.stale);
  if (stale) return { text: stale.b.lastBackupAt === null ? `no backup yet: ${short(stale.b.target)}` : `backup ${stale.age.replace(/ ago$/, '')} old: ${short(stale.b.target)}`, color: 'yellow' };
  const oldest = ages.reduce((a, b) => (Date.parse(a.b.lastBackupAt!) <= Date.parse(b.b.lastBackupAt!) ? a : b));
  return { text: `backup ${oldest.age}`, color: 'green' };
}
