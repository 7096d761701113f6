import { parseListenAddress } from '@axum/protocol';
import { connectIfRunning, ensureDaemon, probeDaemon, processState, stopDaemon } from '../client/daemon-launcher.js';
import { askYes } from './confirm-prompt.js';
import { findRepository, findRepositoryRoot, requireConfigFile } from '../client/repository.js';
import { CliError, EXIT, type ExitCode } from './exit-codes.js';
import type { GlobalOptions, Output } from './output.js';

/**
 * `axum daemon start [--listen 127.0.0.1:PORT]`: 0 once it listens (also when it already ran), 3 if not up in 10 s.
 * From a linked worktree it starts (or finds) the main worktree's daemon, which serves both, and says so.
 */
export async function daemonStartCommand(options: GlobalOptions & { listen?: string }, out: Output): Promise<ExitCode> {
  const repository = findRepository(options.repo);
  const repoRoot = repository.root;
  if (repository.linked) process.stderr.write(`note: ${repository.workTree} is a linked worktree of ${repoRoot}; one daemon serves both: ${repoRoot}'s\n`);
  requireConfigFile(repoRoot);
  if (options.listen !== undefined) validateListen(options.listen);
  const { info, started } = await ensureDaemon(repoRoot, options.listen !== undefined ? { listen: options.listen } : {});
  if (options.listen !== undefined && !started && info.listen === null) {
    process.stderr.write(`note: the daemon was already running without --listen; stop it first to add a TCP listener\n`);
  }
  if (options.json) out.json({ running: true, started, ...daemonFields(info) });
  else out.lines([`daemon ${started ? 'started' : 'already running'}: pid ${info.pid}, socket ${info.socket}${info.listen ? `, tcp ${info.listen}` : ''}`]);
  return EXIT.ok;
}

/**
 * `axum daemon stop [--yes]`: returns once the process has exited; 0 also when none was running.
 * Stopping interrupts what runs (runs, deploys and rollbacks): that is asked on a terminal (--yes
 * does not ask) and said in the answer. Off a terminal it stops, as a script asks: saying what it
 * interrupted is the answer.
 */
export async function daemonStopCommand(options: GlobalOptions & { yes?: boolean }, out: Output): Promise<ExitCode> {
  const repoRoot = findRepositoryRoot(options.repo);
  const busy = await workInProgress(repoRoot);
  const terminal = process.stdin.isTTY === true && process.stderr.isTTY === true;
  if (busy.length > 0 && !options.yes && terminal) await askYes(`the daemon is running ${busy.map((w) => w.text).join('; ')}: stop it and interrupt ${busy.length === 1 ? 'it' : 'them'}?`, `stopping the daemon interrupts ${busy.map((w) => w.id).join(', ')}`);
  const stopped = await stopDaemon(repoRoot);
  const interrupted = stopped === null ? [] : busy;
  if (options.json) out.json({ stopped: stopped !== null, pid: stopped?.pid ?? null, forced: stopped?.forced ?? false, interrupted: interrupted.map((w) => w.id) });
  else if (stopped === null) out.lines(['daemon not running']);
  else {
    const cut = interrupted.length > 0 ? `; interrupted: ${interrupted.map((w) => w.text).join('; ')}` : '';
    out.lines([`daemon stopped (pid ${stopped.pid}${stopped.forced ? ', killed after ignoring SIGTERM for 10 s' : ''})${cut}`]);
  }
  return EXIT.ok;
}

/**
 * `axum daemon restart [--yes]`: a stop as `daemon stop` makes it (asked first on a terminal when it
 * interrupts something), then a start, with the TCP listener the stopped daemon had: after an
 * upgrade of Axum, or to have a daemon read what it reads only at its start. None running: it starts one.
 */
