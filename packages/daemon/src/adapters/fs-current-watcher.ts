import { watch, type FSWatcher } from 'node:fs';

/** How often every environment's `current` is compared with its history even without a hint. */
export const CURRENT_CHECK_INTERVAL_MS = 5000;

/**
 * Calls `onHint` (debounced) when an environment's `current` may have changed behind the daemon's
 * back — a link removed or replaced by hand — so `axum status` shows the disagreement without a
 * restart or an `axum fsck`. `dirs` lists the environments' folders (it grows as environments get
 * their first deploy): each is watched while it exists, and every interval re-lists them and hints
 * anyway (a watch can miss a folder made or removed between two lists). Events are only a hint:
 * the caller reads the links themselves. Returns how to stop.
 */
export function watchCurrentLinks(dirs: () => string[], onHint: () => void, debounceMs = 50): () => void {
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  const hint = () => {
    clearTimeout(timer);
    timer = setTimeout(onHint, debounceMs);
  };
  const relist = () => {
    const wanted = new Set(dirs());
    for (const [dir, watcher] of watchers) {
      if (wanted.has(dir)) continue;
      watcher.close();
      watchers.delete(dir);
    }
    for (const dir of wanted) {
      if (watchers.has(dir)) continue;
      try {
        const watcher = watch(dir, { persistent: false }, (_event, name) => {
          if (name === null || name === 'current') hint();
        });
        watcher.on('error', () => {
          watcher.close();
          watchers.delete(dir); // the folder went: the next list watches it again once it exists
        });
        watchers.set(dir, watcher);
      } catch {
        // Not there yet (no deploy made it): the next list tries again.
      }
    }
  };
  relist();
  const interval = setInterval(() => {
    relist();
    onHint();
  }, CURRENT_CHECK_INTERVAL_MS);
  interval.unref();
  return () => {
    clearTimeout(timer);
    clearInterval(interval);
    for (const watcher of watchers.values()) watcher.close();
    watchers.clear();
  };
}
