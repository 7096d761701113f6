import { closeSync, fstatSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DAEMON_ARGV_MARKER,
  DAEMON_NODE_FLAGS,
  LOG_FILE,
  PID_FILE,
  STATE_DIR,
  isDaemonFor,
  isSameProcess,
  openNoFollow,
  parseLockOwner,
  privateDirProblem,
  runtimePathsFor,
  stateDirLinkProblem,
  type DaemonInfo,
  type LockOwner,
  type RuntimePaths,
} from '@axum/protocol';
import { CliError, EXIT } from '../commands/exit-codes.js';
import { connectToDaemon, type DaemonConnection, type EarlyRequests } from './daemon-connection.js';

/** How long `axum daemon start` waits for the daemon to listen (docs/commands.md). */
export const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
const POLL_MS = 50;

/** What `axum daemon status` reports. */
export type DaemonProbe = { running: true; info: DaemonInfo } | { running: false; pid: number | null };

/**
 * Where the repository's daemon listens: computed from the repository path, as the daemon computes
 * it, never read from `.axum/` (a cloned repository may carry a `daemon.json` naming any socket and
 * token file). A runtime folder (or its per-user base in /tmp) that exists but is not ours, 0700
 * and a real folder is refused.
 */
export function daemonEndpoint(repoRoot: string): RuntimePaths {
  const paths = runtimePathsFor(repoRoot);
  for (const dir of [paths.base, paths.dir]) {
    const problem = dir === null ? null : privateDirProblem(dir, { label: 'socket folder' });
    if (problem !== null && problem !== 'missing') throw new CliError(problem, EXIT.unreachable);
  }
  return paths;
}

/** The lock's owner, if it is this repository's daemon (same pid and start time, marker, `--repo`). */
export function lockedDaemon(repoRoot: string): LockOwner | null {
  let owner: LockOwner | null;
  try {
    owner = parseLockOwner(readFileSync(join(repoRoot, STATE_DIR, PID_FILE), 'utf8'));
  } catch {
    return null;
  }
  return owner !== null && isDaemonFor(owner, repoRoot) ? owner : null;
}

/** A connection as `clientName`, or null when nothing answers (yet). */
async function tryConnect(repoRoot: string, clientName: string, early?: EarlyRequests): Promise<DaemonConnection | null> {
  // A runtime folder that is not ours is said as it is, never taken for "not running".
  const endpoint = daemonEndpoint(repoRoot);
  let sent = false;
  try {
    return await connectToDaemon(endpoint, clientName, 3000, early && ((request) => ((sent = true), early(request))));
  } catch (err) {
    // Requests already on the wire may have been carried out: never sent again by a retry.
    if (sent) throw new CliError(`${(err as Error).message}: what was asked may or may not have happened; \`axum status\` and \`axum history ENV\` say what did`, EXIT.unreachable);
    return null;
  }
}

/** A connection to a daemon already running, or null: never starts one (`axum daemon stop` asks what it would interrupt). */
export const connectIfRunning = (repoRoot: string, clientName: string): Promise<DaemonConnection | null> => tryConnect(repoRoot, clientName);

/** Connects once and hangs up: the daemon's own account of itself, or null when nothing answers. */
async function handshake(repoRoot: string): Promise<DaemonInfo | null> {
  const connection = await tryConnect(repoRoot, 'axum-probe');
  connection?.close();
  return connection?.welcomeState.daemon ?? null;
}

/** Running means: a daemon answers the handshake on our runtime folder's socket. */
export async function probeDaemon(repoRoot: string): Promise<DaemonProbe> {
  const info = await handshake(repoRoot);
  if (info) return { running: true, info };
  // Not answering: report not running, with its pid if our daemon holds the lock.
  return { running: false, pid: lockedDaemon(repoRoot)?.pid ?? null };
}

/**
 * Returns a running daemon's info, starting one (detached, logging to `.axum/daemon.log`) if needed.
 * Safe to call from many processes at once: the daemon's own lock lets exactly one of them live.
 */
export async function ensureDaemon(repoRoot: string, options: { listen?: string } = {}): Promise<{ info: DaemonInfo; started: boolean }> {
  const { connection, started } = await connectStarting(repoRoot, 'axum-probe', options);
  connection.close();
  return { info: connection.welcomeState.daemon, started };
}

/**
 * Connects as `clientName`, starting the daemon when nothing answers. The connection that finds the
 * daemon up is the one returned: a probe closed and a second connection opened would still be
 * closing as the second attaches, and the daemon would count both.
 */
