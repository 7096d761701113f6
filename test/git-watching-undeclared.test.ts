// Commits to an environment's branch while the working tree's axum.yml does not declare that
// environment (another branch checked out): not built then, but caught up once it is declared
// again — one run of the head, the commits it passed over listed — also across a daemon restart.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, openClient, runs, runsOnDisk, SAMPLE_CONFIG, scratchRepos, startDaemon, waitFor, waitForRun } from './support/axum.js';

const scratch = scratchRepos(afterEach);
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

/** One reconciliation of the heads, asked of the daemon and finished when this returns. */
async function reconcileNow(dir: string): Promise<void> {
  const client = await openClient(dir);
  client.ws.send(JSON.stringify({ type: 'request', id: 'reconcile', method: 'git.reconcile', params: {} }));
  await client.next((m) => m.type === 'result' && m.id === 'reconcile');
  client.ws.close();
}

/** The environments the daemon's config in use declares (`axum status --json`). */
async function declared(dir: string): Promise<string[]> {
  const status = await axum(['status', '--json', '--repo', dir]);
  const environments = (JSON.parse(status.stdout) as { environments: { name: string; inConfig?: boolean }[] }).environments;
  return environments.filter((e) => e.inConfig !== false).map((e) => e.name);
}

const WITHOUT_STAGING = SAMPLE_CONFIG.replace('  staging: { branch: staging }\n', '');

describe('a branch whose environment the working tree does not declare', () => {
  it('is not built while undeclared, and its moved head is caught up once, when declared again (a restart in between)', async () => {
    const dir = scratch();
    git(dir, 'branch', 'develop');
    git(dir, 'branch', 'staging');
    const seen = git(dir, 'rev-parse', 'staging');
    await startDaemon(dir, { branch: 'staging' });

    // exp's axum.yml drops staging: the daemon now watches dev and production only.
    git(dir, 'checkout', '-q', '-b', 'exp');
    writeFileSync(join(dir, 'axum.yml'), WITHOUT_STAGING);
    git(dir, 'commit', '-q', '-am', 'exp: no staging');
    await waitFor(async () => !(await declared(dir)).includes('staging'), 15_000, 'the config without staging');

    // Two commits to staging from a second worktree while exp is checked out.
    const other = join(dir, '..', 'staging-wt');
    git(dir, 'worktree', 'add', '-q', other, 'staging');
    const passed = commitFiles(other, 'staging fix 1', { 'fix.txt': '1\n' });
    const head = commitFiles(other, 'staging fix 2', { 'fix.txt': '2\n' });
    await reconcileNow(dir);
    expect((await runs(dir)).filter((r) => r.branch === 'staging')).toEqual([]);
    // Seen is what was watched: the head last seen on staging stays, on disk too.
    expect((runsOnDisk(dir).heads as Record<string, string>).staging).toBe(seen);

    // A restart during the exp period: still not built, still not taken as seen.
    expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    await reconcileNow(dir);
    expect((await runs(dir)).filter((r) => r.branch === 'staging')).toEqual([]);
    expect((runsOnDisk(dir).heads as Record<string, string>).staging).toBe(seen);

    // develop's axum.yml declares staging again: one run of the head that moved, as after a start.
    git(dir, 'checkout', '-q', 'develop');
    const run = await waitForRun(dir, (r) => r.branch === 'staging' && r.commit === head && r.status === 'succeeded', 'the catch-up run of staging');
    expect(run).toMatchObject({ trigger: 'push', env: 'staging' });
    await reconcileNow(dir); // a ref event after the config change queues nothing more
    const ofStaging = (await runs(dir)).filter((r) => r.branch === 'staging');
    expect(ofStaging.filter((r) => r.commit === head)).toHaveLength(1);
    const ofPassed = ofStaging.filter((r) => r.commit === passed);
    expect(ofPassed).toHaveLength(1);
    expect(ofPassed[0]).toMatchObject({ status: 'superseded', message: `superseded by ${run.id} (${head.slice(0, 8)})`, startedAt: null });
    expect((runsOnDisk(dir).heads as Record<string, string>).staging).toBe(head);
    const plain = await axum(['runs', '--repo', dir]);
    expect(plain.stdout).toMatch(new RegExp(`${run.id} +succeeded +staging#1 live .*${head.slice(0, 8)}`));
  }, 120_000);
});
