import { relative, sep } from 'node:path';
import { watch } from 'chokidar';
import picomatch from 'picomatch';

/** Folders never watched: git's, Axum's, and dependency trees that churn on install. */
const SKIP = new Set(['.git', '.axum', 'node_modules', '.venv', '__pycache__']);

/**
 * Calls `onSave` (debounced) when a file matching one of `patterns` (globs relative to the
 * repository, e.g. `src/**`) is added, changed or removed in the work tree. Returns how to stop.
 * chokidar 4+ has no globs: picomatch decides, and skipped folders are never descended into.
 */
export function watchWorkTree(repoRoot: string, patterns: readonly string[], onSave: () => void, debounceMs = 300): () => Promise<void> {
  const matches = picomatch([...patterns], { dot: true });
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(repoRoot, {
    ignoreInitial: true,
    ignored: (path, stats) => {
      const rel = relative(repoRoot, path);
      if (rel === '') return false;
      if (rel.split(sep).some((part) => SKIP.has(part))) return true;
      return stats?.isFile() === true && !matches(rel.split(sep).join('/'));
    },
  });
  watcher.on('all', (_event, path) => {
    const rel = relative(repoRoot, path).split(sep).join('/');
    if (!matches(rel)) return;
    clearTimeout(timer);
    timer = setTimeout(onSave, debounceMs);
  });
  return async () => {
    clearTimeout(timer);
    await watcher.close();
  };
}

/**
 * `watch.paths` as the config in use says, restarted only when the patterns change (a config
 * reload that leaves them alone keeps the watcher it has).
 */
export function followWatchPaths(repoRoot: string, onSave: () => void): { setPatterns(patterns: readonly string[]): void; stop(): Promise<void> } {
  let stop: (() => Promise<void>) | null = null;
  let watched = '';
  return {
    setPatterns(patterns) {
      if (patterns.join('\n') === watched) return;
      watched = patterns.join('\n');
      void stop?.();
      stop = patterns.length === 0 ? null : watchWorkTree(repoRoot, patterns, onSave);
    },
    stop: () => stop?.() ?? Promise.resolve(),
  };
}
