// Errors of the machine, not of the model (ARCHITECTURE.md glossary: Bad, Live; "Crash safety"):
// a pointer that cannot be written or a full disk fails the revision with reason `error` and marks
// nothing, the revision that was live keeps serving and stays live; a file-system error in any
// writer never stops the daemon; a failed release left in `current` is *serving, failed*.
// Real daemons, real git, real files: `chattr +i` and small tmpfs mounts (this needs root, which
// the machine and CI have; the tests say so and skip elsewhere).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, cleanupRepo, commitFiles, daemonPid, isAlive, makeRepo, startDaemon, waitFor, waitForRun } from './support/axum.js';
import { history, settled, type Revision } from './support/history.js';
import { tinyModelConfig } from './support/tiny-model.js';

const config = tinyModelConfig;

interface EnvJson {
  name: string;
  live: { revision: number; releaseId: string } | null;
  serving: { revision: number; releaseId: string; failed: boolean } | null;
  lastKnownGood: { revision: number } | null;
  rollbackTarget: { revision: number } | null;
  incident: string | null;
}

const isRoot = process.getuid?.() === 0;
const repos: string[] = [];
/** Undone after each test, before the repository is removed: mounts and immutable flags. */
const undo: (() => void)[] = [];
afterEach(async () => {
  // The daemon first: its lock and pid file may live on a mount about to go.
  for (const dir of repos) {
    const pid = daemonPid(dir);
    await axum(['daemon', 'stop', '--repo', dir]);
    if (pid !== null) await waitFor(() => !isAlive(pid), 10_000, `daemon ${pid} to exit`);
  }
  for (const step of undo.splice(0).reverse()) step();
  await Promise.all(repos.splice(0).map(cleanupRepo));
});

const sh = (command: string, cwd?: string) => execFileSync('sh', ['-c', command], { cwd, stdio: 'pipe', encoding: 'utf8' });
/** A tmpfs of `size` mounted at `dir` (created), unmounted after the test. */
function mountTmpfs(dir: string, size: string): void {
  mkdirSync(dir, { recursive: true });
  sh(`mount -t tmpfs -o size=${size},mode=0755 tmpfs '${dir}'`);
  undo.push(() => sh(`umount -l '${dir}'`));
}
/** Fills the file system holding `dir` to the last byte; returns how to free it. */
function fill(dir: string): () => void {
  const file = join(dir, '.filler');
  sh(`cat /dev/zero > '${file}' 2>/dev/null || true`);
  return () => rmSync(file, { force: true });
}
function immutable(dir: string): () => void {
  sh(`chattr +i '${dir}'`);
  const release = () => void sh(`chattr -i '${dir}' 2>/dev/null || true`);
  undo.push(release);
  return release;
}

async function started(text: string, before?: (dir: string) => void): Promise<string> {
  const dir = makeRepo({ config: text });
  repos.push(dir);
  commitFiles(dir, 'data', { 'data.txt': '0.85\n' });
  before?.(dir);
  await startDaemon(dir);
  return dir;
}
async function environment(dir: string): Promise<EnvJson> {
  const result = await axum(['status', '--json', '--repo', dir]);
  expect(result.code, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { environments: EnvJson[] }).environments[0]!;
}
const model = (dir: string, value: string, message: string) => commitFiles(dir, message, { 'data.txt': `${value}\n` });
const currentRelease = (dir: string) => readlinkSync(join(dir, '.axum', 'envs', 'staging', 'current')).split('/').at(-2);
const badReleases = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, '.axum', 'history', 'releases.json'), 'utf8')) as { releases: { id: string; bad: unknown }[] }).releases.filter((r) => r.bad !== null).map((r) => r.id);
const summary = (revisions: Revision[]) => revisions.map((r) => `#${r.revision} ${r.status} ${r.kind}`);

/** v1 (0.86) then v2 (0.9) deployed and settled: #2 live, #1 the last known good. */
async function twoDeploys(dir: string): Promise<void> {
  model(dir, '0.86', 'v1');
  await settled(dir, 1);
  model(dir, '0.9', 'v2');
  await settled(dir, 2);
}

