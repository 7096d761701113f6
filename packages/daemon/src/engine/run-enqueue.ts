import type { PipelineConfig } from '@axum/protocol';
import { FINISHED, supersededBy } from '../domain/run-queue.js';
import { pruneRuns, settleDeployWithoutRelease, toRunView, type RunRecord, type RunsDocument } from '../domain/history.js';
import { maskText } from '../domain/masker.js';
import { secretValues } from './deploy-operation.js';
import type { PipelineDeps } from './pipeline.js';

/** What a queued run was asked with: who, whether a release marked bad may deploy, whether it builds whatever its commit has. */
export interface RunAsk {
  by?: string;
  force?: boolean;
  rebuild?: boolean;
  /**
   * Commits the branch's head passed over on its way to this one (oldest first): recorded, in the
   * same save as this run, as runs superseded by it from the start, never queued, so nothing can
   * start one and no crash can leave one queued without the head's run.
   */
  passedOver?: readonly string[];
}

/**
 * Queueing a run: numbered, superseding older queued runs of its branch, pruned history, saved
 * before anything is said about it. Apart from the pipeline so that its facade stays a facade.
 */
export function createEnqueue(ctx: {
  deps: PipelineDeps;
  loaded(): RunsDocument;
  config(): PipelineConfig | null;
  now(): string;
  commit(run: RunRecord | null): Promise<void>;
  touch(run: RunRecord): void;
}) {
  const { deps } = ctx;
  const envOfBranch = (branch: string): string | null =>
    Object.entries(ctx.config()?.environments ?? {}).find(([, env]) => env.branch === branch)?.[0] ?? null;

  const masked = async (sha: string) => {
    const config = ctx.config();
    return maskText(await deps.git.subject(sha).catch(() => ''), config ? secretValues(config, deps.baseEnv) : []);
  };
  /** Runs of commits a head passed over on `branch`: superseded from the start, never queued. */
  const passedOverRuns = async (branch: string, shas: readonly string[], trigger: RunRecord['trigger'], stages: string[] | null): Promise<RunRecord[]> => {
    const history = ctx.loaded();
    const passed: RunRecord[] = [];
    for (const sha of shas) {
      const env = envOfBranch(branch);
      const at = ctx.now();
      const number = history.nextRunNumber++;
      passed.push({
        ...{ id: `run-${number}`, number, status: 'superseded', commit: sha, branch, env, trigger, reused: false, createdAt: at, startedAt: null, finishedAt: at, steps: [] },
        ...{ subject: await masked(sha), releaseId: null, message: null, warnings: [], deploy: env ? { env, revision: null, outcome: 'none' } : null, pgids: [], worktree: null, stages },
      });
    }
    return passed;
  };
  const supersede = (passed: readonly RunRecord[], by: RunRecord): void => {
    for (const old of passed) {
      old.message = `superseded by ${by.id} (${by.commit.slice(0, 8)})`;
      ctx.touch(old);
      deps.publish(toRunView(old));
    }
  };

  /** Queued runs (`ids`) that `by` makes pointless: superseded by it, visibly. Returns the ids. */
  const supersedeQueued = (ids: readonly string[], by: RunRecord): string[] => {
    for (const id of ids) {
      const old = ctx.loaded().runs.find((r) => r.id === id);
      if (!old) continue;
      old.status = 'superseded';
      old.finishedAt = ctx.now();
      old.message = `superseded by ${by.id} (${by.commit.slice(0, 8)})`;
      settleDeployWithoutRelease(old);
      ctx.touch(old);
      deps.publish(toRunView(old));
    }
    return [...ids];
  };

  const enqueue = async (branch: string, commitSha: string, trigger: RunRecord['trigger'], stages: string[] | null = null, asked: RunAsk = {}): Promise<RunRecord> => {
    const history = ctx.loaded();
    const config = ctx.config();
    const passed = await passedOverRuns(branch, asked.passedOver ?? [], trigger, stages);
    const number = history.nextRunNumber++;
    const run: RunRecord = {
      id: `run-${number}`,
      number,
      status: 'queued',
      commit: commitSha,
      branch,
      // A watch run tests local edits: it feeds no environment, so nothing it does can deploy.
      env: trigger === 'watch' ? null : envOfBranch(branch),
      trigger,
      reused: false,
      createdAt: ctx.now(),
      startedAt: null,
      finishedAt: null,
      steps: [],
      // A commit subject is text from outside: a registered secret in it is masked before it is stored or shown.
      subject: await masked(commitSha),
      releaseId: null,
      message: null,
      warnings: [],
      deploy: null,
      pgids: [],
      worktree: null,
      stages,
      ...(asked.by !== undefined ? { by: asked.by } : {}),
      ...(asked.force ? { force: true } : {}),
      ...(asked.rebuild ? { rebuild: true } : {}),
    };
    // A run on a branch that feeds an environment leads to a deploy (or says why not).
    if (run.env) run.deploy = { env: run.env, revision: null, outcome: 'pending' };
    const superseded = supersedeQueued(supersededBy(history.runs, run), run);
    supersede(passed, run);
    history.runs.push(...passed, run);
    const { kept, dropped } = pruneRuns(history.runs, config?.history?.keepRuns ?? 500, FINISHED);
    history.runs = kept;
    await ctx.commit(run);
    deps.crash('run.queued');
    if (dropped.length > 0) {
      // Logs go after the history that stops naming them is durable: a crash leaves a stray log
      // folder, never a run whose log is gone.
      deps.crash('runs.pruned');
      for (const id of dropped) void deps.logs.removeRun(id);
    }
    deps.logger.info(`${run.id} queued: ${trigger} ${branch} ${commitSha.slice(0, 8)}${superseded.length ? ` (supersedes ${superseded.join(', ')})` : ''}`);
    return run;
  };

  /**
   * The head's run is queued or running already (`axum run` of it came before the watcher saw the
   * head move, or the head was reset back onto a commit still being built): the commits the head
   * passed over are listed as superseded by that run, and the queued push runs of its branch, of
   * commits the head has left, are superseded by it (as a push run queued for the head would), in
   * one save.
   */
  const passOver = async (run: RunRecord, shas: readonly string[]): Promise<void> => {
    const left = supersededBy(ctx.loaded().runs, { ...run, trigger: 'push' }).filter((id) => ctx.loaded().runs.find((r) => r.id === id)?.commit !== run.commit);
    if (shas.length === 0 && left.length === 0) return;
    supersedeQueued(left, run);
    // Commits the branch's head passed over: the watcher's (`push`), whoever queued the head's run.
    const passed = await passedOverRuns(run.branch, shas, 'push', null);
    supersede(passed, run);
    ctx.loaded().runs.push(...passed);
    if (left.length > 0) deps.logger.info(`${run.branch} is back on ${run.commit.slice(0, 8)}, which ${run.id} builds (supersedes ${left.join(', ')})`);
    await ctx.commit(null);
  };

  return { enqueue, passOver };
}

