import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DAEMON_ARGV_MARKER,
  DAEMON_NODE_FLAGS,
  DISCOVERY_FILE,
  DaemonInfo,
  LOG_FILE,
  PID_FILE,
  STATE_DIR,
  isDaemonProcess,
  isProcessAlive,
} from '@axum/protocol';
import { CliError, EXIT } from '../commands/exit-codes.js';
import { connectToDaemon, type DaemonConnection } from './daemon-connection.js';

/** How long `axum daemon start` waits for the daemon to listen (README.md, "Commands"). */
export const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
const POLL_MS = 50;

/** What `axum daemon status` reports. */
export type DaemonProbe = { running: true; info: DaemonInfo } | { running: false; pid: number | null };

/** Reads `.axum/daemon.json`; null when absent or unreadable (a daemon starting or stopped). */
export function readDiscovery(repoRoot: string): DaemonInfo | null {
  try {
    const parsed = DaemonInfo.safeParse(JSON.parse(readFileSync(join(repoRoot, STATE_DIR, DISCOVERY_FILE), 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The pid in the daemon's lock file, if that process is alive and is a daemon. */
export function lockedDaemonPid(repoRoot: string): number | null {
  let pid: number;
  try {
    pid = Number(readFileSync(join(repoRoot, STATE_DIR, PID_FILE), 'utf8').trim());
  } catch {
    return null;
  }
  return Number.isInteger(pid) && pid > 0 && isDaemonProcess(pid) ? pid : null;
}

/** Running means: the discovery file names a live daemon that completes the handshake. */
export async function probeDaemon(repoRoot: string): Promise<DaemonProbe> {
  const info = readDiscovery(repoRoot);
  if (info && isDaemonProcess(info.pid)) {
    try {
      const connection = await connectToDaemon(info, 'axum-probe', 3000);
      connection.close();
      return { running: true, info };
    } catch {
      // listed but not answering: report not running (with its pid, if it holds the lock)
    }
  }
  return { running: false, pid: lockedDaemonPid(repoRoot) };
}

/**
 * Returns a running daemon's info, starting one (detached, logging to `.axum/daemon.log`) if needed.
 * Safe to call from many processes at once: the daemon's own lock lets exactly one of them live.
 */
export async function ensureDaemon(repoRoot: string, options: { listen?: string } = {}): Promise<{ info: DaemonInfo; started: boolean }> {
  const probe = await probeDaemon(repoRoot);
  if (probe.running) return { info: probe.info, started: false };

  const stateDir = join(repoRoot, STATE_DIR);
  mkdirSync(stateDir, { recursive: true });
  const logFile = join(stateDir, LOG_FILE);
  const logFd = openSync(logFile, 'a', 0o600);
  const logStart = statSync(logFile).size;
  const daemonMain = fileURLToPath(import.meta.resolve('@axum/daemon/main'));
  const args = [...DAEMON_NODE_FLAGS, daemonMain, DAEMON_ARGV_MARKER, '--repo', repoRoot, ...(options.listen ? ['--listen', options.listen] : [])];
  const env = { ...process.env };
  delete env.GIT_DIR;
  delete env.GIT_WORK_TREE;
  delete env.GIT_INDEX_FILE;
  const child = spawn(process.execPath, args, { cwd: repoRoot, detached: true, stdio: ['ignore', logFd, logFd], env });
  closeSync(logFd);
  let exit: number | null = null;
  child.on('exit', (code) => (exit = code ?? 1));
  child.unref();

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    await sleep(POLL_MS);
    const info = readDiscovery(repoRoot);
    if (info && isDaemonProcess(info.pid)) {
      try {
        const connection = await connectToDaemon(info, 'axum-probe', 3000);
        connection.close();
        return { info, started: info.pid === child.pid };
      } catch {
        // listening soon; try again
      }
    }
    // Exit code 0 means another daemon won the lock: keep waiting for it. Anything else is a failure.
    if (exit !== null && exit !== 0) {
      throw new CliError(`the daemon failed to start (exit ${exit}):\n${logTail(logFile, logStart)}`, EXIT.unreachable);
    }
  }
  throw new CliError(`the daemon did not listen within ${START_TIMEOUT_MS / 1000} s; see ${logFile}:\n${logTail(logFile, logStart)}`, EXIT.unreachable);
}

/** Stops the daemon with SIGTERM and returns once its process has exited; null when none ran. */
export async function stopDaemon(repoRoot: string): Promise<{ pid: number; forced: boolean } | null> {
  const pid = lockedDaemonPid(repoRoot) ?? readDiscovery(repoRoot)?.pid ?? null;
  if (pid === null || !isDaemonProcess(pid)) return null;
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return { pid, forced: false };
    await sleep(POLL_MS);
  }
  // A daemon that ignores SIGTERM for 10 s is stuck: kill it; the next start takes over its lock.
  process.kill(pid, 'SIGKILL');
  while (isProcessAlive(pid)) await sleep(POLL_MS);
  return { pid, forced: true };
}

/** Connects as a named client, starting the daemon when needed; exit 3 when that fails. */
export async function attach(repoRoot: string, clientName: string): Promise<DaemonConnection> {
  const { info } = await ensureDaemon(repoRoot);
  try {
    return await connectToDaemon(info, clientName);
  } catch (err) {
    throw new CliError((err as Error).message, EXIT.unreachable);
  }
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
