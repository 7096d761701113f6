import { execFileSync } from 'node:child_process';
import { isAbsolute, join } from 'node:path';
import { watch } from 'chokidar';
import { gitEnv } from './simple-git-git.js';

/** How often heads are reconciled even without a hint (chokidar can miss a change right after ready). */
export const RECONCILE_INTERVAL_MS = 5000;

/**
 * Calls `onHint` (debounced: a commit touches a ref a few times within a few ms) when refs may have moved: HEAD, refs/heads/**, packed-refs in the
 * repository's common git dir (so `.git` being a file — a worktree — works). Events are only a
 * hint; the caller reconciles against the refs themselves (the git port's `heads`). Returns how to stop.
 */
export function watchGitRefs(repoRoot: string, onHint: () => void, debounceMs = 15): () => Promise<void> {
  const common = execFileSync('git', ['rev-parse', '--git-common-dir'], { cwd: repoRoot, encoding: 'utf8', env: gitEnv() }).trim();
  const gitDir = isAbsolute(common) ? common : join(repoRoot, common);
  let timer: NodeJS.Timeout | undefined;
  const hint = () => {
    clearTimeout(timer);
    timer = setTimeout(onHint, debounceMs);
  };
  const watcher = watch([join(gitDir, 'HEAD'), join(gitDir, 'refs', 'heads'), join(gitDir, 'packed-refs')], {
    ignoreInitial: true,
    ignored: (path) => path.endsWith('.lock'),
  });
  watcher.on('all', hint);
  watcher.on('ready', hint);
  const interval = setInterval(onHint, RECONCILE_INTERVAL_MS);
  interval.unref();
  return async () => {
    clearTimeout(timer);
    clearInterval(interval);
    await watcher.close();
  };
}
