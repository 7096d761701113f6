import { rm } from 'node:fs/promises';
import { simpleGit, type SimpleGit } from 'simple-git';
import type { GitPort } from '../engine/ports.js';

/** The environment git runs with: never inherit a GIT_DIR that points somewhere else. */
export function scrubbedEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const clean: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined || ['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_OBJECT_DIRECTORY', 'GIT_COMMON_DIR'].includes(key)) continue;
    clean[key] = value;
  }
  return clean;
}

/** Git through simple-git, with hooks disabled (`core.hooksPath=/dev/null`) on every command. */
export function createSimpleGit(repoRoot: string): GitPort {
  const git: SimpleGit = simpleGit({
    baseDir: repoRoot,
    config: ['core.hooksPath=/dev/null'],
    // simple-git refuses hooksPath by default (it could point at attacker hooks); ours disables them.
    unsafe: { allowUnsafeHooksPath: true },
    maxConcurrentProcesses: 4,
  }).env(scrubbedEnv());
  return {
    async heads() {
      const out = await git.raw(['for-each-ref', '--format=%(refname:short)%00%(objectname)', 'refs/heads']);
      const heads = new Map<string, string>();
      for (const line of out.split('\n')) {
        const [branch, sha] = line.split('\0');
        if (branch && sha && /^[0-9a-f]{40,64}$/.test(sha)) heads.set(branch, sha);
      }
      return heads;
    },
    async resolveCommit(rev) {
      try {
        return (await git.raw(['rev-parse', '--verify', '--quiet', `${rev}^{commit}`])).trim() || null;
      } catch {
        return null;
      }
    },
    async currentBranch() {
      try {
        return (await git.raw(['symbolic-ref', '--quiet', '--short', 'HEAD'])).trim() || null;
      } catch {
        return null;
      }
    },
    async showFile(commit, path) {
      try {
        return await git.show([`${commit}:${path}`]);
      } catch {
        return null;
      }
    },
    async subject(commit) {
      return (await git.raw(['log', '-1', '--format=%s', commit])).trim();
    },
    async addWorktree(commit, dir) {
      await rm(dir, { recursive: true, force: true });
      await git.raw(['worktree', 'add', '--detach', '--force', dir, commit]);
    },
    async removeWorktree(dir) {
      try {
        await git.raw(['worktree', 'remove', '--force', '--force', dir]);
      } finally {
        // Build outputs are untracked; make sure nothing of the run stays on disk.
        await rm(dir, { recursive: true, force: true });
      }
    },
    async pruneWorktrees() {
      await git.raw(['worktree', 'prune']);
    },
  };
}
