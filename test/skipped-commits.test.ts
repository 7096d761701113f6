// Commits that come faster than the watcher's hints (docs/pipeline.md, "Commits the watcher passes over"): a head that moved past
// commits the daemon never saw as a head still lists each of them, superseded by the run of the head that passed them.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, runs, scratchRepos, startDaemon, waitForRun } from './support/axum.js';

const CONFIG = `version: 1
environments:
  dev: { branch: develop }
stages:
  - name: test
    steps:
      - { name: unit, run: "echo tested" }
`;

const newRepo = scratchRepos(afterEach);
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

/** A commit on top of `parent` that no branch names yet. */
function commitOn(dir: string, parent: string, message: string): string {
  return git(dir, 'commit-tree', `${parent}^{tree}`, '-p', parent, '-m', message);
}

describe('commits made faster than runs', () => {
  it('three commits land as one ref update: the middle one is a superseded run naming the run that took its place', async () => {
    const dir = newRepo({ config: CONFIG });
    git(dir, 'branch', 'develop');
    await startDaemon(dir, { branch: 'develop' });
    const base = git(dir, 'rev-parse', 'develop');
    const first = commitOn(dir, base, 'c1');
    const middle = commitOn(dir, first, 'c2');
    const last = commitOn(dir, middle, 'c3');
    // One move of the branch from base to the last commit: no hint could ever show the other two as its head.
    git(dir, 'update-ref', 'refs/heads/develop', last, base);
    const head = await waitForRun(dir, (r) => r.commit === last && r.status === 'succeeded', 'the head run');
    const all = await runs(dir);
    const ofMiddle = all.find((r) => r.commit === middle);
    const ofFirst = all.find((r) => r.commit === first);
    expect(ofFirst?.status).toBe('superseded');
    expect(ofMiddle?.status).toBe('superseded');
    expect(ofMiddle?.message).toBe(`superseded by ${head.id} (${last.slice(0, 8)})`);
    expect(ofFirst?.message).toBe(`superseded by ${head.id} (${last.slice(0, 8)})`);
    // Recorded superseded from the start, with the head's run: never queued, so nothing ever ran them.
    for (const passed of [ofFirst, ofMiddle]) expect(passed).toMatchObject({ startedAt: null, steps: [] });
    expect([ofFirst!.number, ofMiddle!.number, head.number]).toEqual([head.number - 2, head.number - 1, head.number]);
    // The table folds the two into one row; --status superseded lists each.
    const plain = await axum(['runs', '--repo', dir]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toContain(`… 2 superseded runs of develop (${ofFirst?.id}..${ofMiddle?.id})`);
    const superseded = await axum(['runs', '--status', 'superseded', '--repo', dir]);
    expect(superseded.stdout).toMatch(new RegExp(`${ofMiddle?.id} +superseded .*${middle.slice(0, 8)} .*c2`));
  }, 60_000);
});

describe('the subject of each run', () => {
  it('two commits made one right after the other: each watcher run shows its own commit subject, not the head', async () => {
    const dir = newRepo({ config: CONFIG });
    git(dir, 'checkout', '-q', '-b', 'develop');
    await startDaemon(dir, { branch: 'develop' });
    const first = commitFiles(dir, 'first change', { 'a.txt': '1\n' });
    const second = commitFiles(dir, 'second change', { 'a.txt': '2\n' });
    await waitForRun(dir, (r) => r.commit === second && r.status === 'succeeded', 'the head run');
    const all = (await runs(dir)) as (Awaited<ReturnType<typeof runs>>[number] & { subject: string })[];
    const subjects = Object.fromEntries(all.filter((r) => r.commit === first || r.commit === second).map((r) => [r.commit, r.subject]));
    expect(subjects[second]).toBe('second change');
    // Its own run, or recorded superseded by the head's: either way a run of its own commit.
    expect(subjects[first]).toBe('first change');
    const plain = await axum(['runs', '--repo', dir]);
    expect(plain.stdout).toMatch(new RegExp(`${second.slice(0, 8)} .*second change`));
    expect(plain.stdout).toMatch(new RegExp(`${first.slice(0, 8)} .*first change`));
  }, 60_000);
});
