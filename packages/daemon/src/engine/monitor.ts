import type { PipelineConfig, ReleaseView, RevisionView } from '@axum/protocol';
import { announcingSink, operationKey, operationStepEnv, type OperationDeps } from './deploy-operation.js';
import { hostStepEnv } from './remote-fleet.js';
import { checkTargets, measureOnce, warnScrapeInterval } from './prometheus-check.js';
import { acrossHosts, measuredText } from '../domain/prometheus-checks.js';

/** A running monitor of one live revision; `stop` kills a check in flight and removes its worktree. */
export interface Monitor {
  readonly revision: number;
  stop(): Promise<void>;
}

/** Monitor checks whose output a revision keeps (a ring: older checks' logs are removed). */
export const MONITOR_CHECKS_KEPT = 10;

/** The log store id of one monitor check's output (`check-N` of `ENV#N`). */
export const monitorCheckLogId = (env: string, revision: Pick<RevisionView, 'revision' | 'createdAt'>, check: number): string => `monitor-${operationKey(env, revision)}-${check}`;

/** What a monitor reports back. */
export interface MonitorHooks {
  /** The revision's checks changed in place (a check started or ended, an old one dropped): save and tell clients. */
  onChange(): void;
  /** `failures` checks failed in a row: the caller marks the release bad and applies the rollback policy. */
  onIncident(message: string): void;
  /** A check inconclusive more than its `inconclusive` times in a row (once per monitor): the caller pauses the environment. */
  onInconclusive(message: string): void;
}

/**
 * Runs `monitor.run` every `monitor.every` while `revision` is live, in a worktree of its release's
 * commit, and measures each of `monitor.checks` once (Prometheus). Each check is a step `check-N` on the revision with its own log (the newest
 * MONITOR_CHECKS_KEPT are kept); `failures` consecutive failed checks call `onIncident` once, naming
 * the checks behind it; a passing check resets the count.
 */
