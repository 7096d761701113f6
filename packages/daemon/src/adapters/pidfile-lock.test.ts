import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { procProbe, selfAsOwner } from '@axum/protocol';
import { acquirePidfileLock } from './pidfile-lock.js';

const REPO = '/repos/this-one';
const lockFile = () => join(mkdtempSync(join(tmpdir(), 'axum-lock-')), 'daemon.pid');

function deadPid(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['-e', '0']);
    child.on('exit', () => resolve(child.pid ?? 999_999));
  });
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A live process whose command line is a daemon's for `repo`: another repository's daemon, as far as /proc tells. */
async function fakeDaemon(repo: string): Promise<number> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', '--', '--axum-daemon', '--repo', repo], { stdio: 'ignore' });
  children.push(child);
  await new Promise((resolve) => child.once('spawn', resolve));
  return child.pid as number;
}

describe('acquirePidfileLock', () => {
  it('acquires a free lock recording pid and start time, refuses a second owner while the first lives, and releases', () => {
    const file = lockFile();
    const first = acquirePidfileLock(file, { repoRoot: REPO });
    expect(first.kind).toBe('acquired');
    const self = selfAsOwner();
    expect(readFileSync(file, 'utf8')).toBe(`${process.pid} ${self.startTime ?? '-'}\n`);
    // A second daemon (our parent stands in for it) sees the lock held by a live owner.
    const second = acquirePidfileLock(file, { repoRoot: REPO, self: { pid: process.ppid, startTime: null }, isOwnerLive: () => true });
    expect(second).toEqual({ kind: 'held', pid: process.pid });
    if (first.kind === 'acquired') first.release();
    expect(existsSync(file)).toBe(false);
  });

  it('takes over a lock whose pid is dead and says from whom', async () => {
    const file = lockFile();
    const dead = await deadPid();
    writeFileSync(file, `${dead}\n`);
    const result = acquirePidfileLock(file, { repoRoot: REPO });
    expect(result).toMatchObject({ kind: 'acquired', tookOverFrom: dead });
    expect(readFileSync(file, 'utf8').split(' ')[0]).toBe(String(process.pid));
  });

  it('takes over a lock whose pid now belongs to a process that is not a daemon', () => {
    const file = lockFile();
    writeFileSync(file, `${process.ppid}\n`); // alive, but its command line carries no daemon marker
    expect(acquirePidfileLock(file, { repoRoot: REPO })).toMatchObject({ kind: 'acquired', tookOverFrom: process.ppid });
  });

  it.runIf(procProbe.startTime(process.pid) !== null)('takes over a lock whose pid was reused by another repository\'s daemon', async () => {
    const other = await fakeDaemon('/repos/another-one');
    const file = lockFile();
    writeFileSync(file, `${other} ${procProbe.startTime(other)}\n`);
    expect(acquirePidfileLock(file, { repoRoot: REPO })).toMatchObject({ kind: 'acquired', tookOverFrom: other });
  });

  it.runIf(procProbe.startTime(process.pid) !== null)('takes over a lock naming a daemon of this repository whose start time differs (a reused pid)', async () => {
    const pid = await fakeDaemon(REPO);
    const file = lockFile();
    writeFileSync(file, `${pid} ${Number(procProbe.startTime(pid)) - 1}\n`);
    expect(acquirePidfileLock(file, { repoRoot: REPO })).toMatchObject({ kind: 'acquired', tookOverFrom: pid });
    // The same daemon, recorded with its real start time, holds the lock.
    writeFileSync(file, `${pid} ${procProbe.startTime(pid)}\n`);
    expect(acquirePidfileLock(file, { repoRoot: REPO })).toEqual({ kind: 'held', pid });
  });

  it('takes over an empty (half-written) lock left by a crash', () => {
    const file = lockFile();
    writeFileSync(file, '');
    expect(acquirePidfileLock(file, { repoRoot: REPO })).toMatchObject({ kind: 'acquired', tookOverFrom: null });
  });
});
