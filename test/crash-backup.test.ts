// Crash points of `axum backup` and `axum restore` (RELIABILITY.md, "Backups"): kill -9 at each.
// A backup killed anywhere leaves the target's previous backup the one its manifest names, whole
// (deep-verified, restorable), or the new one whole; the next backup finishes and tidies it. A
// restore killed anywhere leaves a `.axum/` the daemon refuses to serve (no half history shown as
// whole), and running the restore again finishes it: every revision, `current`, the logs.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { axum, cleanupRepo, commitFiles, daemonPid, historyText, isAlive, makeRepo, waitFor } from './support/axum.js';
import { BACKUP_POINTS, RESTORE_POINTS } from './support/crash-point-case.js';
import { tinyModel } from './support/tiny-model.js';
import { verifyBackup } from '../packages/daemon/dist/adapters/fs-backup-reader.js';

interface ManifestFile {
  path: string;
  sha256: string;
  size: number;
}

const scratch: string[] = [];
let dir = '';
let target = '';
/** The target as the first backup (one revision, model 0.85) left it. */
let firstBackup = '';

const folder = (): string => {
  const made = mkdtempSync(join(tmpdir(), 'axum-crash-backup-'));
  scratch.push(made);
  return made;
};
async function ok(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const result = await axum(args, { timeoutMs: 60_000, env });
  expect(result.code, `axum ${args.join(' ')}: ${result.stderr}${result.stdout}`).toBe(0);
  return result.stdout;
}
async function settled(repo: string, count: number): Promise<void> {
  await waitFor(async () => {
    const revisions = JSON.parse(await ok(['history', 'staging', '--json', '--repo', repo])) as { status: string }[];
    return revisions.length >= count && revisions.every((r) => r.status === 'live' || r.status === 'superseded');
  }, 60_000, `${count} settled revisions`);
}
const manifestText = (at: string) => readFileSync(join(at, 'axum-backup.json'), 'utf8');
const manifestFiles = (at: string, name = 'axum-backup.json'): ManifestFile[] => (JSON.parse(readFileSync(join(at, name), 'utf8')) as { manifest: { files: ManifestFile[] } }).manifest.files;
const leftovers = (root: string): string[] => (readdirSync(root, { recursive: true }) as string[]).filter((p) => p.split('/').some((part) => part.startsWith('.incoming-')));
const served = (repo: string) => readFileSync(join(repo, '.axum', 'envs', 'staging', 'current', 'model', 'weights.txt'), 'utf8').trim();
async function killed(repo: string, point: string, pid: number | null): Promise<void> {
  if (pid !== null) await waitFor(() => !isAlive(pid), 10_000, `the process to die at ${point}`);
}

beforeAll(async () => {
  // `train` prints, so the restored run logs have something to show.
  const config = tinyModel({ train: ' && echo trained on $(cat data.txt)', extra: `backup: { to: [TARGET], every: 24h }\n` });
  target = join(folder(), 'backup');
  dir = makeRepo({ config: config.replace('TARGET', target) });
  await ok(['daemon', 'start', '--repo', dir]);
  await waitFor(() => historyText(dir).includes('"main"'), 10_000, 'the first reconciliation');
  commitFiles(dir, 'model 0.85', { 'data.txt': '0.85\n' });
  await settled(dir, 1);
  await ok(['backup', '--repo', dir]);
  firstBackup = join(folder(), 'first');
  cpSync(target, firstBackup, { recursive: true });
  commitFiles(dir, 'model 0.9', { 'data.txt': '0.9\n' });
  await settled(dir, 2);
  await ok(['daemon', 'stop', '--repo', dir]);
}, 120_000);

// A case whose kill never came would leave its armed daemon serving the next case.
afterEach(async () => {
  if (dir) await axum(['daemon', 'stop', '--repo', dir]);
});

afterAll(async () => {
  if (dir) await cleanupRepo(dir);
  for (const made of scratch.splice(0)) rmSync(made, { recursive: true, force: true });
});

