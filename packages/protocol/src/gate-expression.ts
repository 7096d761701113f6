// The grammar of a gate in `axum.yml` (docs/gates-and-checks.md, "Gates"): kept beside the schema so the
// daemon's verdicts and `axum validate` read a gate the same way.
//
//   gate      := OP bound [ "or" OP NUMBER ]
//   bound     := NUMBER | "lkg" [ ("+" | "-" | "*") NUMBER ]
//   OP        := ">=" | "<=" | "==" | "!=" | ">" | "<"
//
// `>= 0.90` is fixed; `>= lkg - 0.01`, `<= lkg * 1.10`, `<= lkg + 5` compare with the last known
// good's value of the same metric; `or >= 0.85` is the fixed threshold used when there is no such
// value (only after a relative bound: a fixed gate needs none).

export type GateOp = '>=' | '<=' | '==' | '!=' | '>' | '<';

/** A gate as written, parsed. */
export interface GateExpression {
  op: GateOp;
  /** A fixed number, or the LKG's value adjusted by `adjust` (`lkg - 0.01`: `{ by: '-', amount: 0.01 }`). */
  bound: { fixed: number } | { lkg: { by: '+' | '-' | '*'; amount: number } | null };
  /** The fixed threshold used when there is no last known good value (null: the gate is then inconclusive). */
  fallback: { op: GateOp; threshold: number } | null;
}

const OP = '(>=|<=|==|!=|>|<)';
const NUM = '(-?\\d+(?:\\.\\d+)?)';
const GATE_RE = new RegExp(`^${OP}\\s*(?:${NUM}|lkg(?:\\s*([-+*])\\s*(\\d+(?:\\.\\d+)?))?)(?:\\s+or\\s+${OP}\\s*${NUM})?$`);

/** What a gate may look like, for error messages (the schema's and the daemon's). */
export const GATE_SYNTAX = 'a comparison such as ">= 0.90", ">= lkg - 0.01", "<= lkg * 1.10", or ">= lkg - 0.01 or >= 0.85" (a fixed threshold for when there is no last known good)';

/** Parses a gate; null when it does not follow the grammar above. */
export function parseGate(text: string): GateExpression | null {
  const match = GATE_RE.exec(text.trim());
  if (!match) return null;
  const [, op, fixed, by, amount, fallbackOp, fallbackNumber] = match;
  const fallback = fallbackOp && fallbackNumber !== undefined ? { op: fallbackOp as GateOp, threshold: Number(fallbackNumber) } : null;
  if (fixed !== undefined) {
    // `>= 0.9 or >= 0.8`: the second can never be used, and a reader would wonder when it is.
    if (fallback) return null;
    return { op: op as GateOp, bound: { fixed: Number(fixed) }, fallback: null };
  }
  const lkg = by && amount !== undefined ? { by: by as '+' | '-' | '*', amount: Number(amount) } : null;
  return { op: op as GateOp, bound: { lkg }, fallback };
}

/** Why a gate does not parse, naming it as written; null when it does. */
export function gateProblem(text: string): string | null {
  if (parseGate(text) !== null) return null;
  const fixedWithFallback = /^\s*(>=|<=|==|!=|>|<)\s*-?\d/.test(text) && /\sor\s/.test(text);
  if (fixedWithFallback) return `"${text}": a fallback ("or …") follows only a gate relative to the last known good ("lkg"), e.g. ">= lkg - 0.01 or >= 0.85"`;
  return `"${text}" is not a gate: ${GATE_SYNTAX}`;
}

/**
 * A metric's value or a threshold as people read it: `0.64`, not the float sum `0.6399999999999999`
 * (the raw number stays in JSON). Six significant digits; a badge may ask for fewer.
 */
export const metricNumberText = (n: number, digits = 6): string => String(Number(n.toPrecision(digits)));

const tidy = (n: number) => metricNumberText(n);

/** A gate's threshold as a person reads it: `>= 0.91 (lkg 0.92 - 0.01)`, `>= 0.9`, `>= lkg - 0.01`. */
export function gateThresholdText(g: { op: string; threshold: number | null; lkgValue: number | null; expression: string }): string {
  const relative = /\blkg\b/.test(g.expression);
  if (g.threshold === null) return g.expression || g.op;
  const derived = relative && g.lkgValue !== null ? ` (${g.expression.replace(/^\s*(>=|<=|==|!=|>|<)\s*/, '').replace(/\s+or\s+.*$/, '').replace(/\blkg\b/, `lkg ${tidy(g.lkgValue)}`)})` : '';
  return `${g.op} ${tidy(g.threshold)}${derived}`;
}