describe.skipIf(!isRoot)('case 4: errors of the machine mark nothing', () => {
  it('the environment folder is immutable (chattr +i): the pointer cannot move; #3 fails with reason error, #2 stays live and serving, nothing is marked bad', async () => {
    const dir = await started(config('rollback: { auto: true }\n'));
    await twoDeploys(dir);
    const release = immutable(join(dir, '.axum', 'envs', 'staging'));
    model(dir, '0.91', 'v3: a good model');
    const revisions = await settled(dir, 3);
    expect(summary(revisions)).toEqual(['#3 failed deploy', '#2 live deploy', '#1 superseded deploy']);
    expect(revisions[0]!.message).toMatch(/^error: .*EPERM/);
    console.log(`FIGURE pointer-immutable: ${summary(revisions).join(', ')}; bad=${badReleases(dir).length}; current=${currentRelease(dir)}`);
    expect(badReleases(dir)).toEqual([]);
    expect(currentRelease(dir)).toBe('rel-2');
    const env = await environment(dir);
    expect(env).toMatchObject({ live: { revision: 2 }, serving: { revision: 2, failed: false }, lastKnownGood: { revision: 2 }, rollbackTarget: { revision: 1 } });
    const plain = await axum(['history', 'staging', '--repo', dir]);
    expect(plain.stdout).toMatch(/#3 failed: error: .*EPERM/);
    // The folder is writable again: the next commit deploys as usual.
    release();
    model(dir, '0.92', 'v4');
    expect((await settled(dir, 4))[0]).toMatchObject({ revision: 4, status: 'live' });
    expect(currentRelease(dir)).toBe('rel-4');
  });

  it('the disk fills during verification (tmpfs under .axum/runs): #3 fails with reason error, current is back on #2, which stays live and the last known good; no automatic rollback, nothing is marked bad', async () => {
    const dir = await started(config('rollback: { auto: true }\n', 'echo evaluating; '));
    await twoDeploys(dir);
    // Logs and metrics files live under .axum/runs; releases, `current` and the history elsewhere.
    mountTmpfs(join(dir, '.axum', 'runs'), '1m');
    const free = fill(join(dir, '.axum', 'runs'));
    const pid = daemonPid(dir)!;
    model(dir, '0.91', 'v3: a good model on a full disk');
    const revisions = await settled(dir, 3);
    expect(isAlive(pid)).toBe(true);
    expect(summary(revisions)).toEqual(['#3 failed deploy', '#2 live deploy', '#1 superseded deploy']);
    expect(revisions[0]!.message).toMatch(/^error: .*ENOSPC/);
    console.log(`FIGURE disk-full-verify: ${summary(revisions).join(', ')}; #3 ${revisions[0]!.message}; bad=${badReleases(dir).length}; current=${currentRelease(dir)}`);
    expect(badReleases(dir)).toEqual([]);
    expect(currentRelease(dir)).toBe('rel-2');
    const env = await environment(dir);
    expect(env).toMatchObject({ live: { revision: 2 }, serving: { revision: 2, failed: false }, lastKnownGood: { revision: 2 }, rollbackTarget: { revision: 1 } });
    expect(env.incident).toContain('ENOSPC');
    // Space again: the next commit deploys and verifies.
    free();
    model(dir, '0.92', 'v4');
    expect((await settled(dir, 4))[0]).toMatchObject({ revision: 4, status: 'live', verified: true });
    expect(currentRelease(dir)).toBe('rel-4');
  });
});

describe.skipIf(!isRoot)('case 7: a file-system error never stops the daemon', () => {
  it('with .axum on a full disk a commit fails with its reason, the daemon answers status and says so, and works again once there is space', async () => {
    // The whole state folder on a small tmpfs: history, logs, releases, the daemon's own log.
    const dir = await started(config(), (repo) => mountTmpfs(join(repo, '.axum'), '8m'));
    model(dir, '0.86', 'v1');
    await settled(dir, 1);
    const pid = daemonPid(dir)!;
    const free = fill(join(dir, '.axum'));
    commitFiles(dir, 'v2 with a noisy build', { 'data.txt': '0.9\n', 'axum.yml': config().replace('run: "mkdir', 'run: "seq 1 20000; mkdir') });
    // Whatever the daemon could or could not write, it is alive and answers.
    await waitFor(async () => {
      const status = await axum(['status', '--json', '--repo', dir]);
      return status.code === 0 && /ENOSPC|no space/i.test(status.stdout);
    }, 30_000, 'a status that says the disk is full');
    expect(isAlive(pid)).toBe(true);
    const plain = await axum(['status', '--repo', dir]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/warning .*(ENOSPC|no space)/i);
    console.log(`FIGURE full-state-folder: ${plain.stdout.split('\n').filter((l) => l.startsWith('warning')).join(' | ')}`);
    // Space again: the next commit builds, deploys and verifies; the daemon is the same process.
    free();
    const sha = model(dir, '0.92', 'v3 once there is space');
    const run = await waitForRun(dir, (r) => r.commit === sha && r.status !== 'queued' && r.status !== 'running', 'the run after space returned', 60_000);
    expect(run.status, run.message ?? '').toBe('succeeded');
    await waitFor(async () => (await history(dir)).some((r) => r.status === 'live' && r.releaseId === currentRelease(dir) && r.verified && r.revision > 1), 30_000, 'a new live revision');
    expect(daemonPid(dir)).toBe(pid);
    expect(isAlive(pid)).toBe(true);
  });

  it("a step whose log cannot be written fails its run with the reason; the daemon goes on", async () => {
    const dir = await started(config());
    model(dir, '0.86', 'v1');
    await settled(dir, 1);
    const pid = daemonPid(dir)!;
    mountTmpfs(join(dir, '.axum', 'runs'), '1m');
    const free = fill(join(dir, '.axum', 'runs'));
    const sha = commitFiles(dir, 'noisy', { 'data.txt': '0.9\n', 'axum.yml': config().replace('run: "mkdir', 'run: "seq 1 20000; mkdir') });
    const run = await waitForRun(dir, (r) => r.commit === sha && (r.status === 'failed' || r.status === 'succeeded'), 'the noisy run to end');
    expect(run.status).toBe('failed');
    expect(run.message).toMatch(/step train: its log could not be written \(ENOSPC/);
    console.log(`FIGURE log-unwritable: ${run.id} ${run.status}: ${run.message}`);
    expect(isAlive(pid)).toBe(true);
    expect((await axum(['status', '--repo', dir])).code).toBe(0);
    free();
    const next = model(dir, '0.91', 'after');
    expect((await waitForRun(dir, (r) => r.commit === next && r.status === 'succeeded', 'the next run')).status).toBe('succeeded');
  });
});

describe('case 9: rollback.auto off, a failed release that stays in current is serving, failed', () => {
  it('status, history (plain and --json) say serving, failed with an incident; rollback with no target goes to the last known good', async () => {
    const dir = await started(config('rollback: { auto: false }\n'));
    await twoDeploys(dir);
    model(dir, '0.41', 'v3: a bad model');
    const revisions = await settled(dir, 3);
    expect(summary(revisions)).toEqual(['#3 failed deploy', '#2 superseded deploy', '#1 superseded deploy']);
    expect(currentRelease(dir)).toBe('rel-3');
    const env = await environment(dir);
    expect(env.live).toBeNull();
    expect(env.serving).toMatchObject({ revision: 3, releaseId: 'rel-3', failed: true });
    expect(env.lastKnownGood).toMatchObject({ revision: 2 });
    expect(env.incident).toContain('#3 failed');
    const status = await axum(['status', '--repo', dir]);
    expect(status.stdout).toMatch(/staging\s+main\s+#3 serving, failed\s+rel-3/);
    expect(status.stdout).not.toMatch(/staging\s+main\s+—/);
    expect(revisions[0]).toMatchObject({ revision: 3, serving: true });
    expect(revisions.filter((r) => r.serving)).toHaveLength(1);
    const plain = await axum(['history', 'staging', '--repo', dir]);
    expect(plain.stdout).toMatch(/#3\s+failed, serving/);
    expect(plain.stdout).toContain('#3 is serving, failed');
    // Rollback with no target from serving, failed: the last known good.
    const rollback = await axum(['rollback', 'staging', '--yes', '--json', '--repo', dir]);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(JSON.parse(rollback.stdout)).toMatchObject({ revision: 4, kind: 'rollback', rollbackTo: 2, status: 'live' });
    expect(currentRelease(dir)).toBe('rel-2');
    expect(await environment(dir)).toMatchObject({ live: { revision: 4 }, serving: { revision: 4, failed: false } });
    expect(existsSync(join(dir, '.axum', 'envs', 'staging', 'current'))).toBe(true);
  });
});
