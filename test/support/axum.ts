// Helpers for end-to-end tests: real git repositories in temp folders, the real `bin/axum`, real daemons.
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import WebSocket from 'ws';
import { readRunsHistory } from '../../packages/daemon/dist/adapters/journaled-runs-store.js';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const AXUM_BIN = join(ROOT, 'bin', 'axum');

export const SAMPLE_CONFIG = `version: 1
environments:
  dev: { branch: develop }
  staging: { branch: staging }
  production: { branch: main, approval: manual }
stages:
  - name: test
    steps:
      - { name: unit, run: "true" }
`;

export interface AxumResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `bin/axum` as a user would; never rejects (the exit code is part of the result). */
export function axum(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<AxumResult> {
  return new Promise((resolvePromise) => {
    execFile(
      process.execPath,
      [AXUM_BIN, ...args],
      // execFile kills a child past 1 MiB of output by default: a whole run's log is often more.
      { cwd: options.cwd ?? ROOT, env: { ...process.env, ...options.env }, timeout: options.timeoutMs ?? 30_000, maxBuffer: 256 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolvePromise({ code, stdout, stderr });
      },
    );
  });
}

/** A temp git repository with an `axum.yml` (unless `config` is null) and one commit. */
export function makeRepo(options: { config?: string | null; name?: string } = {}): string {
  const base = mkdtempSync(join(tmpdir(), 'axum-e2e-'));
  const dir = join(base, options.name ?? 'repo');
  mkdirSync(dir, { recursive: true });
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'e2e@axum.test');
  git('config', 'user.name', 'Axum E2E');
  const config = options.config === undefined ? SAMPLE_CONFIG : options.config;
  if (config !== null) writeFileSync(join(dir, 'axum.yml'), config);
  writeFileSync(join(dir, 'README.md'), '# scratch\n');
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return dir;
}

/** Stops the repository's daemon (if any) and removes the folder. */
export async function cleanupRepo(dir: string): Promise<void> {
  const pid = daemonPid(dir);
  // --yes: a test may end with a run still running, which a stop off a terminal would otherwise refuse to interrupt.
  await axum(['daemon', 'stop', '--yes', '--repo', dir]);
  if (pid !== null) await waitFor(() => !isAlive(pid), 10_000, `daemon ${pid} to exit`);
  rmSync(join(dir, '..'), { recursive: true, force: true });
}

export interface DaemonJson {
  pid: number;
  socket: string;
  tokenFile: string;
  listen: string | null;
}

/** The discovery file the daemon writes once it listens. */
export function readDaemonJson(dir: string): DaemonJson {
  return JSON.parse(readFileSync(join(dir, '.axum', 'daemon.json'), 'utf8')) as DaemonJson;
}

export function daemonPid(dir: string): number | null {
  const file = join(dir, '.axum', 'daemon.pid');
  if (!existsSync(file)) return null;
  // `PID START_TIME` (the lock's owner, daemon-identity.ts); older versions wrote the pid alone.
  const pid = Number(readFileSync(file, 'utf8').trim().split(/\s+/)[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

/** Alive and not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Pids of every live Axum daemon process serving `dir`. */
export function daemonProcessesFor(dir: string): number[] {
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((line) => line.includes('--axum-daemon') && line.includes(`--repo ${dir}`))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((pid) => isAlive(pid));
}

/** Polls until `check` holds; fails with `what` after `timeoutMs`. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A raw WebSocket to the daemon's Unix socket, with whatever headers the test wants. */
export function rawSocket(socketPath: string, headers: Record<string, string> = {}): WebSocket {
  return new WebSocket(`ws+unix://${socketPath}:/`, { headers, perMessageDeflate: false });
}

export function token(dir: string): string {
  return readFileSync(readDaemonJson(dir).tokenFile, 'utf8').trim();
}

/** Resolves with the HTTP status of a refused upgrade, or 101 when it was accepted. */
export function upgradeStatus(ws: WebSocket): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    ws.on('unexpected-response', (_req, res) => resolvePromise(res.statusCode ?? 0));
    ws.on('open', () => {
      ws.close();
      resolvePromise(101);
    });
    ws.on('error', (err) => reject(err));
  });
}

/** An authenticated client that records every message. */
export async function openClient(dir: string, hello = true): Promise<{ ws: WebSocket; messages: unknown[]; next: (predicate: (m: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>> }> {
  const ws = rawSocket(readDaemonJson(dir).socket, { Authorization: `Bearer ${token(dir)}` });
  const messages: Record<string, unknown>[] = [];
  const waiters: { predicate: (m: Record<string, unknown>) => boolean; resolve: (m: Record<string, unknown>) => void }[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(data.toString()) as Record<string, unknown>;
    messages.push(message);
    for (const waiter of [...waiters]) {
      if (waiter.predicate(message)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(message);
      }
    }
  });
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('error', rej);
  });
  let cursor = 0;
  const next = (predicate: (m: Record<string, unknown>) => boolean) =>
    new Promise<Record<string, unknown>>((res, rej) => {
      const found = messages.slice(cursor).find(predicate);
      if (found) {
        cursor = messages.indexOf(found) + 1;
        res(found);
        return;
      }
      const timer = setTimeout(() => rej(new Error(`no matching message; got ${JSON.stringify(messages.slice(-5))}`)), 10_000);
      waiters.push({
        predicate,
        resolve: (m) => {
          clearTimeout(timer);
          cursor = messages.indexOf(m) + 1;
          res(m);
        },
      });
    });
  if (hello) {
    ws.send(JSON.stringify({ type: 'hello', protocolVersion: 1, client: { name: 'e2e', version: '0' } }));
    await next((m) => m.type === 'snapshot');
  }
  return { ws, messages, next };
}

