// Requests on a full disk (RELIABILITY.md, file-system errors): a rollback, pin, unpin, mark or
// approve whose save fails with ENOSPC answers one clear line naming the full disk (exit 1), and
// the daemon's memory stays what the records say — also after a restart. A read-only `.axum` is
// said as such by every command that needs the daemon. Real daemons, real git, `.axum` on a small
// tmpfs filled to the last byte or remounted read-only (root only; skipped elsewhere).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, daemonPid, isAlive, scratchRepos, startDaemon, waitFor } from './support/axum.js';
import { history, settled } from './support/history.js';
import { tinyModelConfig } from './support/tiny-model.js';

const isRoot = process.getuid?.() === 0;
const sh = (command: string) => execFileSync('sh', ['-c', command], { stdio: 'pipe', encoding: 'utf8' });
const mounts: string[] = [];
const repo = scratchRepos(afterEach);
// Registered after scratchRepos, so it runs first: the daemon stops before its `.axum` goes.
afterEach(async () => {
  for (const dir of mounts.splice(0)) {
    const root = join(dir, '..');
    const pid = daemonPid(root);
    await axum(['daemon', 'stop', '--yes', '--repo', root]);
    if (pid !== null) await waitFor(() => !isAlive(pid), 10_000, `daemon ${pid} to exit`);
    sh(`umount -l '${dir}'`);
  }
});

/** A repository whose `.axum` is a small tmpfs, its daemon started, v1 and v2 deployed: #2 live, #1 the last known good. */
async function twoDeploysOnTmpfs(): Promise<string> {
  const dir = await startedOnTmpfs(tinyModelConfig());
  commitFiles(dir, 'v1', { 'data.txt': '0.86\n' });
  await settled(dir, 1);
  commitFiles(dir, 'v2', { 'data.txt': '0.9\n' });
  await settled(dir, 2);
  return dir;
}
async function startedOnTmpfs(config: string): Promise<string> {
  const dir = repo({ config });
  const state = join(dir, '.axum');
  mkdirSync(state);
  sh(`mount -t tmpfs -o size=8m,mode=0755 tmpfs '${state}'`);
  mounts.push(state);
  commitFiles(dir, 'data', { 'data.txt': '0.85\n' });
  await startDaemon(dir);
  return dir;
}
/** Fills the tmpfs under `dir`/.axum to the last byte; returns how to free it. */
function fill(dir: string): () => void {
  const file = join(dir, '.axum', '.filler');
  sh(`cat /dev/zero > '${file}' 2>/dev/null || true`);
  return () => rmSync(file, { force: true });
}
interface EnvJson { pinned: boolean; live: { revision: number } | null; awaitingApproval: boolean }
async function env(dir: string): Promise<EnvJson> {
  const result = await axum(['status', '--json', '--repo', dir]);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { environments: EnvJson[] }).environments[0]!;
}
async function restart(dir: string): Promise<void> {
  const pid = daemonPid(dir)!;
  expect((await axum(['daemon', 'stop', '--yes', '--repo', dir])).code).toBe(0);
  await waitFor(() => !isAlive(pid), 10_000, 'the daemon to exit');
  expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
}
/** One line naming the full disk, exit 1 (the operation failed), the daemon alive. */
function saysDiskFull(result: { code: number; stderr: string }, pid: number): void {
  expect(result.stderr).toMatch(/could not be recorded: the disk is full \(ENOSPC/);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.code).toBe(1);
  expect(isAlive(pid)).toBe(true);
}
const badReleases = (dir: string) => (JSON.parse(readFileSync(join(dir, '.axum', 'history', 'releases.json'), 'utf8')) as { releases: { id: string; bad: unknown }[] }).releases.filter((r) => r.bad !== null).map((r) => r.id);

