import type { GateVerdict } from '@axum/protocol';

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

const GATE = /^(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?)$/;
const COMPARE: Record<string, (value: number, limit: number) => boolean> = {
  '>=': (v, l) => v >= l,
  '<=': (v, l) => v <= l,
  '==': (v, l) => v === l,
  '!=': (v, l) => v !== l,
  '>': (v, l) => v > l,
  '<': (v, l) => v < l,
};

/**
 * Judges every gate (`accuracy: ">= 0.90"`) on a revision's metrics, with the last known good's
 * value of the same metric beside it. A metric no step wrote fails its gate (value null).
 */
export function gateVerdicts(gates: Record<string, string>, metrics: Record<string, number>, lkgMetrics: Record<string, number> | null): GateVerdict[] {
  return Object.entries(gates).map(([metric, expression]) => {
    const match = GATE.exec(expression.trim());
    const op = match?.[1] ?? expression.trim();
    const threshold = match ? Number(match[2]) : Number.NaN;
    const value = Object.hasOwn(metrics, metric) ? (metrics[metric] ?? null) : null;
    const lkgValue = lkgMetrics && Object.hasOwn(lkgMetrics, metric) ? (lkgMetrics[metric] ?? null) : null;
    const compare = Object.hasOwn(COMPARE, op) ? COMPARE[op] : undefined;
    const pass = value !== null && compare !== undefined && compare(value, threshold);
    return { metric, op, threshold, value, lkgValue, verdict: pass ? 'pass' : 'fail' };
  });
}

/** One line per failed gate, naming a missing or non-numeric metric: the revision's failure message. */
export function describeFailedGates(verdicts: readonly GateVerdict[], notNumbers: Record<string, string> = {}): string[] {
  return verdicts
    .filter((g) => g.verdict === 'fail')
    .map((g) => {
      const gate = `${g.op} ${g.threshold}`;
      const lkg = g.lkgValue !== null ? ` (LKG ${g.lkgValue})` : '';
      if (g.value !== null) return `${g.metric} = ${g.value}, gate ${gate}${lkg}`;
      if (Object.hasOwn(notNumbers, g.metric)) return `${g.metric}: "${notNumbers[g.metric]}" is not a number (gate ${gate})`;
      return `${g.metric}: no value (no verify step wrote ${g.metric}=… to $AXUM_METRICS; gate ${gate})`;
    });
}
