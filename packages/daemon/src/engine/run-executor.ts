import { createActor, fromPromise } from 'xstate';
import { parseConfigText, CONFIG_FILE, type ConfigLoad, type StepStatus } from '@axum/protocol';
import { declaredSecretsEnv, settleDeployWithoutRelease, unsetSecrets, type RunRecord } from '../domain/history.js';
import { unsetSecretsRunWarning } from '../domain/secret-words.js';
import { createRunMachine, planFromConfig, withRetries, type StepOutcome, type StepPlan } from '../domain/run-machine.js';
import type { LogSink } from './ports.js';
import { stepSignal } from './step-signal.js';
import type { ExecutorDeps, Execution } from './run-executor-deps.js';

export type { ExecutorDeps, Execution } from './run-executor-deps.js';

/**
 * Executes one run: a clean worktree of its exact commit, the pipeline of the `axum.yml` at that
 * commit, the run machine with real step processes, then cleanup. The record is mutated in place
 * and committed at every transition.
 */
export function executeRun(run: RunRecord, deps: ExecutorDeps): Execution {
  const abort = new AbortController();
  let actorCancel: (() => void) | null = null;
  const body = async (): Promise<void> => {
    const now = () => new Date(deps.clock.now()).toISOString();
    const inPlace = run.trigger === 'watch';
    run.status = 'running';
    run.startedAt = now();
    const checkout = inPlace ? null : deps.worktrees.checkout(run);
    run.worktree = checkout?.dir ?? null;
    // The pipeline of the commit itself, not of the work tree: a run is reproducible. Read and parsed
    // while the worktree is checked out (it needs none); awaited, and so reported, only after it.
    const configRead: Promise<ConfigLoad> | null = inPlace
      ? null
      : deps.git.showFile(run.commit, CONFIG_FILE).then((text) =>
          text === null ? { ok: false, errors: [{ file: CONFIG_FILE, line: 1, col: 1, message: `no ${CONFIG_FILE} at this commit` }] } : parseConfigText(text, CONFIG_FILE),
        );
    configRead?.catch(() => undefined);
    // Made once git is at work, awaited only where it must be: a worktree left by a crash is removed
    // at start anyway, and the save that must come before a step process exists is the first step's.
    const startSaved = deps.commit(run);
    startSaved.catch(() => undefined);
    if (checkout) {
      try {
        await checkout.ready;
      } catch (err) {
        return finish(run, 'failed', `could not check out ${run.commit.slice(0, 8)}: ${(err as Error).message}`);
      }
    }
    if (abort.signal.aborted) return finish(run, 'cancelled', 'cancelled before the first step');
    const workdir = run.worktree ?? deps.repoRoot;
    let load: ConfigLoad;
    if (inPlace) {
      // A watch run tests the work tree as saved, with the pipeline the daemon runs on now.
      const current = deps.currentConfig();
      load = current ? { ok: true, config: current } : { ok: false, errors: [{ file: CONFIG_FILE, line: 1, col: 1, message: 'no valid config' }] };
    } else load = await (configRead as Promise<ConfigLoad>);
    if (!load.ok) {
      const first = load.errors[0];
      return finish(run, 'failed', `${CONFIG_FILE} at ${run.commit.slice(0, 8)} is invalid: ${first ? `${first.file}:${first.line}:${first.col}: ${first.message}` : ''}`);
    }
    const config = load.config;
    const stages = planFromConfig(config, run.stages ?? undefined);
    run.steps = stages.flatMap((stage) =>
      stage.steps.map((step) => ({ stage: stage.name, name: step.name, status: 'pending' as StepStatus, exitCode: null, durationMs: null, startedAt: null, attempts: 0, logBytes: 0 })),
    );
    // The plan is saved with the first step's start (or with the run's end): the one save that must
    // come before a step process exists. A save of its own here would be one more fsync on the way
    // from a commit to its first step.
    if (run.env && !inPlace && config.promote !== 'rebuild') {
      let reuse: Awaited<ReturnType<ExecutorDeps['reuseRelease']>>;
      try {
        // A reused release is handed on (deployed) from here: the run must be on disk as running
        // first, or a crash would run it, and deploy its release, again.
        await startSaved;
        reuse = await deps.reuseRelease(run, config);
      } catch (err) {
        return finish(run, 'failed', `could not hand on the release of ${run.commit.slice(0, 8)}: ${(err as Error).message}`);
      }
      run.warnings = [...run.warnings, ...reuse.warnings];
      const reused = reuse.reused;
      if (reused) {
        // Its stages were not needed: the release they would make exists, verified bytes and all.
        for (const step of run.steps) step.status = 'skipped';
        run.releaseId = reused.releaseId;
        run.reused = true;
        return finish(run, 'succeeded', () => run.message ?? reused.message);
      }
    }

    const inFlight = new Set<Promise<unknown>>();
    // Masked: the secrets the commit's axum.yml registers AND those of the daemon's current config,
    // so a commit (or a branch) whose axum.yml dropped `secrets:` cannot print them unmasked: the
    // variables stay in the daemon's environment, which every step inherits.
    const registered = new Set([...config.secrets, ...(deps.currentConfig()?.secrets ?? [])]);
    const secrets = [...registered].map((name) => deps.baseEnv[name] ?? '').filter((value) => value.length > 0);
    deps.secretBook.add(secrets);
    // A secret this commit's axum.yml declares but the daemon does not have: its steps get it empty. Said on the run.
    const unset = unsetSecrets(config, deps.baseEnv);
    if (unset.length > 0) run.warnings = [...run.warnings, unsetSecretsRunWarning(unset)];
    const stepRecord = (name: string) => run.steps.find((s) => s.name === name);
    /** The first step log that could not be written: the run fails with it as its message. */
    let writerFailure: string | null = null;

    const runStep = withRetries(async (step: StepPlan, attempt, signal) => {
      const record = stepRecord(step.name);
      if (record) {
        record.attempts = attempt;
        record.startedAt ??= now();
        record.status = 'running';
      }
      await deps.commit(run); // persisted before the process exists
      deps.crash('run.step-started');
      let file: LogSink;
      try {
        file = deps.logs.open(run.id, step.name, secrets);
      } catch (err) {
        writerFailure ??= `step ${step.name}: its log could not be opened (${(err as Error).message})`;
        throw err;
      }
      const log: typeof file = {
        ...file,
        write(chunk) {
          file.write(chunk);
          deps.logActivity(run.id, step.name);
        },
      };
      if (attempt > 1) log.write(Buffer.from(`\n[axum] retry ${attempt - 1} of ${step.retries}\n`));
      const env: Record<string, string> = {
        ...deps.baseEnv,
        ...declaredSecretsEnv(config.secrets, deps.baseEnv),
        ...step.env,
        AXUM_RUN_ID: run.id,
        AXUM_COMMIT: run.commit,
        AXUM_BRANCH: run.branch,
        AXUM_ENV: run.env ?? '',
        AXUM_STAGE: step.stage,
        AXUM_STEP: step.name,
        AXUM_WORKDIR: workdir,
        AXUM_METRICS: deps.metricsFile(run.id),
      };
      const ticker = setInterval(() => {
        if (record && record.logBytes !== log.size()) {
          record.logBytes = log.size();
          void deps.commit(run);
        }
      }, 500);
      const processDone = deps.runner.run(
        {
          command: step.run,
          cwd: workdir,
          env,
          timeoutMs: step.timeoutMs,
          log,
          onSpawn: (pgid) => {
            run.pgids.push(pgid);
            void deps.commit(run);
            // Before the pgid is durable: the restart must find the group by its marker (reapStrays).
            deps.crash('run.step-spawned');
          },
        },
        stepSignal(signal, abort.signal),
      );
      inFlight.add(processDone);
      try {
        const result = await processDone;
        if (record) {
          record.durationMs = (record.durationMs ?? 0) + result.durationMs;
          record.exitCode = result.exitCode;
        }
        // A step whose output could not be kept did not pass: its log is the evidence a run leaves
        // (a full disk that loses it usually breaks the build too). The run says why.
        const lost = log.failure();
        if (lost !== null && result.status === 'succeeded') {
          writerFailure ??= `step ${step.name}: ${lost}`;
          return { status: 'failed', exitCode: result.exitCode };
        }
        if (lost !== null) writerFailure ??= `step ${step.name}: ${lost}`;
        return { status: result.status, exitCode: result.exitCode };
      } finally {
        clearInterval(ticker);
        inFlight.delete(processDone);
        const size = await log.close();
        if (record) record.logBytes = size;
        await deps.commit(run);
        deps.crash('run.step-finished');
      }
    });

    const machine = createRunMachine(stages).provide({
      actors: { runStep: fromPromise<StepOutcome, { step: StepPlan }>(({ input, signal }) => runStep(input.step, signal)) },
    });
    const actor = createActor(machine);
    actor.subscribe((snapshot) => {
      for (const state of snapshot.context.steps) {
        const record = stepRecord(state.name);
        if (record && record.status !== state.status) record.status = state.status;
      }
      void deps.commit(run);
    });
    actorCancel = () => actor.send({ type: 'run.cancel' });
    const finished = new Promise<string>((resolve) => actor.subscribe({ complete: () => resolve(String(actor.getSnapshot().value)) }));
    actor.start();
    if (abort.signal.aborted) actor.send({ type: 'run.cancel' });
    const outcome = await finished;
    // The machine is done; wait for killed processes to be gone before saying so.
    await Promise.allSettled([...inFlight]);
    // A step may have written a secret into its metrics file (a metric named after it): scrub it
    // before the release reads it, so no secret reaches the history.
    await deps.maskFile(deps.metricsFile(run.id), secrets);
    if (outcome === 'succeeded' && run.env && run.trigger !== 'watch') {
      try {
        const released = await deps.releaseRun(run, workdir, config);
        run.releaseId = released.releaseId;
        deps.crash('run.released');
        // Its deploy may have told the run more already (a revision, an outcome): keep that line.
        run.warnings = [...run.warnings, ...released.warnings];
        return finish(run, 'succeeded', () => run.message ?? released.message);
      } catch (err) {
        return finish(run, 'failed', `the stages succeeded but the release could not be made: ${(err as Error).message}`);
      }
    }
    if (writerFailure !== null && outcome !== 'cancelled') return finish(run, 'failed', writerFailure);
    return finish(run, outcome === 'succeeded' ? 'succeeded' : outcome === 'cancelled' ? 'cancelled' : 'failed', null);
  };
  // An I/O error (a full disk while saving) ends the run as failed with the reason, never stuck running.
  const done = body().catch(async (err: Error) => {
    deps.logger.error(`${run.id}: ${err.stack ?? err.message}`);
    await finish(run, 'failed', `the run broke off: ${err.message}`).catch(() => undefined);
  });

  /** `message` as a function: read after the worktree is released, so a deploy line told meanwhile is not overwritten. */
  async function finish(record: RunRecord, status: 'succeeded' | 'failed' | 'cancelled', message: string | null | (() => string | null)): Promise<void> {
    if (record.worktree) {
      await deps.worktrees.release(record.worktree);
    }
    record.worktree = null;
    record.pgids = [];
    record.status = status;
    if (status !== 'succeeded' || !record.releaseId) settleDeployWithoutRelease(record);
    record.message = typeof message === 'function' ? message() : message;
    record.finishedAt = new Date(deps.clock.now()).toISOString();
    await deps.commit(record);
    deps.crash('run.finished');
    deps.logger.info(`${record.id} ${status}${record.message ? `: ${record.message}` : ''}`);
  }

  return {
    cancel(reason) {
      // The reason reaches the step's process runner (its last log line says which it was).
      abort.abort(reason);
      actorCancel?.();
    },
    done,
  };
}
