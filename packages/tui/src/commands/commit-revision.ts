// `--commit` takes what git takes: a sha or a short one, a branch, a tag, `HEAD~1`, `main^`. It is
// resolved here, in the worktree the command runs in, by git's own rules: `HEAD` is the user's HEAD
// (a linked worktree's differs from the daemon's), and the daemon is sent a full sha.
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { CliError, EXIT } from './exit-codes.js';

/** Which commit git would name by `text` in `dir`, or null when it names none (or no commit: a tree, a blob). */
export function gitCommitOf(dir: string, text: string): string | null {
  // `--end-of-options`: a revision that starts with `-` is a revision, never an option of rev-parse.
  const done = spawnSync('git', ['rev-parse', '--verify', '--quiet', '--end-of-options', `${text}^{commit}`], { cwd: dir, encoding: 'utf8' });
  const sha = done.status === 0 ? done.stdout.trim() : '';
  return /^[0-9a-f]{40,64}$/.test(sha) ? sha : null;
}

/**
 * `--commit REV` as a full sha, or a usage error saying it names no commit. `keepHex`: a hex text
 * git does not know is sent as typed (a release may outlive its commit in the repository).
 */
export function resolveCommitOption(repoDir: string | undefined, text: string, keepHex = false): string {
  const dir = resolve(repoDir ?? process.cwd());
  const sha = gitCommitOf(dir, text);
  if (sha !== null) return sha;
  if (keepHex && /^[0-9a-f]{4,64}$/i.test(text)) return text;
  throw new CliError(`--commit ${text}: names no commit in this repository (a sha, a branch, a tag or HEAD~1, as git reads them)`, EXIT.usage);
}

/**
 * The branch checked out in the worktree the command runs in, for a run that names no `--branch`:
 * a linked worktree's is its own, which the daemon (in the main one) cannot see. Null: HEAD is
 * detached there; nothing when git cannot tell (the daemon then reads its own).
 */
export function checkedOutParam(repoDir: string | undefined): { checkedOut?: string | null } {
  // Not --short: with a tag of the same name git shortens `refs/heads/v2` to `heads/v2`.
  const done = spawnSync('git', ['symbolic-ref', '--quiet', 'HEAD'], { cwd: resolve(repoDir ?? process.cwd()), encoding: 'utf8' });
  if (done.status === 1) return { checkedOut: null };
  const ref = done.status === 0 ? done.stdout.trim() : '';
  if (ref === '') return {};
  // HEAD naming a ref outside refs/heads is no branch to run.
  return ref.startsWith('refs/heads/') ? { checkedOut: ref.slice('refs/heads/'.length) } : { checkedOut: null };
}

/**
 * A note for a run of the commit checked out in `repoDir` while tracked files there differ from it:
 * a run builds its commit, never the work tree, and an edit that is not committed is easy to take
 * for one that is. Null when the run is of another commit, nothing differs, or git cannot tell.
 */
export function uncommittedNote(repoDir: string | undefined, commit: string, runId: string): string | null {
  // No fsmonitor hook: asking whether files changed must not run a program of the repository's.
  const done = spawnSync('git', ['-c', 'core.fsmonitor=false', 'status', '--porcelain=v2', '--branch', '--untracked-files=no'], { cwd: resolve(repoDir ?? process.cwd()), encoding: 'utf8' });
  if (done.status !== 0) return null;
  const lines = done.stdout.split('\n');
  if (!lines.includes(`# branch.oid ${commit}`)) return null;
  // `1 XY … path`, `2 XY … path<TAB>original`, `u XY … path`: the path is the last field before any tab.
  const changed = lines.filter((line) => /^[12u] /.test(line)).map((line) => line.split('\t')[0]!.split(' ').at(-1)!);
  if (changed.length === 0) return null;
  const names = `${changed.slice(0, 3).join(', ')}${changed.length > 3 ? ` and ${changed.length - 3} more` : ''}`;
  return `note: ${changed.length === 1 ? '1 file' : `${changed.length} files`} changed in the work tree and not committed (${names}) ${changed.length === 1 ? 'is' : 'are'} not in ${runId}: a run builds its commit; commit and run again to build them`;
}
