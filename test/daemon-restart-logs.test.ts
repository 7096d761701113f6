// `axum daemon restart` and `axum daemon logs`: what `pm2 restart` and `pm2 logs` are to pm2, for
// the one daemon of a repository — a user should not need to know where its log lives or to type
// stop and start with the listener they had.
import { spawn } from 'node:child_process';
import { appendFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AXUM_BIN, axum, daemonPid, isAlive, scratchRepos, waitFor } from './support/axum.js';

const repo = scratchRepos(afterEach);

/** A loopback port free now (the OS picks it; closed again before the daemon takes it). */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('axum daemon restart', () => {
  it('starts one when none runs, then stops and starts it again with the TCP listener it had', async () => {
    const dir = repo();
    const first = await axum(['daemon', 'restart', '--repo', dir]);
    expect(first.code, first.stderr).toBe(0);
    const pid = daemonPid(dir)!;
    expect(first.stdout).toBe(`daemon was not running; started: pid ${pid}, socket ${JSON.parse((await axum(['daemon', 'status', '--json', '--repo', dir])).stdout).socket}\n`);
    await axum(['daemon', 'stop', '--repo', dir]);

    const listen = `127.0.0.1:${await freePort()}`;
    expect((await axum(['daemon', 'start', '--listen', listen, '--repo', dir])).code).toBe(0);
    const before = daemonPid(dir)!;
    const again = await axum(['daemon', 'restart', '--json', '--repo', dir]);
    expect(again.code, again.stderr).toBe(0);
    const answer = JSON.parse(again.stdout) as { restarted: boolean; previousPid: number; pid: number; listen: string | null; interrupted: string[] };
    expect(answer).toMatchObject({ restarted: true, previousPid: before, listen, interrupted: [] });
    expect(answer.pid).not.toBe(before);
    expect(isAlive(before)).toBe(false);
    expect(daemonPid(dir)).toBe(answer.pid);
    const status = JSON.parse((await axum(['daemon', 'status', '--json', '--repo', dir])).stdout) as { pid: number; listen: string };
    expect(status).toMatchObject({ pid: answer.pid, listen });
  });
});

describe('axum daemon logs', () => {
  it('prints the last lines of .axum/daemon.log, whole under --json; a bad --lines is exit 2; no log yet is exit 1', async () => {
    const dir = repo();
    const none = await axum(['daemon', 'logs', '--repo', dir]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no daemon log yet: ${join(dir, '.axum', 'daemon.log')} is written from the daemon's first start`);
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    await axum(['daemon', 'stop', '--repo', dir]);
    const log = join(dir, '.axum', 'daemon.log');
    // Escape sequences in a line (a branch name quoted): through a pipe, byte for byte, as `tail` gives them.
    appendFileSync(log, 'one\ntwo \u001b]0;title\u0007\nthree');
    const tail = await axum(['daemon', 'logs', '-n', '2', '--repo', dir]);
    expect(tail).toEqual({ code: 0, stdout: 'two \u001b]0;title\u0007\nthree\n', stderr: '' });
    const json = JSON.parse((await axum(['daemon', 'logs', '--lines', '1', '--json', '--repo', dir])).stdout) as { file: string; lines: string[] };
    expect(json).toEqual({ file: log, lines: ['three'] });
    for (const lines of ['many', '', '1e1', '-1']) expect((await axum(['daemon', 'logs', '--lines', lines, '--repo', dir])).code, lines).toBe(2);
    expect((await axum(['daemon', 'logs', '--follow', '--json', '--repo', dir])).code).toBe(2);
  });

  it('never reads through .axum as a link either, and says a folder where the log goes is no file', async () => {
    const dir = repo();
    const elsewhere = join(dir, '..', 'elsewhere');
    mkdirSync(elsewhere);
    writeFileSync(join(elsewhere, 'daemon.log'), 'SECRET-LINE\n');
    symlinkSync(elsewhere, join(dir, '.axum'));
    const linked = await axum(['daemon', 'logs', '--json', '--repo', dir]);
    expect(linked.code).toBe(1);
    expect(linked.stdout).not.toContain('SECRET-LINE');
    expect(linked.stderr).toContain(`${join(dir, '.axum')} is a symbolic link to ${elsewhere}`);
    const other = repo();
    mkdirSync(join(other, '.axum', 'daemon.log'), { recursive: true });
    const folder = await axum(['daemon', 'logs', '--repo', other]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain(`${join(other, '.axum', 'daemon.log')} is not a file`);
  });

  it('never reads through a link (a cloned repository may plant .axum/daemon.log as one)', async () => {
    const dir = repo();
    const secret = join(dir, '..', 'secret.txt');
    writeFileSync(secret, 'not for the log\n');
    mkdirSync(join(dir, '.axum'), { recursive: true });
    const log = join(dir, '.axum', 'daemon.log');
    symlinkSync(secret, log);
    const result = await axum(['daemon', 'logs', '--repo', dir]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${log} is a symbolic link to ${secret}`);
  });

  it('--follow prints what the daemon writes next, until Ctrl-C (exit 0)', async () => {
    const dir = repo();
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    const child = spawn(process.execPath, [AXUM_BIN, 'daemon', 'logs', '--follow', '-n', '0', '--repo', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // Each command attaches a client, which the daemon logs.
      await waitFor(async () => {
        await axum(['status', '--repo', dir]);
        return out.includes('attached: axum-status');
      }, 15_000, 'the attach of `axum status` in the followed log');
      expect(out).not.toContain('listening on');
      // The daemon writes to the same file: it is stopped (its last line written) before the split line
      // is appended, so no line of its own lands between the two halves. Following needs no daemon.
      expect((await axum(['daemon', 'stop', '--yes', '--repo', dir])).code).toBe(0);
      await waitFor(() => / info stopped\n/.test(out), 10_000, "the stopped daemon's last line");
      // A character whose bytes two polls read apart comes out whole.
      appendFileSync(join(dir, '.axum', 'daemon.log'), Buffer.from([0x70, 0x72, 0x69, 0x63, 0x65, 0x20, 0xe2, 0x82]));
      await new Promise((resolve) => setTimeout(resolve, 800));
      appendFileSync(join(dir, '.axum', 'daemon.log'), Buffer.from([0xac, 0x20, 0x6f, 0x6b, 0x0a]));
      await waitFor(() => out.includes('price'), 10_000, 'the split line');
      expect(out).toContain('price € ok\n');
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
