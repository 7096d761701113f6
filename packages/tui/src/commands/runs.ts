import { LogChunk, RunView, type DaemonMessage } from '@axum/protocol';
import { z } from 'zod';
import type { DaemonConnection } from '../client/daemon-connection.js';
import { attach } from '../client/daemon-launcher.js';
import { findRepositoryRoot, requireConfigFile } from '../client/repository.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import type { GlobalOptions, Output } from './output.js';
import { table } from './status.js';

const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'superseded', 'interrupted']);

/** Connects for one command and always disconnects. */
async function withDaemon<T>(options: GlobalOptions, name: string, use: (connection: DaemonConnection) => Promise<T>): Promise<T> {
  const repoRoot = findRepositoryRoot(options.repo);
  requireConfigFile(repoRoot);
  const connection = await attach(repoRoot, name);
  try {
    return await use(connection);
  } finally {
    connection.close();
  }
}

/** Calls a method and parses its result; a typed daemon error becomes a CLI error with the right exit code. */
async function call<T>(connection: DaemonConnection, schema: z.ZodType<T>, method: Parameters<DaemonConnection['request']>[0], params?: object): Promise<T> {
  try {
    return schema.parse(await connection.request(method, params as never));
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'not-found' || code === 'refused' || code === 'conflict') throw new CliError((err as Error).message, EXIT.failed);
    if (code === 'invalid-params') throw new CliError((err as Error).message, EXIT.usage);
    throw new CliError((err as Error).message, EXIT.unreachable);
  }
}

const duration = (ms: number | null) => (ms === null ? '' : ms < 1000 ? `${ms}ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`);
const runDuration = (run: RunView) => (run.startedAt && run.finishedAt ? duration(Date.parse(run.finishedAt) - Date.parse(run.startedAt)) : run.startedAt ? 'running' : '');

/** Lines describing one run and its steps. */
export function runLines(run: RunView): string[] {
  const lines = [
    `${run.id}  ${run.status}  ${run.trigger}  ${run.branch}${run.env ? ` → ${run.env}` : ''}  ${run.commit.slice(0, 8)} ${run.subject}`,
  ];
  if (run.message) lines.push(`  ${run.message}`);
  for (const step of run.steps) {
    lines.push(`  ${step.stage}/${step.name}  ${step.status}${step.exitCode !== null ? ` (exit ${step.exitCode})` : ''}${step.durationMs !== null ? `  ${duration(step.durationMs)}` : ''}${step.attempts > 1 ? `  attempts ${step.attempts}` : ''}`);
  }
  return lines;
}

/** `axum runs [--limit N]`: recent runs, newest first. */
export async function runsCommand(options: GlobalOptions & { limit?: string }, out: Output): Promise<ExitCode> {
  const limit = Number(options.limit ?? 20);
  if (!Number.isInteger(limit) || limit < 1) throw new CliError(`--limit ${options.limit}: expected a positive whole number`, EXIT.usage);
  const runs = await withDaemon(options, 'axum-runs', (c) => call(c, z.array(RunView), 'runs.list', { limit }));
  if (options.json) out.json(runs);
  else if (runs.length === 0) out.lines(['no runs yet: commit on a branch that feeds an environment, or run `axum run`']);
  else {
    out.lines(
      table(
        ['RUN', 'STATUS', 'TRIGGER', 'BRANCH', 'ENV', 'COMMIT', 'TIME', 'SUBJECT'],
        runs.map((r) => [r.id, r.status, r.trigger, r.branch, r.env ?? '—', r.commit.slice(0, 8), runDuration(r), r.subject.slice(0, 50)]),
      ),
    );
  }
  return EXIT.ok;
}

