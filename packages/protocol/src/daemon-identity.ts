import { readFileSync } from 'node:fs';
import { DAEMON_ARGV_MARKER, isProcessAlive } from './discovery.js';

/**
 * Who holds a repository's lock: a pid alone is not an identity (after a kill -9 the pid may be
 * reused, even by another repository's daemon), so the lock also records the process's start time.
 */
export interface LockOwner {
  pid: number;
  /** `/proc/PID/stat` field 22 (clock ticks after boot); null where there is no /proc, or in a lock an older Axum wrote. */
  startTime: string | null;
}

/** What the identity checks read about a live process; `null` where the platform cannot tell (no /proc). */
export interface ProcessProbe {
  alive(pid: number): boolean;
  startTime(pid: number): string | null;
  /** The argument vector, or null when unknown. */
  argv(pid: number): string[] | null;
}

/** The lock file's text: `PID START_TIME`, one line. */
export function formatLockOwner(owner: LockOwner): string {
  return `${owner.pid} ${owner.startTime ?? '-'}\n`;
}

/** Reads a lock file's text (also the pid-only format of older versions); null when it names no pid (half-written). */
export function parseLockOwner(text: string): LockOwner | null {
  const [pidText, startText] = text.trim().split(/\s+/);
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  return { pid, startTime: startText && /^\d+$/.test(startText) ? startText : null };
}

/** This process as a lock owner. */
export function selfAsOwner(probe: ProcessProbe = procProbe): LockOwner {
  return { pid: process.pid, startTime: probe.startTime(process.pid) };
}

/** True when the process with the owner's pid is alive and is the same process (its start time matches). */
export function isSameProcess(owner: LockOwner, probe: ProcessProbe = procProbe): boolean {
  if (!probe.alive(owner.pid)) return false;
  if (owner.startTime === null) return true;
  const now = probe.startTime(owner.pid);
  return now === null || now === owner.startTime;
}

/**
 * True when the owner is this repository's daemon: the same process that took the lock (pid and
 * start time), started with the daemon's marker and `--repo ROOT` for exactly this root. Where the
 * platform cannot tell (no /proc: macOS), liveness is all we can check.
 */
export function isDaemonFor(owner: LockOwner, repoRoot: string, probe: ProcessProbe = procProbe): boolean {
  if (!isSameProcess(owner, probe)) return false;
  const argv = probe.argv(owner.pid);
  if (argv === null) return true;
  if (!argv.includes(DAEMON_ARGV_MARKER)) return false;
  const repoAt = argv.lastIndexOf('--repo');
  return repoAt >= 0 && argv[repoAt + 1] === repoRoot;
}

/** The /proc reader used outside tests. */
export const procProbe: ProcessProbe = {
  alive: isProcessAlive,
  startTime(pid) {
    try {
      // "pid (comm) S ppid …": comm may hold spaces and ')', so count fields after the last ')'.
      // Field 3 (the state) is the first after it, so field 22 is the 20th.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
    } catch {
      return null;
    }
  },
  argv(pid) {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg.length > 0);
    } catch {
      return null;
    }
  },
};
