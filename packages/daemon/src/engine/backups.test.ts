import { parseConfigText, type BackupTargetReport, type BackupTargetStatus, type PipelineConfig } from '@axum/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createBackups } from './backups.js';

const configWith = (backup: string): PipelineConfig => {
  const load = parseConfigText(`version: 1\nenvironments:\n  staging: { branch: main }\nstages:\n  - name: t\n    steps: [{ name: u, run: "true" }]\n${backup}\n`, 'axum.yml');
  if (!load.ok) throw new Error(JSON.stringify(load.errors));
  return load.config;
};
const report = (target: string, ok: boolean, at: string): BackupTargetReport => ({ target, ok, error: ok ? null : `cannot write to ${target}: EROFS`, files: 3, sent: { files: 1, bytes: 10 }, present: { files: 2, bytes: 20 }, at });

describe('backups (engine)', () => {
  beforeEach(() => vi.useFakeTimers({ now: Date.parse('2026-12-04T10:00:00.000Z') }));
  afterEach(() => vi.useRealTimers());

  function setup(lastBackupAt: string | null | Error, failing: Set<string> = new Set()) {
    const written: string[] = [];
    const published: BackupTargetStatus[][] = [];
    const warnings: string[] = [];
    const backups = createBackups({
      writer: {
        backup: async (target) => {
          written.push(target);
          return report(target, !failing.has(target), new Date().toISOString());
        },
      },
      lastBackupAt: async () => {
        if (lastBackupAt instanceof Error) throw lastBackupAt;
        return lastBackupAt;
      },
      clock: { now: () => Date.now() },
      logger: { info: () => undefined, warn: (message) => warnings.push(message), error: () => undefined },
      publish: (list) => published.push(list),
      firstDelayMs: 1000,
    });
    return { backups, written, published, warnings };
  }

  it('backs up every `every`, an overdue target shortly after the start; the age comes from the target', async () => {
    const { backups, written, published } = setup('2026-12-04T09:30:00.000Z');
    backups.setConfig(configWith('backup: { to: [/a], every: 1h }'));
    await vi.advanceTimersByTimeAsync(0);
    expect(backups.status()).toEqual([{ target: '/a', lastBackupAt: '2026-12-04T09:30:00.000Z', error: null, everyMs: 3_600_000 }]);
    await vi.advanceTimersByTimeAsync(29 * 60_000);
    expect(written).toEqual([]); // due at 10:30, half an hour after the last backup
    await vi.advanceTimersByTimeAsync(60_000);
    expect(written).toEqual(['/a']);
    await vi.advanceTimersByTimeAsync(60 * 60_000);
    expect(written).toEqual(['/a', '/a']);
    expect(published.at(-1)?.[0]?.lastBackupAt).toBe(new Date(Date.now()).toISOString());
    backups.stop();
  });

  it('a failing target warns naming it, keeps its last good time, and the others go on', async () => {
    const { backups, written, warnings } = setup(null, new Set(['/ro']));
    backups.setConfig(configWith('backup: { to: [/ro, /b], every: 1h }'));
    await vi.advanceTimersByTimeAsync(0);
    const answer = await backups.run();
    expect(answer.targets.map((t) => [t.target, t.ok])).toEqual([['/ro', false], ['/b', true]]);
    expect(warnings).toEqual(['backup to /ro failed: cannot write to /ro: EROFS (the daemon goes on)']);
    expect(backups.status().find((s) => s.target === '/ro')).toMatchObject({ lastBackupAt: null, error: 'cannot write to /ro: EROFS' });
    expect(written).toEqual(['/ro', '/b']);
    await backups.run();
    expect(warnings).toEqual(['backup to /ro failed: cannot write to /ro: EROFS (the daemon goes on)', 'backup to /ro failed again: cannot write to /ro: EROFS']);
    backups.stop();
  });

  it('a target that cannot be read at start says why, not "never backed up"; a backup that succeeds clears it', async () => {
    const { backups } = setup(new Error('ssh: Could not resolve hostname nas'));
    backups.setConfig(configWith('backup: { to: [/a], every: 1h }'));
    await vi.advanceTimersByTimeAsync(0);
    expect(backups.status()).toEqual([{ target: '/a', lastBackupAt: null, error: 'cannot read the last backup: ssh: Could not resolve hostname nas', everyMs: 3_600_000 }]);
    await backups.run();
    expect(backups.status()).toMatchObject([{ target: '/a', error: null, lastBackupAt: new Date(Date.now()).toISOString() }]);
    backups.stop();
  });

  it('requests are one at a time: a second waits for the first and then backs up again', async () => {
    const { backups, written } = setup(null);
    backups.setConfig(configWith('backup: { to: [/a], every: 1h }'));
    await vi.advanceTimersByTimeAsync(0);
    const [one, two] = await Promise.all([backups.run(), backups.run()]);
    expect(one.targets).toHaveLength(1);
    expect(two.targets).toHaveLength(1);
    expect(written).toEqual(['/a', '/a']);
    backups.stop();
  });

  it('no targets: nothing scheduled, a run answers no targets', async () => {
    const { backups, written } = setup(null);
    backups.setConfig(configWith(''));
    await vi.advanceTimersByTimeAsync(10 * 3_600_000);
    expect(await backups.run()).toEqual({ targets: [] });
    expect(written).toEqual([]);
  });
});
