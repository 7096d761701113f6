import { isDaemonProcess, isProcessAlive } from '@axum/protocol';
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

/** The outcome of trying to become the repository's one daemon. */
export type LockResult =
  | { kind: 'acquired'; release: () => void; tookOverFrom: number | null }
  | { kind: 'held'; pid: number };

/**
 * Takes the single-instance lock: an O_EXCL pidfile whose owner is checked for liveness.
 * Not proper-lockfile: it judges staleness by age (~10 s), which fails a restart right after kill -9.
 * A lock whose pid is dead is taken over under a short-lived guard file, so two starters that both
 * see the same dead pid cannot both remove it.
 */
export function acquirePidfileLock(
  file: string,
  { pid = process.pid, isOwnerAlive = (owner: number) => isDaemonProcess(owner) }: { pid?: number; isOwnerAlive?: (pid: number) => boolean } = {},
): LockResult {
  for (let attempt = 0; attempt < 20; attempt++) {
    if (tryCreate(file, pid)) return { kind: 'acquired', release: () => releaseIfOwned(file, pid), tookOverFrom: null };
    const owner = readPid(file);
    if (owner !== null && isOwnerAlive(owner)) return { kind: 'held', pid: owner };
    // The file vanished, is half-written, or names a dead process: take it over under the guard.
    const guard = `${file}.takeover`;
    if (!tryCreate(guard, pid)) {
      const guardOwner = readPid(guard);
      if (guardOwner !== null && !isProcessAlive(guardOwner)) unlinkQuietly(guard);
      sleepSync(5 + attempt * 5);
      continue;
    }
    try {
      const again = readPid(file);
      if (again !== null && isOwnerAlive(again)) return { kind: 'held', pid: again };
      // A file with no pid yet may be one being written right now by a live starter: give it a moment.
      if (again === null && attempt < 3) {
        sleepSync(20);
        continue;
      }
      unlinkQuietly(file);
      if (tryCreate(file, pid)) return { kind: 'acquired', release: () => releaseIfOwned(file, pid), tookOverFrom: again };
    } finally {
      unlinkQuietly(guard);
    }
  }
  const owner = readPid(file);
  return { kind: 'held', pid: owner ?? -1 };
}

/** Reads the pid a lock file names; null when absent or not (yet) a number. */
export function readPid(file: string): number | null {
  try {
    const text = readFileSync(file, 'utf8').trim();
    const pid = Number(text);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

function tryCreate(file: string, pid: number): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${pid}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

function releaseIfOwned(file: string, pid: number): void {
  if (readPid(file) === pid) unlinkQuietly(file);
}

function unlinkQuietly(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // already gone
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
