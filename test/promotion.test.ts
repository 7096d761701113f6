// Build once, promote, end to end: a real repository with `staging` and `main`, a real daemon
// through bin/axum. A commit verified on staging reaches production as the same release (the same
// bytes) without training again; a commit that failed on staging is refused when it reaches main;
// a manual run of a commit its branch does not have is refused.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, scratchRepos, startDaemon, waitForRun, type RunJson } from './support/axum.js';

type Run = RunJson & { releaseId: string | null; reused: boolean; warnings: string[]; deploy: { env: string; revision: number | null; outcome: string } | null };

/**
 * Training is not reproducible here on purpose: the model holds random bytes, so a rebuild would be
 * another model. Every training appends a line to a file outside the repository.
 */
const config = (trainings: string) => `version: 1
environments:
  staging: { branch: staging }
  production: { branch: main }
stages:
  - name: build
    steps:
      - { name: train, run: "echo trained >> ${trainings} && mkdir -p model && cp data.txt model/score.txt && od -An -N16 -tx1 /dev/urandom > model/weights.bin" }
artifacts: [model/**]
verify:
  steps:
    - { name: eval, run: "echo accuracy=$(cat $AXUM_CURRENT/model/score.txt) >> $AXUM_METRICS" }
  gates: { accuracy: ">= 0.8" }
`;

const newRepo = scratchRepos(afterEach);

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

/** A repository with branches `main` and `staging` at one commit, its daemon started. Returns it and the trainings file. */
async function started(): Promise<{ dir: string; trainings: () => number }> {
  const dir = newRepo({ config: null });
  const trainingsFile = join(dir, '..', 'trainings.txt');
  commitFiles(dir, 'pipeline', { 'axum.yml': config(trainingsFile), 'data.txt': '0.5\n' });
  git(dir, 'branch', 'staging');
  await startDaemon(dir, { branch: 'staging' });
  const trainings = () => {
    try {
      return readFileSync(trainingsFile, 'utf8').split('\n').filter((line) => line === 'trained').length;
    } catch {
      return 0;
    }
  };
  return { dir, trainings };
}

