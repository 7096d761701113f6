import { parseListenAddress } from '@axum/protocol';
import { ensureDaemon, probeDaemon, processState, stopDaemon } from '../client/daemon-launcher.js';
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

/** `axum daemon stop`: returns once the process has exited; 0 also when none was running. */
export async function daemonStopCommand(options: GlobalOptions, out: Output): Promise<ExitCode> {
  const repoRoot = findRepositoryRoot(options.repo);
  const stopped = await stopDaemon(repoRoot);
  if (options.json) out.json({ stopped: stopped !== null, pid: stopped?.pid ?? null, forced: stopped?.forced ?? false });
  else if (stopped === null) out.lines(['daemon not running']);
  else out.lines([`daemon stopped (pid ${stopped.pid}${stopped.forced ? ', killed after ignoring SIGTERM for 10 s' : ''})`]);
  return EXIT.ok;
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
