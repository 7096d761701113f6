import type { PipelineConfig, ReleaseView, RevisionView } from '@axum/protocol';
import { describeFailedGates, gateVerdicts, parseMetricsFile } from '../domain/gates.js';
import { CRASH_POINTS, type CrashHook, type CrashPoint } from './crash-points.js';
import type { Clock, GitPort, LogSink, LogStore, Logger, ReleaseStore, StepRunner } from './ports.js';

/** What one deploy or rollback needs. */
export interface OperationDeps {
  git: GitPort;
  runner: StepRunner;
  logs: LogStore;
  releases: ReleaseStore;
  logger: Logger;
  clock: Clock;
  baseEnv: Record<string, string>;
  /** Folder for the operation's worktree of the release commit (outside the repository). */
  worktreeDir(key: string): string;
  /** Reads a metrics file (`name=value` lines); '' when absent. */
  readText(file: string): Promise<string>;
  /**
   * Masks the secrets in a file a step wrote itself (the `AXUM_METRICS` file), in place; a file
   * with nothing to mask is left as it is. Steps write that file directly, so the masker of the
   * log cannot see it: it is scrubbed once the step's processes are gone.
   */
  maskFile(file: string, secrets: readonly string[]): Promise<void>;
  /** Where this operation's metrics file goes. */
  metricsFile(key: string): string;
  /** Records a step's process group while it runs (so a crash can reap it); returns how to forget it. */
  trackProcess(env: string, pgid: number): () => void;
  /** `AXUM_CRASH_AT` (RELIABILITY.md). */
  crash: CrashHook;
  /** An operation step's log at `ENV#N` grew or its step ended (log followers listen). */
  logActivity(address: string, step: string): void;
}

/** The crash point `<kind>.<moment>` of an operation, when that pair is one (see crash-points.ts). */
export function operationCrash(deps: Pick<OperationDeps, 'crash'>, kind: RevisionView['kind'], moment: 'recorded' | 'swapped' | 'verifying' | 'finished'): void {
  const point = `${kind}.${moment}`;
  if (isCrashPoint(point)) deps.crash(point);
}

const isCrashPoint = (name: string): name is CrashPoint => name in CRASH_POINTS;

/** The environment of a deploy, verify or monitor step (DESIGN.md §2). */
export function operationStepEnv(
  deps: Pick<OperationDeps, 'baseEnv'>,
  at: { env: string; envDir: string; release: ReleaseView; revision: number; releaseDir: string; worktree: string; stage: string; step: string; metricsFile: string },
): Record<string, string> {
  return {
    ...deps.baseEnv,
    AXUM_RUN_ID: at.release.runId,
    AXUM_COMMIT: at.release.commit,
    AXUM_BRANCH: at.release.branch,
    AXUM_ENV: at.env,
    AXUM_STAGE: at.stage,
    AXUM_STEP: at.step,
    AXUM_WORKDIR: at.worktree,
    AXUM_REVISION: String(at.revision),
    AXUM_RELEASE_DIR: at.releaseDir,
    AXUM_CURRENT: `${at.envDir}/current`,
    AXUM_METRICS: at.metricsFile,
  };
}

/** Deploy and verify steps without a `timeout` get this one: a hung check must not hold an environment forever. */
export const DEFAULT_OPERATION_STEP_TIMEOUT_MS = 10 * 60 * 1000;

/** How the operation ended. */
export type OperationResult = { ok: true } | { ok: false; stage: 'integrity' | 'materialize' | 'deploy' | 'verify'; message: string };

/** What the operation reports back while it runs. */
export interface OperationHooks {
  /** Persists the `verifying` transition (the pointer moved) before anything else happens. */
  onStatus(status: 'verifying'): Promise<void>;
  /** The revision's steps, metrics or gates changed in place: save and tell clients (coalesced). */
  onChange(): void;
  /** The last known good's metrics, shown beside each gate's value; null when there is none. */
  lkgMetrics: Record<string, number> | null;
}

/** Where a revision's deploy and verify output lives in the log store (one folder per operation). */
export const operationKey = (env: string, revision: Pick<RevisionView, 'revision' | 'createdAt'>): string => `${env}-${revision.revision}-${Date.parse(revision.createdAt)}`;
export const operationLogId = (env: string, revision: Pick<RevisionView, 'revision' | 'createdAt'>): string => `deploy-${operationKey(env, revision)}`;

/** Secrets of the config, as their values in the daemon's environment (unset ones mask nothing). */
export const secretValues = (config: PipelineConfig, baseEnv: Record<string, string>): string[] => config.secrets.map((name) => baseEnv[name] ?? '').filter((v) => v.length > 0);

/** A log sink that tells followers of `ENV#N` its step's log grew. */
export function announcingSink(sink: LogSink, announce: () => void): LogSink {
  return {
    write(chunk) {
      sink.write(chunk);
      announce();
    },
    close: () => sink.close(),
    size: () => sink.size(),
  };
}

/**
 * Makes `release` live in `envDir` as `revision` and verifies it: integrity check → materialize
 * (once) → atomic pointer swap → `deploy.run` hook → `verify.steps` → `verify.gates`. Each step is
 * recorded on the revision (status, exit code, duration) with its output in the log store, and the
 * metrics and gate verdicts too. Nothing here decides what happens after a failure: the caller
 * (deployments) owns the rollback policy.
 */