/** The run of `commit` for `env`, once finished and its deploy past `pending`. */
async function settledRun(dir: string, env: string, commit: string): Promise<Run> {
  const run = await waitForRun(
    dir,
    (r) => {
      const run = r as Run;
      return run.env === env && run.commit === commit && ['succeeded', 'failed'].includes(run.status) && run.deploy?.outcome !== 'pending';
    },
    `the ${env} run of ${commit.slice(0, 8)} to settle`,
    60_000,
  );
  return run as Run;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const served = (dir: string, env: string) => join(dir, '.axum', 'envs', env, 'current', 'model', 'weights.bin');

async function history(dir: string, env: string): Promise<{ revision: number; status: string; releaseId: string; verified: boolean; by: string }[]> {
  const result = await axum(['history', env, '--json', '--repo', dir]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as { revision: number; status: string; releaseId: string; verified: boolean; by: string }[];
}

/** Commits on `staging` and waits for staging's run of it; returns the commit. */
async function onStaging(dir: string, score: string, message: string): Promise<{ commit: string; run: Run }> {
  git(dir, 'checkout', '-q', 'staging');
  const commit = commitFiles(dir, message, { 'data.txt': `${score}\n` });
  return { commit, run: await settledRun(dir, 'staging', commit) };
}

/** Fast-forwards main to staging's head and waits for production's run of it. */
async function toMain(dir: string, commit: string): Promise<Run> {
  git(dir, 'checkout', '-q', 'main');
  git(dir, 'merge', '-q', '--ff-only', 'staging');
  return settledRun(dir, 'production', commit);
}

describe('build once, promote', () => {
  it('a commit that reaches staging and main at the same moment is trained once: one run builds, the other waits and reuses its release', async () => {
    const { dir, trainings } = await started();
    git(dir, 'checkout', '-q', '-b', 'feature');
    const commit = commitFiles(dir, 'model v2', { 'data.txt': '0.9\n' });
    // One ref transaction moves both branches: the daemon sees two new commits at once.
    execFileSync('git', ['update-ref', '--stdin'], { cwd: dir, input: `start\nupdate refs/heads/staging ${commit}\nupdate refs/heads/main ${commit}\ncommit\n` });
    const [staging, production] = await Promise.all([settledRun(dir, 'staging', commit), settledRun(dir, 'production', commit)]);
    expect(trainings()).toBe(1);
    const [built, reused] = staging.reused ? [production, staging] : [staging, production];
    expect(built).toMatchObject({ status: 'succeeded', reused: false });
    expect(reused).toMatchObject({ status: 'succeeded', reused: true, releaseId: built.releaseId });
    expect(sha256(served(dir, 'production'))).toBe(sha256(served(dir, 'staging')));
  });

  it('a commit verified on staging reaches production as the same release, the same bytes, without training again; a bad one is refused', async () => {
    const { dir, trainings } = await started();
    const v2 = await onStaging(dir, '0.9', 'model v2');
    expect(v2.run).toMatchObject({ status: 'succeeded', reused: false, deploy: { outcome: 'live' } });
    expect(trainings()).toBe(1);
    const stagingRevision = (await history(dir, 'staging'))[0];
    expect(stagingRevision).toMatchObject({ status: 'live', verified: true, releaseId: v2.run.releaseId });
    const stagingBytes = sha256(served(dir, 'staging'));

    const promoted = await toMain(dir, v2.commit);
    expect(promoted).toMatchObject({ status: 'succeeded', reused: true, releaseId: v2.run.releaseId, deploy: { env: 'production', outcome: 'live' } });
    expect(promoted.steps.map((s) => `${s.name} ${s.status}`)).toEqual(['train skipped']);
    expect(promoted.message).toBe(`reused ${v2.run.releaseId}, verified on staging #${stagingRevision?.revision}; live in production #1`);
    expect(trainings()).toBe(1);
    expect(sha256(served(dir, 'production'))).toBe(stagingBytes);
    expect((await history(dir, 'production'))[0]).toMatchObject({ releaseId: v2.run.releaseId, status: 'live', by: `push ${promoted.id}` });

    // v3 fails its gate on staging: its release is marked bad, and main must not get it.
    const v3 = await onStaging(dir, '0.41', 'model v3: a bug in the training data');
    expect(v3.run.deploy).toMatchObject({ env: 'staging', outcome: 'failed' });
    expect(trainings()).toBe(2);
    const refused = await toMain(dir, v3.commit);
    expect(refused).toMatchObject({ status: 'succeeded', reused: true, releaseId: v3.run.releaseId, deploy: { env: 'production', revision: null, outcome: 'refused-bad' } });
    expect(refused.message).toMatch(new RegExp(`^reused ${v3.run.releaseId}: refused, marked bad by verify of staging#${v3.run.deploy?.revision}: gates failed: accuracy = 0.41`));
    expect(refused.message).toContain(`axum mark ${v3.run.releaseId} good`);
    // Its steps were skipped: `axum logs` says why instead of printing nothing.
    const logs = await axum(['logs', refused.id, '--repo', dir]);
    expect(logs).toMatchObject({ code: 0, stdout: '', stderr: expect.stringContaining(`${refused.id} succeeded, no step output: reused ${v3.run.releaseId}: refused, marked bad`) });
    expect(trainings()).toBe(2);
    expect(sha256(served(dir, 'production'))).toBe(stagingBytes);
    expect((await history(dir, 'production')).map((r) => r.releaseId)).toEqual([v2.run.releaseId]);

    // Waiting on such a run fails: nothing was deployed.
    const again = await axum(['run', '--branch', 'main', '--wait', '--json', '--repo', dir]);
    expect(again.code, again.stderr).toBe(1);
    expect(JSON.parse(again.stdout)).toMatchObject({ reused: true, deploy: { outcome: 'refused-bad' } });
    expect(trainings()).toBe(2);
  }, 180_000);

  it('a manual run of a commit its branch does not have is refused, naming both (exit 2)', async () => {
    const { dir, trainings } = await started();
    git(dir, 'checkout', '-q', '-b', 'develop');
    const developHead = commitFiles(dir, 'wip on develop', { 'data.txt': '0.95\n' });
    const stagingHead = git(dir, 'rev-parse', 'staging');
    const expected = `commit ${developHead.slice(0, 8)} is not on staging (it is not reachable from staging's head ${stagingHead.slice(0, 8)})`;

    const byCommit = await axum(['run', '--branch', 'staging', '--commit', developHead, '--repo', dir]);
    expect(byCommit.code, byCommit.stderr).toBe(2);
    expect(byCommit.stderr).toContain(expected);
    // The bug of the issue: HEAD while on develop, run for staging.
    const byHead = await axum(['run', '--branch', 'staging', '--commit', 'HEAD', '--repo', dir]);
    expect(byHead.code, byHead.stderr).toBe(2);
    expect(byHead.stderr).toContain(expected);
    expect(JSON.parse((await axum(['runs', '--json', '--repo', dir])).stdout)).toEqual([]);

    // A commit the branch has runs for it.
    const onBranch = await axum(['run', '--branch', 'staging', '--commit', stagingHead, '--wait', '--json', '--repo', dir]);
    expect(onBranch.code, onBranch.stderr).toBe(1); // it trains 0.5: below the gate
    expect(JSON.parse(onBranch.stdout)).toMatchObject({ branch: 'staging', env: 'staging', trigger: 'manual', commit: stagingHead });
    expect(trainings()).toBe(1);
  }, 120_000);

  it('axum run --commit of a commit with a release reuses it (no training); --rebuild trains it again: a new release, other bytes, deployed as a new revision', async () => {
    const { dir, trainings } = await started();
    const v2 = await onStaging(dir, '0.9', 'model v2');
    expect(trainings()).toBe(1);
    const bytes = sha256(served(dir, 'staging'));
    // Without --again the push run that built it is the answer; with it, a new run that reuses its release.
    const answered = await axum(['run', '--branch', 'staging', '--commit', v2.commit, '--wait', '--json', '--repo', dir]);
    expect(JSON.parse(answered.stdout)).toMatchObject({ id: v2.run.id, existing: true });
    const again = await axum(['run', '--branch', 'staging', '--commit', v2.commit, '--again', '--wait', '--json', '--repo', dir]);
    expect(again.code, again.stderr).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ reused: true, releaseId: v2.run.releaseId });
    expect(trainings()).toBe(1);
    const rebuilt = await axum(['run', '--branch', 'staging', '--commit', v2.commit, '--rebuild', '--wait', '--json', '--repo', dir]);
    expect(rebuilt.code, rebuilt.stderr).toBe(0);
    const run = JSON.parse(rebuilt.stdout) as Run;
    expect(run).toMatchObject({ status: 'succeeded', reused: false, commit: v2.commit, deploy: { env: 'staging', outcome: 'live' } });
    expect(run.steps.map((s) => `${s.name} ${s.status}`)).toEqual(['train succeeded']);
    expect(run.releaseId).not.toBe(v2.run.releaseId);
    expect(trainings()).toBe(2);
    expect(sha256(served(dir, 'staging'))).not.toBe(bytes);
    const [live] = await history(dir, 'staging');
    expect(live).toMatchObject({ status: 'live', releaseId: run.releaseId });
  });
});
