import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, daemonPid, daemonProcessesFor, isAlive, readDaemonJson, scratchRepos, waitFor } from './support/axum.js';

const repo = scratchRepos(afterEach);

describe('axum daemon start / status / stop', () => {
  it('starts, reports the contract fields, and stops leaving no process, socket, token or lock', async () => {
    const dir = repo();
    const start = await axum(['daemon', 'start', '--repo', dir]);
    expect(start.code, start.stderr).toBe(0);

    const status = await axum(['daemon', 'status', '--json', '--repo', dir]);
    expect(status.code).toBe(0);
    const info = JSON.parse(status.stdout) as Record<string, unknown>;
    expect(Object.keys(info).sort()).toEqual(['listen', 'pid', 'running', 'socket', 'tokenFile', 'version'].sort());
    expect(info).toMatchObject({ running: true, listen: null, version: '0.1.0' });
    const pid = info.pid as number;
    expect(isAlive(pid)).toBe(true);

    // Modes: socket 0600 in a 0700 folder, token 0600; path well under the sun_path limit.
    const socket = info.socket as string;
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    expect(statSync(join(socket, '..')).mode & 0o777).toBe(0o700);
    expect(statSync(info.tokenFile as string).mode & 0o777).toBe(0o600);
    expect(Buffer.byteLength(socket)).toBeLessThan(100);
    expect(readFileSync(join(dir, '.axum', '.gitignore'), 'utf8')).toContain('*');

    const stop = await axum(['daemon', 'stop', '--repo', dir]);
    expect(stop.code).toBe(0);
    expect(stop.stdout).toContain(`daemon stopped (pid ${pid})`);
    // `stop` returns once the process has exited.
    expect(isAlive(pid)).toBe(false);
    expect(() => statSync(socket)).toThrow();
    expect(() => statSync(info.tokenFile as string)).toThrow();
    // Nor its runtime folder: one left per start piled up in /tmp.
    expect(() => statSync(dirname(socket))).toThrow();
    expect(daemonPid(dir)).toBeNull();

    const after = await axum(['daemon', 'status', '--json', '--repo', dir]);
    expect(after.code).toBe(3);
    expect(JSON.parse(after.stdout)).toMatchObject({ running: false, pid: null, listen: null });
    const again = await axum(['daemon', 'stop', '--repo', dir]);
    expect(again).toMatchObject({ code: 0, stdout: 'daemon not running\n' });
  });

  it('leaves exactly one daemon listening after six concurrent starts', async () => {
    const dir = repo();
    const results = await Promise.all(Array.from({ length: 6 }, () => axum(['daemon', 'start', '--json', '--repo', dir])));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const pids = new Set(results.map((r) => (JSON.parse(r.stdout) as { pid: number }).pid));
    expect(pids.size).toBe(1);
    // Losers exit once they see the lock held; give them a moment, then count processes.
    await waitFor(() => daemonProcessesFor(dir).length === 1, 10_000, 'the losing daemons to exit');
    expect(daemonProcessesFor(dir)).toEqual([...pids]);
    expect(readDaemonJson(dir).pid).toBe([...pids][0]);
  });

  it('recovers after kill -9: the next start takes over the stale lock and logs it', async () => {
    const dir = repo();
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    const victim = readDaemonJson(dir).pid;
    process.kill(victim, 'SIGKILL');
    await waitFor(() => !isAlive(victim), 10_000, 'the killed daemon to die');

    // The stale discovery file and lock are still there; nothing answers.
    expect((await axum(['daemon', 'status', '--repo', dir])).code).toBe(3);

    const restart = await axum(['daemon', 'start', '--json', '--repo', dir]);
    expect(restart.code, restart.stderr).toBe(0);
    const fresh = (JSON.parse(restart.stdout) as { pid: number }).pid;
    expect(fresh).not.toBe(victim);
    expect(readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8')).toContain(`took over the lock of daemon pid ${victim}`);
    expect((await axum(['status', '--repo', dir])).code).toBe(0);
  });

  it('`rm -rf .axum` under a running daemon: it stops by itself, and the next command starts a daemon on what is there', async () => {
    const dir = repo();
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    const before = readDaemonJson(dir).pid;
    rmSync(join(dir, '.axum'), { recursive: true, force: true });
    await waitFor(() => !isAlive(before), 15_000, 'the daemon whose .axum was removed to stop');
    const status = await axum(['daemon', 'status', '--repo', dir]);
    expect(status.code, status.stdout).toBe(3);
    const again = await axum(['status', '--repo', dir]);
    expect(again.code, again.stderr).toBe(0);
    expect(readDaemonJson(dir).pid).not.toBe(before);
    // …and that command says what happened, in one line, and what to do: not an empty history that reads as "nothing ever ran".
    const said = again.stdout.split('\n').filter((line) => line.includes('was removed'));
    expect(said).toEqual([expect.stringMatching(new RegExp(`^warning {6}\\.axum/ was removed under the previous daemon \\(pid ${before}\\) at .*: it stopped, and this daemon started with an empty history .*axum restore --from TARGET\\)$`))]);
    expect(JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout)).toMatchObject({ warnings: [expect.stringContaining('.axum/ was removed under the previous daemon')] });
    // Said by the daemon that started after it, once: a stop and start after that is a fresh start with nothing to say.
    expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);
    expect((await axum(['status', '--repo', dir])).stdout).not.toContain('was removed');
  });

  it('a daemon frozen by SIGSTOP: commands say its pid does not answer (exit 3) and never start a second one', async () => {
    const dir = repo();
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    const pid = daemonPid(dir)!;
    process.kill(pid, 'SIGSTOP');
    try {
      for (const args of [['status'], ['daemon', 'start']]) {
        const result = await axum([...args, '--repo', dir]);
        expect(result.code, result.stderr).toBe(3);
        expect(result.stderr).toBe(`axum: the daemon (pid ${pid}) is stopped and does not answer (resume it with kill -CONT ${pid}); no second daemon was started (axum daemon stop ends it; its log: ${join(dir, '.axum', 'daemon.log')})\n`);
      }
      expect(daemonProcessesFor(dir)).toEqual([pid]);
      const json = await axum(['runs', '--json', '--repo', dir]);
      expect(json.code).toBe(3);
      expect(JSON.parse(json.stdout).error.message).toContain(`the daemon (pid ${pid}) is stopped`);
      // `axum daemon status` says the same, and how to resume it.
      expect(await axum(['daemon', 'status', '--repo', dir])).toMatchObject({ code: 3, stdout: `daemon not answering: pid ${pid} holds the lock and is stopped (Ctrl-Z or SIGSTOP); resume it with kill -CONT ${pid}\n` });
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    expect((await axum(['status', '--repo', dir])).code).toBe(0);
  });

  it('`axum status` starts the daemon when needed and prints environments', async () => {
    const dir = repo();
    const result = await axum(['status'], { cwd: join(dir) });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^daemon {7}pid \d+ · v0\.1\.0/);
    expect(result.stdout).toMatch(/production\s+main\s+—\s+—\s+—\s+—\s+—\s+protected/);
    const json = await axum(['status', '--json', '--repo', dir]);
    const doc = JSON.parse(json.stdout) as { daemon: Record<string, unknown>; environments: Record<string, unknown>[]; runs: unknown[] };
    expect(Object.keys(doc.daemon)).toEqual(expect.arrayContaining(['pid', 'version', 'socket', 'tokenFile', 'listen']));
    expect(doc.environments.map((e) => e.name)).toEqual(['dev', 'staging', 'production']);
    expect(doc.environments[2]).toMatchObject({ name: 'production', branch: 'main', pinned: false, awaitingApproval: false, live: null });
    expect(doc.runs).toEqual([]);
  });

  it('works in a repository whose path is 200+ characters long', async () => {
    const base = mkdtempSync(join(tmpdir(), 'axum-long-'));
    let dir = base;
    while (dir.length < 210) dir = join(dir, 'a-rather-long-folder-name');
    mkdirSync(dir, { recursive: true });
    const gitDir = repo();
    execFileSync('git', ['clone', '-q', gitDir, join(dir, 'repo')]);
    const longRepo = join(dir, 'repo');
    try {
      const result = await axum(['status', '--json', '--repo', longRepo]);
      expect(result.code, result.stderr).toBe(0);
      const socket = (JSON.parse(result.stdout) as { daemon: { socket: string } }).daemon.socket;
      expect(Buffer.byteLength(socket)).toBeLessThan(100);
    } finally {
      await axum(['daemon', 'stop', '--repo', longRepo]);
      rmSync(base, { recursive: true, force: true });
    }
  });
});

