// A revision's operations from the command line: `axum logs ENV#N`, and how gates and a run's deploy read.
import { gateThresholdText, metricNumberText, noStepText, type GateVerdict, type RevisionView, type RunView } from '@axum/protocol';
import type { DaemonConnection } from '../client/daemon-connection.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { stderrLine, type GlobalOptions, type Output } from './output.js';
import { call, linePrinter, withDaemon } from './runs.js';
import { knownEnvironment } from './environment-names.js';
import { revisionAddress } from '../state/selectors.js';

export { revisionAddress };

const number = (n: number) => metricNumberText(n);

/**
 * One gate as a person reads it: `accuracy 0.035 ✗ >= 0.85 (LKG 0.91)`, `accuracy 0.91 ✓ >= 0.91 (lkg 0.92 - 0.01)`,
 * `train_accuracy 0.95 (from the build) ✓ >= 0.9`. The verdict comes right after the value and the
 * LKG's value last: a column cut at 80 columns keeps whether the gate passed.
 */
export function gateText(gate: GateVerdict): string {
  const value = gate.value === null ? 'missing' : `${number(gate.value)}${gate.from === 'build' ? ' (from the build)' : ''}`;
  const relative = /\blkg\b/.test(gate.expression);
  const lkg = gate.lkgValue === null || relative ? '' : ` (LKG ${number(gate.lkgValue)})`;
  const mark = gate.verdict === 'pass' ? '✓' : gate.verdict === 'fail' ? '✗' : '?';
  const why = gate.verdict === 'inconclusive' && gate.reason ? `: inconclusive, ${gate.reason}` : '';
  return `${gate.metric} ${value} ${mark} ${gateThresholdText(gate)}${lkg}${why}`;
}

/** The compact gates column of `axum history`: the failed gates (else the first), `+N` for the rest; the metrics when nothing is gated. */
export function gatesCell(revision: RevisionView): string {
  if (revision.gates.length > 0) {
    const failed = revision.gates.filter((g) => g.verdict !== 'pass');
    const shown = failed.length > 0 ? failed : revision.gates.slice(0, 1);
    const more = revision.gates.length - shown.length;
    return `${shown.map(gateText).join(', ')}${more > 0 ? ` +${more}` : ''}`;
  }
  const metrics = Object.entries(revision.metrics);
  return metrics.length > 0 ? metrics.map(([name, value]) => `${name} ${number(value)}`).join(', ') : '—';
}

/** A run's deploy in one cell: `staging#3 failed`, `production awaiting-approval`, or `—`. */
export function deployCell(run: RunView): string {
  if (!run.deploy) return '—';
  return `${run.deploy.env}${run.deploy.revision !== null ? `#${run.deploy.revision}` : ''} ${run.deploy.outcome}`;
}

/** Outcomes `run --wait` counts as success (ARCHITECTURE.md, glossary): live, or stopped on purpose (approval, pin, a pause a person answers). */
export const DEPLOY_OK = new Set(['live', 'awaiting-approval', 'held-by-pin', 'held-by-pause']);

