import { describe, expect, it } from 'vitest';
import { backupLines, snapshotLines } from './backup.js';

describe('axum restore --list in words', () => {
  it('names each snapshot newest first, the newest marked, and how to restore an older one', () => {
    const lines = snapshotLines('backup@10.0.0.9:/srv/axum-backup', [
      { id: '20261204T120000000Z', createdAt: '2026-12-04T12:00:00.000Z', files: 22, bytes: 11_767, newest: true },
      { id: '20261204T110000000Z', createdAt: '2026-12-04T11:00:00.000Z', files: 1, bytes: 5, newest: false },
    ]);
    expect(lines).toEqual([
      'backups in backup@10.0.0.9:/srv/axum-backup, newest first (axum restore --from backup@10.0.0.9:/srv/axum-backup --snapshot ID restores an older one):',
      '  20261204T120000000Z  2026-12-04T12:00:00.000Z  22 files, 11.8 kB  (newest: restored by default)',
      '  20261204T110000000Z  2026-12-04T11:00:00.000Z  1 file, 5 B',
    ]);
    expect(snapshotLines('/mnt/nas/axum', [])).toEqual(['no backup in /mnt/nas/axum yet']);
  });
});

describe('axum backup in words', () => {
  it('counts what was sent and what was already there in one unit, objects, beside the files they hold', () => {
    const report = { targets: [{ target: '/mnt/nas/axum', ok: true, error: null, files: 7, sent: { files: 2, bytes: 4096 }, present: { files: 3, bytes: 9000 }, at: '2026-01-01T00:00:00.000Z' }] };
    expect(backupLines(report)).toEqual(['backed up to /mnt/nas/axum: 7 files, stored as 5 objects: 2 sent (4.1 kB), 3 already there (9.0 kB); verified']);
    const failed = { targets: [{ ...report.targets[0]!, ok: false, error: 'EROFS' }] };
    expect(backupLines(failed)).toEqual(['backup to /mnt/nas/axum FAILED: EROFS']);
  });
});