describe('clear errors', () => {
  it('exit 2 outside a git repository', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axum-nogit-'));
    try {
      const result = await axum(['status', '--repo', dir]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`axum: not a git repository: ${dir} (run \`git init\` first, or pass --repo DIR)\n`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exit 2 without axum.yml, and no daemon started', async () => {
    const dir = repo({ config: null });
    const result = await axum(['status', '--repo', dir]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no axum.yml in');
    expect(result.stderr).toContain('axum init');
    expect(daemonProcessesFor(dir)).toEqual([]);
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(2);
  });

  it('without axum.yml on the branch checked out, names the branches that have one and how to get there', async () => {
    const dir = repo();
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
    git('branch', 'develop');
    git('checkout', '-q', '-b', 'feature-x');
    git('rm', '-q', 'axum.yml');
    git('commit', '-q', '-m', 'cut before axum.yml');
    const result = await axum(['status', '--repo', dir]);
    expect(result).toEqual({ code: 2, stdout: '', stderr: `axum: no axum.yml in ${dir} on branch feature-x (develop, main have one: git checkout develop), or run \`axum init\` to write one\n` });
    git('checkout', '-q', '--detach');
    expect((await axum(['status', '--repo', dir])).stderr).toBe(`axum: no axum.yml in ${dir} in the commit checked out (detached HEAD; develop, main have one: git checkout develop), or run \`axum init\` to write one\n`);
    expect(daemonProcessesFor(dir)).toEqual([]);
  });

  it('exit 2 for an unknown option or command, and for a non-loopback --listen', async () => {
    const dir = repo();
    expect((await axum(['status', '--bogus', '--repo', dir])).code).toBe(2);
    expect((await axum(['frobnicate', '--repo', dir])).code).toBe(2);
    const wide = await axum(['daemon', 'start', '--listen', '0.0.0.0:7420', '--repo', dir]);
    expect(wide.code).toBe(2);
    expect(wide.stderr).toContain('only loopback addresses');
    expect(daemonProcessesFor(dir)).toEqual([]);
  });

  it('under --json, an error is still one JSON document on stdout', async () => {
    const dir = repo({ config: null });
    const result = await axum(['status', '--json', '--repo', dir]);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ error: { exitCode: 2 } });
  });

  it('refuses to start when the runtime folder is wider than 0700', async () => {
    const dir = repo();
    const runtime = mkdtempSync(join(tmpdir(), 'axum-rt-'));
    try {
      const env = { AXUM_RUNTIME_DIR: runtime };
      expect((await axum(['daemon', 'start', '--json', '--repo', dir], { env })).code).toBe(0);
      const socketDir = join(readDaemonJson(dir).socket, '..');
      expect((await axum(['daemon', 'stop', '--repo', dir], { env })).code).toBe(0);
      // A clean stop removed the folder: a careless colleague's (or an old version's) wide one is back.
      mkdirSync(socketDir, { recursive: true });
      execFileSync('chmod', ['755', socketDir]);
      const result = await axum(['daemon', 'start', '--repo', dir], { env });
      expect(result.code).toBe(3);
      expect(result.stderr).toContain('wider than 0700');
    } finally {
      rmSync(runtime, { recursive: true, force: true });
    }
  });
});
