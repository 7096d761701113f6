import { noStepText, type LogChunk, type PipelineConfig, type RunDeploy, type RunStatus, type RunView, type TriggeredRun } from '@axum/protocol';
import { answeringRunOf, FINISHED, runnable } from '../domain/run-queue.js';
import { settleDeployWithoutRelease, toRunView, unsetSecrets, type RunRecord, type RunsDocument } from '../domain/history.js';
import { unsetSecretWarning } from '../domain/secret-words.js';
import { executeRun, type Execution, type ExecutorDeps } from './run-executor.js';
import { logChunkOf } from './log-chunk.js';
import { createRunDeploys } from './run-deploys.js';
import { createRunsCommit, unrecordedRun } from './runs-commit.js';
import { boundRunRecord } from '../domain/outside-text.js';
import { manualRunTarget } from './manual-run.js';
import { createEnqueue, recoverInterrupted } from './run-enqueue.js';
import { createHeadsReconciler } from './heads-reconciler.js';
import { createRunWorktrees } from './run-worktrees.js';
import type { RunsStore } from './ports.js';

/** An expected refusal of a request, carried to the client as a typed error. */
export class RequestFailure {
  constructor(
    readonly code: 'not-found' | 'invalid-params' | 'refused' | 'conflict' | 'not-configured',
    readonly message: string,
  ) {}
}

export interface PipelineDeps extends Omit<ExecutorDeps, 'commit' | 'currentConfig' | 'logActivity' | 'worktrees'> {
  /** A folder for a worktree named `name`, outside the repository. */
  worktreeDir(name: string): string;
  /**
   * How many branches keep their worktree between runs (default 3). 0 where a step's processes are
   * contained by process group only: one that escaped it could write into a kept worktree after
   * it was cleaned, so each run gets a worktree of its own.
   */
  keepWorktrees?: number;
  store: RunsStore;
  /** Tells clients about a changed run. */
  publish(run: RunView): void;
  /** Tells clients about a problem the daemon recovered from. */
  warn(message: string): void;
}

/** The runs side of the daemon: queue, execution, cancel, recovery, reconciliation with git. */
export interface Pipeline {
  /** Loads history and recovers from a crash: running → interrupted, process groups reaped. */
  start(): Promise<void>;
  /** The config in use: which branches feed an environment (a branch it feeds newly is caught up at once). */
  setConfig(config: PipelineConfig): void;
  /** Compares the heads of the branches that feed an environment with the last seen ones and queues a `push` run per moved head. */
  reconcile(): Promise<void>;
  /**
   * `axum run`: queues a manual run of `commit` (or the branch's head) for `branch` (or the current
   * branch). A commit not reachable from that branch is refused: it would deploy what the branch
   * never had. `by` is kept on the record (its deploy's revision names who); `force` lets a reused
   * release marked bad deploy. A run of that commit for that branch queued, running or succeeded is
   * the answer (`existing`), not a second one (build once, promote), unless `again` asks for one. `rebuild` builds even when
   * the commit has a release to reuse (always a new run: a queued one may be about to reuse).
   */
  trigger(params: { branch?: string; checkedOut?: string | null; commit?: string; by?: string; force?: boolean; again?: boolean; rebuild?: boolean }): Promise<TriggeredRun | RequestFailure>;
  /** A file matching `watch.paths` was saved: run `watch.stages` in the work tree (never deploys). */
  triggerWatch(): Promise<RunView | null>;
  cancel(runId: string): Promise<RunView | RequestFailure>;
  get(runId: string): RunView | RequestFailure;
  list(limit: number, only?: { status?: RunStatus; branch?: string }): RunView[];
  readLog(params: { runId: string; step: string; offset: number; limit: number }): Promise<LogChunk | RequestFailure>;
  /** Calls `listener` when a step's log may have grown or its step may have ended. Returns how to stop. */
  onLogActivity(listener: (runId: string, step: string) => void): () => void;
  /** What became of a run's deploy changed: the record follows (saved, published) with the line saying why, and so do the other runs of that revision (`runId` null: only those). */
  setDeploy(runId: string | null, deploy: RunDeploy, message: string | null): void;
  /** Cancels everything running (daemon stopping) and waits for the processes to be gone. */
  stop(): Promise<void>;
}