export async function daemonRestartCommand(options: GlobalOptions & { yes?: boolean }, out: Output): Promise<ExitCode> {
  const repository = findRepository(options.repo);
  const repoRoot = repository.root;
  requireConfigFile(repoRoot);
  const before = await probeDaemon(repoRoot);
  const listen = before.running ? before.info.listen : null;
  const busy = await workInProgress(repoRoot);
  const terminal = process.stdin.isTTY === true && process.stderr.isTTY === true;
  if (busy.length > 0 && !options.yes && terminal) await askYes(`the daemon is running ${busy.map((w) => w.text).join('; ')}: restart it and interrupt ${busy.length === 1 ? 'it' : 'them'}?`, `restarting the daemon interrupts ${busy.map((w) => w.id).join(', ')}`);
  const stopped = await stopDaemon(repoRoot);
  const interrupted = stopped === null ? [] : busy;
  const { info } = await ensureDaemon(repoRoot, listen !== null ? { listen } : {});
  if (options.json) out.json({ restarted: stopped !== null, previousPid: stopped?.pid ?? null, interrupted: interrupted.map((w) => w.id), ...daemonFields(info) });
  else {
    const cut = interrupted.length > 0 ? `; interrupted: ${interrupted.map((w) => w.text).join('; ')}` : '';
    const how = stopped === null ? 'was not running; started' : `restarted (pid ${stopped.pid} → ${info.pid}${stopped.forced ? `; ${stopped.pid} killed after ignoring SIGTERM for 10 s` : ''})`;
    out.lines([`daemon ${how}: pid ${info.pid}, socket ${info.socket}${info.listen ? `, tcp ${info.listen}` : ''}${cut}`]);
  }
  return EXIT.ok;
}

/** What a stop would interrupt: running runs (with their running step) and operations on environments; none when no daemon answers. */
async function workInProgress(repoRoot: string): Promise<{ id: string; text: string }[]> {
  const connection = await connectIfRunning(repoRoot, 'axum-daemon-stop');
  if (connection === null) return [];
  connection.close();
  const { runs, environments } = connection.welcomeState;
  return [
    ...runs.filter((r) => r.status === 'running').map((r) => {
      const step = r.steps.find((s) => s.status === 'running');
      return { id: r.id, text: `${r.id} (${r.branch} ${r.commit.slice(0, 8)}${step ? `, step ${step.name}` : ''})` };
    }),
    ...environments.flatMap((e) => (e.operation ? [{ id: `${e.name}#${e.operation.revision}`, text: `the ${e.operation.kind} ${e.name}#${e.operation.revision}` }] : [])),
  ];
}

/** A daemon that holds the lock and does not answer: stopped (Ctrl-Z, SIGSTOP) says how to resume it. */
export function notAnsweringLine(pid: number, state: string | null): string {
  return state === 'T' ? `daemon not answering: pid ${pid} holds the lock and is stopped (Ctrl-Z or SIGSTOP); resume it with kill -CONT ${pid}` : `daemon not answering (pid ${pid} holds the lock)`;
}

/** `axum daemon status`: 0 when it runs, 3 when it does not. */
export async function daemonStatusCommand(options: GlobalOptions, out: Output): Promise<ExitCode> {
  const repoRoot = findRepositoryRoot(options.repo);
  const probe = await probeDaemon(repoRoot);
  if (probe.running) {
    if (options.json) out.json({ running: true, ...daemonFields(probe.info) });
    else out.lines([`daemon running: pid ${probe.info.pid}, v${probe.info.version}, socket ${probe.info.socket}${probe.info.listen ? `, tcp ${probe.info.listen}` : ''}`]);
    return EXIT.ok;
  }
  if (options.json) out.json({ running: false, pid: probe.pid, version: null, socket: null, tokenFile: null, listen: null });
  else out.lines([probe.pid === null ? 'daemon not running' : notAnsweringLine(probe.pid, processState(probe.pid))]);
  return EXIT.unreachable;
}

function daemonFields(info: { pid: number; version: string; socket: string; tokenFile: string; listen: string | null }) {
  return { pid: info.pid, version: info.version, socket: info.socket, tokenFile: info.tokenFile, listen: info.listen };
}

/** The same rule the daemon applies, checked here so a typo is exit 2 instead of a failed start. */
function validateListen(listen: string): void {
  const parsed = parseListenAddress(listen);
  if (!parsed.ok) throw new CliError(parsed.error, EXIT.usage);
}
