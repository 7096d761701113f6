import { formatLockOwner, isDaemonFor, isSameProcess, parseLockOwner, selfAsOwner, type LockOwner } from '@axum/protocol';
import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';

/** The outcome of trying to become the repository's one daemon. */
export type LockResult =
  | { kind: 'acquired'; release: () => void; tookOverFrom: number | null; stillOwned: () => boolean }
  | { kind: 'held'; pid: number };

/** Who we are and how a recorded owner is judged; tests pass fakes. */
export interface LockOptions {
  /** The repository root the daemon serves, exactly as its `--repo` argument says it. */
  repoRoot: string;
  self?: LockOwner;
  /** True when the recorded owner is still this repository's daemon (pid, start time, marker, repo). */
  isOwnerLive?: (owner: LockOwner) => boolean;
}

/**
 * Takes the single-instance lock: an O_EXCL pidfile naming its owner by pid and start time.
 * Not proper-lockfile: it judges staleness by age (~10 s), which fails a restart right after kill -9.
 * A lock whose owner is not this repository's live daemon (dead, or its pid reused by any other
 * process, another repository's daemon included) is stale and taken over under a short-lived guard
 * file, so two starters that both see the same stale owner cannot both remove it.
 */
export function acquirePidfileLock(file: string, options: LockOptions): LockResult {
  const self = options.self ?? selfAsOwner();
  const isOwnerLive = options.isOwnerLive ?? ((owner: LockOwner) => isDaemonFor(owner, options.repoRoot));
  const acquired = (tookOverFrom: number | null): LockResult => ({ kind: 'acquired', release: () => releaseIfOwned(file, self), tookOverFrom, stillOwned: () => isOwnedBy(file, self) });
  for (let attempt = 0; attempt < 20; attempt++) {
    if (tryCreate(file, self)) return acquired(null);
    const owner = readLockOwner(file);
    if (owner !== null && isOwnerLive(owner)) return { kind: 'held', pid: owner.pid };
    // The file vanished, is half-written, or names a stale owner: take it over under the guard.
    const guard = `${file}.takeover`;
    if (!tryCreate(guard, self)) {
      const guardOwner = readLockOwner(guard);
      if (guardOwner !== null && !isSameProcess(guardOwner)) unlinkQuietly(guard);
      sleepSync(5 + attempt * 5);
      continue;
    }
    try {
      const again = readLockOwner(file);
      if (again !== null && isOwnerLive(again)) return { kind: 'held', pid: again.pid };
      // A file with no pid yet may be one being written right now by a live starter: give it a moment.
      if (again === null && attempt < 3) {
        sleepSync(20);
        continue;
      }
      unlinkQuietly(file);
      if (tryCreate(file, self)) return acquired(again?.pid ?? null);
    } finally {
      unlinkQuietly(guard);
    }
  }
  const owner = readLockOwner(file);
  return { kind: 'held', pid: owner?.pid ?? -1 };
}

/** Reads the owner a lock file names; null when absent or not (yet) a pid. */
export function readLockOwner(file: string): LockOwner | null {
  try {
    return parseLockOwner(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

function tryCreate(file: string, owner: LockOwner): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, formatLockOwner(owner));
  } finally {
    closeSync(fd);
  }
  return true;
}

function releaseIfOwned(file: string, self: LockOwner): void {
  if (isOwnedBy(file, self)) unlinkQuietly(file);
}

/** Whether the lock file still names `self` (not removed with `.axum/`, not taken by another daemon). */
function isOwnedBy(file: string, self: LockOwner): boolean {
  const owner = readLockOwner(file);
  return owner?.pid === self.pid && owner.startTime === self.startTime;
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
