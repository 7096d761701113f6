import type { PipelineConfig, ReleaseView, RevisionView } from '@axum/protocol';
import { fromPromise } from 'xstate';
import type { StepResult } from '../domain/deploy-machine.js';
import type { OperationStep } from '../domain/deploy-policy.js';
import { declaredSecretsEnv } from '../domain/history.js';
import { diskProblem } from '../domain/disk-errors.js';
import { parseMetricsFile, type ParsedMetrics } from '../domain/gates.js';
import type { SecretBook } from '../domain/secret-book.js';
import { CRASH_POINTS, type CrashHook, type CrashPoint } from './crash-points.js';
import type { Clock, GitPort, LogSink, LogStore, Logger, PrometheusPort, ReleaseStore, StepRunner } from './ports.js';
import { runVerifyCheck } from './prometheus-check.js';
import { hostStepEnv, type RemoteFleet } from './remote-fleet.js';

/** What one deploy or rollback needs. */
export interface OperationDeps {
  /** Every secret told so far: an operation adds its release's config's; the records are masked with all. */
  secretBook: SecretBook;
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
  /** Prometheus for `checks:` (absent in tests that have none: a check is then inconclusive). */
  prometheus?: PrometheusPort;
  /** The remote hosts of environments that have some (absent: every environment is local). */
  fleet?: RemoteFleet;
}

/** The crash point `<kind>.<moment>` of an operation, when that pair is one (see crash-points.ts). */
export function operationCrash(deps: Pick<OperationDeps, 'crash'>, kind: RevisionView['kind'], moment: 'recorded' | 'swapped' | 'verifying' | 'finished'): void {
  const point = `${kind}.${moment}`;
  if (isCrashPoint(point)) deps.crash(point);
}

const isCrashPoint = (name: string): name is CrashPoint => name in CRASH_POINTS;

/** The environment of a deploy, verify or monitor step: the `AXUM_*` variables it can read. */
export function operationStepEnv(
  deps: Pick<OperationDeps, 'baseEnv'>,
  at: { env: string; envDir: string; release: ReleaseView; revision: number; releaseDir: string; worktree: string; stage: string; step: string; metricsFile: string },
  declaredSecrets: readonly string[],
): Record<string, string> {
  return {
    ...deps.baseEnv,
    ...declaredSecretsEnv(declaredSecrets, deps.baseEnv),
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
    failure: () => sink.failure(),
  };
}

/** The operation a machine's work actors act for. */
export interface OperationTarget {
  env: string;
  envDir: string;
  release: ReleaseView;
  revision: RevisionView;
  /** The release's own config: its deploy hook, verify steps and gates. */
  config: PipelineConfig;
  /** The release `current` served when the operation began (what an error after the move puts back). */
  previous: ReleaseView | null;
  /** The config in use: its secrets are masked too, whatever the release's config lists. */
  masked: PipelineConfig | null;
}

/**
 * The deploy machine's work over the ports: integrity check, materialize (once), atomic pointer
 * swap, the worktree of the release's commit, each
 * deploy or verify step as a process recorded on the revision with its log, and the metrics file.
 * Nothing here decides what a result means: the machine (domain/deploy-machine.ts) does.
 */
