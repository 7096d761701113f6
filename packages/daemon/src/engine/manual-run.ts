// `axum run`: which commit a manual run builds and which branch (so which environment) it runs for.
import type { GitPort } from './ports.js';
import { RequestFailure } from './pipeline.js';

/**
 * The branch is `--branch`, else the one checked out where the client runs (a linked worktree's
 * is its own; null: detached there), else the daemon's; the commit is `--commit`, else that branch's
 * head. A `--commit` must be reachable from the branch's head: a run for a branch deploys to its
 * environment, which must never get a commit the branch does not have (`--commit HEAD --branch
 * staging` while on develop). Detached HEAD with no `--branch`: no branch, so no environment.
 */
/**
 * A branch with no head is a problem of what the run is for, as a `--commit` that names nothing is
 * (exit 2): typed (`--branch nosuch`) or not (the current branch of a fresh repository), the same
 * words get the same exit code.
 */
const noBranch = (branch: string) => new RequestFailure('invalid-params', `no branch ${branch} (or it has no commits yet)`);

export async function manualRunTarget(git: GitPort, branch: string | undefined, rev: string | undefined, checkedOut?: string | null): Promise<{ branch: string | null; sha: string } | RequestFailure> {
  const onBranch = branch ?? (checkedOut !== undefined ? checkedOut : await git.currentBranch());
  if (!rev) {
    if (!onBranch) return new RequestFailure('invalid-params', 'HEAD is detached: name a --branch or a --commit');
    const head = await git.head(onBranch);
    return head ? { branch: onBranch, sha: head } : noBranch(onBranch);
  }
  const sha = await git.resolveCommit(rev);
  if (!sha) return new RequestFailure('invalid-params', `no commit ${rev} in this repository`); // what was typed names nothing: a usage error, as a commit off the branch is
  if (onBranch === null) return { branch: null, sha };
  const head = await git.head(onBranch);
  if (!head) return noBranch(onBranch);
  if ((await git.isAncestor(sha, head)) !== 'ancestor') {
    return new RequestFailure(
      'invalid-params',
      `commit ${sha.slice(0, 8)} is not on ${onBranch} (it is not reachable from ${onBranch}'s head ${head.slice(0, 8)}): merge it into ${onBranch}, or run it with --branch <a branch that has it>`,
    );
  }
  return { branch: onBranch, sha };
}
