// Steps of the daemon's start that main.ts composes: killing what a crashed daemon left behind,
// what stops the daemon (signals, its lock lost, an uncaught error), and reading and applying
// `axum.yml` (the environments' folders, `watch.paths`, the record of the last valid config; read
// again before a client is shown the state when the file changed since it was read).
import { join, resolve } from 'node:path';
import { rm } from 'node:fs/promises';
import { CONFIG_FILE, PID_FILE, STATE_DIR, type ConfigLoad, type PipelineConfig } from '@axum/protocol';
import type { Containment } from './adapters/cgroup-containment.js';
import type { followWatchPaths } from './adapters/chokidar-worktree-watcher.js';
import { isFileSystemError } from './domain/disk-errors.js';
import { createFsLastConfigStore } from './adapters/fs-last-config.js';
import { prepareStateDir } from './adapters/state-files.js';
import { configFileStamp, loadConfigFile } from './adapters/yaml-config.js';
import type { DaemonEngine, LastValidConfig } from './engine/daemon-engine.js';
import type { Logger, StepRunner } from './engine/ports.js';

/** How often the daemon checks that its lock file still names it. */
const LOCK_CHECK_MS = 2000;

/**
 * What stops the daemon besides a request: a signal; its lock file no longer naming it (`rm -rf
 * .axum` or `git clean -xdf` under it: its history is no longer on disk, `axum daemon stop` could
 * not find it by the lock, and serving on from memory would show a past that is gone — it stops,
 * and the next command starts a daemon on what is there); an uncaught error other than a
 * file-system one (a file-system error never stops the daemon, ARCHITECTURE.md, crash safety: every
 * writer fails its own operation with the reason; one that still escapes is said, and serving goes on).
 */
export function installStopHandlers(deps: { logger: Logger; shutdown: (reason: string, code?: number) => Promise<void>; stillOwned: () => boolean; lockLost?: () => void; warn: (message: string) => void }): void {
  const { logger, shutdown } = deps;
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void shutdown(signal));
  setInterval(() => {
    if (deps.stillOwned()) return;
    deps.lockLost?.();
    void shutdown(`its lock ${join(STATE_DIR, PID_FILE)} was removed or taken (.axum removed under it?)`);
  }, LOCK_CHECK_MS).unref();
  process.on('uncaughtException', (err) => {
    if (isFileSystemError(err)) {
      logger.error(`file-system error outside any operation (the daemon goes on): ${err.stack ?? err.message}`);
      deps.warn(`file-system error: ${err.message} (the daemon goes on; see .axum/daemon.log)`);
      return;
    }
    logger.error(`uncaught: ${err.stack ?? err.message}`);
    void shutdown('crashed on an unexpected error', 1);
  });
  process.on('unhandledRejection', (err) => {
    logger.error(`unhandled rejection: ${(err as Error)?.stack ?? String(err)}`);
  });
}

/**
 * Node exits when nothing is pending: before the socket listens, that is a start awaiting work that
 * holds nothing open (a read through a child process left unref'd), which ended the process with
 * code 0 and no word, and `axum daemon start` waited for a daemon that was gone. Said in the log,
 * with code 1. Returns what to call once the daemon listens (its socket keeps it running).
 */
export function sayIfStartEmpties(logger: Logger): () => void {
  const emptied = (): void => {
    logger.error('could not start: nothing was left running before the daemon listened (the start awaited work that holds nothing open); exiting');
    process.exitCode = 1;
  };
  process.once('beforeExit', emptied);
  return () => void process.off('beforeExit', emptied);
}

/** How long the killed leftovers get to be gone before the start goes on without waiting. */
const LEFTOVERS_GONE_MS = 10_000;

/**
 * Nothing of ours runs yet: worktrees left by a crash (runs, deploys, monitors) go (git's prune
 * forgets them), and whatever a crashed daemon's steps, ssh and rsync left running dies before
 * anything of ours starts (the recorded process groups are reaped again later, for the run and
 * revision messages). Killed is not gone: an ssh on its way to a host could still send its command,
 * so the start waits until none is left before any host is touched.
 */
