// What a Prometheus answer means for a check (docs/gates-and-checks.md, "Checks that ask Prometheus"): one
// measurement from one `/api/v1/query` answer, and the verdict of a check from its measurements
// (Argo Rollouts' AnalysisTemplate semantics). Anything that is not one finite number is
// inconclusive with the reason: never a pass.
import { metricNumberText, parseGate, type CheckSpec, type GateOp } from '@axum/protocol';
import { z } from 'zod/mini';
import { COMPARE } from './gates.js';

/** What the adapter got: an HTTP answer (any status) with its body parsed as JSON when it was JSON, or no answer at all. */
export type PrometheusAnswer = { kind: 'http'; status: number; body: unknown } | { kind: 'unreachable'; reason: string };

export interface Measurement {
  verdict: 'pass' | 'fail' | 'inconclusive';
  value: number | null;
  /** Why it is inconclusive, or the condition that decided a pass or fail. */
  reason: string;
}

/**
 * `$REVISION`, `$RELEASE`, `$ENV` and `$HOST` in a query, replaced by the revision's and the host's
 * (`localhost` where no host is measured: a local environment). Names are `[A-Za-z0-9._-]` (host names
 * are checked by the host spec's grammar), safe in a PromQL string.
 */
export function substituteQuery(query: string, at: { revision: number; release: string; env: string; host?: string }): string {
  return query.replace(/\$(REVISION|RELEASE|ENV|HOST)\b/g, (_, name: string) => (name === 'REVISION' ? String(at.revision) : name === 'RELEASE' ? at.release : name === 'ENV' ? at.env : (at.host ?? 'localhost')));
}

/** A query that says `$HOST` is measured once per host of a remote environment (docs/gates-and-checks.md, "Checks that ask Prometheus"). */
export const perHost = (query: string): boolean => /\$HOST\b/.test(query);

/**
 * One tick of a check measured on several hosts, as one measurement: failed when any host failed
 * (naming the first), else inconclusive when any host could not be measured (naming it), else passed.
 * The value is the deciding host's (the last host's on a pass). `host` '': measured once, for no host.
 */
export function acrossHosts(measured: readonly { host: string; m: Measurement }[]): Measurement {
  const decide = measured.find((h) => h.m.verdict === 'fail') ?? measured.find((h) => h.m.verdict === 'inconclusive') ?? measured.at(-1);
  if (!decide) return { verdict: 'inconclusive', value: null, reason: 'no host to measure' };
  return decide.host === '' ? decide.m : { ...decide.m, reason: `on ${decide.host}: ${decide.m.reason}` };
}

const Sample = z.tuple([z.number(), z.string()]);
const Answer = z.union([
  z.object({ status: z.literal('success'), data: z.object({ resultType: z.literal('vector'), result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: Sample })) }) }),
  z.object({ status: z.literal('success'), data: z.object({ resultType: z.enum(['scalar', 'string']), result: Sample }) }),
  z.object({ status: z.literal('success'), data: z.object({ resultType: z.literal('matrix'), result: z.array(z.unknown()) }) }),
  z.object({ status: z.literal('error'), errorType: z.optional(z.string()), error: z.string() }),
]);

const seriesName = (metric: Record<string, string>) => {
  const { __name__: name, ...labels } = metric;
  return `${name ?? ''}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}`;
};

/** The number an answer holds, or why it holds none. */
export function answerValue(answer: PrometheusAnswer): { value: number } | { reason: string } {
  if (answer.kind === 'unreachable') return { reason: `Prometheus did not answer: ${answer.reason}` };
  const parsed = Answer.safeParse(answer.body);
  if (parsed.success && parsed.data.status === 'error') return { reason: `Prometheus refused the query (HTTP ${answer.status}): ${parsed.data.error}` };
  if (answer.status !== 200) return { reason: `Prometheus answered HTTP ${answer.status}` };
  if (!parsed.success) return { reason: 'Prometheus answered something that is not a query result' };
  const data = parsed.data.status === 'success' ? parsed.data.data : null;
  if (!data) return { reason: 'no result' };
  let text: string;
  if (data.resultType === 'vector') {
    if (data.result.length === 0) return { reason: 'the query returned no series (is the metric scraped, and its labels right?)' };
    if (data.result.length > 1) return { reason: `the query returned ${data.result.length} series, one expected (${data.result.slice(0, 3).map((s) => seriesName(s.metric)).join(', ')}${data.result.length > 3 ? ', …' : ''}): aggregate it, e.g. sum(…)` };
    text = data.result[0]!.value[1];
  } else if (data.resultType === 'scalar') {
    text = data.result[1];
  } else if (data.resultType === 'string') {
    return { reason: `the query returned a string ("${data.result[1].slice(0, 40)}"), not a number` };
  } else {
    return { reason: 'the query returned a range vector (matrix): use an instant query' };
  }
  const value = Number(text);
  if (!Number.isFinite(value)) return { reason: `the query returned ${text}, not a finite number` };
  return { value };
}

