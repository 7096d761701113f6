import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquirePidfileLock } from './pidfile-lock.js';

function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', '0']);
    child.on('exit', () => resolve(child.pid ?? 999_999));
  });
}

describe('acquirePidfileLock', () => {
  it('acquires a free lock, refuses a second owner while the first lives, and releases', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'axum-lock-')), 'daemon.pid');
    const first = acquirePidfileLock(file);
    expect(first.kind).toBe('acquired');
    expect(readFileSync(file, 'utf8').trim()).toBe(String(process.pid));
    // A second daemon (our parent stands in for it) sees the lock held by a live owner.
    const second = acquirePidfileLock(file, { pid: process.ppid, isOwnerAlive: () => true });
    expect(second).toEqual({ kind: 'held', pid: process.pid });
    if (first.kind === 'acquired') first.release();
    expect(existsSync(file)).toBe(false);
  });

  it('takes over a lock whose pid is dead and says from whom', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'axum-lock-')), 'daemon.pid');
    const dead = await deadPid();
    writeFileSync(file, `${dead}\n`);
    const result = acquirePidfileLock(file);
    expect(result).toMatchObject({ kind: 'acquired', tookOverFrom: dead });
    expect(readFileSync(file, 'utf8').trim()).toBe(String(process.pid));
  });

  it('takes over a lock whose pid now belongs to a process that is not a daemon', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'axum-lock-')), 'daemon.pid');
    writeFileSync(file, `${process.ppid}\n`); // alive, but its command line carries no daemon marker
    expect(acquirePidfileLock(file)).toMatchObject({ kind: 'acquired', tookOverFrom: process.ppid });
  });

  it('takes over an empty (half-written) lock left by a crash', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'axum-lock-')), 'daemon.pid');
    writeFileSync(file, '');
    expect(acquirePidfileLock(file)).toMatchObject({ kind: 'acquired', tookOverFrom: null });
  });
});
