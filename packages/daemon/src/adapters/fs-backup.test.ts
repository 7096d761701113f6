import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createBackupWriter } from './backup-writer.js';
import { createFsBackupDestination } from './fs-backup-destination.js';
import { verifyBackup } from './fs-backup-reader.js';
import { lastBackupAt } from './backup-targets.js';
import { copyVerified, hashFile } from './fs-backup-objects.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'axum-backup-unit-'));
  dirs.push(dir);
  return dir;
};
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

/** A `.axum/` with releases whose artifacts are `contents` (one blob each), and one environment. */
function stateWith(stateDir: string, contents: string[]): void {
  mkdirSync(join(stateDir, 'store', 'sha256'), { recursive: true });
  mkdirSync(join(stateDir, 'history', 'envs'), { recursive: true });
  const releases = contents.map((content, i) => {
    const blob = join(stateDir, 'store', 'sha256', sha(content));
    writeFileSync(blob, content);
    chmodSync(blob, 0o444);
    const id = `rel-${i + 1}`;
    mkdirSync(join(stateDir, 'releases', id), { recursive: true });
    writeFileSync(join(stateDir, 'releases', id, 'manifest.json'), JSON.stringify({ id }));
    return { id, artifacts: [{ path: 'model.bin', sha256: sha(content), size: content.length }] };
  });
  writeFileSync(join(stateDir, 'history', 'releases.json'), JSON.stringify({ version: 1, releases }));
  writeFileSync(join(stateDir, 'history', 'envs', 'staging.json'), JSON.stringify({ version: 1, revisions: contents.length }));
}

/** The backup writer over local folders, as the daemon makes it for a folder target. */
const createFsBackupWriter = (options: Omit<Parameters<typeof createBackupWriter>[0], 'destinationFor'>) =>
  createBackupWriter({ ...options, destinationFor: (target) => createFsBackupDestination(target) });

