import { Text } from 'ink';
import { gateThresholdText, metricNumberText as number, type GateVerdict, type RevisionView } from '@axum/protocol';


/** One gate: its value, verdict and threshold, with the last known good's value beside it. */
function gateLine(gate: GateVerdict): string {
  const value = gate.value === null ? 'missing' : `${number(gate.value)}${gate.from === 'build' ? ' (from the build)' : ''}`;
  const mark = gate.verdict === 'pass' ? '✓' : gate.verdict === 'fail' ? '✗' : '?';
  const lkg = gate.lkgValue !== null ? ` · LKG ${number(gate.lkgValue)}` : ' · no LKG value';
  const why = gate.verdict === 'inconclusive' && gate.reason ? ` · inconclusive: ${gate.reason}` : '';
  return `${mark} ${gate.metric} ${value} ${gateThresholdText(gate)}${lkg}${why}`;
}

/** At most this many gate rows: the log keeps the rest of the screen. */
const GATE_ROWS = 4;

/** The lines above a revision's steps: what it is, why it failed, its gates, its monitor checks. */
export function operationHeaderLines(revision: RevisionView): { text: string; color?: string }[] {
  const what = revision.kind === 'deploy' ? `deploy ${revision.releaseId}` : `${revision.kind} → #${revision.rollbackTo} (${revision.releaseId})`;
  const lines: { text: string; color?: string }[] = [{ text: `${what} ${revision.commit.slice(0, 8)} · by ${revision.by}` }];
  if (revision.message) lines.push({ text: `— ${revision.message}`, ...(revision.status === 'failed' ? { color: 'red' } : {}) });
  const gates = [...revision.gates].sort((a, b) => (a.verdict === b.verdict ? 0 : a.verdict !== 'pass' ? -1 : 1));
  for (const gate of gates.slice(0, GATE_ROWS)) lines.push({ text: gateLine(gate), color: gate.verdict === 'pass' ? 'green' : gate.verdict === 'fail' ? 'red' : 'yellow' });
  if (gates.length > GATE_ROWS) lines.push({ text: `… ${gates.length - GATE_ROWS} more gates (axum history ENV --json)` });
  if (revision.checks.total > 0) lines.push({ text: `monitor: ${revision.checks.total} checks, ${revision.checks.failed} failed (the newest are below)` });
  return lines;
}

/** A revision's header, as rendered rows (the run view counts them to keep the frame below the terminal's height). */
export function OperationHeader({ lines }: { lines: { text: string; color?: string }[] }) {
  return (
    <>
      {lines.map((line, i) => (
        <Text key={i} color={line.color} wrap="truncate-end">
          {line.text}
        </Text>
      ))}
    </>
  );
}
