import type { CheckSpec } from '@axum/protocol';
import { checkVerdict, measure, measurementLine, scrapeIntervalOf, substituteQuery, type Measurement, type PrometheusAnswer } from '../domain/prometheus-checks.js';
import type { Clock, LogSink, Logger, PrometheusPort } from './ports.js';

/** What a check needs of the daemon. `prometheus` absent: a daemon built without it (tests); every measurement is then inconclusive. */
export interface CheckDeps {
  prometheus?: PrometheusPort;
  clock: Clock;
  logger: Logger;
  /** A warning for every client (`axum status`, the TUI): a check's log is rotated out, this is not. */
  warn?(message: string): void;
}

/** Where a check runs: substituted into its query as `$REVISION`, `$RELEASE`, `$ENV`. */
export interface CheckTarget {
  env: string;
  revision: number;
  release: string;
}

/** A query gives up after this long, at most (and at most one `every`): a hung Prometheus is inconclusive, not a hung check. */
const QUERY_TIMEOUT_MS = 10_000;
export const queryTimeout = (check: Pick<CheckSpec, 'every' | 'timeout'>) => check.timeout ?? Math.max(1000, Math.min(check.every, QUERY_TIMEOUT_MS));

/** One measurement of a check, written as a line of `log`. */
export async function measureOnce(check: CheckSpec, at: CheckTarget, deps: CheckDeps, log: LogSink, signal?: AbortSignal): Promise<Measurement> {
  const query = substituteQuery(check.prometheus.query, at);
  const answer: PrometheusAnswer = deps.prometheus ? await deps.prometheus.query(check.prometheus.url, query, queryTimeout(check), signal) : { kind: 'unreachable', reason: 'this daemon has no Prometheus client' };
  const m = measure(answer, check);
  log.write(Buffer.from(`${new Date(deps.clock.now()).toISOString().slice(11, 19)} ${measurementLine(check.name, m)}\n`));
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
 * of its log, ended early once it failed or is inconclusive. Resolves to its verdict and the values
 * measured (the last is recorded as a metric of the revision).
 */
export async function runVerifyCheck(check: CheckSpec, at: CheckTarget, deps: CheckDeps, log: LogSink, signal: AbortSignal): Promise<{ verdict: 'pass' | 'fail' | 'inconclusive' | 'cancelled'; summary: string; values: number[] }> {
  log.write(Buffer.from(`${check.prometheus.url}: ${substituteQuery(check.prometheus.query, at)} (${check.count} × every ${check.every} ms; ${check.fail !== undefined ? `fail: ${check.fail}` : `pass: ${check.pass}`})\n`));
  if (check.count > 1) await warnScrapeInterval(check, check.every, deps, log);
  const measurements: Measurement[] = [];
  for (;;) {
    if (signal.aborted) return { verdict: 'cancelled', summary: `check ${check.name} was cancelled`, values: [] };
    measurements.push(await measureOnce(check, at, deps, log, signal));
    // A query cut short by the stop is no measurement of the release.
    if (signal.aborted) return { verdict: 'cancelled', summary: `check ${check.name} was cancelled`, values: [] };
    const verdict = checkVerdict(measurements, check);
    const values = measurements.flatMap((m) => (m.value === null ? [] : [m.value]));
    if (verdict.verdict !== 'running') {
      log.write(Buffer.from(`${verdict.summary}\n`));
      return { verdict: verdict.verdict, summary: verdict.summary, values };
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
