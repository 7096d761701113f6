import type * as ChildProcess from 'node:child_process';
import { realpathSync } from 'node:fs';
import { createRequire } from 'node:module';

// node:child_process is required on first use, not imported: the CLI asks git only outside a plain
// clone (repository-fast.ts answers that case from the files), and loading it costs every command
// a few ms (net's and dgram's modules with it).
const requireBuiltin = createRequire(import.meta.url);

/**
 * The repository a folder belongs to, as the daemon is keyed: one daemon per git common directory,
 * so a linked worktree (`git worktree add`) resolves to its main worktree. `workTree` is the top of
 * the worktree the folder is in; `linked` says it differs from `root`.
 */
export type RepositoryRoot =
  | { ok: true; root: string; workTree: string; linked: boolean }
  | { ok: false; reason: 'not-a-repository' | 'bare'; message: string };

/** Resolves `dir` to its repository's main worktree root (a real path), with git. */
export function resolveRepositoryRoot(dir: string): RepositoryRoot {
  // GIT_DIR and GIT_WORK_TREE from a git hook or alias would point git elsewhere than `dir`.
  const env = { ...process.env, GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_COMMON_DIR: undefined };
  const { execFileSync } = requireBuiltin('node:child_process') as typeof ChildProcess;
  const git = (args: string[], cwd: string): string => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env }).trim();
  let workTree: string;
  try {
    workTree = realpathSync(git(['rev-parse', '--show-toplevel'], dir));
  } catch {
    return { ok: false, reason: 'not-a-repository', message: `not a git repository: ${dir}` };
  }
  // The first entry of `worktree list` is the main worktree (git reads core.worktree and a
  // separate git dir for us); a bare repository has none, and its linked worktrees have no
  // common place for `.axum/`, so they are refused rather than given one daemon each.
  const list = git(['worktree', 'list', '--porcelain'], workTree).split('\n');
  const first = list[0]?.startsWith('worktree ') ? list[0].slice('worktree '.length) : null;
  if (first === null || list[1] === 'bare') {
    return { ok: false, reason: 'bare', message: `${workTree} is a linked worktree of a bare repository; Axum needs the repository's main worktree (clone it without --bare)` };
  }
  let root: string;
  try {
    root = realpathSync(first);
  } catch {
    // The main worktree was moved or deleted: this worktree's daemon would have no home.
    return { ok: false, reason: 'not-a-repository', message: `the main worktree of ${workTree} (${first}) is missing; run \`git worktree repair\`` };
  }
  return { ok: true, root, workTree, linked: root !== workTree };
}
