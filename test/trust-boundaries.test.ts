// ARCHITECTURE.md, "Trust boundaries", against local attackers: another user who can write to /tmp,
// a cloned repository whose `.axum/` its author chose, a linked worktree, a reused pid.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repositoryKey, runtimePathsFor } from '../packages/protocol/dist/runtime-paths.js';
import { procProbe } from '../packages/protocol/dist/daemon-identity.js';
import { axum, daemonProcessesFor, isAlive, readDaemonJson, scratchRepos, waitFor } from './support/axum.js';

const repo = scratchRepos(afterEach);
const asRoot = process.getuid?.() === 0;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A scratch folder for runtime folders and $TMPDIR, removed after the test. */
function scratchDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const WHERE_CONFIG = `version: 1
environments:
  dev: { branch: develop }
stages:
  - name: test
    steps:
      - { name: where, run: "pwd" }
`;

describe('folders outside .axum/ are ours, 0700, and checked before every use', () => {
  it.runIf(asRoot)('never uses the old shared worktree path another user pre-created 0777: worktrees live in the 0700 runtime folder', async () => {
    const dir = repo({ config: WHERE_CONFIG });
    const base = scratchDir('axum-tb-');
    chmodSync(base, 0o1777); // a shared /tmp, with its sticky bit
    const env = { TMPDIR: base, XDG_RUNTIME_DIR: '', AXUM_RUNTIME_DIR: '' };
    // The shared path went to $TMPDIR; the runtime folder goes to the home (no runtime variable set).
    const paths = runtimePathsFor(dir, { ...process.env, ...env });
    // Another user prepares the folder where worktrees used to go, wide open.
    const planted = join(base, `axum-work-0-${paths.dir.slice(-16)}`);
    mkdirSync(planted, { mode: 0o777 });
    chmodSync(planted, 0o777);
    chownSync(planted, 65534, 65534);

    const result = await axum(['run', '--wait', '--json', '--repo', dir], { env });
    expect(result.code, result.stderr).toBe(0);
    const run = JSON.parse(result.stdout) as { id: string; status: string };
    expect(run.status).toBe('succeeded');
    const log = await axum(['logs', run.id, '--step', 'where', '--repo', dir], { env });
    // The branch's kept worktree, in the runtime folder's work/.
    expect(dirname(log.stdout.trim())).toBe(paths.workDir);
    expect(readdirSync(planted)).toEqual([]);
    expect(readDaemonJson(dir).socket).toBe(paths.socket);
  });

  it('checks the worktree folder again before each run: one made group- or world-writable since is refused, naming it and the fix', async () => {
    const dir = repo({ config: WHERE_CONFIG });
    const env = { AXUM_RUNTIME_DIR: scratchDir('axum-rt-'), AXUM_KEEP_WORKTREES: '3' };
    const first = await axum(['run', '--wait', '--json', '--repo', dir], { env });
    expect(first.code, first.stderr).toBe(0);
    const { workDir } = runtimePathsFor(dir, env);
    expect(readdirSync(workDir)).toEqual(['warm-1']); // the branch's worktree, kept for its next run
    chmodSync(workDir, 0o777);
    // --again: the same head once more (else the run that built it is the answer).
    const result = await axum(['run', '--again', '--wait', '--json', '--repo', dir], { env });
    const run = JSON.parse(result.stdout) as { status: string; message: string | null };
    expect(run.status).toBe('failed');
    expect(run.message).toContain(`worktree folder ${workDir} has mode 0777, wider than 0700; refusing to use it (run: chmod 700 ${workDir})`);
  });

  it.runIf(asRoot)('refuses a runtime folder another user pre-created 0777, with a message naming it and what to do', async () => {
    const dir = repo();
    const runtime = scratchDir('axum-rt-');
    const env = { AXUM_RUNTIME_DIR: runtime };
    const paths = runtimePathsFor(dir, env);
    mkdirSync(paths.dir, { mode: 0o777 });
    chmodSync(paths.dir, 0o777);
    chownSync(paths.dir, 65534, 65534);
    const result = await axum(['status', '--repo', dir], { env });
    expect(result.code).toBe(3);
    expect(result.stderr).toContain(`${paths.dir} belongs to uid 65534, not to you (uid 0); refusing to use it`);
    expect(result.stderr).toContain('set AXUM_RUNTIME_DIR to a folder of your own');
    expect(daemonProcessesFor(dir)).toEqual([]);
    expect(readdirSync(paths.dir)).toEqual([]);
  });

  it.runIf(asRoot)('with no XDG_RUNTIME_DIR, the old guessable /tmp name made first by another user blocks nothing; a too-long home falls back to a per-user /tmp base, refused when not ours', async () => {
    const dir = repo();
    const tmp = scratchDir('axum-tmp-');
    chmodSync(tmp, 0o1777);
    const home = scratchDir('axum-home-');
    const env = { TMPDIR: tmp, XDG_RUNTIME_DIR: '', AXUM_RUNTIME_DIR: '', HOME: home };
    // Another user makes the folder the runtime folder used to be, 0700 and theirs.
    const squatted = join(tmp, `axum-0-${repositoryKey(dir)}`);
    mkdirSync(squatted, { mode: 0o700 });
    chownSync(squatted, 65534, 65534);
    cleanups.push(() => axum(['daemon', 'stop', '--repo', dir], { env }));
    const status = await axum(['status', '--repo', dir], { env });
    expect(status.code, status.stderr).toBe(0);
    expect(readDaemonJson(dir).socket).toBe(join(home, '.cache', 'axum', 'run', repositoryKey(dir), 'daemon.sock'));
    expect((await axum(['daemon', 'stop', '--repo', dir], { env })).code).toBe(0);

    // A home too long for a socket path: <tmp>/axum-<uid>/<hash>, whose base another user took first.
    const longHome = { ...env, HOME: join(home, 'h'.repeat(90)) };
    const base = join(tmp, 'axum-0');
    mkdirSync(base, { mode: 0o700 });
    chownSync(base, 65534, 65534);
    const refused = await axum(['status', '--repo', dir], { env: longHome });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toContain(`${base} belongs to uid 65534, not to you (uid 0); refusing to use it`);
    expect(refused.stderr).toContain('set AXUM_RUNTIME_DIR to a folder of your own');
    expect(daemonProcessesFor(dir)).toEqual([]);
  });
});

