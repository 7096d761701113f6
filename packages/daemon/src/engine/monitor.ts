import type { PipelineConfig, ReleaseView, RevisionView } from '@axum/protocol';
import { operationStepEnv, type OperationDeps } from './deploy-operation.js';

/** A running monitor of one live revision; `stop` kills a check in flight and removes its worktree. */
export interface Monitor {
  readonly revision: number;
  stop(): Promise<void>;
}

/**
 * Runs `monitor.run` every `monitor.every` while `revision` is live, in a worktree of its release's
 * commit. `failures` consecutive failed checks call `onIncident` once (the caller marks the release
 * bad and applies the rollback policy); a passing check resets the count.
 */
export function startMonitor(
  env: string,
  envDir: string,
  releaseDir: string,
  release: ReleaseView,
  revision: RevisionView,
  spec: NonNullable<PipelineConfig['monitor']>,
  secrets: readonly string[],
  deps: OperationDeps,
  onIncident: (message: string) => void,
): Monitor {
  const abort = new AbortController();
  const worktree = deps.worktreeDir(`monitor-${env}-${revision.revision}`);
  let checking = false;
  let failures = 0;
  let worktreeReady = false;
  let fired = false;

  const check = async () => {
    if (checking || fired || abort.signal.aborted) return;
    checking = true;
    try {
      if (!worktreeReady) {
        await deps.git.addWorktree(release.commit, worktree);
        worktreeReady = true;
      }
      const log = deps.logs.open(`monitor-${env}-${revision.revision}`, 'monitor', secrets);
      let forget = () => undefined as void;
      const result = await deps.runner.run(
        {
          command: spec.run,
          cwd: worktree,
          env: operationStepEnv(deps, {
            env,
            envDir,
            release,
            revision: revision.revision,
            releaseDir,
            worktree,
            stage: 'monitor',
            step: 'monitor',
            metricsFile: deps.metricsFile(`monitor-${env}-${revision.revision}`),
          }),
          timeoutMs: spec.timeout ?? spec.every,
          log,
          onSpawn: (pgid) => (forget = deps.trackProcess(env, pgid)),
        },
        abort.signal,
      );
      forget();
      await log.close();
      await deps.maskFile(deps.metricsFile(`monitor-${env}-${revision.revision}`), secrets);
      if (abort.signal.aborted) return;
      if (result.status === 'succeeded') {
        failures = 0;
        return;
      }
      failures += 1;
      deps.logger.warn(`${env} #${revision.revision}: monitor check failed (${failures}/${spec.failures})`);
      if (failures >= spec.failures) {
        fired = true;
        const how = result.status === 'timed-out' ? 'timed out' : `exited ${result.exitCode}`;
        onIncident(`monitor failed ${failures} times in a row on #${revision.revision} (last check ${how})`);
      }
    } catch (err) {
      deps.logger.warn(`${env} #${revision.revision}: monitor could not run: ${(err as Error).message}`);
    } finally {
      checking = false;
    }
  };

  const timer = setInterval(() => void check(), spec.every);
  timer.unref();
  return {
    revision: revision.revision,
    async stop() {
      clearInterval(timer);
      abort.abort();
      while (checking) await new Promise((resolve) => setTimeout(resolve, 20));
      if (worktreeReady) await deps.git.removeWorktree(worktree).catch(() => undefined);
    },
  };
}
