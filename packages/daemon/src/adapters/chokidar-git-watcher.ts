import { execFileSync } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import { watch } from 'chokidar';
import { gitEnv } from './simple-git-git.js';

/** How often heads are reconciled even without a hint (chokidar can miss a change right after ready). */
export const RECONCILE_INTERVAL_MS = 5000;

/**
 * Calls `onHint` when refs may have moved: HEAD, refs/heads/**, packed-refs in the repository's
 * common git dir (so `.git` being a file — a worktree — works). Events are only a hint; the caller
 * reconciles against the refs themselves (the git port's `heads`). Returns how to stop.
 *
 * The first event calls `onHint` at once: git moves a ref by renaming a whole file over it (and
 * packs refs by writing `packed-refs` before it prunes the loose ones), so the refs read then are
 * either before or after the move, never half of it. Waiting for the events to settle first was
 * pure latency on every commit. Events within `settleMs` after a call (a commit touches a ref a few
 * times, `.lock` files aside) are gathered into one more call at the end of that window.
 */
export function watchGitRefs(repoRoot: string, onHint: () => void, settleMs = 15): () => Promise<void> {
  const common = execFileSync('git', ['rev-parse', '--git-common-dir'], { cwd: repoRoot, encoding: 'utf8', env: gitEnv() }).trim();
  const gitDir = isAbsolute(common) ? common : join(repoRoot, common);
  const hint = createLeadingHint(onHint, settleMs);
  const watcher = watch([join(gitDir, 'HEAD'), join(gitDir, 'refs', 'heads'), join(gitDir, 'packed-refs')], {
    ignoreInitial: true,
    ignored: (path) => path.endsWith('.lock'),
  });
  watcher.on('all', hint);
  watcher.on('ready', hint);
  const interval = setInterval(onHint, RECONCILE_INTERVAL_MS);
  interval.unref();
  return async () => {
    hint.cancel();
    clearInterval(interval);
    await watcher.close();
  };
}

/**
 * `onHint` at the first call, then at most once more per `settleMs` window for the calls that came
 * inside it. The hint of the last event is never dropped: it gets a call after it.
 */
export function createLeadingHint(onHint: () => void, settleMs: number): { (): void; cancel(): void } {
  let settling: NodeJS.Timeout | undefined;
  let pending = false;
  const close = (): void => {
    settling = undefined;
    if (!pending) return;
    pending = false;
    onHint();
    settling = setTimeout(close, settleMs);
  };
  const hint = (): void => {
    if (settling !== undefined) {
      pending = true;
      return;
    }
    onHint();
    settling = setTimeout(close, settleMs);
  };
  hint.cancel = () => {
    clearTimeout(settling);
    settling = undefined;
    pending = false;
  };
  return hint;
}
