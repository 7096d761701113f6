import { readFileSync } from 'node:fs';

/**
 * How a client finds its repository's daemon without importing daemon code: the daemon writes
 * `DaemonInfo` (state.ts) to `<repo>/.axum/daemon.json` once it listens, and its pid to the lock file.
 */
export const STATE_DIR = '.axum';
/** `DaemonInfo` as JSON; written atomically after the daemon listens, removed when it stops. */
export const DISCOVERY_FILE = 'daemon.json';
/** The single-instance lock: the daemon's pid, created with O_EXCL before it listens. */
export const PID_FILE = 'daemon.pid';
/** The daemon's stdout and stderr. */
export const LOG_FILE = 'daemon.log';
/** The pipeline file at the repository root. */
export const CONFIG_FILE = 'axum.yml';
/** Argument every daemon process carries, so a reused pid is not mistaken for a daemon. */
export const DAEMON_ARGV_MARKER = '--axum-daemon';
/**
 * Node flags the daemon is spawned with (before its script). `--expose-gc`: the daemon runs one
 * full collection when it goes idle, so an idle daemon holds ~60 MiB, not ~75 (BENCHMARKS.md,
 * idle memory; `adapters/v8-idle-trim.ts`).
 */
export const DAEMON_NODE_FLAGS: readonly string[] = ['--expose-gc'];

/**
 * True when a process with this pid exists and is not a zombie (EPERM: it exists but belongs to
 * someone else). A detached daemon that exited stays a zombie until its reaper gets to it, which
 * in some sandboxes takes seconds: for us it is gone.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    // /proc/PID/stat: "pid (comm) S ...": the state follows the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS), or it just went: liveness is all we can tell
  }
}

/**
 * Alive and, where /proc tells, started as an Axum daemon: after a kill -9 the dead daemon's pid
 * may belong to an unrelated process by now.
 */
export function isDaemonProcess(pid: number, readCmdline: (pid: number) => string | null = procCmdline): boolean {
  if (!isProcessAlive(pid)) return false;
  const cmdline = readCmdline(pid);
  return cmdline === null || cmdline.includes(DAEMON_ARGV_MARKER);
}

function procCmdline(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    // No /proc (macOS) or the process just exited: liveness is all we can tell.
    return null;
  }
}
