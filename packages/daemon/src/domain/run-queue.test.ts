import { describe, expect, it } from 'vitest';
import { runnable, supersededBy, type QueuedRun } from './run-queue.js';

const run = (id: string, branch: string, status: QueuedRun['status'], trigger = 'push'): QueuedRun => ({ id, branch, status, trigger });

describe('the run queue', () => {
  it('supersedes an older queued push run of the same branch, never a running one or another branch', () => {
    const runs = [run('1', 'main', 'running'), run('2', 'main', 'queued'), run('3', 'develop', 'queued'), run('4', 'main', 'queued', 'manual')];
    expect(supersededBy(runs, run('5', 'main', 'queued'))).toEqual(['2']);
    expect(supersededBy(runs, run('5', 'main', 'queued', 'manual'))).toEqual([]);
  });

  it('starts at most one run per branch, oldest first', () => {
    const runs = [run('1', 'main', 'running'), run('2', 'main', 'queued'), run('3', 'develop', 'queued'), run('4', 'develop', 'queued'), run('5', 'staging', 'queued')];
    expect(runnable(runs).map((r) => r.id)).toEqual(['3', '5']);
  });
});