export function createPipeline(deps: PipelineDeps): Pipeline {
  let doc: RunsDocument | null = null;
  let config: PipelineConfig | null = null;
  const executions = new Map<string, Execution>();
  let stopping = false;
  const logListeners = new Set<(runId: string, step: string) => void>();
  const logActivity = (runId: string, step: string) => {
    for (const listener of logListeners) listener(runId, step);
  };

  const loaded = (): RunsDocument => {
    if (!doc) throw new Error('pipeline used before start()');
    return doc;
  };
  const now = () => new Date(deps.clock.now()).toISOString();
  const findRun = (runId: string): RunRecord | undefined => {
    const wanted = /^\d+$/.test(runId) ? `run-${runId}` : runId;
    return loaded().runs.find((r) => r.id === wanted);
  };

  const { commit, touch, unsaved } = createRunsCommit({ store: deps.store, loaded, findRun, publish: deps.publish, warn: deps.warn, logActivity, mask: deps.secretBook.mask });

  const warnedSecrets = new Set<string>();
  const runDeploys = createRunDeploys(() => loaded().runs, findRun, (run) => commit(run), (message) => deps.logger.warn(message));

  let triggering: Promise<unknown> = Promise.resolve();
  const { enqueue, passOver } = createEnqueue({ deps, loaded, config: () => config, now, commit, touch });

  const worktrees = createRunWorktrees({ git: deps.git, dirOf: deps.worktreeDir, logger: deps.logger, ...(deps.keepWorktrees !== undefined ? { keep: deps.keepWorktrees } : {}) });
  const schedule = (): void => {
    if (stopping || !doc) return;
    for (const run of runnable(loaded().runs)) {
      const execution = executeRun(run, { ...deps, worktrees, currentConfig: () => config, logActivity, commit: (r) => commit(r) });
      executions.set(run.id, execution);
      void execution.done.finally(() => {
        executions.delete(run.id);
        schedule();
      });
    }
  };

  const heads = createHeadsReconciler({ git: deps.git, logger: deps.logger, loaded: () => doc, config: () => config, commit, enqueue, passOver, schedule, stopping: () => stopping });

  return {
    async start() {
      const { doc: loadedDoc, warning } = await deps.store.load();
      doc = loadedDoc;
      // A history written before the bounds may hold subjects of megabytes: every snapshot would carry them.
      for (const run of doc.runs) boundRunRecord(run);
      if (warning) deps.warn(warning);
      // Crash recovery: nothing is running any more; an interrupted run is never retried by itself.
      const interrupted = await recoverInterrupted(doc, deps, now, touch);
      runDeploys.loaded();
      await deps.git.pruneWorktrees().catch((err: Error) => deps.logger.warn(`git worktree prune: ${err.message}`));
      // Save only when recovery changed something: nothing to write before the daemon listens.
      if (interrupted > 0) await commit(null);
      schedule(); // queued runs resume
    },
    setConfig(next) {
      const before = config;
      config = next;
      deps.secretBook.addNames(next.secrets, deps.baseEnv);
      heads.configChanged(before, next);
      // A secret declared but not set arrives empty in every step (`token=`): say so once, where `axum status` shows it.
      for (const name of unsetSecrets(next, deps.baseEnv)) {
        if (warnedSecrets.has(name)) continue;
        warnedSecrets.add(name);
        deps.warn(unsetSecretWarning(name));
      }
    },
    reconcile: () => heads.reconcile(),
    trigger({ branch, checkedOut, commit: rev, by, force, again, rebuild }) {
      // One at a time: two asks for the same commit at once get one run (the check and the queueing
      // are apart by the subject's read).
      const answer = triggering.then(async (): Promise<TriggeredRun | RequestFailure> => {
        // The heads first: a commit its hint has not reached yet gets its push run now, and this
        // ask is answered with that run (`git commit && axum run`), never a second run of it.
        if (!again && !rebuild) await heads.reconcile().catch((err: Error) => deps.logger.warn(`reconciling branch heads: ${err.message}`));
        const target = await manualRunTarget(deps.git, branch, rev, checkedOut);
        if (target instanceof RequestFailure) return target;
        const branchName = target.branch ?? '(detached)';
        const what = `the run of ${target.sha.slice(0, 8)} on ${branchName}`;
        const existing = again || rebuild ? null : answeringRunOf(loaded().runs, { branch: branchName, commit: target.sha, force: force === true });
        if (existing) {
          // A run only memory holds (the save of the reconcile that queued it failed: a full disk)
          // is no answer: it is saved now, or the request says why it cannot be, as others do.
          if (unsaved(existing.id)) {
            const failure = await commit(null).then(
              () => null,
              (err: unknown) => unrecordedRun(what, err),
            );
            if (failure) return failure;
          }
          return { ...toRunView(existing), existing: true };
        }
        const run = await enqueue(branchName, target.sha, 'manual', null, { ...(by !== undefined ? { by } : {}), ...(force ? { force } : {}), ...(rebuild ? { rebuild } : {}) }).catch((err: unknown) => unrecordedRun(what, err));
        if (run instanceof RequestFailure) return run;
        schedule();
        return { ...toRunView(run), existing: false };
      });
      triggering = answer.catch(() => undefined);
      return answer;
    },
    async triggerWatch() {
      const stages = config?.watch?.stages;
      if (!stages || stopping) return null;
      const sha = await deps.git.resolveCommit('HEAD');
      if (!sha) return null; // no commit yet: nothing to name the run after
      const branch = (await deps.git.currentBranch()) ?? '(detached)';
      const run = await enqueue(branch, sha, 'watch', [...stages]);
      schedule();
      return toRunView(run);
    },
    async cancel(runId) {
      const run = findRun(runId);
      if (!run) return new RequestFailure('not-found', `no run ${runId}`);
      if (FINISHED.includes(run.status)) return new RequestFailure('refused', `${run.id} has finished already (${run.status}): nothing to cancel`);
      const execution = executions.get(run.id);
      if (execution) {
        execution.cancel();
        await execution.done;
      } else {
        run.status = 'cancelled';
        run.finishedAt = now();
        run.message = 'cancelled while queued';
        settleDeployWithoutRelease(run);
        await commit(run);
      }
      deps.crash('run.cancelled');
      return toRunView(run);
    },
    get(runId) {
      const run = findRun(runId);
      return run ? toRunView(run) : new RequestFailure('not-found', `no run ${runId}`);
    },
    list(limit, only = {}) {
      const kept = only.status === undefined && only.branch === undefined ? loaded().runs : loaded().runs.filter((run) => (only.status === undefined || run.status === only.status) && (only.branch === undefined || run.branch === only.branch));
      return kept.slice(-limit).reverse().map(toRunView);
    },
    async readLog({ runId, step, offset, limit }) {
      const run = findRun(runId);
      if (!run) return new RequestFailure('not-found', `no run ${runId}`);
      const stepView = run.steps.find((s) => s.name === step);
      if (!stepView) return new RequestFailure('not-found', noStepText(run.id, step, run.steps.map((s) => s.name), 'none yet'));
      // A running step of a finished run is being cancelled: it has ended once its log is closed.
      const ended = !['pending', 'running'].includes(stepView.status) && (FINISHED.includes(run.status) || stepView.status !== 'running');
      return logChunkOf(run.id, step, offset, await deps.logs.read(run.id, step, offset, limit), ended);
    },
    onLogActivity(listener) {
      logListeners.add(listener);
      return () => logListeners.delete(listener);
    },
    setDeploy(runId, deploy, message) {
      runDeploys.set(runId, deploy, message);
    },
    async stop() {
      stopping = true;
      const ids = [...executions.keys()];
      const running = [...executions.values()];
      for (const execution of running) execution.cancel('shutdown');
      await Promise.allSettled(running.map((e) => e.done));
      await worktrees.close();
      // Stopped by the daemon, not by a person: interrupted (and, like after a crash, not retried).
      for (const id of ids) {
        const run = findRun(id);
        if (!run) continue;
        run.status = 'interrupted';
        run.message = 'the daemon was stopped while this run was running';
        // The step the stop cut short stays `cancelled` on the wire (the step statuses clients know);
        // the run's `interrupted` says no person cancelled it, and the TUI shows its step so.
        settleDeployWithoutRelease(run);
        touch(run);
      }
      if (doc) {
        await commit(null);
        await deps.store.close();
      }
    },
  };
}
