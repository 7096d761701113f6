import { gateThresholdText, metricNumberText, parseGate, type GateExpression, type GateOp, type GateVerdict } from '@axum/protocol';
import { metricValue } from './metric-values.js';

/** What a metrics file held: the numbers (last value of a name wins) and the lines that were not numbers. */
export interface ParsedMetrics {
  metrics: Record<string, number>;
  /** `name=value` lines whose value is not a number (`accuracy=high`): named in the gate that needs them. */
  notNumbers: Record<string, string>;
}

const METRIC_LINE = /^\s*([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*?)\s*$/;
const NUMBER = /^-?\d+(?:\.\d+)?(?:e[-+]?\d+)?$/i;

/** Parses `name=value` lines of a metrics file (the GITHUB_OUTPUT convention). */
export function parseMetricsFile(text: string): ParsedMetrics {
  const metrics: Record<string, number> = {};
  const notNumbers: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = METRIC_LINE.exec(line);
    if (!match?.[1] || match[2] === undefined) continue;
    const name = match[1];
    if (NUMBER.test(match[2])) {
      metrics[name] = Number(match[2]);
      delete notNumbers[name];
    } else if (match[2] !== '') {
      notNumbers[name] = match[2].slice(0, 60);
      delete metrics[name];
    }
  }
  return { metrics, notNumbers };
}

/** The numbers of a metrics file; lines that are not `name=number` are left out. */
export function parseMetrics(text: string): Record<string, number> {
  return parseMetricsFile(text).metrics;
}

/** The comparison of every gate and check condition (`>= 0.9`, `> 0.02`). */
export const COMPARE: Record<GateOp, (value: number, limit: number) => boolean> = {
  '>=': (v, l) => v >= l,
  '<=': (v, l) => v <= l,
  '==': (v, l) => v === l,
  '!=': (v, l) => v !== l,
  '>': (v, l) => v > l,
  '<': (v, l) => v < l,
};

// `0.92 - 0.01` is 0.9100000000000001 in floating point: shown and compared as 0.91.
const tidy = (n: number) => Number(n.toPrecision(12));

/** The threshold a gate uses against `lkgValue`, how it was chosen, or why there is none. */
function thresholdOf(gate: GateExpression, metric: string, lkgValue: number | null): { op: GateOp; threshold: number; reason: string | null } | { reason: string } {
  if ('fixed' in gate.bound) return { op: gate.op, threshold: gate.bound.fixed, reason: null };
  if (lkgValue !== null) {
    const by = gate.bound.lkg;
    const threshold = by === null ? lkgValue : by.by === '+' ? lkgValue + by.amount : by.by === '-' ? lkgValue - by.amount : lkgValue * by.amount;
    return { op: gate.op, threshold: tidy(threshold), reason: null };
  }
  const missing = `no last known good value of ${metric} to compare with`;
  return gate.fallback ? { ...gate.fallback, reason: `${missing}: the fallback applies` } : { reason: missing };
}

/**
 * Judges every gate (`accuracy: ">= 0.90"`, `">= lkg - 0.01"`) on a revision's metrics, with the
 * last known good's value of the same metric beside it. A metric is the one the verify steps wrote,
 * else the one the release's build wrote (`from: 'build'`); the LKG's value is found the same way by
 * the caller. A metric no step wrote fails its gate (value null); a relative gate with no LKG value
 * and no fallback is inconclusive, never a pass.
 */
export function gateVerdicts(
  gates: Record<string, string>,
  metrics: Record<string, number>,
  lkgMetrics: Record<string, number> | null,
  buildMetrics: Record<string, number> = {},
): GateVerdict[] {
  return Object.entries(gates).map(([metric, expression]) => {
    const found = metricValue(metric, metrics, buildMetrics);
    const value = found?.value ?? null;
    const lkgValue = lkgMetrics && Object.hasOwn(lkgMetrics, metric) ? (lkgMetrics[metric] ?? null) : null;
    const base = { metric, value, lkgValue, expression, ...(found?.from ? { from: found.from } : {}) };
    const gate = parseGate(expression);
    // The schema refuses such a gate; a recorded config from an older daemon could still hold one.
    if (!gate) return { ...base, op: expression.trim(), threshold: null, verdict: 'fail' as const, reason: `"${expression}" is not a gate` };
    const used = thresholdOf(gate, metric, lkgValue);
    if (!('threshold' in used)) return { ...base, op: gate.op, threshold: null, verdict: value === null ? ('fail' as const) : ('inconclusive' as const), reason: used.reason };
    const pass = value !== null && COMPARE[used.op](value, used.threshold);
    return { ...base, op: used.op, threshold: used.threshold, verdict: pass ? ('pass' as const) : ('fail' as const), reason: used.reason };
  });
}

/** ` (from the build)` after a value no verify step wrote; '' otherwise. */
export const fromText = (g: Pick<GateVerdict, 'from'>): string => (g.from === 'build' ? ' (from the build)' : '');