export function startMonitor(
  env: string,
  envDir: string,
  releaseDir: string,
  release: ReleaseView,
  revision: RevisionView,
  spec: NonNullable<PipelineConfig['monitor']>,
  secrets: { readonly values: readonly string[]; readonly declared: readonly string[] },
  deps: OperationDeps,
  hooks: MonitorHooks,
): Monitor {
  const abort = new AbortController();
  const key = operationKey(env, revision);
  const worktree = deps.worktreeDir(`monitor-${key}`);
  const metricsFile = deps.metricsFile(`monitor-${key}`);
  const address = `${env}#${revision.revision}`;
  let checking = false;
  let failedInARow: string[] = [];
  let worktreeReady = false;
  let fired = false;
  let pauseAsked = false;
  const scrapeWarned = new Set<string>();
  const inconclusiveInARow = new Map<string, number>();

  /** Adds the check to the revision and drops the oldest beyond the ring, with their logs. */
  const record = (name: string) => {
    const step = { stage: 'monitor' as const, name, status: 'running' as const, exitCode: null, durationMs: null, startedAt: new Date(deps.clock.now()).toISOString(), logBytes: 0 };
    revision.steps.push(step);
    const checks = revision.steps.filter((s) => s.stage === 'monitor');
    for (const old of checks.slice(0, Math.max(0, checks.length - MONITOR_CHECKS_KEPT))) {
      revision.steps.splice(revision.steps.indexOf(old), 1);
      void deps.logs.removeRun(monitorCheckLogId(env, revision, Number(old.name.slice('check-'.length))));
    }
    hooks.onChange();
    return revision.steps[revision.steps.length - 1]!;
  };

  const check = async () => {
    if (checking || fired || abort.signal.aborted) return;
    checking = true;
    try {
      if (!worktreeReady && spec.run !== undefined) {
        await deps.git.addWorktree(release.commit, worktree);
        worktreeReady = true;
      }
      const number = revision.checks.total + 1;
      revision.checks.total = number;
      const name = `check-${number}`;
      const step = record(name);
      const log = announcingSink(deps.logs.open(monitorCheckLogId(env, revision, number), 'check', secrets.values), () => deps.logActivity(address, name));
      let forget = () => undefined as void;
      const started = deps.clock.now();
      let result: { status: 'succeeded' | 'failed' | 'timed-out' | 'cancelled'; exitCode: number | null; durationMs: number | null } = { status: 'succeeded', exitCode: null, durationMs: null };
      // With remote hosts the command runs once per host (AXUM_HOST); the first that fails fails the tick.
      const hosts = spec.run !== undefined ? (deps.fleet?.hostsOf(env) ?? []) : [];
      for (const host of spec.run !== undefined ? (hosts.length > 0 ? hosts : [null]) : []) {
        if (host) log.write(Buffer.from(`[axum] monitor for host ${host.spec}\n`));
        result = await deps.runner
          .run(
            {
              command: spec.run!,
              cwd: worktree,
              env: { ...operationStepEnv(deps, { env, envDir, release, revision: revision.revision, releaseDir, worktree, stage: 'monitor', step: 'monitor', metricsFile }, secrets.declared), ...(host ? hostStepEnv(host, release.id) : {}) },
              timeoutMs: spec.timeout ?? spec.every,
              log,
              onSpawn: (pgid) => (forget = deps.trackProcess(env, pgid)),
            },
            abort.signal,
          )
          .finally(() => forget());
        if (result.status !== 'succeeded') break;
      }
      // Each Prometheus check is measured once per tick, into the same log: a failed measurement
      // fails the tick (toward `failures` in a row); an inconclusive one neither fails nor passes it.
      const failedChecks: string[] = [];
      // A tick with no command whose every check was inconclusive measured nothing: it neither
      // resets nor extends the failures in a row (a Prometheus gap must not hide a failing release).
      let measuredNothing = spec.run === undefined && (spec.checks ?? []).length > 0;
      // A release's config recorded before `checks:` existed has none (snapshots are not re-parsed).
      for (const checkSpec of spec.checks ?? []) {
        if (abort.signal.aborted) break;
        if (!scrapeWarned.has(checkSpec.name)) {
          scrapeWarned.add(checkSpec.name);
          await warnScrapeInterval(checkSpec, spec.every, deps, log);
        }
        // A query that says `$HOST` is measured for each host; the first failing host fails the check, named.
        const targets = checkTargets(checkSpec, (deps.fleet?.hostsOf(env) ?? []).map((h) => ({ name: h.host, spec: h.spec })));
        const measured = await Promise.all(targets.map(async (host) => ({ host: host?.spec ?? '', m: await measureOnce(checkSpec, { env, revision: revision.revision, release: release.id }, deps, log, abort.signal, host) })));
        const m = acrossHosts(measured);
        if (m.verdict === 'fail') failedChecks.push(`${checkSpec.name} = ${m.value === null ? '?' : measuredText(m.value)} (${m.reason})`);
        if (m.verdict !== 'inconclusive') measuredNothing = false;
        const unsure = m.verdict === 'inconclusive' ? (inconclusiveInARow.get(checkSpec.name) ?? 0) + 1 : 0;
        inconclusiveInARow.set(checkSpec.name, unsure);
        if (m.verdict === 'inconclusive' && unsure > checkSpec.inconclusive && !pauseAsked) {
          // Neither healthy nor failing, for longer than the check allows: a person decides (the pause).
          pauseAsked = true;
          hooks.onInconclusive(`monitor check ${checkSpec.name} inconclusive ${unsure} time${unsure === 1 ? '' : 's'} in a row on #${revision.revision} (the last: ${m.reason}; axum logs ${address} --step ${name})`);
        }
      }
      if (result.status === 'succeeded' && failedChecks.length > 0) result = { ...result, status: 'failed' };
      if (spec.run === undefined) result = { ...result, durationMs: deps.clock.now() - started };
      step.logBytes = await log.close();
      // A tick that measured nothing says so (HEALTH shows `?`, not the ✓ of a tick that passed).
      step.status = measuredNothing && result.status === 'succeeded' ? 'inconclusive' : result.status;
      step.exitCode = result.exitCode;
      step.durationMs = result.durationMs;
      const lost = log.failure();
      if (lost !== null) {
        // A check whose output could not be kept (a full disk) is the machine's error: it does not
        // count toward an incident, which would mark the live release bad (ARCHITECTURE.md, Bad).
        step.status = 'failed';
        hooks.onChange();
        deps.logger.warn(`${env} #${revision.revision}: monitor check ${name} not counted: ${lost}`);
        return;
      }
      if (result.status !== 'succeeded' && result.status !== 'cancelled') revision.checks.failed += 1;
      hooks.onChange();
      deps.logActivity(address, name);
      await deps.maskFile(metricsFile, secrets.values);
      if (abort.signal.aborted) return;
      if (result.status === 'succeeded') {
        if (!measuredNothing) failedInARow = [];
        return;
      }
      failedInARow.push(name);
      deps.logger.warn(`${env} #${revision.revision}: monitor check ${name} failed (${failedInARow.length}/${spec.failures})`);
      if (failedInARow.length >= spec.failures) {
        fired = true;
        const how = failedChecks.length > 0 ? `measured ${failedChecks.join(', ')}` : result.status === 'timed-out' ? 'timed out' : `exited ${result.exitCode}`;
        const behind = failedInARow.slice(-spec.failures);
        const range = behind.length > 1 ? `${behind[0]!.slice('check-'.length)}–${number}` : `${number}`;
        hooks.onIncident(`monitor failed ${behind.length} times in a row on #${revision.revision} (checks ${range}; the last ${how}: axum logs ${address} --step ${name})`);
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
