import type { CheckSpec } from '@axum/protocol';
import { checkVerdict, measure, measurementLine, perHost, scrapeIntervalOf, substituteQuery, type Measurement, type PrometheusAnswer } from '../domain/prometheus-checks.js';
import type { Clock, LogSink, Logger, PrometheusPort } from './ports.js';

/** What a check needs of the daemon. `prometheus` absent: a daemon built without it (tests); every measurement is then inconclusive. */
export interface CheckDeps {
  prometheus?: PrometheusPort;
  clock: Clock;
  logger: Logger;
  /** A warning for every client (`axum status`, the TUI): a check's log is rotated out, this is not. */
  warn?(message: string): void;
}

/** Where a check runs: substituted into its query as `$REVISION`, `$RELEASE`, `$ENV`, and `$HOST` (the host's name) when measured for a host. */
export interface CheckTarget {
  env: string;
  revision: number;
  release: string;
  host?: string;
}

/** A host of a remote environment, as a check measures it: `name` is `$HOST`, `spec` names it in the log and verdicts. */
export interface CheckHost {
  name: string;
  spec: string;
}

/** Whom a check measures: each host when its query says `$HOST` and the environment has hosts; else once (null). */
export const checkTargets = (check: CheckSpec, hosts: readonly CheckHost[]): (CheckHost | null)[] => (perHost(check.prometheus.query) && hosts.length > 0 ? [...hosts] : [null]);

/** A query gives up after this long, at most (and at most one `every`): a hung Prometheus is inconclusive, not a hung check. */
const QUERY_TIMEOUT_MS = 10_000;
export const queryTimeout = (check: Pick<CheckSpec, 'every' | 'timeout'>) => check.timeout ?? Math.max(1000, Math.min(check.every, QUERY_TIMEOUT_MS));

/** One measurement of a check, written as a line of `log`. */
export async function measureOnce(check: CheckSpec, at: CheckTarget, deps: CheckDeps, log: LogSink, signal?: AbortSignal, host: CheckHost | null = null): Promise<Measurement> {
  const query = substituteQuery(check.prometheus.query, host ? { ...at, host: host.name } : at);
  const answer: PrometheusAnswer = deps.prometheus ? await deps.prometheus.query(check.prometheus.url, query, queryTimeout(check), signal) : { kind: 'unreachable', reason: 'this daemon has no Prometheus client' };
  const m = measure(answer, check);
  log.write(Buffer.from(`${new Date(deps.clock.now()).toISOString().slice(11, 19)} ${host ? `[${host.spec}] ` : ''}${measurementLine(check.name, m)}\n`));
  return m;
}

/**
 * Says in the check's log (and the daemon's) when `every` is below Prometheus's scrape interval:
 * measurements closer than a scrape read the same sample twice. Asked once, cheaply; silent when
 * Prometheus does not say.
 */
export async function warnScrapeInterval(check: CheckSpec, every: number, deps: CheckDeps, log: LogSink): Promise<void> {
  const yaml = deps.prometheus ? await deps.prometheus.config(check.prometheus.url, queryTimeout(check)) : null;
  const interval = yaml === null ? null : scrapeIntervalOf(yaml);
  if (interval === null || every >= interval) return;
  const text = `check ${check.name} measures every ${every} ms, below Prometheus's scrape interval of ${interval} ms: measurements will repeat the same sample`;
  log.write(Buffer.from(`warning: ${text}\n`));
  deps.logger.warn(text);
  deps.warn?.(text);
}

/**
 * A verify check: `count` measurements `every` apart (Argo Rollouts' AnalysisTemplate), each a line
 * of its log, ended early once it failed or is inconclusive. A query that says `$HOST` is measured
 * for each of `hosts` every time, each host judged on its own measurements: the first host that
 * fails (or is inconclusive) decides, named in the summary; it passes when every host passed.
 * Resolves to its verdict and the values measured (the last is recorded as a metric of the revision).
 */
export async function runVerifyCheck(check: CheckSpec, at: CheckTarget, deps: CheckDeps, log: LogSink, signal: AbortSignal, hosts: readonly CheckHost[] = []): Promise<{ verdict: 'pass' | 'fail' | 'inconclusive' | 'cancelled'; summary: string; values: number[] }> {
  const targets = checkTargets(check, hosts);
  const shown = targets[0] ? `${substituteQuery(check.prometheus.query, { ...at, host: targets[0].name })} (and so on for each of ${targets.length} hosts)` : substituteQuery(check.prometheus.query, at);
  log.write(Buffer.from(`${check.prometheus.url}: ${shown} (${check.count} × every ${check.every} ms; ${check.fail !== undefined ? `fail: ${check.fail}` : `pass: ${check.pass}`})\n`));
  if (check.count > 1) await warnScrapeInterval(check, check.every, deps, log);
  const measurements = targets.map((): Measurement[] => []);
  const values: number[] = [];
  const cancelled = { verdict: 'cancelled' as const, summary: `check ${check.name} was cancelled`, values: [] };
  for (;;) {
    if (signal.aborted) return cancelled;
    const round = await Promise.all(targets.map((host) => measureOnce(check, at, deps, log, signal, host)));
    // A query cut short by the stop is no measurement of the release.
    if (signal.aborted) return cancelled;
    round.forEach((m, i) => {
      measurements[i]!.push(m);
      if (m.value !== null) values.push(m.value);
    });
    const verdicts = measurements.map((ms) => checkVerdict(ms, check));
    const decided = verdicts.findIndex((v) => v.verdict === 'fail');
    const unsure = verdicts.findIndex((v) => v.verdict === 'inconclusive');
    const deciding = decided >= 0 ? decided : unsure;
    const verdict = deciding >= 0 ? verdicts[deciding]! : verdicts.every((v) => v.verdict === 'pass') ? verdicts[0]! : null;
    if (verdict) {
      const on = targets[Math.max(0, deciding)];
      const summary = on && deciding >= 0 ? verdict.summary.replace(`check ${check.name}`, `check ${check.name} on ${on.spec}`) : on ? `${verdict.summary} on each of ${targets.length} hosts` : verdict.summary;
      log.write(Buffer.from(`${summary}\n`));
      return { verdict: verdict.verdict as 'pass' | 'fail' | 'inconclusive', summary, values };
    }
    await sleep(check.every, signal);
  }
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    // An abort event already fired is not fired again for a listener added now.
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
