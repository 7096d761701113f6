import type { DaemonMessage, LogChunk, ParamsOf, RequestMethod, ResultOf, RunView } from '@axum/protocol';
import { logAddressHint } from './log-address.js';
import type { DaemonConnection, EarlyRequests } from '../client/daemon-connection.js';
import { attach } from '../client/daemon-launcher.js';
import { findRepositoryRoot, requireConfigFile } from '../client/repository.js';
import { failedStepText, runFailureLines } from './run-failure.js';
import { deployEndText } from './run-deploy-words.js';
import { awaitAutoRollback } from './auto-rollback-wait.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import { paramsProblemText } from './params-words.js';
import { forStream, stderrLine, type GlobalOptions, type Output } from './output.js';
import { commandBy as by } from '../user-name.js';
import { followOrder } from './follow-order.js';
import { checkedOutParam, resolveCommitOption, uncommittedNote } from './commit-revision.js';
import { DEPLOY_OK, deployCell, operationLogsCommand, revisionAddress } from './operations.js';
import { deployNotLive } from '../state/selectors.js';

const FINISHED = new Set(['succeeded', 'failed', 'cancelled', 'superseded', 'interrupted']);

/** Connects for one command and always disconnects; `early`: requests sent with the hello (daemon-connection.ts). */
export async function withDaemon<T>(options: GlobalOptions, name: string, use: (connection: DaemonConnection) => Promise<T>, early?: EarlyRequests): Promise<T> {
  const repoRoot = findRepositoryRoot(options.repo);
  requireConfigFile(repoRoot);
  const connection = await attach(repoRoot, name, { early });
  try {
    return await use(connection);
  } finally {
    connection.close();
  }
}

/**
 * Calls a method (its result checked against the method's schema by the connection); a typed daemon
 * error becomes a CLI error with the right exit code.
 */
export async function call<M extends RequestMethod>(connection: Pick<DaemonConnection, 'request'>, method: M, params?: ParamsOf<M>, timeoutMs?: number): Promise<ResultOf<M>> {
  try {
    return await connection.request(method, params, timeoutMs);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'not-found' || code === 'refused' || code === 'conflict') throw new CliError((err as Error).message, EXIT.failed);
    // Nothing to do it with in axum.yml (no backup target): the configuration's problem, as a usage error.
    if (code === 'not-configured') throw new CliError((err as Error).message, EXIT.usage);
    if (code === 'invalid-params') throw new CliError(paramsProblemText((err as Error).message), EXIT.usage);
    throw new CliError((err as Error).message, EXIT.unreachable);
  }
}

/**
 * An operation's answer (a deploy, a rollback, an approval: it may take minutes). Ctrl-C meanwhile
 * stops the waiting, not the operation, which the daemon was asked for and carries on: said, with
 * where to see how it ends (exit 130, as shells do), rather than a bare `^C` that reads as "nothing done".
 */
