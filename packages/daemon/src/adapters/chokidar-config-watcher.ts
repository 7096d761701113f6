import { basename, dirname } from 'node:path';
import { watch } from 'chokidar';

/**
 * Calls `onChange` (debounced) whenever the pipeline file is written, created or removed.
 * Watches the folder, not the file: editors save by rename, which a file watch would lose.
 * Returns how to stop watching.
 */
export function watchConfigFile(file: string, onChange: () => void, debounceMs = 150): () => Promise<void> {
  const folder = dirname(file);
  const name = basename(file);
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(folder, {
    depth: 0,
    ignoreInitial: true,
    ignored: (path) => path !== folder && basename(path) !== name,
  });
  watcher.on('all', (_event, path) => {
    if (basename(path) !== name) return;
    clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  });
  return async () => {
    clearTimeout(timer);
    await watcher.close();
  };
}
