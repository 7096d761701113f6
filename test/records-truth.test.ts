// The working tree's axum.yml decides what the daemon watches and runs, never what is deleted or
// recovered (ARCHITECTURE.md, glossary: Records; RELIABILITY.md, "Records, not the working tree").
// Issue #15, cases 2 and 3, and "a release deploys, verifies and is monitored with its own config".
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, cleanupRepo, commitFiles, daemonPid, isAlive, makeRepo, waitFor } from './support/axum.js';
import { CRASH_CONFIG, ENV, Scenario, commitModel, crashRepo, startDaemon } from './support/crash-scenario.js';
import { tinyModel } from './support/tiny-model.js';

const repos: string[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map(cleanupRepo));
});

interface Revision {
  revision: number;
  status: string;
  kind: string;
  releaseId: string;
  message: string | null;
  steps: { name: string; status: string }[];
}

/** `axum history ENV --json`, oldest first; fails the test with what axum said otherwise. */
async function history(dir: string, env: string): Promise<Revision[]> {
  const result = await axum(['history', env, '--json', '--repo', dir]);
  expect(result.stderr, `axum history ${env}`).toBe('');
  expect(result.code).toBe(0);
  return (JSON.parse(result.stdout) as Revision[]).reverse();
}

/** The release id `current` names, or null. */
function currentOf(dir: string, env: string): string | null {
  try {
    return basename(dirname(readlinkSync(join(dir, '.axum', 'envs', env, 'current'))));
  } catch {
    return null;
  }
}