describe('crash points: axum backup', () => {
  it.each(BACKUP_POINTS)('killed at %s: the target holds a whole backup (the previous one or the new one), and the next backup tidies it', async (point) => {
    rmSync(target, { recursive: true, force: true });
    cpSync(firstBackup, target, { recursive: true });
    const result = await axum(['backup', '--repo', dir], { timeoutMs: 60_000, env: { AXUM_CRASH_AT: point } });
    expect(result.code, result.stdout).not.toBe(0);
    await killed(dir, point, daemonPid(dir));
    expect(readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8')).toContain(`AXUM_CRASH_AT: killing the daemon at ${point}`);

    // Whole, by the restore's own check: the manifest's sha256 and every object's.
    const verified = await verifyBackup(target, target, { deep: true });
    expect(verified.ok, verified.ok ? '' : verified.problem).toBe(true);
    const blobs = manifestFiles(target).filter((f) => f.path.startsWith('store/')).length;
    if (point.startsWith('backup.manifest-renamed')) expect(blobs).toBe(2);
    else expect(manifestText(target)).toBe(manifestText(firstBackup));
    const crashed = join(folder(), 'crashed');
    cpSync(target, crashed, { recursive: true });

    // The next backup (a new daemon) finishes it: both models, nothing half-written left.
    const report = JSON.parse(await ok(['backup', '--json', '--repo', dir])) as { targets: { ok: boolean; files: number; sent: { files: number } }[] };
    // Sent now: what the kill kept from being there (up to the 8 objects the points above count on).
    expect(report.targets[0]!.sent.files).toBeLessThanOrEqual(8);
    expect(report.targets[0]).toMatchObject({ ok: true });
    expect(manifestFiles(target).filter((f) => f.path.startsWith('store/'))).toHaveLength(2);
    expect(leftovers(target)).toEqual([]);
    // Every object is named by a snapshot the target keeps (the newest `backup.keep`), none by no one.
    const snapshots = readdirSync(join(target, 'snapshots')).map((name) => manifestFiles(join(target, 'snapshots'), name));
    expect(readdirSync(join(target, 'objects')).sort()).toEqual([...new Set(snapshots.flat().map((f) => f.sha256))].sort());
    await ok(['daemon', 'stop', '--repo', dir]);

    // What the kill left restores as the backup its manifest names.
    if (point === 'backup.manifest-written' || point === 'backup.manifest-renamed') {
      const clone = join(folder(), 'clone');
      execFileSync('git', ['clone', '-q', dir, clone]);
      await ok(['restore', '--from', crashed, '--repo', clone]);
      // `current` first: the clone's first daemon (started by `history`) builds a head the restored runs history never saw.
      expect(served(clone)).toBe(point === 'backup.manifest-written' ? '0.85' : '0.9');
      const revisions = JSON.parse(await ok(['history', 'staging', '--json', '--repo', clone])) as { revision: number }[];
      expect(revisions.map((r) => r.revision).filter((n) => n <= (point === 'backup.manifest-written' ? 1 : 2))).toEqual(point === 'backup.manifest-written' ? [1] : [2, 1]);
      await ok(['daemon', 'stop', '--repo', clone]); // off a terminal it stops whatever runs
    }
  }, 120_000);
});

describe('crash points: axum restore', () => {
  it.each(RESTORE_POINTS)('killed at %s: the daemon refuses the half-restored .axum, and restore run again finishes it', async (point) => {
    rmSync(target, { recursive: true, force: true });
    cpSync(firstBackup, target, { recursive: true });
    await ok(['backup', '--repo', dir]);
    await ok(['daemon', 'stop', '--repo', dir]);
    const clone = join(folder(), 'clone');
    execFileSync('git', ['clone', '-q', dir, clone]);

    const cut = await axum(['restore', '--from', target, '--repo', clone], { timeoutMs: 60_000, env: { AXUM_CRASH_AT: point } });
    expect(cut.code).toBe(1);
    expect(cut.stderr).toContain(`killing the daemon at ${point}`);
    // Not whole, and never shown as if it were: every command that needs the daemon says so.
    const refused = await axum(['history', 'staging', '--repo', clone]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`a restore from ${target} was cut short`);
    expect(refused.stderr).toContain('run axum restore --from');
    expect(daemonPid(clone) === null || !isAlive(daemonPid(clone)!)).toBe(true);

    const again = await axum(['restore', '--from', target, '--repo', clone, '--json'], { timeoutMs: 60_000 });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(existsSync(join(clone, '.axum', 'restore-in-progress'))).toBe(false);
    expect(leftovers(join(clone, '.axum'))).toEqual([]);
    expect(served(clone)).toBe('0.9');
    const revisions = JSON.parse(await ok(['history', 'staging', '--json', '--repo', clone])) as { revision: number; status: string }[];
    expect(revisions.map((r) => `#${r.revision} ${r.status}`)).toEqual(['#2 live', '#1 superseded']);
    expect(await ok(['logs', 'run-2', '--step', 'train', '--repo', clone])).toContain('trained on 0.9');
    const fsck = await axum(['fsck', '--json', '--repo', clone]);
    expect(fsck.code, fsck.stdout).toBe(0);
    await cleanupRepo(clone);
  }, 120_000);
});