export async function killLeftovers(deps: { worktreeRoot: string; runner: StepRunner; containment: Containment; logger: Logger; warn(message: string): void }): Promise<void> {
  const { worktreeRoot, runner, containment, logger } = deps;
  await rm(worktreeRoot, { recursive: true, force: true });
  const strays = runner.reapStrays();
  if (strays.length > 0) logger.warn(`killed ${strays.length} process(es) left running by the previous daemon: ${strays.join(', ')}`);
  const deadline = Date.now() + LEFTOVERS_GONE_MS;
  let left = strays;
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    left = runner.reapStrays();
  }
  if (left.length > 0) deps.warn(`${left.length} process(es) left by the previous daemon were still there ${LEFTOVERS_GONE_MS / 1000} s after SIGKILL: ${left.join(', ')}`);
  const contained = containment.sweep();
  if (contained.length > 0) logger.warn(`killed ${contained.length} process(es) left in the previous daemon's step cgroups: ${contained.join(', ')}`);
  if (containment.kind === 'cgroup') logger.info(containment.description);
  else deps.warn(containment.description);
}

/**
 * Reads and applies `axum.yml`. An invalid one at start falls back to the last valid config
 * recorded (the daemon starts whatever the file holds); every valid one is recorded for that.
 * Readings are applied one at a time, in order. `refresh` reads it again only when the file
 * changed since the newest reading was asked for (one stat): a client shown the state right after
 * a `git checkout` sees the checked-out file's config, not the one the watcher has yet to replace.
 */
export function createConfigApplier(deps: { repoRoot: string; stateDir: string; configPath: string; environmentPaths: Map<string, string>; engine: DaemonEngine; watchPaths: ReturnType<typeof followWatchPaths>; logger: Logger }) {
  const { repoRoot, configPath, environmentPaths, engine, watchPaths, logger } = deps;
  const lastConfig = createFsLastConfigStore(join(deps.stateDir, 'state', 'last-config.json'));
  let configInUse: PipelineConfig | null = null;
  const applyConfig = (load: ConfigLoad, lastValid: LastValidConfig | null = null): void => {
    const config = load.ok ? load.config : configInUse === null ? (lastValid?.config ?? null) : null;
    if (config) {
      configInUse = config;
      environmentPaths.clear();
      for (const [env, spec] of Object.entries(config.environments)) environmentPaths.set(env, resolve(repoRoot, spec.path ?? join('.axum', 'envs', env)));
    }
    engine.applyConfig(load, lastValid);
    if (load.ok) {
      lastConfig.save(load.config, engine.state().config.loadedAt ?? new Date().toISOString()).catch((err: Error) => logger.warn(`recording the last valid config: ${err.message}`));
    }
    if (config) watchPaths.setPatterns(config.watch?.paths ?? []);
  };
  /** The file's stamp when the newest reading was asked for ('-': none yet), and the readings not applied yet. */
  let stamp = '-';
  let pending = 0;
  let readings: Promise<void> = Promise.resolve();
  const read = (first: boolean): Promise<void> => {
    // Taken when asked: the reading comes after, so it sees this state of the file or a newer one.
    stamp = configFileStamp(configPath);
    pending++;
    const reading = readings.then(async () => {
      try {
        const load = await loadConfigFile(configPath);
        applyConfig(load, first && !load.ok ? await lastConfig.load().catch(() => null) : null);
      } finally {
        pending--;
      }
    });
    readings = reading.catch((err: Error) => logger.warn(`applying ${CONFIG_FILE}: ${err.message}`));
    // The first reading's failure fails the start; a later one is said, and the config in use stays.
    return first ? reading : readings;
  };
  return {
    /** The first reading, at start. */
    loadFirst: () => read(true),
    /** A reading the watcher asked for. */
    reload: () => read(false),
    /** A reading when the file changed since the newest one was asked for; else the one under way, or null: current. */
    refresh: (): Promise<void> | null => (configFileStamp(configPath) !== stamp ? read(false) : pending > 0 ? readings : null),
  };
}

/**
 * `<repo>/.axum/`, made ready; the process exits with `code` when it cannot be (a link where the
 * folder or something in it should be, a cloned repository's; a read-only checkout): said, not a stack.
 */
export function stateDirOrExit(repoRoot: string, logger: Logger, code: number): string {
  try {
    return prepareStateDir(repoRoot);
  } catch (err) {
    logger.error(`refusing to start: ${(err as Error).message}`);
    return process.exit(code);
  }
}
