import { describe, expect, it } from 'vitest';
import { backupAge } from './backup-age.js';
import { parseConfigText } from './pipeline-config-parse.js';

const base = `version: 1
environments:
  staging: { branch: main }
stages:
  - name: test
    steps:
      - { name: unit, run: npm test }
`;

describe('axum.yml backup:', () => {
  it('reads local folders, every (default 1h) and keep (default 10)', () => {
    const load = parseConfigText(`${base}backup: { to: [/mnt/nas/axum, ../backups] }\n`, 'axum.yml');
    expect(load.ok && load.config.backup).toEqual({ to: ['/mnt/nas/axum', '../backups'], every: 3_600_000, keep: 10 });
    const every = parseConfigText(`${base}backup: { to: [/mnt/nas/axum], every: 30m }\n`, 'axum.yml');
    expect(every.ok && every.config.backup?.every).toBe(1_800_000);
    const keep = parseConfigText(`${base}backup: { to: [/mnt/nas/axum], keep: 3 }\n`, 'axum.yml');
    expect(keep.ok && keep.config.backup?.keep).toBe(3);
  });

  it('reads an SSH target, and refuses a malformed one by line and column', () => {
    const good = parseConfigText(`${base}backup:\n  to: [/mnt/nas/axum, backup@10.0.0.9:/srv/axum-backup]\n  every: 1h\n`, 'axum.yml');
    expect(good.ok && good.config.backup?.to).toEqual(['/mnt/nas/axum', 'backup@10.0.0.9:/srv/axum-backup']);
    const load = parseConfigText(`${base}backup:\n  to: [/mnt/nas/axum, "backup@10.0.0.9:srv/axum backup"]\n  every: 1h\n`, 'axum.yml');
    expect(load.ok).toBe(false);
    if (load.ok) return;
    expect(load.errors).toHaveLength(1);
    expect(load.errors[0]).toMatchObject({ line: 9, col: 23 });
    expect(load.errors[0]!.message).toContain('"backup@10.0.0.9:srv/axum backup": the folder "srv/axum backup" is not an absolute path');
  });

  it('refuses a relative folder inside the repository, by line and column', () => {
    for (const target of ['relative/dir', './backups', '.axum/b', 'a/../b']) {
      const load = parseConfigText(`${base}backup: { to: [${target}] }\n`, 'axum.yml');
      expect(load.ok, target).toBe(false);
      if (!load.ok) expect(load.errors[0]!.message).toContain(`${target} is inside the repository`);
    }
    const home = parseConfigText(`${base}backup: { to: [~/b] }\n`, 'axum.yml');
    expect(!home.ok && home.errors[0]!.message).toContain('~ is not expanded here');
    for (const target of ['../b', 'a/../../b', '/srv/b']) expect(parseConfigText(`${base}backup: { to: [${target}] }\n`, 'axum.yml').ok, target).toBe(true);
  });

  it('refuses an empty list, a bad duration and an unknown key', () => {
    for (const text of ['backup: { to: [] }', 'backup: { to: [/x], every: soon }', 'backup: { to: [/x], every: 5s }', 'backup: { to: [/x], evry: 1h }', 'backup: { to: [/x], keep: 0 }']) {
      const load = parseConfigText(`${base}${text}\n`, 'axum.yml');
      expect(load.ok, text).toBe(false);
    }
  });
});

describe('backupAge', () => {
  const status = { target: '/mnt/nas/axum', everyMs: 3_600_000, error: null };
  const now = Date.parse('2026-12-04T12:00:00.000Z');

  it('is fresh up to twice every, then stale with a warning naming the target', () => {
    expect(backupAge({ ...status, lastBackupAt: '2026-12-04T11:00:00.000Z' }, now)).toEqual({ age: '60m ago', stale: false, warning: null });
    expect(backupAge({ ...status, lastBackupAt: '2026-12-04T10:01:00.000Z' }, now)).toMatchObject({ stale: false, warning: null });
    const old = backupAge({ ...status, lastBackupAt: '2026-12-04T09:00:00.000Z' }, now);
    expect(old.stale).toBe(true);
    expect(old.warning).toBe('the backup in /mnt/nas/axum is 3h old (more than twice every 60m)');
  });

  it('warns when never written, and names the error of a failed target', () => {
    expect(backupAge({ ...status, lastBackupAt: null }, now)).toEqual({ age: 'never', stale: true, warning: 'no backup in /mnt/nas/axum yet' });
    const failed = backupAge({ ...status, lastBackupAt: '2026-12-04T11:30:00.000Z', error: 'cannot write to /mnt/nas/axum: EROFS' }, now);
    expect(failed).toMatchObject({ stale: false, warning: 'backup to /mnt/nas/axum failed: cannot write to /mnt/nas/axum: EROFS' });
  });
});
