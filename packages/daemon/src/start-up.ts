// Two steps of the daemon's start that main.ts composes: killing what a crashed daemon left
// behind, and applying each config that loads (the environments' folders, `watch.paths`, the
// record of the last valid config).
import { join, resolve } from 'node:path';
import { rm } from 'node:fs/promises';
import type { ConfigLoad, PipelineConfig } from '@axum/protocol';
import type { Containment } from './adapters/cgroup-containment.js';
import type { followWatchPaths } from './adapters/chokidar-worktree-watcher.js';
import { createFsLastConfigStore } from './adapters/fs-last-config.js';
import type { DaemonEngine, LastValidConfig } from './engine/daemon-engine.js';
import type { Logger, StepRunner } from './engine/ports.js';

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
 * Applies a config as it loads. An invalid one at start falls back to the last valid config
 * recorded (the daemon starts whatever the file holds); every valid one is recorded for that.
 */
export function createConfigApplier(deps: { repoRoot: string; stateDir: string; environmentPaths: Map<string, string>; engine: DaemonEngine; watchPaths: ReturnType<typeof followWatchPaths>; logger: Logger }) {
  const { repoRoot, environmentPaths, engine, watchPaths, logger } = deps;
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
  return { applyConfig, lastConfig };
}