async function connectStarting(repoRoot: string, clientName: string, options: { listen?: string; early?: EarlyRequests; env?: NodeJS.ProcessEnv; starting?: () => void }): Promise<{ connection: DaemonConnection; started: boolean }> {
  const running = await tryConnect(repoRoot, clientName, options.early);
  if (running) return { connection: running, started: false };
  // A live daemon of this repository holds the lock and did not answer: a second one would only
  // lose the lock to it. Wait for it (it may be starting), or say that it does not answer.
  const owner = lockedDaemon(repoRoot);
  if (owner) return { connection: await awaitLockedDaemon(repoRoot, clientName, owner), started: false };

  const stateDir = join(repoRoot, STATE_DIR);
  let logFd: number;
  const logFile = join(stateDir, LOG_FILE);
  // A cloned repository may commit `.axum` or `.axum/daemon.log` as a link: never written through.
  const linked = stateDirLinkProblem(stateDir);
  if (linked !== null) throw new CliError(`cannot start the daemon: ${linked}`, EXIT.unreachable);
  try {
    mkdirSync(stateDir, { recursive: true });
    logFd = openNoFollow(logFile, 'a');
  } catch (err) {
    // Said in one line with what to do (a file named .axum in the way, a read-only checkout), never a stack.
    throw new CliError(`cannot start the daemon: ${stateDirProblem(err as NodeJS.ErrnoException)}`, EXIT.unreachable);
  }
  const logStart = fstatSync(logFd).size;
  const daemonMain = fileURLToPath(import.meta.resolve('@axum/daemon/main'));
  const args = [...DAEMON_NODE_FLAGS, daemonMain, DAEMON_ARGV_MARKER, '--repo', repoRoot, ...(options.listen ? ['--listen', options.listen] : [])];
  const env = { ...(options.env ?? process.env) };
  delete env.GIT_DIR;
  delete env.GIT_WORK_TREE;
  delete env.GIT_INDEX_FILE;
  // Loaded here, not at the top: a command that finds its daemon running spawns nothing (node's
  // child_process brings net's and dgram's modules with it, a few ms of every command's start).
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, args, { cwd: repoRoot, detached: true, stdio: ['ignore', logFd, logFd], env });
  closeSync(logFd);
  options.starting?.();
  let exit: number | null = null;
  child.on('exit', (code) => (exit = code ?? 1));
  child.unref();

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    // Nothing answers until the daemon listens: keep polling.
    const connection = await tryConnect(repoRoot, clientName, options.early);
    if (connection) return { connection, started: connection.welcomeState.daemon.pid === child.pid };
    // Exit code 0 means another daemon won the lock: keep waiting for it. Anything else is a failure.
    if (exit !== null && exit !== 0) {
      throw new CliError(`the daemon failed to start (exit ${exit}):\n${logTail(logFile, logStart)}`, EXIT.unreachable);
    }
  }
  throw new CliError(`the daemon did not listen within ${START_TIMEOUT_MS / 1000} s; see ${logFile}:\n${logTail(logFile, logStart)}`, EXIT.unreachable);
}

/**
 * Why the daemon's folder cannot be written, with what to do. A read-only `.axum` is said as such:
 * the daemon takes its lock, writes its log and saves every record there, so it cannot run, and
 * status, history and runs are its answers (the CLI reads none of the records itself).
 */
function stateDirProblem(e: NodeJS.ErrnoException): string {
  if (e.code === 'ELOOP') return e.message; // a link planted since the check: named, with what to do
  if (e.code === 'EEXIST' || e.code === 'ENOTDIR') return `${STATE_DIR} is a file, not a folder: move it away and the daemon makes its folder`;
  if (e.code === 'EROFS') {
    return `${STATE_DIR} is on a read-only filesystem (EROFS): the daemon keeps its lock, log and records there, so it cannot run, and without it no command can read status, history or runs; remount it read-write (or work in a writable clone) and run the command again`;
  }
  return e.message.startsWith(`${e.code}:`) ? e.message : `${e.code ?? 'error'}: ${e.message}`;
}