/** `axum run [--branch B | --commit SHA] [--wait]`: queues a manual run; with --wait exits 0 only if it succeeded. */
export async function runCommand(options: GlobalOptions & { branch?: string; commit?: string; wait?: boolean }, out: Output): Promise<ExitCode> {
  return withDaemon(options, 'axum-run', async (connection) => {
    const params = { ...(options.branch ? { branch: options.branch } : {}), ...(options.commit ? { commit: options.commit } : {}) };
    let latest: RunView | null = null;
    const updates: RunView[] = [];
    // Listen before triggering, so no update of the new run can slip by.
    const stop = connection.onMessage((message: DaemonMessage) => {
      if (message.type === 'run.updated') updates.push(message.run);
    });
    const queued = await call(connection, RunView, 'run.trigger', params);
    latest = queued;
    if (!options.wait) {
      stop();
      if (options.json) out.json(queued);
      else out.lines([`${queued.id} queued: ${queued.branch} ${queued.commit.slice(0, 8)} ${queued.subject}`]);
      return EXIT.ok;
    }
    if (!options.json) process.stderr.write(`${queued.id} queued: ${queued.branch} ${queued.commit.slice(0, 8)} ${queued.subject}\n`);
    const final = await new Promise<RunView>((resolve, reject) => {
      const check = () => {
        for (const run of updates.splice(0)) if (run.id === queued.id) latest = run;
        if (latest && FINISHED.has(latest.status)) resolve(latest);
      };
      check();
      const unsubscribe = connection.onMessage(() => check());
      connection.onClose(() => {
        unsubscribe();
        reject(new CliError('the daemon went away while waiting for the run', EXIT.unreachable));
      });
    });
    stop();
    if (options.json) out.json(final);
    else out.lines(runLines(final));
    return final.status === 'succeeded' ? EXIT.ok : EXIT.failed;
  });
}

/** `axum cancel RUN`: returns once the run's processes are gone. */
export async function cancelCommand(runId: string, options: GlobalOptions, out: Output): Promise<ExitCode> {
  const run = await withDaemon(options, 'axum-cancel', (c) => call(c, RunView, 'run.cancel', { runId }));
  if (options.json) out.json(run);
  else out.lines(runLines(run));
  return EXIT.ok;
}

/** `axum logs RUN [--step NAME] [--follow]`: the step's output as printed (masked). */
export async function logsCommand(runId: string, options: GlobalOptions & { step?: string; follow?: boolean }, out: Output): Promise<ExitCode> {
  return withDaemon(options, 'axum-logs', async (connection) => {
    let run = await call(connection, RunView, 'run.get', { runId });
    if (options.step && !run.steps.some((s) => s.name === options.step)) {
      throw new CliError(`${run.id} has no step ${options.step} (steps: ${run.steps.map((s) => s.name).join(', ') || 'none yet'})`, EXIT.failed);
    }
    const offsets = new Map<string, number>();
    const pending = new Map<string, string>();
    const jsonChunks: LogChunk[] = [];
    const prefix = (step: string) => (options.step ? '' : `${step} | `);
    const emit = (step: string, data: string, final: boolean) => {
      const text = (pending.get(step) ?? '') + data;
      const lines = text.split('\n');
      const rest = final ? '' : (lines.pop() ?? '');
      if (final && lines.at(-1) === '') lines.pop();
      pending.set(step, rest);
      if (lines.length > 0 && !options.json) process.stdout.write(lines.map((l) => `${prefix(step)}${l}\n`).join(''));
    };
    for (;;) {
      // A queued run has no steps yet: under --follow, steps appear as the run starts.
      const current = options.step ? [options.step] : run.steps.map((s) => s.name);
      let allComplete = FINISHED.has(run.status) || current.length > 0;
      for (const step of current) {
        for (;;) {
          const chunk = await call(connection, LogChunk, 'logs.read', { runId: run.id, step, offset: offsets.get(step) ?? 0 });
          offsets.set(step, chunk.nextOffset);
          if (options.json && chunk.data.length > 0) jsonChunks.push(chunk);
          emit(step, chunk.data, chunk.complete);
          if (!chunk.complete) allComplete = false;
          if (chunk.data.length === 0 || chunk.complete) break;
        }
      }
      if (!options.follow || allComplete) break;
      await new Promise((r) => setTimeout(r, 200));
      run = await call(connection, RunView, 'run.get', { runId: run.id });
    }
    const steps = options.step ? [options.step] : run.steps.map((s) => s.name);
    for (const step of steps) emit(step, '', true);
    if (options.json) out.json({ run: run.id, chunks: jsonChunks });
    return EXIT.ok;
  });
}