export async function runDeployOperation(
  env: string,
  envDir: string,
  release: ReleaseView,
  revision: RevisionView,
  config: PipelineConfig,
  deps: OperationDeps,
  signal: AbortSignal,
  hooks: OperationHooks,
): Promise<OperationResult> {
  const steps = [
    ...(config.deploy ? [{ name: 'deploy', run: config.deploy.run, timeoutMs: config.deploy.timeout ?? DEFAULT_OPERATION_STEP_TIMEOUT_MS, stage: 'deploy' as const }] : []),
    ...(config.verify?.steps ?? []).map((s) => ({ name: s.name, run: s.run, timeoutMs: s.timeout ?? DEFAULT_OPERATION_STEP_TIMEOUT_MS, stage: 'verify' as const })),
  ];
  // The plan is on the revision from the start, so a client sees what is still to come.
  revision.steps = steps.map((step) => ({ stage: step.stage, name: step.name, status: 'pending', exitCode: null, durationMs: null, startedAt: null, logBytes: 0 }));
  const skipRest = () => {
    for (const record of revision.steps) if (record.status === 'pending') record.status = 'skipped';
    hooks.onChange();
  };
  const problem = await deps.releases.check(release);
  if (problem) {
    skipRest();
    return { ok: false, stage: 'integrity', message: `release ${release.id} failed its integrity check: ${problem}` };
  }
  let releaseDir: string;
  try {
    releaseDir = await deps.releases.materialize(release);
  } catch (err) {
    skipRest();
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOSPC' ? 'the disk is full' : (err as Error).message;
    return { ok: false, stage: 'materialize', message: `could not materialize release ${release.id}: ${why}` };
  }
  const started = deps.clock.now();
  await deps.releases.swapCurrent(envDir, releaseDir);
  operationCrash(deps, revision.kind, 'swapped');
  deps.logger.info(`${env} #${revision.revision}: current → ${release.id} (${deps.clock.now() - started} ms)`);
  // Re-hashing a 1 GB model takes seconds: it runs beside the verify steps, after the pointer moved
  // (the check before the move is presence, mode and size), and a mismatch fails verification.
  const hashes = deps.releases.verifyHashes(release).catch((err: Error) => `re-hashing failed: ${err.message}`);
  await hooks.onStatus('verifying');

  // Unique per operation, so a history moved aside and restarted never reads an old metrics file.
  const key = operationKey(env, revision);
  const logId = operationLogId(env, revision);
  const address = `${env}#${revision.revision}`;
  const worktree = deps.worktreeDir(key);
  const metricsFile = deps.metricsFile(key);
  const secrets = secretValues(config, deps.baseEnv);
  try {
    if (steps.length > 0) await deps.git.addWorktree(release.commit, worktree);
    for (const [index, step] of steps.entries()) {
      const record = revision.steps[index]!;
      record.status = 'running';
      record.startedAt = new Date(deps.clock.now()).toISOString();
      hooks.onChange();
      const log = announcingSink(deps.logs.open(logId, step.name, secrets), () => deps.logActivity(address, step.name));
      let forget = () => undefined as void;
      let result: Awaited<ReturnType<StepRunner['run']>>;
      try {
        result = await deps.runner.run(
          {
            command: step.run,
            cwd: worktree,
            env: operationStepEnv(deps, { env, envDir, release, revision: revision.revision, releaseDir, worktree, stage: step.stage, step: step.name, metricsFile }),
            timeoutMs: step.timeoutMs,
            log,
            onSpawn: (pgid) => {
              forget = deps.trackProcess(env, pgid);
              deps.crash('deploy.verify-step');
            },
          },
          signal,
        );
      } catch (err) {
        record.status = 'failed';
        record.logBytes = await log.close();
        skipRest();
        throw err;
      } finally {
        forget();
      }
      record.status = result.status;
      record.exitCode = result.exitCode;
      record.durationMs = result.durationMs;
      record.logBytes = await log.close();
      hooks.onChange();
      deps.logActivity(address, step.name); // the step ended: its followers' streams complete
      if (result.status !== 'succeeded') {
        skipRest();
        const how = result.status === 'timed-out' ? `timed out after ${step.timeoutMs} ms` : result.status === 'cancelled' ? 'was cancelled (the daemon is stopping)' : `exited ${result.exitCode}`;
        return { ok: false, stage: step.stage === 'deploy' ? 'deploy' : 'verify', message: `${step.stage} step ${step.name} ${how} (axum logs ${address} --step ${step.name})` };
      }
    }
  } finally {
    if (steps.length > 0) await deps.git.removeWorktree(worktree).catch(() => undefined);
  }
  const corrupt = await hashes;
  if (corrupt) return { ok: false, stage: 'verify', message: `release ${release.id} failed its hash check: ${corrupt}` };
  await deps.maskFile(metricsFile, secrets);
  const written = parseMetricsFile(await deps.readText(metricsFile));
  revision.metrics = written.metrics;
  revision.gates = gateVerdicts(config.verify?.gates ?? {}, written.metrics, hooks.lkgMetrics);
  hooks.onChange();
  const failures = describeFailedGates(revision.gates, written.notNumbers);
  if (failures.length > 0) return { ok: false, stage: 'verify', message: `gates failed: ${failures.join('; ')}` };
  return { ok: true };
}