describe('fs backup writer and reader', () => {
  it('sends everything first, then only what changed; the manifest verifies and names its time', async () => {
    const stateDir = join(temp(), '.axum');
    const target = temp();
    stateWith(stateDir, ['model one', 'model two']);
    const writer = createFsBackupWriter({ stateDir, repoRoot: '/repo', now: () => new Date('2026-12-04T10:00:00.000Z') });
    const first = await writer.backup(target, 1);
    expect(first).toMatchObject({ ok: true, error: null, files: 7, present: { files: 0, bytes: 0 } });
    expect(first.sent.files).toBe(7);

    stateWith(stateDir, ['model one', 'model two', 'model three!']);
    const second = await writer.backup(target, 1);
    expect(second.ok).toBe(true);
    // New: the third blob and its manifest, releases.json and staging.json (changed); the rest was there.
    expect(second.sent.files).toBe(4);
    expect(second.present.files).toBe(5);
    expect(second.sent.bytes).toBeGreaterThanOrEqual('model three!'.length);
    const verified = await verifyBackup(target, target, { deep: true });
    expect(verified.ok).toBe(true);
    expect(await lastBackupAt(createFsBackupDestination(target), '/repo')).toBe('2026-12-04T10:00:00.000Z');
    // Another repository's target: not written, and its age is not this repository's.
    const other = createFsBackupWriter({ stateDir, repoRoot: '/elsewhere', now: () => new Date('2026-12-04T11:00:00.000Z') });
    expect(await other.backup(target, 1)).toMatchObject({ ok: false, error: expect.stringContaining('holds the backups of another repository (/repo), not of /elsewhere') });
    await expect(lastBackupAt(createFsBackupDestination(target), '/elsewhere')).rejects.toThrow('another repository (/repo)');
    expect(await lastBackupAt(createFsBackupDestination(target), '/repo')).toBe('2026-12-04T10:00:00.000Z');
    // Objects the new manifest does not name (the older documents) are gone.
    expect(readdirSync(join(target, 'objects'))).toHaveLength(second.files);
    expect(second.files).toBe(9);
  });

  it('a stored file the store lost is named, never stops the backup, and the copy a target holds is never pruned', async () => {
    const stateDir = join(temp(), '.axum');
    const target = temp();
    const fresh = temp();
    stateWith(stateDir, ['model one', 'model two']);
    const writer = createFsBackupWriter({ stateDir, repoRoot: '/repo', now: () => new Date() });
    expect((await writer.backup(target, 1)).ok).toBe(true);
    rmSync(join(stateDir, 'store', 'sha256', sha('model one')), { force: true });
    // Two backups with keep 1: the snapshots from before the loss are gone, the copy is not.
    for (let i = 0; i < 2; i++) {
      const report = await writer.backup(target, 1);
      expect(report).toMatchObject({ ok: true, error: null, missing: [`model.bin of rel-1 (sha256 ${sha('model one').slice(0, 12)}…, kept: the backup holds a copy)`] });
    }
    expect(readdirSync(join(target, 'objects'))).toContain(sha('model one'));
    expect((await verifyBackup(target, target, { deep: true })).ok).toBe(true);
    // A target that never had it: everything else is backed up, and the loss said.
    const first = await writer.backup(fresh, 1);
    expect(first).toMatchObject({ ok: true, missing: [`model.bin of rel-1 (sha256 ${sha('model one').slice(0, 12)}…, not in the backup either)`] });
    expect(readdirSync(join(fresh, 'objects'))).toContain(sha('model two'));
    expect(readdirSync(join(fresh, 'objects'))).not.toContain(sha('model one'));
    expect((await verifyBackup(fresh, fresh, { deep: true })).ok).toBe(true);
  });

  it('an emptied .axum/ does not back up over a backup that holds releases, unless taken over', async () => {
    const stateDir = join(temp(), '.axum');
    const target = temp();
    stateWith(stateDir, ['model one']);
    const writer = createFsBackupWriter({ stateDir, repoRoot: '/repo', now: () => new Date() });
    expect((await writer.backup(target, 3)).ok).toBe(true);
    const kept = readFileSync(join(target, 'axum-backup.json'), 'utf8');
    rmSync(stateDir, { recursive: true, force: true });
    stateWith(stateDir, []);
    const refused = await writer.backup(target, 3);
    expect(refused).toMatchObject({ ok: false, error: expect.stringContaining(`holds no release, but the backup in ${target}`) });
    expect(refused.error).toContain(`axum restore --from ${target}`);
    expect(readFileSync(join(target, 'axum-backup.json'), 'utf8')).toBe(kept);
    expect((await writer.backup(target, 3, true)).ok).toBe(true);
    expect(readFileSync(join(target, 'axum-backup.json'), 'utf8')).not.toBe(kept);
  });

  it('a backup cut short leaves the previous manifest valid', async () => {
    const stateDir = join(temp(), '.axum');
    const target = temp();
    stateWith(stateDir, ['model one']);
    await createFsBackupWriter({ stateDir, repoRoot: '/repo', now: () => new Date() }).backup(target, 1);
    const manifest = readFileSync(join(target, 'axum-backup.json'), 'utf8');
    // A kill mid-copy leaves an incoming file and new objects, never a changed manifest.
    writeFileSync(join(target, 'objects', '.incoming-123-abc'), 'half');
    writeFileSync(join(target, 'objects', sha('stray')), 'stray');
    writeFileSync(join(target, '.incoming-456-def'), '{"manifest":');
    expect(readFileSync(join(target, 'axum-backup.json'), 'utf8')).toBe(manifest);
    expect((await verifyBackup(target, target, { deep: true })).ok).toBe(true);
    // The next backup removes what the cut-short one left, beside the manifest too.
    expect((await createFsBackupWriter({ stateDir, repoRoot: '/repo', now: () => new Date() }).backup(target, 1)).ok).toBe(true);
    expect(readdirSync(join(target, 'objects')).filter((n) => n.startsWith('.') || n === sha('stray'))).toEqual([]);
    expect(readdirSync(target).sort()).toEqual(['axum-backup.json', 'objects', 'snapshots']);
  });

  it('an exception at each crash point leaves the previous backup the one the manifest names, whole', async () => {
    const stateDir = join(temp(), '.axum');
    const target = temp();
    stateWith(stateDir, ['model one']);
    await createFsBackupWriter({ stateDir, repoRoot: '/repo', now: () => new Date('2026-12-04T10:00:00.000Z') }).backup(target, 1);
    const manifest = readFileSync(join(target, 'axum-backup.json'), 'utf8');
    stateWith(stateDir, ['model one', 'model two']);
    for (const point of ['backup.object-written', 'backup.object-sent', 'backup.objects-sent', 'backup.manifest-written']) {
      const crash = (at: string) => {
        if (at === point) throw new Error(`killed at ${at}`);
      };
      const report = await createFsBackupWriter({ stateDir, repoRoot: '/repo', now: () => new Date('2026-12-04T11:00:00.000Z'), crash }).backup(target, 1);
      expect(report.ok, point).toBe(false);
      expect(readFileSync(join(target, 'axum-backup.json'), 'utf8'), point).toBe(manifest);
      expect((await verifyBackup(target, target, { deep: true })).ok, point).toBe(true);
    }
  });

  it('copies a log still being written as the prefix it had when listed, verified', async () => {
    const dir = temp();
    const log = join(dir, 'train.log');
    writeFileSync(log, 'epoch 1\nepoch 2\n');
    expect(await hashFile(log, 8)).toEqual({ sha256: sha('epoch 1\n'), size: 8 });
    expect(await hashFile(log, 0)).toEqual({ sha256: sha(''), size: 0 });
    expect(await copyVerified(log, join(dir, 'copy'), sha('epoch 1\n'), 'train.log', { length: 8 })).toBe(8);
    expect(readFileSync(join(dir, 'copy'), 'utf8')).toBe('epoch 1\n');
    await expect(copyVerified(log, join(dir, 'other'), sha('epoch 9\n'), 'train.log', { length: 8 })).rejects.toThrow(/train\.log hashes to .* \(changed or corrupt\)/);
    expect(readdirSync(dir).sort()).toEqual(['copy', 'train.log']);
  });

  it('backs up step and operation logs, only new or grown ones again; never a metrics file', async () => {
    const stateDir = join(temp(), '.axum');
    const target = temp();
    stateWith(stateDir, ['model one']);
    const logs = (run: string) => {
      mkdirSync(join(stateDir, 'runs', run, 'logs'), { recursive: true });
      return join(stateDir, 'runs', run, 'logs');
    };
    writeFileSync(join(logs('run-1'), 'train.log'), 'epoch 1\n');
    writeFileSync(join(logs('run-1'), 'train.times'), '0 1764842400000\n');
    writeFileSync(join(stateDir, 'runs', 'run-1', 'metrics.env'), 'accuracy=0.9\n');
    writeFileSync(join(logs('deploy-staging-1-1764842400000'), 'smoke.log'), 'ok\n');
    const writer = createFsBackupWriter({ stateDir, repoRoot: '/repo', now: () => new Date() });
    const first = await writer.backup(target, 1);
    expect(first.ok).toBe(true);
    const paths = () => (JSON.parse(readFileSync(join(target, 'axum-backup.json'), 'utf8')) as { manifest: { files: { path: string; sha256: string }[] } }).manifest.files;
    expect(paths().map((f) => f.path).filter((p) => p.startsWith('runs/'))).toEqual(['runs/deploy-staging-1-1764842400000/logs/smoke.log', 'runs/run-1/logs/train.log', 'runs/run-1/logs/train.times']);

    // A new run's log, and run-1's log grown: those two are sent; the others are already there.
    writeFileSync(join(logs('run-2'), 'train.log'), 'epoch 1 of run 2\n');
    writeFileSync(join(logs('run-1'), 'train.log'), 'epoch 1\nepoch 2\n');
    const second = await writer.backup(target, 1);
    expect(second.sent.files).toBe(2);
    expect(second.present.files).toBe(first.files - 1);
    const grown = paths().find((f) => f.path === 'runs/run-1/logs/train.log')!;
    expect(grown.sha256).toBe(sha('epoch 1\nepoch 2\n'));
    // Rewritten at the same size after the last backup (a log of a reused run id): hashed again.
    writeFileSync(join(logs('run-2'), 'train.log'), 'EPOCH 1 OF RUN 2\n');
    utimesSync(join(logs('run-2'), 'train.log'), new Date(Date.now() + 60_000), new Date(Date.now() + 60_000));
    expect((await writer.backup(target, 1)).sent.files).toBe(1);
    expect(paths().find((f) => f.path === 'runs/run-2/logs/train.log')!.sha256).toBe(sha('EPOCH 1 OF RUN 2\n'));
    expect((await verifyBackup(target, target, { deep: true })).ok).toBe(true);
  });

  it('refuses a tampered object, a truncated one, an edited manifest, and none at all, naming the file', async () => {
    const stateDir = join(temp(), '.axum');
    const target = temp();
    stateWith(stateDir, ['model one']);
    await createFsBackupWriter({ stateDir, repoRoot: '/repo', now: () => new Date() }).backup(target, 1);
    const object = join(target, 'objects', sha('model one'));
    chmodSync(object, 0o644);
    writeFileSync(object, 'model ONE');
    expect(await verifyBackup(target, 'T', { deep: true })).toEqual({ ok: false, problem: expect.stringMatching(/^T: store\/sha256\/[0-9a-f]{64} \(objects\/[0-9a-f]{12}…\) hashes to .* \(tampered or corrupt\)$/) });
    // A size check alone (after a backup) misses a same-size edit; a restore's deep check does not.
    expect((await verifyBackup(target, 'T', { deep: false })).ok).toBe(true);
    writeFileSync(object, 'model');
    expect(await verifyBackup(target, 'T', { deep: false })).toMatchObject({ ok: false, problem: expect.stringContaining('has 5 bytes, expected 9 (truncated or tampered)') });
    writeFileSync(object, 'model one');
    const file = join(target, 'axum-backup.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('/repo', '/elsewhere'));
    expect(await verifyBackup(target, 'T', { deep: true })).toEqual({ ok: false, problem: 'T: axum-backup.json does not match its sha256 (tampered or corrupt)' });
    rmSync(file);
    expect(await verifyBackup(target, 'T', { deep: true })).toEqual({ ok: false, problem: 'T: no backup here (no axum-backup.json)' });
  });

  it('writes no backup over the last one while a history file the daemon found damaged lies aside', async () => {
    const stateDir = join(temp(), '.axum');
    const target = temp();
    stateWith(stateDir, ['model one', 'model two']);
    const writer = createFsBackupWriter({ stateDir, repoRoot: '/repo', now: () => new Date() });
    expect((await writer.backup(target, 1)).ok).toBe(true);
    const manifest = readFileSync(join(target, 'axum-backup.json'), 'utf8');
    const objects = readdirSync(join(target, 'objects')).sort();
    // The daemon moved an unreadable releases.json aside and started an empty one.
    writeFileSync(join(stateDir, 'history', 'releases.json.corrupt-2026-12-04T10-00-00-000Z'), '{"versi');
    writeFileSync(join(stateDir, 'history', 'releases.json'), JSON.stringify({ version: 1, releases: [] }));
    const refused = await writer.backup(target, 1);
    expect(refused.ok).toBe(false);
    expect(refused.error).toContain(`not backed up: ${join(stateDir, 'history', 'releases.json.corrupt-2026-12-04T10-00-00-000Z')} was moved aside as damaged`);
    expect(readFileSync(join(target, 'axum-backup.json'), 'utf8')).toBe(manifest);
    expect(readdirSync(join(target, 'objects')).sort()).toEqual(objects);
    // An environment's document, the same.
    rmSync(join(stateDir, 'history', 'releases.json.corrupt-2026-12-04T10-00-00-000Z'));
    writeFileSync(join(stateDir, 'history', 'envs', 'staging.json.invalid-2026-12-04T10-00-00-000Z'), '{}');
    expect((await writer.backup(target, 1)).error).toContain('staging.json.invalid-');
    // Moved out by a person who looked: the history as it is now is backed up, once they say so,
    // as it holds no release and the backup does.
    rmSync(join(stateDir, 'history', 'envs', 'staging.json.invalid-2026-12-04T10-00-00-000Z'));
    expect((await writer.backup(target, 1)).error).toContain('holds no release');
    expect((await writer.backup(target, 1, true)).ok).toBe(true);
  });

  it('a target that cannot be written is a failed report naming it, never a throw', async () => {
    const stateDir = join(temp(), '.axum');
    stateWith(stateDir, ['model one']);
    const base = temp();
    writeFileSync(join(base, 'file'), 'x');
    const report = await createFsBackupWriter({ stateDir, repoRoot: '/repo', now: () => new Date() }).backup(join(base, 'file', 'backup'), 1);
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(new RegExp(`^cannot write to ${join(base, 'file', 'backup')}: ENOTDIR`));
  });
});
