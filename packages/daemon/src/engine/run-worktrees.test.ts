// Which worktree a run gets: its branch's kept one when idle, else one of its own; what happens to
// a worktree whose reset or clean fails; what stopping leaves. Git is a recording fake here: what
// the worktrees hold is tested on real git in adapters/simple-git-worktrees.test.ts.
import { describe, expect, it } from 'vitest';
import { createFakeGit } from './testing/fake-ports.js';
import { createRunWorktrees } from './run-worktrees.js';

function setup(fail: { reset?: boolean; clean?: boolean } = {}, keep?: number) {
  const git = createFakeGit();
  const calls: string[] = [];
  const warnings: string[] = [];
  const add = git.addWorktree;
  const remove = git.removeWorktree;
  git.addWorktree = async (commit, dir) => {
    calls.push(`add ${commit} ${dir}`);
    await add(commit, dir);
  };
  git.resetWorktree = async (commit, dir) => {
    calls.push(`reset ${commit} ${dir}`);
    if (fail.reset) throw new Error('checkout failed');
  };
  git.cleanWorktree = async (dir) => {
    calls.push(`clean ${dir}`);
    if (fail.clean) throw new Error('clean failed');
  };
  git.removeWorktree = async (dir) => {
    calls.push(`remove ${dir}`);
    await remove(dir);
  };
  const logger = { info: () => undefined, warn: (m: string) => void warnings.push(m), error: () => undefined };
  const worktrees = createRunWorktrees({ git, dirOf: (name) => `/work/${name}`, logger, ...(keep !== undefined ? { keep } : {}) });
  return { git, calls, warnings, worktrees };
}

const run = (id: string, branch: string, commit: string) => ({ id, branch, commit });

describe('run worktrees', () => {
  it("a branch's next run resets the worktree its last run left, cleaned when that run ended", async () => {
    const { calls, worktrees } = setup();
    const first = worktrees.checkout(run('run-1', 'main', 'a'));
    await first.ready;
    await worktrees.release(first.dir);
    const second = worktrees.checkout(run('run-2', 'main', 'b'));
    await second.ready;
    expect(second.dir).toBe(first.dir);
    expect(calls).toEqual([`add a /work/warm-1`, `clean /work/warm-1`, `reset b /work/warm-1`]);
  });

  it('a run of a branch whose worktree is in use gets one of its own, removed when it ends', async () => {
    const { calls, worktrees } = setup();
    const first = worktrees.checkout(run('run-1', 'main', 'a'));
    const second = worktrees.checkout(run('run-2', 'main', 'b'));
    await Promise.all([first.ready, second.ready]);
    expect(second.dir).toBe('/work/run-2');
    await worktrees.release(second.dir);
    expect(calls).toEqual([`add a /work/warm-1`, `add b /work/run-2`, `remove /work/run-2`]);
  });

  it('a reset that fails checks the commit out afresh in the same folder, said in the log', async () => {
    const { calls, warnings, worktrees } = setup({ reset: true });
    await worktrees.release(worktrees.checkout(run('run-1', 'main', 'a')).dir);
    const second = worktrees.checkout(run('run-2', 'main', 'b'));
    await second.ready;
    expect(calls.slice(-2)).toEqual([`reset b /work/warm-1`, `add b /work/warm-1`]);
    expect(warnings.join('\n')).toContain('checking it out afresh');
  });

  it('a worktree that could not be cleaned is removed, and the next run of its branch gets a fresh one', async () => {
    const { calls, worktrees } = setup({ clean: true });
    const first = worktrees.checkout(run('run-1', 'main', 'a'));
    await first.ready;
    await worktrees.release(first.dir);
    const second = worktrees.checkout(run('run-2', 'main', 'b'));
    await second.ready;
    expect(second.dir).toBe('/work/warm-2');
    expect(calls).toEqual([`add a /work/warm-1`, `clean /work/warm-1`, `remove /work/warm-1`, `add b /work/warm-2`]);
  });

  it('a worktree whose checkout failed is removed at the end of its run, never cleaned or reset', async () => {
    const { git, calls, worktrees } = setup();
    git.addWorktree = async (commit, dir) => {
      calls.push(`add ${commit} ${dir}`);
      throw new Error('disk full');
    };
    const first = worktrees.checkout(run('run-1', 'main', 'a'));
    await expect(first.ready).rejects.toThrow('disk full');
    await worktrees.release(first.dir);
    expect(calls).toEqual([`add a /work/warm-1`, `remove /work/warm-1`]);
  });

  it('keeps at most `keep` branches: the least recently used idle worktree goes', async () => {
    const { calls, worktrees } = setup({}, 2);
    for (const [id, branch] of [['run-1', 'a'], ['run-2', 'b'], ['run-3', 'a'], ['run-4', 'c']] as const) {
      const checkout = worktrees.checkout(run(id, branch, id));
      await checkout.ready;
      await worktrees.release(checkout.dir);
    }
    // a was used again after b: b is the one that goes when c comes.
    expect(calls.filter((c) => c.startsWith('remove'))).toEqual(['remove /work/warm-2']);
  });

  it('stopping removes the idle worktrees, and one released afterwards is removed too', async () => {
    const { git, worktrees } = setup();
    const idle = worktrees.checkout(run('run-1', 'main', 'a'));
    await idle.ready;
    await worktrees.release(idle.dir);
    const busy = worktrees.checkout(run('run-2', 'side', 'b'));
    await busy.ready;
    await worktrees.close();
    expect([...git.worktrees]).toEqual([busy.dir]);
    await worktrees.release(busy.dir);
    expect([...git.worktrees]).toEqual([]);
  });
});
