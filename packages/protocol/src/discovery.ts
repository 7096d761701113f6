import { readFileSync } from 'node:fs';

/**
 * The files of `<repo>/.axum/` a daemon and its clients share. A client finds the socket and token
 * only under the per-user runtime folder (runtime-paths.ts), never through these files: a cloned
 * repository may carry any `.axum/` its author committed.
 */
export const STATE_DIR = '.axum';
/** `DaemonInfo` as JSON, for people and scripts to read; no client trusts its paths. */
export const DISCOVERY_FILE = 'daemon.json';
/** The single-instance lock: the daemon's pid and start time (daemon-identity.ts), created with O_EXCL before it listens. */
export const PID_FILE = 'daemon.pid';
/** The daemon's stdout and stderr. */
export const LOG_FILE = 'daemon.log';
/** The pipeline file at the repository root. */
export const CONFIG_FILE = 'axum.yml';
/** Argument every daemon process carries, so a reused pid is not mistaken for a daemon. */
export const DAEMON_ARGV_MARKER = '--axum-daemon';
/**
 * Node flags the daemon is spawned with (before its script): none. (It once forced collections
 * with --expose-gc and toggled V8 flags at run time to look small right after going idle; the
 * steady state was the same without, and V8's own memory reducer is the supported way.)
 */
export const DAEMON_NODE_FLAGS: readonly string[] = [];

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
