// Backups (docs/backups.md; issue #21, local folders): `axum backup`, `rm -rf .axum`, `axum
// restore` gives back every revision, the old runs' logs and a rollback to an old one with its
// files verified; an incremental backup sends only what the target lacks (files and bytes counted
// at the target); a tampered or truncated backup is refused naming the file with nothing written.
// Status and age: backup-status.test.ts; kill -9 mid-backup and mid-restore: crash-backup.test.ts.
// Real daemons, real git, through bin/axum.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, cleanupRepo, commitFiles, historyText, makeRepo, waitFor } from './support/axum.js';
import { tinyModel, tinyModelConfig } from './support/tiny-model.js';

interface Revision {
  revision: number;
  status: string;
  kind: string;
  releaseId: string;
  verified: boolean;
}
interface TargetReport {
  target: string;
  ok: boolean;
  error: string | null;
  files: number;
  sent: { files: number; bytes: number };
  present: { files: number; bytes: number };
}
interface ManifestFile {
  path: string;
  sha256: string;
  size: number;
}

const repos: string[] = [];
const folders: string[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map(cleanupRepo));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function tempFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'axum-backup-'));
  folders.push(dir);
  return dir;
}
async function ok(args: string[]): Promise<string> {
  const result = await axum(args, { timeoutMs: 60_000 });
  expect(result.code, `axum ${args.join(' ')}: ${result.stderr}${result.stdout}`).toBe(0);
  return result.stdout;
}
async function history(dir: string): Promise<Revision[]> {
  return JSON.parse(await ok(['history', 'staging', '--json', '--repo', dir])) as Revision[];
}
async function settled(dir: string, count: number): Promise<Revision[]> {
  let revisions: Revision[] = [];
  await waitFor(async () => {
    revisions = await history(dir);
    return revisions.length >= count && revisions.every((r) => r.status !== 'deploying' && r.status !== 'verifying');
  }, 60_000, `${count} settled revisions`);
  return revisions;
}
async function backup(dir: string): Promise<TargetReport> {
  const report = JSON.parse(await ok(['backup', '--json', '--repo', dir])) as { targets: TargetReport[] };
  expect(report.targets).toHaveLength(1);
  expect(report.targets[0]!.ok, report.targets[0]!.error ?? '').toBe(true);
  return report.targets[0]!;
}
const manifestOf = (target: string): ManifestFile[] => (JSON.parse(readFileSync(join(target, 'axum-backup.json'), 'utf8')) as { manifest: { files: ManifestFile[] } }).manifest.files;
const served = (dir: string) => readFileSync(join(dir, '.axum', 'envs', 'staging', 'current', 'model', 'weights.txt'), 'utf8').trim();
const model = (dir: string, value: string) => commitFiles(dir, `model ${value}`, { 'data.txt': `${value}\n` });

/** A repository whose staging serves three verified models (0.85, 0.9, 0.95), backed up to `target`. */
async function threeRevisions(target: string): Promise<string> {
  // `train` prints, so the restored run logs have something to show.
  const config = tinyModel({ train: ' && ln -sf weights.txt model/latest.txt && echo trained on $(cat data.txt)', extra: `backup: { to: [${target}], every: 24h }\n` });
  const dir = makeRepo({ config });
  repos.push(dir);
  await ok(['daemon', 'start', '--repo', dir]);
  await waitFor(() => historyText(dir).includes('"main"'), 10_000, 'the first reconciliation');
  for (const [i, value] of ['0.85', '0.9'].entries()) {
    model(dir, value);
    await settled(dir, i + 1);
  }
  return dir;
}