/**
 * Crash recovery of the runs: nothing is running any more. A run that was running becomes
 * interrupted (never retried by itself), its process groups are killed and its worktree removed.
 * Returns how many runs it changed.
 */
export async function recoverInterrupted(doc: RunsDocument, deps: PipelineDeps, now: () => string, touch: (run: RunRecord) => void): Promise<number> {
  const interrupted = doc.runs.filter((r) => r.status === 'running');
  for (const run of interrupted) {
    const reaped = run.pgids.filter((pgid) => deps.runner.reap(pgid));
    if (run.worktree) await deps.git.removeWorktree(run.worktree).catch(() => undefined);
    run.status = 'interrupted';
    run.finishedAt = now();
    run.message = `the daemon stopped while this run was running${reaped.length ? ` (killed process groups ${reaped.join(', ')})` : ''}`;
    run.worktree = null;
    run.pgids = [];
    settleDeployWithoutRelease(run);
    touch(run);
    for (const step of run.steps) {
      // `cancelled`, one of the step statuses clients know: the run's `interrupted` says no person did
      // it, and the TUI shows its step so.
      if (step.status === 'running') step.status = 'cancelled';
      else if (step.status === 'pending') step.status = 'skipped';
    }
    deps.logger.warn(`${run.id} interrupted by a daemon restart`);
  }
  return interrupted.length;
}
