import { describe, expect, it } from 'vitest';
import { snapshotLines } from './backup.js';

describe('axum restore --list in words', () => {
  it('names each snapshot newest first, the newest marked, and how to restore an older one', () => {
    const lines = snapshotLines('backup@10.0.0.9:/srv/axum-backup', [
      { id: '20261204T120000000Z', createdAt: '2026-12-04T12:00:00.000Z', files: 22, bytes: 11_767, newest: true },
      { id: '20261204T110000000Z', createdAt: '2026-12-04T11:00:00.000Z', files: 1, bytes: 5, newest: false },
    ]);
    expect(lines).toEqual([
      'backups in backup@10.0.0.9:/srv/axum-backup, newest first (axum restore --from backup@10.0.0.9:/srv/axum-backup --snapshot ID restores an older one):',
      '  20261204T120000000Z  2026-12-04T12:00:00.000Z  22 files, 11767 bytes  (newest: restored by default)',
      '  20261204T110000000Z  2026-12-04T11:00:00.000Z  1 file, 5 bytes',
    ]);
    expect(snapshotLines('/mnt/nas/axum', [])).toEqual(['no backup in /mnt/nas/axum yet']);
  });
});