describe('axum backup and axum restore (local folder)', () => {
  it('backup, incremental backup (only new blobs), rm -rf .axum, restore, history and rollback --to 1 verified', async () => {
    const target = tempFolder();
    const dir = await threeRevisions(target);
    const first = await backup(dir);
    const before = manifestOf(target);
    // Everything was sent, each content once (empty logs share one object).
    expect(first.sent.files).toBe(new Set(before.map((f) => f.sha256)).size);
    expect(first.files).toBe(before.length);

    model(dir, '0.95');
    expect((await settled(dir, 3))[0]).toMatchObject({ revision: 3, status: 'live' });
    const objectsBefore = new Map(readdirSync(join(target, 'objects')).map((name) => [name, statSync(join(target, 'objects', name)).ino]));
    const second = await backup(dir);
    const after = manifestOf(target);
    // Counted at the target: the files that appeared are exactly what the report says was sent,
    // and every object that stayed is the same file (not written again).
    const appeared = readdirSync(join(target, 'objects')).filter((name) => !objectsBefore.has(name));
    expect(appeared).toHaveLength(second.sent.files);
    expect(appeared.reduce((sum, name) => sum + statSync(join(target, 'objects', name)).size, 0)).toBe(second.sent.bytes);
    for (const name of readdirSync(join(target, 'objects')).filter((n) => objectsBefore.has(n))) expect(statSync(join(target, 'objects', name)).ino).toBe(objectsBefore.get(name));
    console.log(`FIGURE backup incremental: first ${first.sent.files} files / ${first.sent.bytes} bytes; after one commit ${second.sent.files} sent / ${second.sent.bytes} bytes, ${second.present.files} already there / ${second.present.bytes} bytes`);
    // Only what the target lacked was sent, and the bytes are exactly those objects' sizes.
    const known = new Set(before.map((f) => f.sha256));
    // The earlier runs' logs were already there: only logs the first backup did not hold were sent.
    const logsSent = after.filter((f) => f.path.startsWith('runs/') && !known.has(f.sha256));
    expect(logsSent.map((f) => f.path)).toContain('runs/run-3/logs/train.log');
    expect(logsSent.filter((f) => before.some((b) => b.path === f.path))).toEqual([]);
    const fresh = new Map(after.filter((f) => !known.has(f.sha256)).map((f) => [f.sha256, f.size]));
    expect(second.sent.files).toBe(fresh.size);
    expect(second.sent.bytes).toBe([...fresh.values()].reduce((a, b) => a + b, 0));
    const blobsBefore = before.filter((f) => f.path.startsWith('store/'));
    const blobsAfter = after.filter((f) => f.path.startsWith('store/'));
    expect(blobsAfter.length).toBe(blobsBefore.length + 1);
    expect(after.filter((f) => f.path.startsWith('store/') && fresh.has(f.sha256))).toHaveLength(1); // the one new model
    expect(second.present.files).toBeGreaterThanOrEqual(blobsBefore.length);
    // One unit both ways: objects sent and objects already there are every object the manifest names.
    expect(second.sent.files + second.present.files).toBe(new Set(after.map((f) => f.sha256)).size);

    const whileRunning = await axum(['restore', '--from', target, '--repo', dir]);
    expect(whileRunning.code).toBe(1);
    expect(whileRunning.stderr).toMatch(/^axum: a daemon \(pid \d+\) serves .*stop it first \(axum daemon stop\)/);
    await ok(['daemon', 'stop', '--repo', dir]);
    rmSync(join(dir, '.axum'), { recursive: true, force: true });
    const restored = await axum(['restore', '--from', target, '--repo', dir], { timeoutMs: 60_000 });
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('verified by sha256');
    expect(served(dir)).toBe('0.95');
    expect(readlinkSync(join(dir, '.axum', 'envs', 'staging', 'current', 'model', 'latest.txt'))).toBe('weights.txt');
    // The step logs came back with the history: `axum logs` of an old run reads as printed.
    expect(await ok(['logs', 'run-1', '--step', 'train', '--repo', dir])).toContain('trained on 0.85');

    const revisions = await history(dir);
    expect(revisions.map((r) => `#${r.revision} ${r.status}`)).toEqual(['#3 live', '#2 superseded', '#1 superseded']);
    const status = JSON.parse(await ok(['status', '--json', '--repo', dir])) as { environments: { name: string; incident: string | null }[]; backups: { target: string; stale: boolean }[] };
    expect(status.environments.find((e) => e.name === 'staging')?.incident ?? null).toBeNull();
    expect(status.backups).toMatchObject([{ target, stale: false }]);

    const rollback = JSON.parse(await ok(['rollback', 'staging', '--to', '1', '--yes', '--json', '--repo', dir])) as Revision;
    expect(rollback).toMatchObject({ revision: 4, kind: 'rollback', status: 'live', verified: true, releaseId: revisions[2]!.releaseId });
    expect(served(dir)).toBe('0.85');
    // A symlink artifact comes back as the symlink, not a copy of its target.
    expect(readlinkSync(join(dir, '.axum', 'envs', 'staging', 'current', 'model', 'latest.txt'))).toBe('weights.txt');
    const fsck = await axum(['fsck', '--json', '--repo', dir]);
    expect(fsck.code, fsck.stdout).toBe(0);
  }, 240_000);

  it('a tampered blob or a truncated manifest is refused naming the file, and nothing is overwritten', async () => {
    const target = tempFolder();
    const dir = await threeRevisions(target);
    await backup(dir);
    const files = manifestOf(target);
    const blob = files.find((f) => f.path.startsWith('store/'))!;
    const object = join(target, 'objects', blob.sha256);
    const original = readFileSync(object);
    const tampered = Buffer.from(original);
    tampered[0] = tampered[0]! ^ 1;
    execFileSync('chmod', ['u+w', object]);
    writeFileSync(object, tampered);

    // Onto a fresh clone: refused before anything is written (no .axum at all).
    const clone = join(tempFolder(), 'clone');
    execFileSync('git', ['clone', '-q', dir, clone]);
    const refused = await axum(['restore', '--from', target, '--repo', clone]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(target);
    expect(refused.stderr).toContain(blob.path);
    expect(refused.stderr).toMatch(/tampered or corrupt/);
    expect(existsSync(join(clone, '.axum'))).toBe(false);

    // Onto the repository with its history: refused, and its files are as they were.
    await ok(['daemon', 'stop', '--repo', dir]);
    const releasesBefore = readFileSync(join(dir, '.axum', 'history', 'releases.json'), 'utf8');
    const refusedHere = await axum(['restore', '--from', target, '--repo', dir]);
    expect(refusedHere.code).toBe(1);
    expect(refusedHere.stderr).toContain(blob.path);
    expect(readFileSync(join(dir, '.axum', 'history', 'releases.json'), 'utf8')).toBe(releasesBefore);

    // A log cut short at the target: refused naming the log, nothing written.
    writeFileSync(object, original);
    const log = files.find((f) => f.path === 'runs/run-1/logs/train.log')!;
    const logObject = join(target, 'objects', log.sha256);
    const logBytes = readFileSync(logObject);
    execFileSync('chmod', ['u+w', logObject]);
    writeFileSync(logObject, logBytes.subarray(0, 3));
    const cutLog = await axum(['restore', '--from', target, '--repo', clone]);
    expect(cutLog.code).toBe(1);
    expect(cutLog.stderr).toContain('runs/run-1/logs/train.log');
    expect(cutLog.stderr).toContain('truncated or tampered');
    expect(existsSync(join(clone, '.axum'))).toBe(false);
    writeFileSync(logObject, logBytes);

    // A truncated manifest: refused by name.
    const manifest = readFileSync(join(target, 'axum-backup.json'), 'utf8');
    writeFileSync(join(target, 'axum-backup.json'), manifest.slice(0, manifest.length >> 1));
    const truncated = await axum(['restore', '--from', target, '--repo', clone]);
    expect(truncated.code).toBe(1);
    expect(truncated.stderr).toContain('axum-backup.json is truncated');
    expect(existsSync(join(clone, '.axum'))).toBe(false);

    // The whole backup restores onto the fresh clone: every revision, current on the live one.
    writeFileSync(join(target, 'axum-backup.json'), manifest);
    const restored = await axum(['restore', '--from', target, '--repo', clone, '--json']);
    expect(restored.code, restored.stdout).toBe(0);
    repos.push(clone);
    expect((await history(clone)).map((r) => r.revision)).toEqual([2, 1]);
    expect(served(clone)).toBe('0.9');
    expect(await ok(['logs', 'run-2', '--repo', clone])).toContain('trained on 0.9');
    // The clone backs up to the target it came from: refused, the target is the original's (its
    // status would count the clone's backup as its own); --take-over, for a repository that moved.
    const theirs = await axum(['backup', '--repo', clone]);
    expect(theirs.code).toBe(1);
    expect(theirs.stdout).toContain(`holds the backups of another repository (${dir}), not of ${clone}`);
    expect(manifestOf(target).length).toBeGreaterThan(0);
    expect((JSON.parse(readFileSync(join(target, 'axum-backup.json'), 'utf8')) as { manifest: { repository: string } }).manifest.repository).toBe(dir);
    const moved = await axum(['backup', '--take-over', '--yes', '--repo', clone]);
    expect(moved.code, moved.stdout).toBe(0);
    expect((JSON.parse(readFileSync(join(target, 'axum-backup.json'), 'utf8')) as { manifest: { repository: string } }).manifest.repository).toBe(clone);

    // Again into the restored clone: refused, it holds a history now.
    await ok(['daemon', 'stop', '--repo', clone]);
    const twice = await axum(['restore', '--from', target, '--repo', clone]);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('already holds a history (environments staging)');

    // A restore cut short (its marker and part of the history written) is finished by running it again.
    const cut = join(tempFolder(), 'cut');
    execFileSync('git', ['clone', '-q', dir, cut]);
    repos.push(cut);
    execFileSync('mkdir', ['-p', join(cut, '.axum', 'history', 'envs')]);
    writeFileSync(join(cut, '.axum', 'history', 'envs', 'staging.json'), readFileSync(join(clone, '.axum', 'history', 'envs', 'staging.json')));
    writeFileSync(join(cut, '.axum', 'restore-in-progress'), `${target}\n`);
    const finished = await axum(['restore', '--from', target, '--repo', cut]);
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stdout).toContain(`the backup names ${clone}: backups from here to that target are refused until this repository takes it over (axum backup --take-over)`);
    expect(existsSync(join(cut, '.axum', 'restore-in-progress'))).toBe(false);
    expect(served(cut)).toBe('0.9');
  }, 240_000);

  it('a malformed SSH target is refused by axum validate with its line and column', async () => {
    const dir = makeRepo({ config: tinyModelConfig('backup: { to: ["backup@10.0.0.9:srv/axum-backup"], every: 1h }\n') });
    repos.push(dir);
    const result = await axum(['validate', '--repo', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr + result.stdout).toMatch(/axum\.yml:\d+:\d+: .*"backup@10\.0\.0\.9:srv\/axum-backup": the folder "srv\/axum-backup" is not an absolute path/);
    expect(readdirSync(dir)).not.toContain('.axum');
  }, 30_000);

  it('with no backup target it is a configuration problem: exit 2 naming the key to add, as under --json', async () => {
    const dir = makeRepo({ config: tinyModelConfig() });
    repos.push(dir);
    const result = await axum(['backup', '--repo', dir], { timeoutMs: 60_000 });
    expect({ code: result.code, stderr: result.stderr.replace(/^started the daemon .*\n/, '') }).toEqual({ code: 2, stderr: 'axum: no backup target: add backup: { to: [/path/to/folder], every: 1h } to axum.yml\n' });
    expect((await axum(['backup', '--json', '--repo', dir], { timeoutMs: 60_000 })).code).toBe(2);
  }, 90_000);
});
