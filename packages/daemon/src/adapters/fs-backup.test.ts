import { chmodSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createFsBackupWriter } from './fs-backup-writer.js';
import { backupTime, verifyBackup } from './fs-backup-reader.js';

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

describe('fs backup writer and reader', () => {
  it('sends everything first, then only what changed; the manifest verifies and names its time', async () => {
    const stateDir = join(temp(), '.axum');
    const target = temp();
    stateWith(stateDir, ['model one', 'model two']);
    const writer = createFsBackupWriter({ stateDir, repoRoot: '/repo', now: () => new Date('2026-12-04T10:00:00.000Z') });
    const first = await writer.backup(target);
    expect(first).toMatchObject({ ok: true, error: null, files: 7, present: { files: 0, bytes: 0 } });
    expect(first.sent.files).toBe(7);

    stateWith(stateDir, ['model one', 'model two', 'model three!']);
    const second = await writer.backup(target);
    expect(second.ok).toBe(true);
    // New: the third blob and its manifest, releases.json and staging.json (changed); the rest was there.
    expect(second.sent.files).toBe(4);
    expect(second.present.files).toBe(5);
    expect(second.sent.bytes).toBeGreaterThanOrEqual('model three!'.length);
    const verified = await verifyBackup(target, target, { deep: true });
    expect(verified.ok).toBe(true);
    expect(await backupTime(target)).toBe('2026-12-04T10:00:00.000Z');
    // Objects the new manifest does not name (the older documents) are gone.
    expect(readdirSync(join(target, 'objects'))).toHaveLength(second.files);
    expect(second.files).toBe(9);
  });

  it('a backup cut short leaves the previous manifest valid', async () => {
    const stateDir = join(temp(), '.axum');
    const target = temp();
    stateWith(stateDir, ['model one']);
    await createFsBackupWriter({ stateDir, repoRoot: '/repo', now: () => new Date() }).backup(target);
    const manifest = readFileSync(join(target, 'axum-backup.json'), 'utf8');
    // A kill mid-copy leaves an incoming file and new objects, never a changed manifest.
    writeFileSync(join(target, 'objects', '.incoming-123-abc'), 'half');
    writeFileSync(join(target, 'objects', sha('stray')), 'stray');
    expect(readFileSync(join(target, 'axum-backup.json'), 'utf8')).toBe(manifest);
    expect((await verifyBackup(target, target, { deep: true })).ok).toBe(true);
  });

  it('refuses a tampered object, a truncated one, an edited manifest, and none at all, naming the file', async () => {
    const stateDir = join(temp(), '.axum');
    const target = temp();
    stateWith(stateDir, ['model one']);
    await createFsBackupWriter({ stateDir, repoRoot: '/repo', now: () => new Date() }).backup(target);
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

  it('a target that cannot be written is a failed report naming it, never a throw', async () => {
    const stateDir = join(temp(), '.axum');
    stateWith(stateDir, ['model one']);
    const base = temp();
    writeFileSync(join(base, 'file'), 'x');
    const report = await createFsBackupWriter({ stateDir, repoRoot: '/repo', now: () => new Date() }).backup(join(base, 'file', 'backup'));
    expect(report.ok).toBe(false);
    expect(report.error).toMatch(new RegExp(`^cannot write to ${join(base, 'file', 'backup')}: ENOTDIR`));
  });
});
