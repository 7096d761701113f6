import { describe, expect, it } from 'vitest';
import { formatLockOwner, isDaemonFor, isSameProcess, parseLockOwner, procProbe, type ProcessProbe } from './daemon-identity.js';

/** One fake process table: pid → start time and argv. */
function probe(table: Record<number, { start: string; argv: string[] }>): ProcessProbe {
  return {
    alive: (pid) => pid in table,
    startTime: (pid) => table[pid]?.start ?? null,
    argv: (pid) => table[pid]?.argv ?? null,
  };
}

const daemonArgv = (repo: string) => ['node', '--expose-gc', '/x/axum-daemon.mjs', '--axum-daemon', '--repo', repo];

describe('lock owner identity', () => {
  it('round-trips the lock text and reads the pid-only text of older versions', () => {
    expect(parseLockOwner(formatLockOwner({ pid: 42, startTime: '1234' }))).toEqual({ pid: 42, startTime: '1234' });
    expect(parseLockOwner('42\n')).toEqual({ pid: 42, startTime: null });
    expect(parseLockOwner('')).toBeNull();
    expect(parseLockOwner('x 1')).toBeNull();
  });

  it('is this repository\'s daemon only with the same start time, the marker and exactly this --repo', () => {
    const table = probe({ 7: { start: '500', argv: daemonArgv('/repos/a') }, 8: { start: '600', argv: ['node', 'server.js', '--repo', '/repos/a'] } });
    expect(isDaemonFor({ pid: 7, startTime: '500' }, '/repos/a', table)).toBe(true);
    // The pid was reused: same number, another start time.
    expect(isDaemonFor({ pid: 7, startTime: '499' }, '/repos/a', table)).toBe(false);
    // Another repository's daemon holds the pid now.
    expect(isDaemonFor({ pid: 7, startTime: '500' }, '/repos/b', table)).toBe(false);
    expect(isDaemonFor({ pid: 7, startTime: null }, '/repos/b', table)).toBe(false);
    // Not a daemon at all; a dead pid.
    expect(isDaemonFor({ pid: 8, startTime: '600' }, '/repos/a', table)).toBe(false);
    expect(isDaemonFor({ pid: 9, startTime: null }, '/repos/a', table)).toBe(false);
  });

  it('reads this process\'s real start time from /proc and matches itself', () => {
    const start = procProbe.startTime(process.pid);
    if (start === null) return; // no /proc here
    expect(start).toMatch(/^\d+$/);
    expect(isSameProcess({ pid: process.pid, startTime: start }, procProbe)).toBe(true);
    expect(isSameProcess({ pid: process.pid, startTime: String(Number(start) + 1) }, procProbe)).toBe(false);
  });
});