export async function awaitOperation<T>(asked: Promise<T>, what: string, see: string, json = false): Promise<T> {
  const onInterrupt = () => {
    const message = `stopped waiting; the ${what} was asked of the daemon and goes on there (see how it ends: ${see})`;
    // Under --json the answer is a JSON document still: the error one, with the exit code it ends with.
    if (json) process.stdout.write(`${JSON.stringify({ error: { message, exitCode: 130 } })}\n`);
    stderrLine(`axum: ${message}`);
    process.exit(130);
  };
  process.once('SIGINT', onInterrupt);
  try {
    return await asked;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}

export const duration = (ms: number | null) => (ms === null ? '' : ms < 1000 ? `${ms}ms` : ms < 60_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`);

/** Lines describing one run and its steps. */
export function runLines(run: RunView): string[] {
  const lines = [
    `${run.id}  ${run.status}${run.deploy ? `  deploy ${deployCell(run)}` : ''}  ${run.trigger}  ${run.branch}${run.env ? ` → ${run.env}` : ''}  ${run.commit.slice(0, 8)} ${run.subject}`,
  ];
  if (run.message) lines.push(`  ${run.message}`);
  for (const warning of run.warnings) lines.push(`  warning: ${warning}`);
  for (const step of run.steps) {
    lines.push(`  ${step.stage}/${step.name}  ${step.status}${step.exitCode !== null ? ` (exit ${step.exitCode})` : ''}${step.durationMs !== null ? `  ${duration(step.durationMs)}` : ''}${step.attempts > 1 ? `  attempts ${step.attempts}` : ''}`);
  }
  return lines;
}

/**
 * The run `axum run` was answered with, one of that commit already queued, running or built (build
 * once, promote): the watcher's (`git commit && axum run`) is said as the push's, so nobody looks
 * for a second run.
 */
export function alreadyText(run: RunView): string {
  const commit = run.commit.slice(0, 8);
  if (FINISHED.has(run.status)) return `${run.id} already built ${commit} on ${run.branch} (${run.status}${deployNotLive(run) ? `; deploy ${run.deploy!.env}${run.deploy!.revision !== null ? `#${run.deploy!.revision}` : ''} ${run.deploy!.outcome}` : ''})`;
  if (run.trigger === 'push') return `${run.id} for ${commit} already ${run.status === 'queued' ? 'queued' : 'started'} by the push`;
  return `${run.id} is already ${run.status} for ${commit}`;
}

/**
 * How to get a new run all the same, once the answer is a run that built the commit: on a branch
 * that feeds an environment the new run hands the same release on (nothing is trained again), so
 * `--rebuild` is named for a new build.
 */
export function builtAgainText(run: RunView): string {
  // Its release did not go live (failed, refused as bad, rolled back): a run that reuses it fares no better.
  if (deployNotLive(run)) return `axum run --rebuild builds it anew (axum run --again would hand the same release on)`;
  return `axum run --again runs it again${run.env ? ` (its release reused; axum run --rebuild builds it anew)` : ''}`;
}

/** `axum run [--branch B | --commit SHA] [--wait]`: queues a manual run; with --wait exits 0 only if it succeeded. */
export async function runCommand(options: GlobalOptions & { branch?: string; commit?: string; wait?: boolean; force?: boolean; again?: boolean; rebuild?: boolean }, out: Output): Promise<ExitCode> {
  return withDaemon(options, 'axum-run', async (connection) => {
    // A manual run is recorded as manual: `by` names who (the revision it deploys says so too).
    const params = { ...(options.branch ? { branch: options.branch } : checkedOutParam(options.repo)), ...(options.commit ? { commit: resolveCommitOption(options.repo, options.commit) } : {}), by: by('run'), force: options.force ?? false, again: options.again ?? false, rebuild: options.rebuild ?? false };
    let latest: RunView | null = null;
    const updates: RunView[] = [];
    // Listen before triggering, so no update of the new run can slip by.
    const stop = connection.onMessage((message: DaemonMessage) => {
      if (message.type === 'run.updated') updates.push(message.run);
    });
    const queued = await call(connection, 'run.trigger', params);
    latest = queued;
    // Said after the line that names the run, so the note reads as being about it.
    const uncommitted = options.json ? null : uncommittedNote(options.repo, queued.commit, queued.id);
    // A run of that commit already queued or running is the answer, not a second one (the daemon decides, for every client).
    const already = alreadyText(queued);
    if (!options.wait) {
      stop();
      if (options.json) out.json(queued);
      else if (queued.existing && FINISHED.has(queued.status)) out.lines([`${already}: nothing new queued; ${builtAgainText(queued)}`]);
      else if (queued.existing) out.lines([`${already}: nothing new queued (axum logs ${queued.id} -f follows it${queued.trigger === 'push' ? '; axum run --again queues another' : ''})`]);
      else out.lines([`${queued.id} queued: ${queued.branch} ${queued.commit.slice(0, 8)} ${queued.subject}`]);
      if (uncommitted) stderrLine(uncommitted);
      return EXIT.ok;
    }
    const joined = FINISHED.has(queued.status) ? builtAgainText(queued) : queued.trigger === 'push' ? 'waiting for it' : 'following it';
    if (!options.json) stderrLine(queued.existing ? `${already}; ${joined}` : `${queued.id} queued: ${queued.branch} ${queued.commit.slice(0, 8)} ${queued.subject}`);
    if (uncommitted) stderrLine(uncommitted);
    // Ctrl-C stops the waiting, not the run: say where it goes on (128 + SIGINT, as shells do).
    const onInterrupt = () => {
      stderrLine(`axum: stopped waiting; ${queued.id} goes on in the daemon (follow it: axum logs ${queued.id} -f; stop it: axum cancel ${queued.id})`);
      process.exit(130);
    };
    process.once('SIGINT', onInterrupt);
    const final = await new Promise<RunView>((resolve, reject) => {
      const check = () => {
        for (const run of updates.splice(0)) if (run.id === queued.id) latest = run;
        // Finished, and (on a branch that feeds an environment) its deploy past `pending` (ARCHITECTURE.md, glossary).
        if (latest && FINISHED.has(latest.status) && latest.deploy?.outcome !== 'pending') resolve(latest);
      };
      check();
      const unsubscribe = connection.onMessage(() => check());
      connection.onClose((reason) => {
        unsubscribe();
        reject(new CliError(`the daemon went away while waiting for the run: ${reason}`, EXIT.unreachable));
      });
    }).finally(() => process.off('SIGINT', onInterrupt));
    stop();
    // A failed deploy may start an automatic rollback: waited for too, so what follows reads where it ended.
    const rolledBack = final.deploy?.outcome === 'failed' && final.deploy.revision !== null ? await awaitAutoRollback(connection, final.deploy.env, final.deploy.revision, { ended: () => void (options.json || out.lines(runLines(final))) }) : null;
    if (options.json) out.json(final);
    else {
      out.lines(runLines(final));
      const [why, ...tail] = await runFailureLines(connection, final);
      if (why) stderrLine(`axum: ${why}`);
      for (const line of tail) stderrLine(line);
    }
    const ok = final.status === 'succeeded' && (final.deploy === null || DEPLOY_OK.has(final.deploy.outcome));
    const deployText = options.json ? null : deployEndText(final);
    if (deployText) stderrLine(`axum: ${deployText}`);
    if (rolledBack && !options.json) stderrLine(`axum: ${rolledBack}`);
    return ok ? EXIT.ok : EXIT.failed;
  });
}

/** `axum cancel RUN`: returns once the run's processes are gone. */
export async function cancelCommand(runId: string, options: GlobalOptions, out: Output): Promise<ExitCode> {
  const run = await withDaemon(options, 'axum-cancel', (c) => call(c, 'run.cancel', { runId }));
  if (options.json) out.json(run);
  else out.lines(runLines(run));
  return EXIT.ok;
}


/** `axum logs RUN [--step NAME] [--follow]`: the step's output as printed (masked), line by line; `ENV#N` is a revision's operations. */
export async function logsCommand(runId: string, options: GlobalOptions & { step?: string; follow?: boolean }, out: Output): Promise<ExitCode> {
  if (revisionAddress(runId)) return operationLogsCommand(runId, options, out);
  if (runId.includes('#')) throw new CliError(`${runId}: a revision is ENV#N, e.g. ${runId.split('#')[0] || 'staging'}#3 (a run is run-N)`, EXIT.usage);
  return withDaemon(options, 'axum-logs', async (connection) => {
    // An environment or a branch where a run was meant: name the address that works, not just "no run".
    const hint = /^(run-)?\d+$/.test(runId) ? null : logAddressHint(runId, connection.welcomeState);
    if (hint) throw new CliError(hint, EXIT.usage);
    const run = await call(connection, 'run.get', { runId });
    if (options.step && !run.steps.some((s) => s.name === options.step)) {
      throw new CliError(`${run.id} has no step ${options.step} (steps: ${run.steps.map((s) => s.name).join(', ') || 'none yet'})`, EXIT.failed);
    }
    const printer = linePrinter(options.step ? null : 'prefix', options.json);
    if (!options.follow) {
      let printed = 0;
      for (const step of options.step ? [options.step] : run.steps.map((s) => s.name)) {
        let offset = 0;
        for (;;) {
          const chunk = await call(connection, 'logs.read', { runId: run.id, step, offset });
          printed += chunk.data.length;
          printer.chunk(chunk);
          if (chunk.nextOffset === offset || chunk.complete) break;
          offset = chunk.nextOffset;
        }
        printer.end(step);
      }
      if (options.json) out.json({ run: run.id, chunks: printer.chunks });
      // No step wrote anything (all skipped: a reused or refused release; or none ran): say why, not nothing.
      else if (printed === 0 && run.message) stderrLine(`${run.id} ${run.status}, no step output: ${run.message}`);
      // The whole run asked for: a run can fail after every step passed (no artifact matched, the
      // release refused), so say why, and its warnings (one step asked for: only its bytes).
      else if (!options.step && run.status === 'failed') stderrLine(`${run.id} failed: ${run.message ?? failedStepText(run)}`);
      if (!options.json && !options.step) for (const warning of run.warnings ?? []) stderrLine(`${run.id} warning: ${warning}`);
      return EXIT.ok;
    }
    // --follow: the daemon streams each step's log (offset-addressed) until the step ends; put in
    // order here (follow-order.ts): step by step, each byte once, a hole read back by offset.
    const followed = new Set<string>();
    const reading = new Set<string>();
    let latest = run;
    await new Promise<void>((resolve, reject) => {
      const ordered = followOrder({
        print: (chunk) => printer.chunk(chunk),
        end: (step) => printer.end(step),
        gap: (step, offset) => {
          if (reading.has(step)) return;
          reading.add(step);
          call(connection, 'logs.read', { runId: run.id, step, offset })
            .then((chunk) => {
              reading.delete(step);
              ordered.add(chunk);
              settle();
            })
            .catch(reject);
        },
      });
      const stepsOf = (view: RunView) => (options.step ? view.steps.filter((s) => s.name === options.step) : view.steps);
      const settle = () => {
        if (FINISHED.has(latest.status) && ordered.allEnded(stepsOf(latest).map((s) => s.name))) resolve();
      };
      const followNew = (view: RunView) => {
        ordered.steps(stepsOf(view));
        for (const { name: step } of stepsOf(view)) {
          if (followed.has(step)) continue;
          followed.add(step);
          connection.request('logs.follow', { runId: view.id, step, offset: 0 }).catch(reject);
        }
      };
      connection.onMessage((message) => {
        if (message.type === 'log.chunk' && message.runId === run.id) ordered.add(message);
        else if (message.type === 'run.updated' && message.run.id === run.id) {
          latest = message.run;
          followNew(latest);
        }
        settle();
      });
      connection.onClose((reason) => reject(new CliError(`the daemon went away while following the logs: ${reason}`, EXIT.unreachable)));
      followNew(run);
      settle();
    });
    if (options.json) out.json({ run: run.id, chunks: printer.chunks });
    // Followed to the end, it answers like `run --wait`: 1 when the run did not succeed.
    if (latest.status === 'succeeded') return EXIT.ok;
    if (!options.json) stderrLine(`axum: ${latest.id} ${latest.status}${latest.message ? `: ${latest.message}` : ''}`);
    return EXIT.failed;
  });
}

/**
 * Prints chunks as whole lines (a partial line waits for its end), optionally prefixed by the step.
 * Whole lines are what make the terminal's cleaning sound: a sequence split across two chunks is
 * joined before it is looked at. A pipe or a file gets the bytes as printed.
 */
export function linePrinter(mode: 'prefix' | null, json: boolean | undefined) {
  const pending = new Map<string, string>();
  const chunks: LogChunk[] = [];
  const write = (step: string, lines: string[]) => {
    if (json || lines.length === 0) return;
    process.stdout.write(lines.map((l) => `${mode === 'prefix' ? `${step} | ` : ''}${forStream(process.stdout, l, true)}\n`).join(''));
  };
  return {
    chunks,
    chunk(chunk: LogChunk) {
      if (json && chunk.data.length > 0) chunks.push({ runId: chunk.runId, step: chunk.step, offset: chunk.offset, nextOffset: chunk.nextOffset, data: chunk.data, complete: chunk.complete });
      const lines = ((pending.get(chunk.step) ?? '') + chunk.data).split('\n');
      pending.set(chunk.step, lines.pop() ?? '');
      write(chunk.step, lines);
    },
    end(step: string) {
      const rest = pending.get(step) ?? '';
      pending.delete(step);
      if (rest.length > 0) write(step, [rest]);
    },
  };
}
