import { describe, expect, it } from 'vitest';
import { backupStatusLines } from './status.js';

const now = Date.parse('2026-12-04T10:00:00.000Z');
const hour = 3_600_000;

describe('axum status: the backup lines', () => {
  it('a target never written says so; one that cannot be read says it is unknown, with why; a recent one its age', () => {
    expect(
      backupStatusLines(
        [
          { target: '/mnt/nas', lastBackupAt: null, error: null, everyMs: hour },
          { target: 'backup@nas:/srv', lastBackupAt: null, error: 'cannot read the last backup: ssh: Could not resolve hostname nas', everyMs: hour },
          { target: '/b', lastBackupAt: '2026-12-04T09:50:00.000Z', error: null, everyMs: hour },
        ],
        now,
      ),
    ).toEqual([
      'backup       /mnt/nas: never backed up  WARNING: no backup in /mnt/nas yet',
      'backup       backup@nas:/srv: no backup known  WARNING: backup to backup@nas:/srv failed: cannot read the last backup: ssh: Could not resolve hostname nas',
      'backup       /b: last 10m ago',
    ]);
  });
});