/** A check's condition, parsed: `fail: "> 0.02"` fails the values above 0.02, `pass: "<= 0.02"` passes the ones at or below. */
export function conditionOf(check: Pick<CheckSpec, 'fail' | 'pass'>): { failWhen: boolean; op: GateOp; threshold: number; text: string } {
  const text = check.fail ?? check.pass ?? '';
  const gate = parseGate(text);
  // The schema accepts only fixed comparisons here; a recorded config from elsewhere that is not one fails every measurement.
  if (!gate || !('fixed' in gate.bound)) return { failWhen: false, op: '==', threshold: Number.NaN, text };
  return { failWhen: check.fail !== undefined, op: gate.op, threshold: gate.bound.fixed, text };
}

/** One measurement from one answer. */
export function measure(answer: PrometheusAnswer, check: Pick<CheckSpec, 'fail' | 'pass'>): Measurement {
  const got = answerValue(answer);
  if ('reason' in got) return { verdict: 'inconclusive', value: null, reason: got.reason };
  const condition = conditionOf(check);
  const holds = COMPARE[condition.op](got.value, condition.threshold);
  const failed = condition.failWhen ? holds : !holds;
  return { verdict: failed ? 'fail' : 'pass', value: got.value, reason: `${condition.failWhen ? 'fail' : 'pass'}: ${condition.text}` };
}

/**
 * Where a check stands after `measurements`: failed once more than `failures` failed, inconclusive
 * once more than `inconclusive` could not be measured (both end it early), passed after `count`
 * measurements with neither; else it goes on (`running`).
 */
export function checkVerdict(measurements: readonly Measurement[], check: Pick<CheckSpec, 'count' | 'failures' | 'inconclusive' | 'name'>): { verdict: 'pass' | 'fail' | 'inconclusive' | 'running'; summary: string } {
  const failed = measurements.filter((m) => m.verdict === 'fail').length;
  const unsure = measurements.filter((m) => m.verdict === 'inconclusive');
  const of = `${measurements.length} of ${check.count} measurements`;
  if (failed > check.failures) return { verdict: 'fail', summary: `check ${check.name} failed: ${failed} failed (more than ${check.failures}) after ${of}` };
  if (unsure.length > check.inconclusive) return { verdict: 'inconclusive', summary: `check ${check.name}: ${unsure.length} measurement${unsure.length === 1 ? '' : 's'} inconclusive (more than ${check.inconclusive}); the last: ${unsure.at(-1)!.reason}` };
  if (measurements.length >= check.count) return { verdict: 'pass', summary: `check ${check.name} passed: ${failed} failed, ${unsure.length} inconclusive of ${check.count}` };
  return { verdict: 'running', summary: `${of}` };
}

/**
 * A measured value as people read it: six significant digits at most (Prometheus's ratios come as
 * `0.14818365825077237`); the measurement itself, and the verdict made on it, keep every digit.
 */
export function measuredText(value: number): string {
  return Number.isFinite(value) ? metricNumberText(value) : String(value);
}

/** One measurement as a line of the check's log: `14:03:05 error_rate = 0.031 ✗ (fail: > 0.02)`. */
export function measurementLine(name: string, m: Measurement): string {
  const mark = m.verdict === 'pass' ? '✓' : m.verdict === 'fail' ? '✗' : '?';
  return m.value === null ? `${name} ${mark} inconclusive: ${m.reason}` : `${name} = ${measuredText(m.value)} ${mark} (${m.reason})`;
}

/** The `global.scrape_interval` in Prometheus's own config (`/api/v1/status/config` gives its YAML), in ms; null when not found. */
export function scrapeIntervalOf(configYaml: string): number | null {
  const global = /^global:\s*\n((?:[ \t]+.*\n?)*)/m.exec(configYaml);
  const match = global ? /^[ \t]+scrape_interval:\s*(\d+)(ms|s|m|h)\s*$/m.exec(global[1] ?? '') : null;
  if (!match) return null;
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[match[2] as 'ms' | 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}