/** One line per failed gate, naming a missing or non-numeric metric: the revision's failure message. */
export function describeFailedGates(verdicts: readonly GateVerdict[], notNumbers: Record<string, string> = {}): string[] {
  return verdicts
    .filter((g) => g.verdict === 'fail')
    .map((g) => {
      const gate = gateThresholdText(g);
      const lkg = g.lkgValue !== null && !/\blkg\b/.test(g.expression) ? ` (LKG ${metricNumberText(g.lkgValue)})` : '';
      if (g.value !== null) return `${g.metric} = ${metricNumberText(g.value)}${fromText(g)}, gate ${gate}${lkg}`;
      if (Object.hasOwn(notNumbers, g.metric)) return `${g.metric}: "${notNumbers[g.metric]}" is not a number (gate ${gate})`;
      return unwrittenText(g.metric);
    });
}

/** A gate's metric that no step wrote, in the build or in verify: most often a name mistyped in axum.yml. */
const unwrittenText = (metric: string) => `no step wrote metric '${metric}' (gates in axum.yml name metrics the steps write)`;

/**
 * Every failed gate failed for want of a metric no step wrote (not for a value, nor for one that is
 * not a number): most often a name mistyped in axum.yml. The release still fails (its own axum.yml
 * gates it wherever it goes, so it is marked bad as for any failed gate); the words say what to fix.
 */
export function onlyUnwrittenMetricsFailed(verdicts: readonly GateVerdict[], notNumbers: Record<string, string> = {}): boolean {
  const failed = verdicts.filter((g) => g.verdict === 'fail');
  return failed.length > 0 && failed.every((g) => g.value === null && !Object.hasOwn(notNumbers, g.metric));
}

/** One line per inconclusive gate: `accuracy = 0.91, gate >= lkg - 0.01: no last known good value of accuracy to compare with`. */
export function describeInconclusiveGates(verdicts: readonly GateVerdict[]): string[] {
  return verdicts
    .filter((g) => g.verdict === 'inconclusive')
    .map((g) => `${g.metric} = ${g.value === null ? 'missing' : metricNumberText(g.value)}${fromText(g)}, gate ${g.expression}: ${g.reason ?? 'no threshold'} (${fallbackHint(g.expression, g.op, g.value)})`);
}

/**
 * The fixed fallback suggested for a relative gate, in the gate's own direction (`<= lkg + 0.05`
 * gets `or <= N`): a round number a person would write, on the side that passes the measured value
 * and at least the gate's own margin away from it (`>= lkg - 0.001` for 0.9682084800574918 gets
 * `>= 0.96`), so the fallback is no stricter than the gate would be with this value as the last
 * known good. Never the value itself, which would decide on a tie (`>=` passes it, `>` fails it).
 * `==` and `!=` have no such side: words, no number.
 */
export function fallbackHint(expression: string, op: string, value: number | null): string {
  const beyond = value === null ? null : op === '>=' || op === '>' ? -1 : op === '<=' || op === '<' ? 1 : null;
  if (value === null || beyond === null || !Number.isFinite(value)) return `a fixed fallback decides when there is none: "${expression} or ${op} N", with the N you expect of this metric`;
  return `a fixed fallback decides when there is none: "${expression} or ${op} ${roundBeyond(tidy(value), beyond, gateMargin(expression, value))}"`;
}

/** How far the gate lets a value fall from its LKG on the passing side, were the LKG `value` (`lkg - 0.01`: 0.01; `lkg`: 0). */
function gateMargin(expression: string, value: number): number {
  const gate = parseGate(expression);
  const lkg = gate && 'lkg' in gate.bound ? gate.bound.lkg : null;
  if (!gate || !lkg) return 0;
  const threshold = lkg.by === '+' ? value + lkg.amount : lkg.by === '-' ? value - lkg.amount : value * lkg.amount;
  const margin = gate.op === '>=' || gate.op === '>' ? value - threshold : threshold - value;
  return Math.max(0, tidy(margin));
}

/**
 * `value` moved `margin` (at least) in the direction `beyond`, then rounded outward to the two
 * leading significant digits of the value (or of the margin, when it is larger), worked as
 * `digits × 10^scale` so the result reads as written: 0.9 - 0.01 is 0.89, never 0.8899999.
 * Written in plain decimals, as the gate grammar takes no exponent.
 */
function roundBeyond(value: number, beyond: -1 | 1, margin: number): string {
  const reference = Math.max(Math.abs(value), margin);
  const scale = reference === 0 ? 0 : Math.floor(Math.log10(reference)) - 1;
  const units = (n: number) => Number((n / 10 ** scale).toPrecision(12));
  const target = units(value + beyond * margin);
  let digits = beyond < 0 ? Math.floor(target) : Math.ceil(target);
  if (digits === units(value)) digits += beyond;
  return plainDecimal(digits, scale);
}

/** `digits × 10^scale` in plain decimal notation: (-9, -8) is -0.00000009; (11, 20) is 1100000000000000000000. */
function plainDecimal(digits: number, scale: number): string {
  const sign = digits < 0 ? '-' : '';
  const whole = String(Math.abs(digits));
  if (digits === 0) return '0';
  if (scale >= 0) return sign + whole + '0'.repeat(scale);
  const padded = whole.padStart(-scale + 1, '0');
  const text = `${padded.slice(0, scale)}.${padded.slice(scale)}`.replace(/0+$/, '').replace(/\.$/, '');
  return sign + text;
}