/** The revision `ENV#N` names, or a CLI error that says what exists. */
async function fetchRevision(connection: DaemonConnection, env: string, number: number): Promise<RevisionView> {
  knownEnvironment(connection, env);
  const revisions = await call(connection, 'history.get', { env });
  const revision = revisions.find((r) => r.revision === number);
  if (!revision) throw new CliError(`no revision ${env}#${number} (${env} has ${revisions.length ? `#1–#${revisions[0]!.revision}` : 'no revisions yet'})`, EXIT.failed);
  return revision;
}

/** What `axum logs ENV#N` says when the steps it shows printed nothing: how each ended, the gates, the message. */
export function silentStepsLine(name: string, revision: RevisionView, shown: readonly string[]): string {
  const steps = revision.steps.filter((s) => shown.includes(s.name)).map((s) => `${s.name} ${s.status}${s.exitCode !== null ? ` (exit ${s.exitCode})` : ''}`);
  const gates = revision.gates.length > 0 ? `; gates: ${gatesCell(revision)}` : '';
  return `${name}: no step output (${steps.join(', ')})${gates}${revision.message ? `; ${revision.message}` : ''}`;
}

/**
 * What `axum logs ENV#N` says of steps a daemon restart cut short: the output above is what a step
 * printed until then, said only of steps that printed something; one that printed nothing, beside
 * others that did, is said so (when none printed, the silent steps' line says it already).
 */
export function interruptedLines(revision: RevisionView, shown: readonly string[], printedBy: ReadonlySet<string>): string[] {
  const interrupted = revision.steps.filter((s) => s.status === 'interrupted' && shown.includes(s.name)).map((s) => s.name);
  const printed = interrupted.filter((s) => printedBy.has(s));
  const silent = interrupted.filter((s) => !printedBy.has(s));
  const lines = printed.length > 0 ? [`${printed.join(', ')}: interrupted by a daemon restart (the output above is what it printed until then)`] : [];
  if (silent.length > 0 && printedBy.size > 0) lines.push(`${silent.join(', ')}: interrupted by a daemon restart before it printed anything`);
  return lines;
}

/** `axum logs ENV#N [--step NAME] [--follow]`: a revision's deploy hook, verify steps and monitor checks, as printed. */
export async function operationLogsCommand(address: string, options: GlobalOptions & { step?: string; follow?: boolean }, out: Output): Promise<ExitCode> {
  const at = revisionAddress(address);
  if (!at) throw new CliError(`${address} is not ENV#N`, EXIT.usage);
  const name = `${at.env}#${at.revision}`;
  return withDaemon(options, 'axum-logs', async (connection) => {
    let revision = await fetchRevision(connection, at.env, at.revision);
    const stepsOf = (r: RevisionView) => (options.step ? [options.step] : r.steps.map((s) => s.name));
    if (options.step && !revision.steps.some((s) => s.name === options.step)) {
      throw new CliError(noStepText(name, options.step, revision.steps.map((s) => s.name), 'none: it ran no deploy hook, verify step or monitor check'), EXIT.failed);
    }
    if (!options.json && revision.steps.length === 0) stderrLine(`${name} ran no deploy hook, verify step or monitor check: ${revision.message ?? revision.status}`);
    const printer = linePrinter(options.step ? null : 'prefix', options.json);
    if (!options.follow) {
      const printedBy = new Set<string>();
      for (const step of stepsOf(revision)) {
        let offset = 0;
        for (;;) {
          // A monitor keeps its newest checks only: one listed a moment ago may be gone by now.
          const rotated = (err: unknown) => !options.step && err instanceof CliError && err.message.includes(`has no step ${step}`) && revision.steps.some((s) => s.name === step && s.stage === 'monitor');
          const chunk = await call(connection, 'logs.read', { runId: name, step, offset }).catch((err: unknown) => {
            if (rotated(err)) return null;
            throw err;
          });
          if (chunk === null) break;
          printer.chunk(chunk);
          if (chunk.data.length > 0) printedBy.add(step);
          if (chunk.nextOffset === offset || chunk.complete) break;
          offset = chunk.nextOffset;
        }
        printer.end(step);
      }
      // Silent steps are not a dead end: what they came to (exits, gates, the revision's message) is said instead.
      if (!options.json && printedBy.size === 0 && revision.steps.length > 0) stderrLine(silentStepsLine(name, revision, stepsOf(revision)));
      if (!options.json) for (const line of interruptedLines(revision, stepsOf(revision), printedBy)) stderrLine(line);
      if (options.json) out.json({ revision: name, status: revision.status, steps: revision.steps, chunks: printer.chunks });
      return EXIT.ok;
    }
    // --follow: stream every step of the operation until it is over (steps are listed when it starts).
    const completed = new Set<string>();
    const followed = new Set<string>();
    for (;;) {
      await new Promise<void>((resolve, reject) => {
        const pending = stepsOf(revision).filter((s) => !completed.has(s));
        if (pending.length === 0) return resolve();
        const stop = connection.onMessage((message) => {
          if (message.type !== 'log.chunk' || message.runId !== name) return;
          printer.chunk(message);
          if (!message.complete) return;
          printer.end(message.step);
          completed.add(message.step);
          if (pending.every((s) => completed.has(s))) {
            stop();
            resolve();
          }
        });
        connection.onClose((reason) => reject(new CliError(`the daemon went away while following the logs: ${reason}`, EXIT.unreachable)));
        for (const step of pending) {
          if (followed.has(step)) continue;
          followed.add(step);
          connection.request('logs.follow', { runId: name, step, offset: 0 }).catch(reject);
        }
      });
      revision = await fetchRevision(connection, at.env, at.revision);
      const more = stepsOf(revision).some((s) => !completed.has(s));
      const running = revision.status === 'deploying' || revision.status === 'verifying';
      if (!more && !running) break;
      // Between two steps of a running operation: look again shortly (its next step may not have started).
      if (!more) await new Promise((resolve) => setTimeout(resolve, 500));
    }
    if (options.json) out.json({ revision: name, status: revision.status, steps: revision.steps, chunks: printer.chunks });
    // Followed to the end, it answers like `run --wait`: 1 when the operation failed.
    return revision.status === 'failed' ? EXIT.failed : EXIT.ok;
  });
}