/** The connection once the lock's owner answers; exit 3 when it is stopped (SIGSTOP, Ctrl-Z) or does not answer in time. */
async function awaitLockedDaemon(repoRoot: string, clientName: string, owner: LockOwner): Promise<DaemonConnection> {
  const notAnswering = (how: string) => new CliError(`the daemon (pid ${owner.pid}) ${how}; no second daemon was started (axum daemon stop ends it; its log: ${join(repoRoot, STATE_DIR, LOG_FILE)})`, EXIT.unreachable);
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (processState(owner.pid) === 'T') throw notAnswering(`is stopped and does not answer (resume it with kill -CONT ${owner.pid})`);
    const connection = await tryConnect(repoRoot, clientName);
    if (connection) return connection;
    if (!isSameProcess(owner)) throw new CliError(`the daemon (pid ${owner.pid}) exited before it answered; see ${join(repoRoot, STATE_DIR, LOG_FILE)}`, EXIT.unreachable);
    if (Date.now() >= deadline) throw notAnswering(`is running but has not answered for ${START_TIMEOUT_MS / 1000} s`);
    await sleep(POLL_MS);
  }
}

/** A process's state letter from /proc (`T`: stopped), or null where it cannot be read. */
export function processState(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) || null;
  } catch {
    return null;
  }
}

/**
 * Stops the daemon with SIGTERM and returns once its process has exited; null when none ran.
 * Only the lock's owner is signalled, and only while it is still this repository's daemon: a pid
 * alone may have been reused, even by another repository's daemon.
 */
export async function stopDaemon(repoRoot: string): Promise<{ pid: number; forced: boolean } | null> {
  const owner = lockedDaemon(repoRoot);
  if (owner === null) return null;
  process.kill(owner.pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!isSameProcess(owner)) return { pid: owner.pid, forced: false };
    await sleep(POLL_MS);
  }
  // A daemon that ignores SIGTERM for 10 s is stuck: kill it; the next start takes over its lock.
  if (isDaemonFor(owner, repoRoot)) process.kill(owner.pid, 'SIGKILL');
  while (isSameProcess(owner)) await sleep(POLL_MS);
  return { pid: owner.pid, forced: true };
}

/**
 * Connects as a named client, starting the daemon when needed; exit 3 when that fails. A command
 * that started the daemon says so on stderr (a read-only `axum runs` must not start one silently).
 */
export async function attach(
  repoRoot: string,
  clientName: string,
  options: {
    announce?: boolean | ((text: string) => void);
    early?: EarlyRequests;
    /** The environment a daemon started here gets (the caller's own, unless it changed it for itself). */
    env?: NodeJS.ProcessEnv;
    /** Called once a daemon is being started (its start takes seconds): the caller may say so. */
    starting?: () => void;
  } = {},
): Promise<DaemonConnection> {
  // A running daemon is the common case: connect as the client at once. Probing first and then
  // connecting again cost every command a second handshake and snapshot (BENCHMARKS.md, CLI start).
  const { connection, started } = await connectStarting(repoRoot, clientName, { early: options.early, ...(options.env ? { env: options.env } : {}), ...(options.starting ? { starting: options.starting } : {}) });
  // The TUI says it in its footer and event log instead (a line above Ink's frame would not stay on screen).
  const text = `started the daemon for ${repoRoot} (pid ${connection.welcomeState.daemon.pid})`;
  if (started && typeof options.announce === 'function') options.announce(text);
  else if (started && options.announce !== false) process.stderr.write(`${text}\n`);
  return connection;
}

function logTail(file: string, from: number): string {
  try {
    const text = readFileSync(file, 'utf8').slice(from).trim();
    return text.split('\n').slice(-8).map((line) => `  ${line}`).join('\n') || '  (the log is empty)';
  } catch {
    return '  (no log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `axum restore` in the daemon's program (it rebuilds the release store; this package never
 * imports daemon code), as a process that takes the daemon's lock: refused while a daemon serves
 * the repository. Its answer is one JSON line on stdout.
 */
export async function runRestore(repoRoot: string, from: string, extra: string[] = []): Promise<{ ok: boolean; problem?: string } & Record<string, unknown>> {
  const daemonMain = fileURLToPath(import.meta.resolve('@axum/daemon/main'));
  const args = [...DAEMON_NODE_FLAGS, daemonMain, DAEMON_ARGV_MARKER, '--axum-restore', '--repo', repoRoot, '--from', from, ...extra];
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  await new Promise<void>((resolve) => child.on('close', () => resolve()));
  const line = stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(line) as { ok: boolean; problem?: string };
  } catch {
    return { ok: false, problem: `the restore did not answer: ${stderr.trim() || stdout.trim() || 'no output'}` };
  }
}
