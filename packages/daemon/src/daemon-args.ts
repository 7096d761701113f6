// The daemon's arguments, checked before anything else happens: `--axum-restore` runs `axum
// restore` here and exits; a `--repo` that is no main worktree root, an `AXUM_CRASH_AT` or a
// `--listen` that cannot be read exits with the usage code, saying why.
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parseListenAddress, resolveRepositoryRoot } from '@axum/protocol';
import { crashHookFromEnv } from './adapters/crash-hook.js';
import type { Logger } from './engine/ports.js';
import { restoreMain } from './restore-main.js';

export async function daemonArgsOrExit(logger: Logger, EXIT: { readonly usage: number }): Promise<{ repoRoot: string; crash: Exclude<ReturnType<typeof crashHookFromEnv>, string>; listen: ReturnType<typeof parseListenAddress> | null }> {
  const { values } = parseArgs({
    options: { 'axum-daemon': { type: 'boolean' }, 'axum-restore': { type: 'boolean' }, from: { type: 'string' }, snapshot: { type: 'string' }, list: { type: 'boolean' }, repo: { type: 'string' }, listen: { type: 'string' } },
  });
  // `axum restore` runs here, in the daemon's package (it rebuilds the release store), as a process
  // of its own that takes the daemon's lock: never while a daemon serves the repository.
  if (values['axum-restore']) process.exit(await restoreMain(values.repo, values.from, { snapshot: values.snapshot, list: values.list }));
  if (!values.repo) {
    logger.error('usage: main.js --axum-daemon --repo DIR [--listen 127.0.0.1:PORT]');
    process.exit(EXIT.usage);
  }
  const repoRoot = resolve(values.repo);
  // One daemon per git common directory: the lock, the runtime folder and `.axum/` belong to the
  // main worktree, and clients check a daemon's identity by its `--repo`, so it must be that root.
  const repository = resolveRepositoryRoot(repoRoot);
  if (!repository.ok || repository.root !== repoRoot) {
    logger.error(repository.ok ? `--repo ${repoRoot} is not a main worktree root; the daemon of ${repository.root} serves it (axum starts that one itself)` : repository.message);
    process.exit(EXIT.usage);
  }
  const crash = crashHookFromEnv(process.env.AXUM_CRASH_AT);
  if (typeof crash === 'string') {
    logger.error(crash);
    process.exit(EXIT.usage);
  }
  const listen = values.listen ? parseListenAddress(values.listen) : null;
  if (listen && !listen.ok) {
    logger.error(listen.error);
    process.exit(EXIT.usage);
  }

  return { repoRoot, crash, listen };
}
