// Backup status (docs/backups.md; issue #21): a history found damaged (no backup over the
// last good one), a target that cannot be written, a backup older than twice `every`, and the age
// of a written one, as `axum backup`, `axum status`, `status --json` and the TUI header show them. Real daemons, real git, through bin/axum; the TUI in tmux.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AXUM_BIN, axum, cleanupRepo, commitFiles, makeRepo, waitFor } from './support/axum.js';
import { tinyModelConfig } from './support/tiny-model.js';
import { HAS_TMUX, tmuxServer } from './support/tmux.js';

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
async function backup(dir: string): Promise<void> {
  const report = JSON.parse(await ok(['backup', '--json', '--repo', dir])) as { targets: { ok: boolean; error: string | null }[] };
  expect(report.targets[0]!.ok, report.targets[0]!.error ?? '').toBe(true);
}
const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

describe('backup status: failing, stale and fresh targets', () => {
  it('a history file found damaged stops backups, so the last good backup is not mirrored away', async () => {
    const target = tempFolder();
    const dir = makeRepo({ config: tinyModelConfig(`backup: { to: [${target}], every: 1h }\n`) });
    repos.push(dir);
    await ok(['daemon', 'start', '--repo', dir]);
    await waitFor(() => existsSync(join(dir, '.axum', 'history', 'runs.json')), 10_000, 'the first start');
    commitFiles(dir, 'model 0.9', { 'data.txt': '0.9\n' });
    await waitFor(async () => (JSON.parse(await ok(['history', 'staging', '--json', '--repo', dir])) as { status: string }[])[0]?.status === 'live', 60_000, 'a live revision');
    await backup(dir);
    const manifest = readFileSync(join(target, 'axum-backup.json'), 'utf8');
    const objects = readdirSync(join(target, 'objects')).sort();
    await ok(['daemon', 'stop', '--repo', dir]);
    // A power cut tore releases.json: the next daemon moves it aside and starts an empty one.
    const releases = join(dir, '.axum', 'history', 'releases.json');
    writeFileSync(releases, readFileSync(releases, 'utf8').slice(0, 20));
    const result = await axum(['backup', '--repo', dir], { timeoutMs: 60_000 });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/backup to .* FAILED: not backed up: .*releases\.json\.corrupt-\S+ was moved aside as damaged/);
    expect(readFileSync(join(target, 'axum-backup.json'), 'utf8')).toBe(manifest);
    expect(readdirSync(join(target, 'objects')).sort()).toEqual(objects);
    expect(await ok(['status', '--repo', dir])).toContain('not backed up:');
  }, 90_000);

  it('an unwritable target is a failed backup naming it and a status warning; the daemon goes on', async () => {
    const base = tempFolder();
    writeFileSync(join(base, 'a-file'), 'not a folder\n');
    const target = join(base, 'a-file', 'backup');
    const dir = makeRepo({ config: tinyModelConfig(`backup: { to: [${target}], every: 1h }\n`) });
    repos.push(dir);
    const result = await axum(['backup', '--repo', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`backup to ${target} FAILED`);
    expect(result.stdout).toMatch(/ENOTDIR|EACCES|EROFS/);
    const status = await ok(['status', '--repo', dir]);
    expect(status).toContain(`backup to ${target} failed`);
    const json = JSON.parse(await ok(['status', '--json', '--repo', dir])) as { backups: { target: string; error: string | null; warning: string | null }[] };
    expect(json.backups[0]).toMatchObject({ target });
    expect(json.backups[0]!.warning).toContain(target);
    // Once the target is gone from axum.yml, nothing says it failed any more.
    const good = tempFolder();
    writeFileSync(join(dir, 'axum.yml'), tinyModelConfig(`backup: { to: [${good}], every: 1h }\n`));
    await waitFor(async () => JSON.parse(await ok(['status', '--json', '--repo', dir])).backups?.[0]?.target === good, 15_000, 'the new target');
    expect(await ok(['status', '--repo', dir])).not.toContain(target);
    expect(JSON.parse(await ok(['status', '--json', '--repo', dir])).warnings).toEqual([]);
  }, 60_000);

  it('a backup older than twice every is a warning in status, status --json and the TUI header', async () => {
    const target = tempFolder();
    // The newest backup there was written 3 h ago; every is 1 h.
    const createdAt = new Date(Date.now() - 3 * 3_600_000).toISOString();
    const releases = Buffer.from(JSON.stringify({ version: 1, releases: [] }));
    const dir = makeRepo({ config: tinyModelConfig(`backup: { to: [${target}], every: 1h }\n`) });
    repos.push(dir);
    // This repository's backup (a target holding another's says so instead of an age).
    const manifest = { version: 1, repository: dir, createdAt, files: [{ path: 'history/releases.json', sha256: sha256(releases), size: releases.length }] };
    writeFileSync(join(target, 'axum-backup.json'), `${JSON.stringify({ manifest, sha256: sha256(JSON.stringify(manifest)) })}\n`);
    const warning = `the backup in ${target} is 3h old (more than twice every 60m)`;
    await waitFor(async () => (await ok(['status', '--repo', dir])).includes(warning), 15_000, 'the stale warning in status');
    const json = JSON.parse(await ok(['status', '--json', '--repo', dir])) as { backups: { target: string; lastBackupAt: string; stale: boolean; warning: string | null }[] };
    expect(json.backups).toMatchObject([{ target, lastBackupAt: createdAt, stale: true, warning }]);
    if (!HAS_TMUX) return;
    const server = tmuxServer('axum-backup-stale');
    try {
      server.tmux('new-session', '-d', '-s', 'stale', '-x', '160', '-y', '30', `${process.execPath} ${AXUM_BIN} --repo ${dir}; sleep 30`);
      await waitFor(() => server.screen('stale').includes(`backup 3h old: ${target.length > 40 ? target.slice(-39) : target}`), 15_000, 'the stale backup in the header');
      server.tmux('send-keys', '-t', 'stale', 'q');
    } finally {
      server.kill();
    }
  }, 60_000);

  it.runIf(HAS_TMUX)('the TUI header shows the age of a written backup, and a failing target in its place, live', async () => {
    const target = tempFolder();
    const dir = makeRepo({ config: tinyModelConfig(`backup: { to: [${target}], every: 1h }\n`) });
    repos.push(dir);
    await ok(['daemon', 'start', '--repo', dir]);
    const server = tmuxServer('axum-backup');
    try {
      // Attached before anything is backed up: the header follows the daemon, not the first snapshot.
      server.tmux('new-session', '-d', '-s', 'ok', '-x', '120', '-y', '30', `${process.execPath} ${AXUM_BIN} --repo ${dir}; sleep 30`);
      await waitFor(() => server.screen('ok').includes('no backup yet:'), 15_000, 'no backup yet in the header');
      await backup(dir);
      await waitFor(() => /backup \d+s ago/.test(server.screen('ok')), 15_000, 'the backup age in the header');
      const base = tempFolder();
      writeFileSync(join(base, 'f'), 'x');
      const bad = join(base, 'f', 'b');
      writeFileSync(join(dir, 'axum.yml'), tinyModelConfig(`backup: { to: [${bad}], every: 1h }\n`));
      await waitFor(async () => JSON.parse(await ok(['status', '--json', '--repo', dir])).backups?.[0]?.target === bad, 15_000, 'the new target');
      expect((await axum(['backup', '--repo', dir])).code).toBe(1);
      await waitFor(() => server.screen('ok').includes(`backup FAILED: ${bad.length > 40 ? bad.slice(-39) : bad}`), 15_000, 'the failing target in the header');
      server.tmux('send-keys', '-t', 'ok', 'q');
    } finally {
      server.kill();
    }
  }, 90_000);

});