/** A unix-socket listener that records every connection; its argv carries the daemon marker, as an attacker's would. */
async function rogueServer(socket: string): Promise<{ pid: number; connections: () => number; stop: () => void }> {
  const code = `require('node:net').createServer((c) => { process.stdout.write('connection\\n'); c.on('data', () => process.stdout.write('data\\n')); }).listen(process.env.ROGUE_SOCKET, () => process.stdout.write('listening\\n'));`;
  const child: ChildProcess = spawn(process.execPath, ['-e', code, '--', '--axum-daemon'], { env: { ...process.env, ROGUE_SOCKET: socket }, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout?.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await waitFor(() => out.includes('listening'), 10_000, 'the rogue server to listen');
  return { pid: child.pid as number, connections: () => out.split('\n').filter((line) => line === 'connection').length, stop: () => child.kill('SIGKILL') };
}

describe('a cloned repository does not steer the client', () => {
  it('ignores a committed .axum/daemon.json: never connects to its socket, never sends its token file', async () => {
    const upstream = repo();
    const rogueDir = scratchDir('axum-rogue-');
    const rogue = await rogueServer(join(rogueDir, 'rogue.sock'));
    cleanups.push(rogue.stop);
    const secret = join(rogueDir, 'users-secret');
    writeFileSync(secret, 'a secret of the victim\n');
    mkdirSync(join(upstream, '.axum'), { recursive: true });
    const planted = { pid: rogue.pid, version: '0.1.0', protocolVersion: 1, repo: upstream, socket: join(rogueDir, 'rogue.sock'), tokenFile: secret, listen: null, startedAt: new Date().toISOString() };
    writeFileSync(join(upstream, '.axum', 'daemon.json'), JSON.stringify(planted));
    execFileSync('git', ['add', '-f', '.axum/daemon.json'], { cwd: upstream });
    execFileSync('git', ['commit', '-q', '-m', 'helpful defaults'], { cwd: upstream });
    const clone = join(upstream, '..', 'clone');
    execFileSync('git', ['clone', '-q', upstream, clone]);
    cleanups.push(() => axum(['daemon', 'stop', '--repo', clone]));

    // Tracked under .axum, it stops the start (test/tracked-state.test.ts); the client still never reads it.
    const refused = await axum(['status', '--json', '--repo', clone]);
    expect(refused.code, refused.stderr).toBe(3);
    expect(refused.stderr).toContain('.axum/daemon.json');
    expect(rogue.connections()).toBe(0);
    // Untracked, the planted file is still there when the client looks.
    execFileSync('git', ['rm', '-q', '--cached', '.axum/daemon.json'], { cwd: clone });
    execFileSync('git', ['commit', '-q', '-m', 'untrack .axum'], { cwd: clone });
    writeFileSync(join(clone, '.axum', 'daemon.json'), JSON.stringify(planted));
    for (const args of [['status', '--json'], ['daemon', 'status', '--json'], ['runs', '--json']]) {
      const result = await axum([...args, '--repo', clone]);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(0);
    }
    expect(rogue.connections()).toBe(0);
    const status = JSON.parse((await axum(['daemon', 'status', '--json', '--repo', clone])).stdout) as { socket: string; pid: number };
    expect(status.socket).toBe(runtimePathsFor(clone).socket);
    expect(status.pid).not.toBe(rogue.pid);
    expect((await axum(['daemon', 'stop', '--repo', clone])).code).toBe(0);
    expect(isAlive(rogue.pid)).toBe(true);
  });
});

describe('one daemon per git common directory', () => {
  it('`daemon start --repo` a linked worktree attaches to the main worktree\'s daemon and says so', async () => {
    const dir = repo();
    const linked = join(dir, '..', 'wt');
    execFileSync('git', ['worktree', 'add', '-q', '--detach', linked], { cwd: dir });

    const fromLinked = await axum(['daemon', 'start', '--json', '--repo', linked]);
    expect(fromLinked.code, fromLinked.stderr).toBe(0);
    expect(fromLinked.stderr).toContain(`note: ${linked} is a linked worktree of ${dir}; one daemon serves both`);
    const fromMain = await axum(['daemon', 'start', '--json', '--repo', dir]);
    expect(JSON.parse(fromMain.stdout)).toMatchObject({ started: false, pid: (JSON.parse(fromLinked.stdout) as { pid: number }).pid });
    const again = await axum(['daemon', 'start', '--json', '--repo', linked]);
    expect(JSON.parse(again.stdout)).toMatchObject({ started: false });

    expect(daemonProcessesFor(dir)).toHaveLength(1);
    expect(daemonProcessesFor(linked)).toEqual([]);
    expect(existsSync(join(linked, '.axum'))).toBe(false);
    const status = JSON.parse((await axum(['status', '--json', '--repo', linked])).stdout) as { daemon: { repo: string } };
    expect(status.daemon.repo).toBe(dir);
  });
});

describe('the lock names its owner by pid, start time, marker and repository', () => {
  it.runIf(procProbe.startTime(process.pid) !== null)('a lock naming another repository\'s live daemon: stop leaves that daemon alone, start takes the lock over', async () => {
    const other = repo();
    expect((await axum(['daemon', 'start', '--repo', other])).code).toBe(0);
    const otherPid = readDaemonJson(other).pid;
    const dir = repo();
    mkdirSync(join(dir, '.axum'), { recursive: true });
    // As after a kill -9 and a reboot: the old pid now belongs to the other repository's daemon.
    for (const [round, lock] of [`${otherPid}\n`, `${otherPid} ${procProbe.startTime(otherPid)}\n`].entries()) {
      writeFileSync(join(dir, '.axum', 'daemon.pid'), lock);
      const stop = await axum(['daemon', 'stop', '--repo', dir]);
      expect(stop).toMatchObject({ code: 0, stdout: 'daemon not running\n' });
      expect(isAlive(otherPid)).toBe(true);

      const start = await axum(['daemon', 'start', '--json', '--repo', dir]);
      expect(start.code, start.stderr).toBe(0);
      const mine = (JSON.parse(start.stdout) as { pid: number }).pid;
      expect(mine).not.toBe(otherPid);
      expect(readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8').split(`took over the lock of daemon pid ${otherPid}`)).toHaveLength(round + 2);
      expect((await axum(['daemon', 'stop', '--repo', dir])).stdout).toBe(`daemon stopped (pid ${mine})\n`);
      await waitFor(() => !isAlive(mine), 10_000, 'our daemon to exit');
      expect(isAlive(otherPid)).toBe(true);
    }
    expect((await axum(['daemon', 'status', '--repo', other])).code).toBe(0);
  });
});
