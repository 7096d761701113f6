import type { GitPort, Logger } from './ports.js';

/** Where runs check out: one worktree kept per branch between its runs, cleaned, reset to each commit. */
export interface RunWorktrees {
  /**
   * A clean worktree of `run.commit` for `run`: the one its branch's last run left (cleaned when that
   * run ended, reset to this commit now) or a fresh one. `dir` is known at once (the run records
   * it); `ready` resolves once the tree is checked out, and rejects when no worktree could be made.
   */
  checkout(run: { id: string; branch: string; commit: string }): { dir: string; ready: Promise<void> };
  /** The run is over (its release, if any, is made): its worktree is cleaned and kept for its branch, or removed. */
  release(dir: string): Promise<void>;
  /** Removes every kept worktree (the daemon stops); what is released afterwards is removed. */
  close(): Promise<void>;
}

interface Kept {
  branch: string;
  dir: string;
  busy: boolean;
  /** The checkout failed: what is in the folder is unknown, so it is never reset, only removed. */
  broken: boolean;
}

/**
 * Why keep worktrees: `git worktree add` was the largest part of a commit's way to its first step
 * (a full checkout, and git starting two more git processes). Resetting the branch's last worktree
 * is one `git checkout` that rewrites only what changed between the commits. A run never sees what
 * the previous one left: untracked and ignored files are cleaned, and modified ones reset, when
 * that run ends (off the way to the next run's first step); the checkout forces every tracked file
 * to the commit. A worktree whose cleaning or reset failed is removed and made again. After a
 * crash nothing is kept: the next daemon removes the whole folder before any run starts.
 */
export function createRunWorktrees(deps: { git: GitPort; dirOf(name: string): string; logger: Logger; keep?: number }): RunWorktrees {
  const keep = deps.keep ?? 3;
  /** By branch; oldest use first (a Map keeps insertion order: a use moves its entry to the end). */
  const kept = new Map<string, Kept>();
  let made = 0;
  let closed = false;

  const remove = (dir: string): Promise<void> => deps.git.removeWorktree(dir).catch((err: Error) => deps.logger.warn(`removing worktree ${dir}: ${err.message}`));

  /** Beyond `keep` branches, the least recently used idle worktrees go (each is a full checkout on disk). */
  const evict = (): void => {
    for (const entry of kept.values()) {
      if (kept.size <= keep) return;
      if (entry.busy) continue;
      kept.delete(entry.branch);
      void remove(entry.dir);
    }
  };

  return {
    checkout(run) {
      const entry = kept.get(run.branch);
      if (entry && entry.busy) {
        // Another run of the branch holds it (a manual run beside a push's): a worktree of its own.
        const dir = deps.dirOf(run.id);
        return { dir, ready: deps.git.addWorktree(run.commit, dir) };
      }
      if (entry && !closed) {
        entry.busy = true;
        kept.delete(run.branch);
        kept.set(run.branch, entry);
        const ready = deps.git.resetWorktree(run.commit, entry.dir).catch((err: Error) => {
          deps.logger.warn(`resetting worktree ${entry.dir} to ${run.commit.slice(0, 8)}: ${err.message}; checking it out afresh`);
          return deps.git.addWorktree(run.commit, entry.dir);
        });
        ready.catch(() => (entry.broken = true));
        return { dir: entry.dir, ready };
      }
      const fresh: Kept = { branch: run.branch, dir: deps.dirOf(`warm-${++made}`), busy: true, broken: false };
      if (!closed) {
        kept.set(run.branch, fresh);
        evict();
      }
      const ready = deps.git.addWorktree(run.commit, fresh.dir);
      ready.catch(() => (fresh.broken = true));
      return { dir: fresh.dir, ready };
    },
    async release(dir) {
      const entry = [...kept.values()].find((e) => e.dir === dir);
      if (!entry || closed || entry.broken) {
        if (entry) kept.delete(entry.branch);
        return remove(dir);
      }
      try {
        await deps.git.cleanWorktree(dir);
        entry.busy = false;
        evict();
      } catch (err) {
        deps.logger.warn(`cleaning worktree ${dir}: ${(err as Error).message}; removing it`);
        kept.delete(entry.branch);
        await remove(dir);
      }
    },
    async close() {
      closed = true;
      const idle = [...kept.values()].filter((e) => !e.busy);
      for (const entry of idle) kept.delete(entry.branch);
      await Promise.all(idle.map((e) => remove(e.dir)));
    },
  };
}