/** Commits the given files (path → content) on the current branch and returns the new SHA. */
export function commitFiles(dir: string, message: string, files: Record<string, string>): string {
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['commit', '-q', '-m', message], { cwd: dir });
  return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: dir, encoding: 'utf8' }).trim();
}

export interface RunJson {
  id: string;
  number: number;
  status: string;
  commit: string;
  branch: string;
  env: string | null;
  trigger: string;
  message: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  steps: { stage: string; name: string; status: string; exitCode: number | null; durationMs: number | null }[];
  releaseId?: string | null;
  deploy?: { env: string; revision: number | null; outcome: string } | null;
}

/** `axum runs --json`, newest first. */
export async function runs(dir: string): Promise<RunJson[]> {
  const result = await axum(['runs', '--json', '--limit', '100', '--repo', dir]);
  if (result.code !== 0) throw new Error(`axum runs failed (${result.code}): ${result.stderr}`);
  return JSON.parse(result.stdout) as RunJson[];
}

/** Polls `axum runs --json` until a run matches. */
export async function waitForRun(dir: string, predicate: (run: RunJson) => boolean, what: string, timeoutMs = 30_000): Promise<RunJson> {
  let found: RunJson | undefined;
  await waitFor(async () => {
    found = (await runs(dir)).find(predicate);
    return found !== undefined;
  }, timeoutMs, what);
  return found as RunJson;
}

/** Pids of live processes whose command line contains `marker`. */
export function processesMatching(marker: string): number[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes(marker) && !line.includes('ps -eo'))
    .map((line) => Number(line.trim().split(/\s+/)[0]))
    .filter((pid) => isAlive(pid));
}

/** True when `pid` is `ancestor` or one of its descendants (read from `ps`; false once either is gone). */
export function descendsFrom(pid: number, ancestor: number): boolean {
  const parents = new Map(
    execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]),
  );
  for (let at: number | undefined = pid; at !== undefined && at > 1; at = parents.get(at)) if (at === ancestor) return true;
  return false;
}

/**
 * Processes matching `marker` that are not `daemon` or its descendants and are still running once
 * that was checked: one that ended between the listing and the check is no stray (its parent could
 * no longer be read, so it must not count as someone else's).
 */
export function straysOf(marker: string, daemon: number, keep: (pid: number) => boolean = () => false): number[] {
  return processesMatching(marker).filter((pid) => !descendsFrom(pid, daemon) && !keep(pid) && isAlive(pid));
}

/** Scratch repositories made by a test file, stopped and removed after each test. */
export function scratchRepos(afterEachHook: (fn: () => Promise<void>) => void) {
  const dirs: string[] = [];
  afterEachHook(async () => {
    await Promise.all(dirs.splice(0).map(cleanupRepo));
  });
  return (options?: Parameters<typeof makeRepo>[0]) => {
    const dir = makeRepo(options);
    dirs.push(dir);
    return dir;
  };
}

/**
 * `pnpm test:long` sets AXUM_TEST_LONG=1: property and crash tests then run their full counts
 * (RELIABILITY.md quotes those); the default suite runs a short mode that fits CI's time.
 */
export const LONG_MODE = process.env.AXUM_TEST_LONG === '1';

/**
 * The runs history's files as text (`runs.json`, the snapshot, `runs.journal.old`, a journal
 * segment being folded into it, and `runs.journal`, the changes since): a running daemon writes
 * its changes to the journal, so a test that waits for something to be recorded looks in all.
 */
export function historyText(dir: string): string {
  const history = join(dir, '.axum', 'history');
  const read = (name: string) => (existsSync(join(history, name)) ? readFileSync(join(history, name), 'utf8') : '');
  return read('runs.json') + read('runs.journal.old') + read('runs.journal');
}

/**
 * `axum daemon start` in `dir`, then its first reconciliation: a first start takes the current
 * heads as seen and runs nothing, so the test's next commit on `branch` is the first push.
 */
export async function startDaemon(dir: string, options: { branch?: string } = {}): Promise<void> {
  const started = await axum(['daemon', 'start', '--repo', dir]);
  if (started.code !== 0) throw new Error(`axum daemon start exited ${started.code}: ${started.stderr}`);
  await waitFor(() => historyText(dir).includes(`"${options.branch ?? 'main'}"`), 10_000, 'the first reconciliation');
}

/** The runs history as it is on disk now (the daemon's own reader: snapshot + journal segments), not validated. */
export function runsOnDisk(dir: string): { heads?: unknown; nextRunNumber?: unknown; runs?: unknown } {
  return readRunsHistory(join(dir, '.axum', 'history', 'runs.json'));
}
