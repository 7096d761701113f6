import { describe, expect, it } from 'vitest';
import { backupBadge } from './backups.js';

const now = Date.parse('2026-12-04T12:00:00.000Z');
const target = (name: string, lastBackupAt: string | null, error: string | null = null) => ({ target: name, lastBackupAt, error, everyMs: 3_600_000 });

describe('backupBadge', () => {
  it('says nothing without targets, the oldest age when all are fresh', () => {
    expect(backupBadge([], now)).toBeNull();
    expect(backupBadge([target('/a', '2026-12-04T11:50:00.000Z'), target('/b', '2026-12-04T11:00:00.000Z')], now)).toEqual({ text: 'backup 60m ago', color: 'green' });
  });

  it('is yellow for a stale or never-written target and red for a failed one, naming it', () => {
    expect(backupBadge([target('/a', '2026-12-04T11:50:00.000Z'), target('/b', '2026-12-04T08:00:00.000Z')], now)).toEqual({ text: 'backup 4h old: /b', color: 'yellow' });
    expect(backupBadge([target('/a', null)], now)).toEqual({ text: 'no backup yet: /a', color: 'yellow' });
    expect(backupBadge([target('/a', null), target('/mnt/nas', '2026-12-04T11:50:00.000Z', 'EACCES')], now)).toEqual({ text: 'backup FAILED: /mnt/nas', color: 'red' });
  });
});