async function status(dir: string): Promise<{ config: { valid: boolean; loadedAt: string | null; errors: { message: string }[] }; environments: { name: string; inConfig: boolean; pinned: boolean; live: { releaseId: string } | null }[] }> {
  const result = await axum(['status', '--json', '--repo', dir]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Awaited<ReturnType<typeof status>>;
}

/** A billion laughs: nine levels of nine aliases. */
const ALIAS_BOMB = `${CRASH_CONFIG}x0: &x0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n${Array.from({ length: 8 }, (_, i) => `x${i + 1}: &x${i + 1} [${Array(9).fill(`*x${i}`).join(', ')}]`).join('\n')}\n`;

describe('a restart after a crash recovers from the records, whatever the working tree axum.yml holds', () => {
  it.each([
    ['invalid', 'version: 1\nenvironments: [oops\n', /./],
    ['a YAML alias bomb', ALIAS_BOMB, /too many alias expansions/],
  ])('kill -9 during verify, axum.yml %s, restart: the cut revision failed, current is back on the live release, rollback --to works', async (_name, broken, problem) => {
    const { dir, mark } = crashRepo();
    repos.push(dir);
    // The third verify step is the third deploy's: #1 and #2 go live, #3 is cut short while verifying.
    let pid: number | null = await startDaemon(dir, mark, 'deploy.verify-step@3');
    const scenario = new Scenario(dir, () => pid);
    await scenario.connect();
    await scenario.commitAndSettle('0.86');
    await scenario.commitAndSettle('0.9');
    const before = await history(dir, ENV);
    expect(before.map((r) => r.status)).toEqual(['superseded', 'live']);
    const live = before[1]?.releaseId;
    commitModel(dir, '0.91');
    await waitFor(() => !isAlive(pid as number), 60_000, 'the daemon to kill itself during the third verify');
    scenario.disconnect();
    expect(readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8')).toContain('killing the daemon at deploy.verify-step@3');

    // Another branch's file, half an edit, a hostile file: the working tree no longer says what staging is.
    writeFileSync(join(dir, 'axum.yml'), broken);
    pid = await startDaemon(dir, mark);
    expect(daemonPid(dir)).toBe(pid);

    const state = await status(dir);
    expect(state.config.valid).toBe(false);
    expect(state.config.errors.map((e) => e.message).join('\n')).toMatch(problem);
    expect(state.config.loadedAt, 'the last valid config is in use').not.toBeNull();
    const plain = await axum(['status', '--repo', dir]);
    expect(plain.stdout).toContain('axum.yml INVALID (using the last valid version, loaded ');

    const after = await history(dir, ENV);
    expect(after.map((r) => r.status)).toEqual(['superseded', 'live', 'failed']);
    expect(after[2]?.message).toMatch(/interrupted by a daemon restart/);
    expect(currentOf(dir, ENV)).toBe(live);

    const rollback = await axum(['rollback', ENV, '--to', '1', '--yes', '--repo', dir], { timeoutMs: 60_000 });
    expect(rollback.stderr).toBe('');
    expect(rollback.code).toBe(0);
    const rolled = await history(dir, ENV);
    expect(rolled.at(-1)).toMatchObject({ revision: 4, kind: 'rollback', status: 'live', releaseId: before[0]?.releaseId });
    expect(currentOf(dir, ENV)).toBe(before[0]?.releaseId);
  }, 180_000);
});

/** Two environments fed by two branches; each branch's axum.yml declares only its own. */
const configFor = (env: string, branch: string) =>
  tinyModel({ environments: `  ${env}: { branch: ${branch} }`, verify: { run: 'test -s "$AXUM_CURRENT/model/weights.txt"' }, gates: null, extra: 'history: { keepReleases: 1 }\n' });

async function waitForSettled(dir: string, env: string, count: number): Promise<Revision[]> {
  let revisions: Revision[] = [];
  await waitFor(async () => {
    const result = await axum(['history', env, '--json', '--repo', dir]);
    if (result.code !== 0) return false;
    revisions = (JSON.parse(result.stdout) as Revision[]).reverse();
    return revisions.length >= count && revisions.every((r) => !['deploying', 'verifying'].includes(r.status));
  }, 60_000, `${count} revisions of ${env} to settle`);
  return revisions;
}

describe('retention follows the records, not the working tree', () => {
  it('an environment the checked-out axum.yml does not declare keeps its live and last known good releases across restarts and many releases elsewhere', async () => {
    const dir = makeRepo({ config: configFor('staging', 'main') });
    repos.push(dir);
    const started = await axum(['daemon', 'start', '--repo', dir]);
    expect(started.code, started.stderr).toBe(0);
    commitFiles(dir, 'model a', { 'data.txt': 'a\n' });
    await waitForSettled(dir, 'staging', 1);
    commitFiles(dir, 'model b', { 'data.txt': 'b\n' });
    const staging = await waitForSettled(dir, 'staging', 2);
    const [lkg, live] = [staging[0]?.releaseId, staging[1]?.releaseId];
    expect(currentOf(dir, 'staging')).toBe(live);

    // Another branch checked out: its axum.yml declares only `dev`, fed by that branch, and keeps one release.
    await axum(['daemon', 'stop', '--repo', dir]);
    execFileSync('git', ['checkout', '-q', '-b', 'experiment'], { cwd: dir });
    writeFileSync(join(dir, 'axum.yml'), configFor('dev', 'experiment'));
    const again = await axum(['daemon', 'start', '--repo', dir]);
    expect(again.code, again.stderr).toBe(0);
    for (const [i, data] of ['c', 'd', 'e', 'f'].entries()) {
      commitFiles(dir, `model ${data}`, { 'data.txt': `${data}\n` });
      await waitForSettled(dir, 'dev', i + 1);
      if (i === 1) {
        // And across another restart.
        await axum(['daemon', 'stop', '--repo', dir]);
        expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
      }
    }

    for (const id of [lkg, live]) expect(existsSync(join(dir, '.axum', 'releases', id ?? '?', 'files')), `${id} kept`).toBe(true);
    expect(currentOf(dir, 'staging')).toBe(live);
    expect(readFileSync(join(dir, '.axum', 'envs', 'staging', 'current', 'model', 'weights.txt'), 'utf8')).toBe('b\n');
    expect((await history(dir, 'staging')).map((r) => r.releaseId)).toEqual([lkg, live]);
    const state = await status(dir);
    expect(state.environments.map((e) => [e.name, e.inConfig, e.live?.releaseId])).toEqual([
      ['dev', true, expect.any(String)],
      ['staging', false, live],
    ]);
    expect((await axum(['status', '--repo', dir])).stdout).toMatch(/staging .*not in axum\.yml/);
    // Its records still serve a rollback to its last known good.
    const rollback = await axum(['rollback', 'staging', '--yes', '--repo', dir], { timeoutMs: 60_000 });
    expect(rollback.stderr).toBe('');
    expect(currentOf(dir, 'staging')).toBe(lkg);
    // Its operations' logs and its pin are served from the records too.
    const logs = await axum(['logs', 'staging#3', '--step', 'eval', '--repo', dir]);
    expect(logs.code, logs.stderr).toBe(0);
    const unpin = await axum(['unpin', 'staging', '--repo', dir]);
    expect(unpin.code, unpin.stderr).toBe(0);
    expect((await status(dir)).environments.find((e) => e.name === 'staging')).toMatchObject({ pinned: false });
  }, 240_000);
});

describe('a release deploys with its own config', () => {
  it("runs its commit's verify step, not the one the working tree's axum.yml has now", async () => {
    const own = tinyModel({ verify: { name: 'own-check', run: 'echo verified by its own commit config' }, gates: null });
    const dir = makeRepo({ config: own });
    repos.push(dir);
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    // An uncommitted edit: a different verify step (that fails) and one more environment to see it load.
    const edited = tinyModel({ environments: '  staging: { branch: main }\n  dev: { branch: develop }', verify: { name: 'wt-check', run: 'echo the working tree; exit 1' }, gates: null });
    writeFileSync(join(dir, 'axum.yml'), edited);
    await waitFor(async () => (await status(dir)).environments.some((e) => e.name === 'dev'), 20_000, 'the edited axum.yml to load');
    // A commit of the model only: its axum.yml is still the committed one.
    writeFileSync(join(dir, 'data.txt'), 'model\n');
    execFileSync('git', ['add', 'data.txt'], { cwd: dir });
    execFileSync('git', ['commit', '-q', '-m', 'model'], { cwd: dir });
    const [revision] = await waitForSettled(dir, 'staging', 1);
    expect(revision).toMatchObject({ status: 'live', steps: [{ name: 'own-check', status: 'succeeded' }] });
    const log = await axum(['logs', 'staging#1', '--step', 'own-check', '--repo', dir]);
    expect(log.stdout).toContain('verified by its own commit config');
  }, 120_000);
});
