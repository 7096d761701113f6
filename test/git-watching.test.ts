import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, cleanupRepo, commitFiles, makeRepo, runs, runsOnDisk, startDaemon, waitFor, waitForRun } from './support/axum.js';

const CONFIG = `version: 1
environments:
  dev: { branch: develop }
  production: { branch: main }
stages:
  - name: test
    steps:
      - { name: unit, run: "echo tested" }
  - name: build
    steps:
      - { name: train, run: "echo trained" }
watch:
  paths: [src/**]
  stages: [test]
`;

const repos: string[] = [];
async function started(config = CONFIG): Promise<string> {
  const dir = makeRepo({ config });
  repos.push(dir);
  await startDaemon(dir);
  return dir;
}
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
afterEach(async () => {
  await Promise.all(repos.splice(0).map(cleanupRepo));
});

describe('git watching', () => {
  it('creating a branch that feeds an environment runs its head; other branches run nothing', async () => {
    const dir = await started();
    git(dir, 'branch', 'develop');
    const head = git(dir, 'rev-parse', 'HEAD');
    const run = await waitForRun(dir, (r) => r.branch === 'develop' && r.status === 'succeeded', 'a run on develop');
    expect(run).toMatchObject({ commit: head, env: 'dev', trigger: 'push' });
    git(dir, 'checkout', '-q', '-b', 'feature');
    commitFiles(dir, 'feature work', { f: '1' });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await runs(dir)).filter((r) => r.branch === 'feature')).toEqual([]);
  });

  it('follows an amend, a fast-forward merge, packed refs, and a deleted branch', async () => {
    const dir = await started();
    const first = commitFiles(dir, 'model v2', { m: '2' });
    await waitForRun(dir, (r) => r.commit === first && r.status === 'succeeded', 'the commit run');
    writeFileSync(join(dir, 'm'), '2b');
    git(dir, 'commit', '-q', '-a', '--amend', '-m', 'model v2 (amended)');
    const amended = git(dir, 'rev-parse', 'HEAD');
    await waitForRun(dir, (r) => r.commit === amended && r.status === 'succeeded', 'the amended commit run');

    git(dir, 'checkout', '-q', '-b', 'topic');
    const topic = commitFiles(dir, 'topic work', { t: '1' });
    git(dir, 'checkout', '-q', 'main');
    git(dir, 'merge', '-q', '--ff-only', 'topic');
    await waitForRun(dir, (r) => r.commit === topic && r.branch === 'main', 'the fast-forward run');

    // Refs packed into packed-refs (no loose file changes), then a commit written by update-ref.
    git(dir, 'pack-refs', '--all');
    const tree = git(dir, 'write-tree');
    const packedCommit = git(dir, 'commit-tree', tree, '-p', 'HEAD', '-m', 'plumbing commit');
    git(dir, 'update-ref', 'refs/heads/main', packedCommit);
    git(dir, 'pack-refs', '--all');
    await waitForRun(dir, (r) => r.commit === packedCommit, 'the packed-refs run');

    git(dir, 'branch', 'develop');
    await waitForRun(dir, (r) => r.branch === 'develop', 'the develop run');
    git(dir, 'branch', '-D', 'develop');
    await waitFor(() => !Object.keys((runsOnDisk(dir).heads ?? {}) as object).includes('develop'), 10_000, 'the deleted branch to be forgotten');
  });

  it('a save under watch.paths runs the watch stages in the work tree, never feeding an environment', async () => {
    const dir = await started();
    mkdirSync(join(dir, 'src'), { recursive: true });
    writeFileSync(join(dir, 'src', 'model.py'), 'print(1)\n');
    const run = await waitForRun(dir, (r) => r.trigger === 'watch' && r.status === 'succeeded', 'a watch run');
    expect(run.env).toBeNull();
    expect(run.steps.map((s) => s.name)).toEqual(['unit']);
    const log = await axum(['logs', run.id, '--step', 'unit', '--repo', dir]);
    expect(log.stdout).toBe('tested\n');
    // A file outside watch.paths triggers nothing.
    const count = (await runs(dir)).length;
    writeFileSync(join(dir, 'notes.txt'), 'x');
    await new Promise((r) => setTimeout(r, 1500));
    expect((await runs(dir)).length).toBe(count);
  });

  it('a repository with no commits runs nothing and says why a manual run cannot start', async () => {
    const base = makeRepo({ config: CONFIG });
    repos.push(base);
    const empty = join(base, '..', 'empty');
    mkdirSync(empty);
    git(empty, 'init', '-q', '-b', 'main');
    writeFileSync(join(empty, 'axum.yml'), CONFIG);
    try {
      // Exit 2, as for a --branch that names nothing: the same words, the same code.
      const result = await axum(['run', '--repo', empty]);
      expect(result).toMatchObject({ code: 2, stderr: expect.stringContaining('no branch main (or it has no commits yet)') });
      expect(await axum(['run', '--branch', 'nosuch', '--repo', empty])).toMatchObject({ code: 2, stderr: expect.stringContaining('no branch nosuch (or it has no commits yet)') });
      expect(JSON.parse((await axum(['runs', '--json', '--repo', empty])).stdout)).toEqual([]);
    } finally {
      await axum(['daemon', 'stop', '--repo', empty]);
    }
  });

  it('a detached HEAD needs --branch or --commit, and --commit runs that exact commit', async () => {
    const dir = await started();
    const head = git(dir, 'rev-parse', 'HEAD');
    git(dir, 'checkout', '-q', '--detach');
    const bare = await axum(['run', '--repo', dir]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('HEAD is detached');
    const byCommit = await axum(['run', '--commit', head.slice(0, 10), '--wait', '--json', '--repo', dir]);
    expect(byCommit.code, byCommit.stderr).toBe(0);
    expect(JSON.parse(byCommit.stdout)).toMatchObject({ commit: head, status: 'succeeded' });
    expect((await axum(['run', '--commit', 'deadbeef', '--repo', dir])).code).toBe(2); // names no commit: a usage error
  });
});
