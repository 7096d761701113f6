import { describe, expect, it } from 'vitest';
import { activeRunOf, answeringRunOf, runnable, supersededBy, type QueuedRun } from './run-queue.js';

const run = (id: string, branch: string, status: QueuedRun['status'], trigger = 'push', commit = `c${id}`): QueuedRun => ({ id, branch, status, trigger, commit });

describe('the run queue', () => {
  it('supersedes an older queued push run of the same branch, never a running one or another branch', () => {
    const runs = [run('1', 'main', 'running'), run('2', 'main', 'queued'), run('3', 'develop', 'queued'), run('4', 'main', 'queued', 'manual')];
    expect(supersededBy(runs, run('5', 'main', 'queued'))).toEqual(['2']);
    expect(supersededBy(runs, run('5', 'main', 'queued', 'manual'))).toEqual([]);
  });

  it('gives watch runs their own lane: they neither wait for nor supersede push runs', () => {
    const runs = [run('1', 'main', 'running'), run('2', 'main', 'queued', 'watch'), run('3', 'main', 'queued')];
    expect(supersededBy(runs, run('4', 'main', 'queued', 'watch'))).toEqual(['2']);
    expect(supersededBy(runs, run('4', 'main', 'queued'))).toEqual(['3']);
    expect(runnable(runs).map((r) => r.id)).toEqual(['2']);
  });

  it('starts at most one run per branch, oldest first', () => {
    const runs = [run('1', 'main', 'running'), run('2', 'main', 'queued'), run('3', 'develop', 'queued'), run('4', 'develop', 'queued'), run('5', 'staging', 'queued')];
    expect(runnable(runs).map((r) => r.id)).toEqual(['3', '5']);
  });

  it('builds a commit once: a run of a commit another branch is building, or starting now, waits for it (watch runs never do)', () => {
    const pushed = [run('1', 'develop', 'queued', 'push', 'x'), run('2', 'staging', 'queued', 'push', 'x'), run('3', 'main', 'queued', 'push', 'x'), run('4', 'qa', 'queued', 'push', 'y')];
    expect(runnable(pushed).map((r) => r.id)).toEqual(['1', '4']);
    const building = [run('1', 'develop', 'running', 'push', 'x'), run('2', 'staging', 'queued', 'manual', 'x'), run('5', 'develop', 'queued', 'watch', 'x')];
    expect(runnable(building).map((r) => r.id)).toEqual(['5']);
    // Built (or failed): the next run of it starts, and reuses what it made.
    expect(runnable([{ ...building[0]!, status: 'succeeded' }, building[1]!]).map((r) => r.id)).toEqual(['2']);
  });
});

describe('retention', () => {
  it('keeps the newest finished runs and every unfinished one', async () => {
    const { pruneRuns } = await import('./history.js');
    const { FINISHED } = await import('./run-queue.js');
    const mk = (n: number, status: string) => ({ id: `run-${n}`, status }) as never;
    const { kept, dropped } = pruneRuns([mk(1, 'succeeded'), mk(2, 'running'), mk(3, 'failed'), mk(4, 'succeeded'), mk(5, 'queued')], 2, FINISHED);
    expect(dropped).toEqual(['run-1']);
    expect((kept as { id: string }[]).map((r) => r.id)).toEqual(['run-2', 'run-3', 'run-4', 'run-5']);
  });

  it('a run of the same commit for the same branch, queued or running, is the one a second ask gets (never a watch run, nor an unforced one for --force)', () => {
    const at = (id: string, status: QueuedRun['status'], trigger: string, commit: string, force?: boolean) => ({ ...run(id, 'main', status, trigger), commit, ...(force ? { force } : {}) });
    const runs = [at('1', 'succeeded', 'manual', 'a'), at('2', 'running', 'watch', 'a'), at('3', 'queued', 'push', 'b'), at('4', 'running', 'manual', 'a')];
    expect(activeRunOf(runs, { branch: 'main', commit: 'a', force: false })?.id).toBe('4');
    expect(activeRunOf(runs, { branch: 'main', commit: 'b', force: false })?.id).toBe('3');
    expect(activeRunOf(runs, { branch: 'develop', commit: 'a', force: false })).toBeNull();
    expect(activeRunOf(runs, { branch: 'main', commit: 'a', force: true })).toBeNull();
    expect(activeRunOf([...runs, at('5', 'queued', 'manual', 'a', true)], { branch: 'main', commit: 'a', force: true })?.id).toBe('5');
  });

  it('a manual run of a commit its branch built already is answered with that run: the active one first, else the newest that succeeded; never a failed, cancelled or interrupted one', () => {
    const at = (id: string, status: QueuedRun['status'], trigger: string, commit: string, force?: boolean) => ({ ...run(id, 'main', status, trigger), commit, ...(force ? { force } : {}) });
    const main = { branch: 'main', commit: 'a', force: false };
    const built = [at('1', 'succeeded', 'push', 'a'), at('2', 'succeeded', 'manual', 'a'), at('3', 'failed', 'manual', 'a')];
    expect(answeringRunOf(built, main)?.id).toBe('2');
    expect(answeringRunOf([...built, at('4', 'running', 'manual', 'a')], main)?.id).toBe('4');
    expect(answeringRunOf(built, { ...main, branch: 'develop' })).toBeNull();
    expect(answeringRunOf(built, { ...main, commit: 'b' })).toBeNull();
    for (const status of ['failed', 'cancelled', 'interrupted', 'superseded'] as const) expect(answeringRunOf([at('1', status, 'push', 'a')], main)).toBeNull();
    expect(answeringRunOf([at('1', 'succeeded', 'watch', 'a')], main)).toBeNull();
    // --force: an unforced run may have refused a release marked bad that a forced one deploys.
    expect(answeringRunOf(built, { ...main, force: true })).toBeNull();
    expect(answeringRunOf([...built, at('5', 'succeeded', 'manual', 'a', true)], { ...main, force: true })?.id).toBe('5');
  });
});