describe.skipIf(!isRoot)('requests on a full disk', () => {
  it('a rollback whose records cannot be saved answers that the disk is full (exit 1); nothing is pinned in memory or on disk, before and after a restart', async () => {
    const dir = await twoDeploysOnTmpfs();
    const pid = daemonPid(dir)!;
    const free = fill(dir);
    const rollback = await axum(['rollback', 'staging', '--yes', '--repo', dir]);
    console.log(`FIGURE rollback-disk-full: exit ${rollback.code}: ${rollback.stderr.trim()}`);
    saysDiskFull(rollback, pid);
    expect(await env(dir)).toMatchObject({ pinned: false, live: { revision: 2 } });
    expect((await history(dir)).map((r) => `#${r.revision} ${r.status}`)).toEqual(['#2 live', '#1 superseded']);
    free();
    await restart(dir);
    expect(await env(dir)).toMatchObject({ pinned: false, live: { revision: 2 } });
    expect((await history(dir)).map((r) => `#${r.revision} ${r.status}`)).toEqual(['#2 live', '#1 superseded']);
    // Space again: the same rollback goes through.
    const again = await axum(['rollback', 'staging', '--yes', '--repo', dir]);
    expect(again.code, again.stderr).toBe(0);
  });

  it('pin, unpin and mark whose save fails answer that the disk is full (exit 1) and change nothing, in memory or on disk', async () => {
    const dir = await twoDeploysOnTmpfs();
    const pid = daemonPid(dir)!;
    let free = fill(dir);
    saysDiskFull(await axum(['pin', 'staging', '--repo', dir]), pid);
    expect((await env(dir)).pinned).toBe(false);
    saysDiskFull(await axum(['mark', 'rel-1', 'bad', '--reason', 'a test', '--repo', dir]), pid);
    const releases = await axum(['releases', '--json', '--repo', dir]);
    expect((JSON.parse(releases.stdout) as { id: string; bad: unknown }[]).filter((r) => r.bad !== null)).toEqual([]);
    free();
    expect((await axum(['pin', 'staging', '--repo', dir])).code).toBe(0);
    free = fill(dir);
    saysDiskFull(await axum(['unpin', 'staging', '--yes', '--repo', dir]), pid);
    expect((await env(dir)).pinned).toBe(true);
    free();
    await restart(dir);
    expect((await env(dir)).pinned).toBe(true);
    expect(badReleases(dir)).toEqual([]);
  });

  it('an approval whose revision cannot be saved answers that the disk is full (exit 1); the release still waits, in memory and after a restart', async () => {
    const dir = await startedOnTmpfs(tinyModelConfig('', '', '  staging: { branch: main, approval: manual }'));
    commitFiles(dir, 'v1', { 'data.txt': '0.86\n' });
    await waitFor(async () => (await env(dir)).awaitingApproval, 30_000, 'v1 to wait for approval');
    const pid = daemonPid(dir)!;
    const free = fill(dir);
    saysDiskFull(await axum(['approve', 'staging', '--yes', '--repo', dir]), pid);
    expect(await env(dir)).toMatchObject({ awaitingApproval: true, live: null });
    expect(await history(dir)).toEqual([]);
    free();
    await restart(dir);
    expect(await env(dir)).toMatchObject({ awaitingApproval: true, live: null });
    expect((await axum(['approve', 'staging', '--yes', '--repo', dir])).code).toBe(0);
  });

  it('axum run of a new commit whose run cannot be saved answers that the disk is full (exit 1), never "waiting for it"; with room again, a run of it is saved', async () => {
    const dir = await startedOnTmpfs(tinyModelConfig());
    const pid = daemonPid(dir)!;
    const free = fill(dir);
    const head = commitFiles(dir, 'v1', { 'data.txt': '0.86\n' });
    // The hint or the request's own reconcile queues the head's push run in memory; its save fails.
    const ran = await axum(['run', '--repo', dir]);
    console.log(`FIGURE run-disk-full: exit ${ran.code}: ${ran.stderr.trim()}`);
    saysDiskFull(ran, pid);
    expect(ran.stderr).toContain(`the run of ${head.slice(0, 8)} on main could not be recorded`);
    expect(ran.stdout).not.toMatch(/waiting/);
    // Asked again, still full: the run memory holds (the head's push run, or the one just asked
    // for) is not saved, so it is no answer either.
    const repeated = await axum(['run', '--repo', dir]);
    saysDiskFull(repeated, pid);
    expect(repeated.stdout).not.toMatch(/waiting/);
    free();
    const again = await axum(['run', '--json', '--repo', dir]);
    expect(again.code, again.stderr).toBe(0);
    const answered = JSON.parse(again.stdout) as { id: string; commit: string };
    expect(answered).toMatchObject({ commit: head });
    // Saved now: a restart still knows it.
    await restart(dir);
    const runs = JSON.parse((await axum(['runs', '--json', '--repo', dir])).stdout) as { id: string }[];
    expect(runs.map((r) => r.id)).toContain(answered.id);
  });
});

describe.skipIf(!isRoot)('a read-only .axum', () => {
  it('status, history and runs say in one line that .axum is read-only and what that means (exit 3); no daemon starts', async () => {
    const dir = repo({ config: tinyModelConfig() });
    const state = join(dir, '.axum');
    mkdirSync(state);
    sh(`mount -t tmpfs -o size=256k,mode=0755 tmpfs '${state}' && mount -o remount,ro '${state}'`);
    mounts.push(state);
    for (const args of [['status'], ['history', 'staging'], ['runs'], ['status', '--json']]) {
      const result = await axum([...args, '--repo', dir]);
      const said = args.includes('--json') ? result.stdout : result.stderr;
      console.log(`FIGURE read-only ${args.join(' ')}: exit ${result.code}: ${said.trim()}`);
      expect(said).toMatch(/\.axum is on a read-only filesystem \(EROFS\): the daemon keeps its lock, log and records there, so it cannot run/);
      expect(said).toContain('remount it read-write');
      expect(said.trim().split('\n')).toHaveLength(1);
      expect(result.code).toBe(3);
    }
    expect(daemonPid(dir)).toBeNull();
  });
});