export function operationWork(at: OperationTarget, deps: OperationDeps, signal: AbortSignal, onChange: () => void) {
  const { env, envDir, release, revision, config } = at;
  // Unique per operation, so a history moved aside and restarted never reads an old metrics file.
  const key = operationKey(env, revision);
  const logId = operationLogId(env, revision);
  const address = `${env}#${revision.revision}`;
  const worktree = deps.worktreeDir(key);
  const metricsFile = deps.metricsFile(key);
  const secrets = [...new Set([...secretValues(config, deps.baseEnv), ...(at.masked ? secretValues(at.masked, deps.baseEnv) : [])])];
  deps.secretBook.add(secrets);
  let releaseDir = '';
  // What the Prometheus checks measured: recorded as metrics of the revision beside the metrics file's.
  const checkMetrics: Record<string, number> = {};
  /** One run of a deploy or verify step's command, its process group recorded while it runs. */
  const runProcess = async (step: OperationStep, record: RevisionView['steps'][number], log: LogSink, extraEnv: Record<string, string>) => {
    let forget = () => undefined as void;
    try {
      return await deps.runner.run(
        {
          command: step.run,
          cwd: worktree,
          env: { ...operationStepEnv(deps, { env, envDir, release, revision: revision.revision, releaseDir, worktree, stage: step.stage, step: step.name, metricsFile }, config.secrets), ...extraEnv },
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
      throw err;
    } finally {
      forget();
    }
  };
  const remote = () => (deps.fleet?.hostsOf(env).length ?? 0) > 0;
  return {
    checkIntegrity: fromPromise<string | null, void>(() => deps.releases.check(release)),
    materialize: fromPromise<string | null, void>(async () => {
      try {
        releaseDir = await deps.releases.materialize(release);
        // Remote hosts get the folder too, each checked by sha256 there, before any of them swaps.
        const problem = (await deps.fleet?.stage(env, release, releaseDir)) ?? null;
        if (problem === null && remote()) deps.crash('hosts.staged');
        return problem;
      } catch (err) {
        // A disk's error in its words; a state-folder refusal whole, with its fix (the `rm` of a planted link).
        const problem = diskProblem(err);
        return problem === null || typeof (err as { fix?: unknown }).fix === 'string' ? (err as Error).message : problem.text;
      }
    }),
    swapCurrent: fromPromise<void, void>(async () => {
      const started = deps.clock.now();
      // Every host first (all or none: a failure puts them all back and rejects), then the local link.
      await deps.fleet?.swap(env, release);
      if (remote()) deps.crash('hosts.swapped');
      try {
        await deps.releases.swapCurrent(envDir, releaseDir);
      } catch (err) {
        if (deps.fleet && deps.fleet.hostsOf(env).length > 0) await deps.fleet.putBack(env, at.previous, at.previous ? await deps.releases.materialize(at.previous) : null);
        throw err;
      }
      operationCrash(deps, revision.kind, 'swapped');
      deps.logger.info(`${env} #${revision.revision}: current → ${release.id} (${deps.clock.now() - started} ms)`);
      // The full re-hash runs in the background after every move (engine/release-integrity.ts): the
      // answer never waits for O(bytes) work; the check before the move is by size and change times.
    }),
    openWorktree: fromPromise<void, void>(() => deps.git.addWorktree(release.commit, worktree)),
    runStep: fromPromise<StepResult, { index: number; step: OperationStep }>(async ({ input: { index, step } }) => {
      const record = revision.steps[index]!;
      record.status = 'running';
      record.startedAt = new Date(deps.clock.now()).toISOString();
      onChange();
      const log = announcingSink(deps.logs.open(logId, step.name, secrets), () => deps.logActivity(address, step.name));
      if (step.check) {
        const started = deps.clock.now();
        // A query that says `$HOST` is measured for each host of a remote environment.
        const checkHosts = (deps.fleet?.hostsOf(env) ?? []).map((h) => ({ name: h.host, spec: h.spec }));
        const outcome = await runVerifyCheck(step.check, { env, revision: revision.revision, release: release.id }, deps, log, signal, checkHosts);
        if (outcome.values.length > 0) checkMetrics[step.check.name] = outcome.values.at(-1)!;
        record.status = outcome.verdict === 'pass' ? 'succeeded' : outcome.verdict === 'cancelled' ? 'cancelled' : outcome.verdict === 'inconclusive' ? 'inconclusive' : 'failed';
        record.durationMs = deps.clock.now() - started;
        record.logBytes = await log.close();
        onChange();
        deps.logActivity(address, step.name);
        const lost = log.failure();
        if (lost !== null) throw new Error(`verify check ${step.name}: ${lost}`);
        const status = outcome.verdict === 'pass' ? 'succeeded' : outcome.verdict === 'fail' ? 'failed' : outcome.verdict;
        return { status, exitCode: null, summary: outcome.summary };
      }
      // A verify step of an environment with hosts runs once per host (AXUM_HOST); the first that fails ends it.
      const hosts = step.stage === 'verify' ? (deps.fleet?.hostsOf(env) ?? []) : [];
      let result: Awaited<ReturnType<StepRunner['run']>> = { status: 'succeeded', exitCode: 0, durationMs: 0 };
      let failedOn: string | undefined;
      for (const host of hosts.length > 0 ? hosts : [null]) {
        if (host) log.write(Buffer.from(`[axum] ${step.name} for host ${host.spec}\n`));
        const spent = result.durationMs;
        result = await runProcess(step, record, log, host ? hostStepEnv(host, release.id) : {});
        result.durationMs += spent;
        if (result.status !== 'succeeded') {
          failedOn = host?.spec;
          break;
        }
      }
      record.status = result.status;
      record.exitCode = result.exitCode;
      record.durationMs = result.durationMs;
      record.logBytes = await log.close();
      onChange();
      deps.logActivity(address, step.name); // the step ended: its followers' streams complete
      // Output that could not be kept (a full disk) is the machine's failure, not the release's:
      // the step may have failed only because its own writes failed too. An error marks nothing.
      const lost = log.failure();
      if (lost !== null) {
        record.status = 'failed';
        throw new Error(`${step.stage} step ${step.name}: ${lost}`);
      }
      return { status: result.status, exitCode: result.exitCode, ...(failedOn ? { host: failedOn } : {}) };
    }),
    undo: fromPromise<void, void>(async () => {
      const previousDir = at.previous ? await deps.releases.materialize(at.previous) : null;
      if (previousDir) await deps.releases.swapCurrent(envDir, previousDir);
      else await deps.releases.clearCurrent(envDir);
      if (deps.fleet && deps.fleet.hostsOf(env).length > 0) await deps.fleet.putBack(env, at.previous, previousDir);
      deps.logger.warn(`${env} #${revision.revision}: an error after current moved; current → ${at.previous?.id ?? 'nothing'} again`);
    }),
    closeWorktree: fromPromise<void, void>(() => deps.git.removeWorktree(worktree).catch(() => undefined)),
    readMetrics: fromPromise<ParsedMetrics, void>(async () => {
      await deps.maskFile(metricsFile, secrets);
      const parsed = parseMetricsFile(await deps.readText(metricsFile));
      for (const [name, value] of Object.entries(checkMetrics)) {
        parsed.metrics[name] = value;
        delete parsed.notNumbers[name];
      }
      return parsed;
    }),
  };
}
