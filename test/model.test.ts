// Model-based tests (issue #9): random sequences of commit, trigger, cancel, deploy, rollback, pin,
// unpin, promote, mark, restart and kill against a real daemon on a real git repository, checked after every command
// against the small model of test/support/model.ts. fast-check shrinks a failing sequence and the
// failure prints the line that replays it (AXUM_MODEL_SEED, AXUM_MODEL_PATH, AXUM_MODEL_REPLAY).
//
// Cost: each sequence gets a fresh repository (copied from a template) and a fresh daemon; commands
// go over one WebSocket client, about one in four through the real `axum` command (a node start-up
// each) so the CLI path is covered too; the daemon is never busy-polled: after a command the test
// looks again at each delta it pushes until the state matches the model. Short mode: 10 sequences;
// `pnpm test:long` (AXUM_TEST_LONG=1): 1,000. AXUM_MODEL_RUNS overrides the count,
// AXUM_MODEL_MINUTES stops starting sequences after that long, AXUM_MODEL_PROGRESS names a file
// that gets one line per sequence.
import { execFileSync, spawn } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, openSync, closeSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { axum, isAlive, LONG_MODE, makeRepo, processesMatching, rawSocket, readDaemonJson, ROOT, token, waitFor, historyText } from './support/axum.js';
import { DAEMON_NODE_FLAGS } from '@axum/protocol';
import {
  cancel,
  commit,
  daemonRestarted,
  deploy,
  ENVIRONMENTS,
  envOf,
  initialModel,
  lastKnownGoodOf,
  liveOf,
  mark,
  pin,
  promote,
  rollback,
  shownLastKnownGoodOf,
  triggerHead,
  runningOn,
  type CommitKind,
  type Model,
  type ModelRun,
  unfinished,
} from './support/model.js';

const SEQUENCES = Number(process.env.AXUM_MODEL_RUNS ?? (LONG_MODE ? 1000 : 10));
const MAX_COMMANDS = 10;
/** One sequence in N (drawn) ends with what `axum status/history/runs --json` show, then one more kill -9 and restart. */
const FINAL_CHECK_EVERY = LONG_MODE ? 4 : 2;
const SETTLE_MS = 30_000;
/** What the CLI spawns: the bundle, with the CLI's node flags. */
const DAEMON_MAIN = join(ROOT, 'packages', 'daemon', 'dist', 'axum-daemon.mjs');
/**
 * The slow step sleeps `$AXUM_MODEL_SLEEP` followed by 1 (main) or 2 (staging) seconds: a number unique
 * to this test process and sequence (the daemon hands its environment to steps), so `ps` finds only
 * the sequence's own step processes.
 */
let sequenceNumber = 0;
const sleepOf = (real: Real, branch: string) => `sleep ${real.marker}${ENVIRONMENTS.findIndex((e) => e.branch === branch) + 1}`;

const CONFIG = `version: 1
environments:
${ENVIRONMENTS.map((e) => `  ${e.name}: { branch: ${e.branch} }`).join('\n')}
stages:
  - name: build
    steps:
      - { name: train, run: "if grep -q slow model/kind; then sleep $AXUM_MODEL_SLEEP$([ $AXUM_BRANCH = main ] && echo 1 || echo 2); fi" }
artifacts: [model/**]
verify:
  steps:
    - { name: check, run: "! grep -q bad $AXUM_CURRENT/model/kind" }
rollback: { auto: true }
`;

// ---------------------------------------------------------------------------------------------
// The real system: one repository, its daemon, one WebSocket client.

type Reply = { ok: true; result: unknown } | { ok: false; code: string; message: string };

class Client {
  private seq = 0;
  private readonly waiting = new Map<string, (reply: Reply) => void>();
  private readonly changes: (() => void)[] = [];
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; id?: string | null; result?: unknown; code?: string; message?: string };
      if (m.type !== 'result' && m.type !== 'error') {
        // A delta (run.updated, environment.updated…): whoever waits for a change looks again.
        for (const wake of this.changes.splice(0)) wake();
        return;
      }
      if (!m.id) return;
      const resolve = this.waiting.get(m.id);
      this.waiting.delete(m.id);
      resolve?.(m.type === 'result' ? { ok: true, result: m.result } : { ok: false, code: m.code ?? '', message: m.message ?? '' });
    });
    ws.on('close', () => {
      for (const resolve of this.waiting.values()) resolve({ ok: false, code: 'closed', message: 'the connection closed' });
      this.waiting.clear();
    });
  }

  static async open(dir: string): Promise<Client> {
    const ws = rawSocket(readDaemonJson(dir).socket, { Authorization: `Bearer ${token(dir)}` });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    ws.on('error', () => undefined);
    const client = new Client(ws);
    ws.send(JSON.stringify({ type: 'hello', protocolVersion: 1, client: { name: 'model-test', version: '0' } }));
    return client;
  }

  request(method: string, params: Record<string, unknown> = {}, timeoutMs = SETTLE_MS): Promise<Reply> {
    const id = `m${++this.seq}`;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${method} got no answer in ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiting.set(id, (reply) => {
        clearTimeout(timer);
        resolve(reply);
      });
      this.ws.send(JSON.stringify({ type: 'request', id, method, params }));
    });
  }

  async call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const reply = await this.request(method, params);
    if (!reply.ok) throw new Error(`${method} ${JSON.stringify(params)}: ${reply.code}: ${reply.message}`);
    return reply.result as T;
  }

  /** Resolves at the next delta the daemon pushes, or after `ms`. */
  changed(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.changes.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  close(): void {
    for (const wake of this.changes.splice(0)) wake();
    this.ws.terminate();
  }
}

interface Real {
  dir: string;
  /** The sequence's `$AXUM_MODEL_SLEEP`: `9`, this process's pid mod 10,000, the sequence number on 5 digits. */
  marker: string;
  /** The environment the daemon is started with, by the test or by `axum`. */
  env: NodeJS.ProcessEnv;
  client: Client | null;
  pid: number;
  /** What the commands did, for the figures and a failure's report. */
  log: string[];
}

let template: string | null = null;
/** A repository with axum.yml, `model/kind` = good, and the branches that feed the environments. */
function templateRepo(): string {
  if (template) return template;
  const dir = makeRepo({ config: CONFIG, name: 'template' });
  writeFileSync(join(dir, '.gitignore'), '');
  execFileSync('mkdir', ['-p', join(dir, 'model')]);
  writeFileSync(join(dir, 'model', 'kind'), 'good\n');
  writeFileSync(join(dir, 'model', 'n'), '0\n');
  execFileSync('git', ['add', '-A'], { cwd: dir });
  execFileSync('git', ['commit', '-q', '-m', 'good model'], { cwd: dir });
  for (const env of ENVIRONMENTS) if (env.branch !== 'main') execFileSync('git', ['branch', env.branch], { cwd: dir });
  template = dir;
  return dir;
}

const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

/** Starts the daemon the way `axum` does (detached, logging to .axum/daemon.log), or through `axum daemon start`. */
async function startDaemon(real: Real, viaCli: boolean): Promise<void> {
  if (viaCli) {
    const started = await axum(['daemon', 'start', '--repo', real.dir], { env: real.env });
    if (started.code !== 0) throw new Error(`axum daemon start exited ${started.code}: ${started.stderr}`);
  } else {
    const log = openSync(join(real.dir, '.axum', 'daemon.log'), 'a', 0o600);
    const env = { ...process.env, ...real.env };
    delete env.GIT_DIR;
    delete env.GIT_WORK_TREE;
    delete env.GIT_INDEX_FILE;
    delete env.NODE_ENV;
    const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, DAEMON_MAIN, '--axum-daemon', '--repo', real.dir], { detached: true, stdio: ['ignore', log, log], env });
    child.unref();
    closeSync(log);
    await waitFor(() => {
      try {
        return readDaemonJson(real.dir).pid === child.pid;
      } catch {
        return false;
      }
    }, 10_000, 'the daemon to listen');
  }
  real.pid = readDaemonJson(real.dir).pid;
  real.client = await Client.open(real.dir);
}

async function stopDaemon(real: Real): Promise<void> {
  real.client?.close();
  real.client = null;
  if (real.pid && isAlive(real.pid)) {
    process.kill(real.pid, 'SIGTERM');
    await waitFor(() => !isAlive(real.pid), 15_000, `daemon ${real.pid} to exit`);
  }
}

async function newSequence(): Promise<Real> {
  const base = mkdtempSync(join(tmpdir(), 'axum-model-'));
  const dir = join(base, 'repo');
  cpSync(templateRepo(), dir, { recursive: true });
  execFileSync('mkdir', ['-p', join(dir, '.axum')]);
  const marker = `9${process.pid % 10_000}${String(++sequenceNumber % 100_000).padStart(5, '0')}`;
  const real: Real = { dir, marker, env: { AXUM_MODEL_SLEEP: marker }, client: null, pid: 0, log: [] };
  await startDaemon(real, false);
  // The first start takes the heads as seen and runs nothing.
  await waitFor(() => historyText(dir).includes('"staging"'), 10_000, 'the first reconciliation');
  return real;
}

async function endSequence(real: Real): Promise<void> {
  real.client?.close();
  real.client = null;
  const steps = () => processesMatching(`sleep ${real.marker}`);
  if (real.pid && isAlive(real.pid)) {
    // With a step still running, a graceful stop (it cancels runs); otherwise a kill is enough, and quicker.
    process.kill(real.pid, steps().length > 0 ? 'SIGTERM' : 'SIGKILL');
    await waitFor(() => !isAlive(real.pid), 15_000, `daemon ${real.pid} to exit`).catch(() => undefined);
  }
  // After a failure, nothing of the sequence may outlive it.
  for (const pid of steps()) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // not a group leader, or gone
    }
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
  rmSync(join(real.dir, '..'), { recursive: true, force: true });
}

const client = (real: Real): Client => {
  if (!real.client) throw new Error('no client: the daemon is down');
  return real.client;
};

// ---------------------------------------------------------------------------------------------
// Observation: the real state in the model's terms, compared until it matches (the daemon settles).

interface Observed {
  envs: { name: string; pinned: boolean; live: number | null; lkg: number | null; busy: boolean; revisions: string[] }[];
  runs: string[];
  releases: string[];
}

const revisionLine = (r: { revision: number; status: string; kind: string; releaseId: string; rollbackTo: number | null; verified: boolean }) =>
  `#${r.revision} ${r.status} ${r.kind}${r.rollbackTo === null ? '' : `→#${r.rollbackTo}`} ${r.releaseId}${r.verified ? ' verified' : ''}`;

function expected(m: Model): Observed {
  return {
    envs: m.envs.map((env) => ({
      name: env.name,
      pinned: env.pinned,
      live: liveOf(env)?.revision ?? null,
      lkg: shownLastKnownGoodOf(m, env)?.revision ?? null,
      busy: false,
      revisions: [...env.revisions].reverse().map(revisionLine),
    })),
    runs: [...m.runs].reverse().map((r) => `run-${r.number} ${r.status} ${r.trigger} ${r.branch} ${r.releaseId ?? '-'}`),
    releases: [...m.releases].reverse().map((r) => `${r.id}${r.bad ? ' bad' : ''}`),
  };
}

interface EnvJson {
  name: string;
  pinned: boolean;
  live: { revision: number } | null;
  lastKnownGood: { revision: number } | null;
  operation: unknown;
}
interface RevisionJson {
  revision: number;
  status: string;
  kind: string;
  releaseId: string;
  rollbackTo: number | null;
  verified: boolean;
}
interface RunJson {
  number: number;
  status: string;
  trigger: string;
  branch: string;
  releaseId: string | null;
  steps: { status: string }[];
}

function normalize(envs: EnvJson[], histories: RevisionJson[][], runList: RunJson[], releases: { id: string; bad: unknown }[]): Observed {
  return {
    envs: envs.map((env, i) => ({
      name: env.name,
      pinned: env.pinned,
      live: env.live?.revision ?? null,
      lkg: env.lastKnownGood?.revision ?? null,
      busy: env.operation !== null,
      revisions: (histories[i] ?? []).map(revisionLine),
    })),
    // A run counts as running once its step runs (its process group is recorded by then).
    runs: runList.map((r) => `${`run-${r.number}`} ${r.status === 'running' && r.steps[0]?.status !== 'running' ? 'starting' : r.status} ${r.trigger} ${r.branch} ${r.releaseId ?? '-'}`),
    releases: releases.map((r) => `${r.id}${r.bad ? ' bad' : ''}`),
  };
}

const unlisted = (name: string): EnvJson & { unlisted: true } => ({ name, pinned: false, live: null, lastKnownGood: null, operation: null, unlisted: true }) as unknown as EnvJson & { unlisted: true };

async function observe(real: Real): Promise<Observed> {
  const c = client(real);
  const state = await c.call<{ environments: EnvJson[] }>('state.get');
  // An environment the config in use does not declare and that has no records yet is not listed:
  // it is seen as what it is, an environment with nothing in it.
  const envs = ENVIRONMENTS.map((e) => state.environments.find((x) => x.name === e.name) ?? unlisted(e.name));
  const histories = await Promise.all(ENVIRONMENTS.map((e, i) => ((envs[i] as { unlisted?: boolean } | undefined)?.unlisted ? [] : c.call<RevisionJson[]>('history.get', { env: e.name }))));
  const runList = await c.call<RunJson[]>('runs.list', { limit: 10_000 });
  const releases = await c.call<{ id: string; bad: unknown }[]>('releases.list');
  return normalize(envs, histories, runList, releases);
}

/** What the `axum` command shows (status, history, runs, all --json), in the same terms. */
async function observeCli(real: Real): Promise<Observed> {
  const json = async <T>(args: string[]): Promise<T> => {
    const result = await axum([...args, '--json', '--repo', real.dir], { env: real.env });
    if (result.code !== 0) throw new Error(`axum ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  };
  const status = await json<{ environments: EnvJson[] }>(['status']);
  const envs = ENVIRONMENTS.map((e) => status.environments.find((x) => x.name === e.name) as EnvJson);
  const histories = await Promise.all(ENVIRONMENTS.map((e) => json<RevisionJson[]>(['history', e.name])));
  const runList = await json<RunJson[]>(['runs', '--limit', '1000']);
  const releases = await client(real).call<{ id: string; bad: unknown }[]>('releases.list');
  return normalize(envs, histories, runList, releases);
}

/** Waits until the daemon shows what the model says (it settles: runs end, deploys verify, auto-rollbacks finish). */
async function converge(m: Model, real: Real, what: string): Promise<void> {
  const want = JSON.stringify(expected(m));
  let last: Observed | null = null;
  const deadline = Date.now() + SETTLE_MS;
  // Look, and look again at each change the daemon pushes (no busy polling: it would slow the daemon down).
  for (;;) {
    const change = client(real).changed(250);
    last = await observe(real);
    if (JSON.stringify(last) === want) break;
    if (Date.now() > deadline) {
      throw new Error(`the daemon did not match the model within ${SETTLE_MS} ms after ${what}\nmodel:  ${JSON.stringify(expected(m), null, 1)}\ndaemon: ${JSON.stringify(last, null, 1)}\ndaemon.log (tail):\n${daemonLogTail(real)}`);
    }
    await change;
  }
  // `current` names the live revision's release folder.
  for (const env of m.envs) {
    const live = liveOf(env);
    if (!live) continue;
    const link = readlinkSync(join(real.dir, '.axum', 'envs', env.name, 'current'));
    if (!new RegExp(`/releases/${live.releaseId}/`).test(`${link}/`)) throw new Error(`${env.name}/current is ${link}, but #${live.revision} (${live.releaseId}) is live`);
  }
  // No step process outlives its run.
  const idle = ENVIRONMENTS.filter((e) => !runningOn(m, e.branch));
  const markers = idle.length === ENVIRONMENTS.length ? [`sleep ${real.marker}`] : idle.map((e) => sleepOf(real, e.branch));
  for (const marker of markers) {
    await waitFor(() => processesMatching(marker).length === 0, 5000, `no slow step (${marker}) to be left running`).catch((err: Error) => {
      throw new Error(`${err.message}: ${execFileSync('ps', ['-o', 'pid,ppid,pgid,etime,args', '-p', processesMatching(marker).join(',') || '1'], { encoding: 'utf8' })}\ndaemon.log (tail):\n${daemonLogTail(real)}`);
    });
  }
}

function daemonLogTail(real: Real): string {
  try {
    return readFileSync(join(real.dir, '.axum', 'daemon.log'), 'utf8').split('\n').slice(-25).join('\n');
  } catch {
    return '(no daemon.log)';
  }
}

// ---------------------------------------------------------------------------------------------
// Commands. Each check() allows only what the model calls meaningful; run() acts, updates the model,
// checks what the action answered, and waits for the daemon to settle on the model's state.

type Cmd = fc.AsyncCommand<Model, Real, false>;
const counts: Record<string, number> = {};
const count = (name: string) => (counts[name] = (counts[name] ?? 0) + 1);
const via = (cli: boolean) => (cli ? ' (cli)' : '');

class Commit implements Cmd {
  constructor(
    readonly branch: string,
    readonly kind: CommitKind,
    readonly cli: boolean,
  ) {}
  // At most one queued run per branch (so no two releases of one branch race to deploy): a push supersedes a queued push, not a queued manual run.
  check = (m: Readonly<Model>) => !m.runs.some((r) => r.branch === this.branch && r.status === 'queued' && r.trigger === 'manual');
  async run(m: Model, real: Real) {
    count('commit');
    git(real.dir, 'checkout', '-q', this.branch);
    writeFileSync(join(real.dir, 'model', 'kind'), `${this.kind}\n`);
    writeFileSync(join(real.dir, 'model', 'n'), `${m.commits + 1}\n`);
    // Only the model: a broken axum.yml left in the work tree (WorkTreeConfig) is never committed.
    git(real.dir, 'add', 'model');
    git(real.dir, 'commit', '-q', '-m', `${this.kind} model`);
    commit(m, this.branch, this.kind);
    // The watcher sees it by itself; the WebSocket path asks for a reconcile so as not to wait for the interval.
    if (!this.cli) await client(real).call('git.reconcile');
    await converge(m, real, this.toString());
  }
  toString = () => `commit(${this.branch}, ${this.kind})${this.cli ? ' (watcher)' : ''}`;
}

/** Two good commits to one branch in a row: a last known good, so the rollbacks after it are real ones. */
class TwoGoodCommits implements Cmd {
  private readonly first: Commit;
  private readonly second: Commit;
  constructor(readonly branch: string) {
    this.first = new Commit(branch, 'good', false);
    this.second = new Commit(branch, 'good', true);
  }
  check = (m: Readonly<Model>) => this.first.check(m);
  async run(m: Model, real: Real) {
    await this.first.run(m, real);
    if (this.second.check(m)) await this.second.run(m, real);
  }
  toString = () => `${this.first.toString()}; ${this.second.toString()}`;
}


/** One command through `bin/axum … --json` (expecting `exitCode`) or over the socket: the same answer either way. */
async function cliOrSocket<T>(real: Real, cli: boolean, args: string[], exitCode: number, method: string, params: Record<string, unknown>): Promise<T> {
  if (!cli) return (await client(real).call(method, params)) as T;
  const result = await axum([...args, '--json', '--repo', real.dir], { env: real.env });
  expect(result.code, result.stderr).toBe(exitCode);
  return JSON.parse(result.stdout) as T;
}

class Trigger implements Cmd {
  constructor(
    readonly branch: string,
    readonly cli: boolean,
  ) {}
  check = (m: Readonly<Model>) => !m.runs.some((r) => r.branch === this.branch && r.status === 'queued');
  async run(m: Model, real: Real) {
    count('trigger');
    // A run of the branch's head already queued, running or succeeded is the answer, not a second one.
    const { run, existing } = triggerHead(m, this.branch);
    const answer = await cliOrSocket<{ id: string; trigger: string; existing: boolean }>(real, this.cli, ['run', '--branch', this.branch], 0, 'run.trigger', { branch: this.branch });
    expect(answer).toMatchObject({ id: `run-${run.number}`, trigger: run.trigger, existing });
    await converge(m, real, this.toString());
  }
  toString = () => `trigger(${this.branch})${via(this.cli)}`;
}

class Cancel implements Cmd {
  constructor(
    readonly which: number,
    readonly cli: boolean,
  ) {}
  private runId = '?';
  check = (m: Readonly<Model>) => unfinished(m as Model).length > 0;
  async run(m: Model, real: Real) {
    count('cancel');
    const candidates = unfinished(m);
    const target = candidates[this.which % candidates.length];
    if (!target) throw new Error('cancel: nothing running or queued');
    this.runId = `run-${target.number} (${target.status})`;
    const wasRunning = target.status === 'running';
    cancel(m, target);
    const answer = await cliOrSocket<{ status: string }>(real, this.cli, ['cancel', `run-${target.number}`], 0, 'run.cancel', { runId: `run-${target.number}` });
    expect(answer.status).toBe('cancelled');
    // `cancel` answers once the step's process group is gone (unless the next queued run is a slow one that started since).
    if (wasRunning && !runningOn(m, target.branch)) expect(processesMatching(sleepOf(real, target.branch))).toEqual([]);
    await converge(m, real, this.toString());
  }
  toString = () => `cancel(${this.runId})${via(this.cli)}`;
}

/** A slow commit cancelled at once: the run may still be queued, or its step just spawning. */
class CommitAndCancel implements Cmd {
  constructor(
    readonly branch: string,
    readonly cli: boolean,
  ) {}
  check = (m: Readonly<Model>) => !unfinished(m as Model).some((r) => r.branch === this.branch);
  async run(m: Model, real: Real) {
    count('commit+cancel');
    git(real.dir, 'checkout', '-q', this.branch);
    writeFileSync(join(real.dir, 'model', 'kind'), 'slow\n');
    writeFileSync(join(real.dir, 'model', 'n'), `${m.commits + 1}\n`);
    // Only the model: a broken axum.yml left in the work tree (WorkTreeConfig) is never committed.
    git(real.dir, 'add', 'model');
    git(real.dir, 'commit', '-q', '-m', 'slow model');
    const target: ModelRun = commit(m, this.branch, 'slow');
    cancel(m, target);
    await client(real).call('git.reconcile');
    const answer = await cliOrSocket<{ status: string }>(real, this.cli, ['cancel', `run-${target.number}`], 0, 'run.cancel', { runId: `run-${target.number}` });
    expect(answer.status).toBe('cancelled');
    expect(processesMatching(sleepOf(real, this.branch))).toEqual([]);
    await converge(m, real, this.toString());
  }
  toString = () => `commit(${this.branch}, slow) and cancel at once${via(this.cli)}`;
}

class Deploy implements Cmd {
  constructor(
    readonly env: string,
    readonly which: number,
    readonly cli: boolean,
    readonly force = false,
  ) {}
  private releaseId = '?';
  check = (m: Readonly<Model>) => m.releases.length > 0;
  async run(m: Model, real: Real) {
    count('deploy');
    const release = m.releases[this.which % m.releases.length];
    if (!release) throw new Error('deploy: no release');
    this.releaseId = release.id;
    const outcome = deploy(m, this.env, release.id, this.force);
    const args = ['deploy', this.env, '--release', release.id, ...(this.force ? ['--force'] : [])];
    const params = { env: this.env, releaseId: release.id, force: this.force };
    if ('refused' in outcome) {
      count('deploy refused');
      await expectRefused(real, this.cli, args, 'env.deploy', params, REFUSALS[outcome.refused]!);
    } else if ('unchanged' in outcome) {
      // The release live there already: nothing to do, exit 0, the live revision as the answer.
      count('deploy unchanged');
      const answer = await cliOrSocket<{ revision: number; unchanged: boolean }>(real, this.cli, args, 0, 'env.deploy', params);
      expect(answer).toMatchObject({ revision: outcome.unchanged.revision, releaseId: release.id, unchanged: true });
    } else {
      const { revision } = outcome;
      const answer = await cliOrSocket<{ revision: number; status: string }>(real, this.cli, args, revision.status === 'live' ? 0 : 1, 'env.deploy', params);
      expect(answer).toMatchObject({ revision: revision.revision, status: revision.status });
    }
    await converge(m, real, this.toString());
  }
  toString = () => `deploy(${this.env}, ${this.releaseId}${this.force ? ', --force' : ''})${via(this.cli)}`;
}

/** A refusal through `bin/axum` (exit 1, the message on stderr) or over the socket (`refused`, the message). */
async function expectRefused(real: Real, cli: boolean, args: string[], method: string, params: Record<string, unknown>, pattern: RegExp): Promise<void> {
  if (cli) {
    const result = await axum([...args, '--json', '--repo', real.dir], { env: real.env });
    expect(result.code, result.stdout).toBe(1);
    expect(result.stderr).toMatch(pattern);
    return;
  }
  const reply = await client(real).request(method, params);
  expect(reply.ok, JSON.stringify(reply)).toBe(false);
  if (!reply.ok) {
    expect(reply.code).toBe('refused');
    expect(reply.message).toMatch(pattern);
  }
}

/** `promote FROM TO [--force]`: over the socket (the command is the CLI's, tested with it). */
class Promote implements Cmd {
  constructor(
    readonly from: string,
    readonly to: string,
    readonly force: boolean,
    /** Only when FROM has a live release: short sequences otherwise mostly test the refusal. */
    readonly whenPossible = false,
  ) {}
  check = (m: Readonly<Model>) => this.from !== this.to && (!this.whenPossible || liveOf(envOf(m as Model, this.from)) !== null);
  async run(m: Model, real: Real) {
    count('promote');
    const outcome = promote(m, this.from, this.to, this.force);
    const params = { from: this.from, to: this.to, force: this.force };
    if ('refused' in outcome) {
      count('promote refused');
      await expectRefused(real, false, [], 'env.promote', params, REFUSALS[outcome.refused]!);
    } else if ('unchanged' in outcome) {
      count('promote unchanged');
      const answer = await client(real).call('env.promote', params);
      expect(answer).toMatchObject({ revision: outcome.unchanged.revision, releaseId: outcome.unchanged.releaseId, unchanged: true });
    } else {
      const answer = await client(real).call('env.promote', params);
      expect(answer).toMatchObject({ revision: outcome.revision.revision, status: outcome.revision.status, releaseId: outcome.revision.releaseId });
    }
    await converge(m, real, this.toString());
  }
  toString = () => `promote(${this.from} → ${this.to}${this.force ? ', --force' : ''})`;
}

/** Pinned, a good commit built and held back, then unpinned: the held release deploys. */
class HeldThenUnpinned implements Cmd {
  private readonly steps: Cmd[];
  constructor(
    readonly env: string,
    readonly cli: boolean,
  ) {
    const branch = ENVIRONMENTS.find((e) => e.name === env)!.branch;
    this.steps = [new Pin(env, true, false), new Commit(branch, 'good', false), new Pin(env, false, cli)];
  }
  check = (m: Readonly<Model>) => this.steps[1]!.check(m);
  async run(m: Model, real: Real) {
    for (const step of this.steps) await step.run(m, real);
  }
  toString = () => this.steps.map(String).join('; ');
}

/** `mark REL good|bad`: over the socket; the releases' marks and every environment's last known good follow. */
class Mark implements Cmd {
  constructor(
    readonly which: number,
    readonly mark: 'good' | 'bad',
  ) {}
  private releaseId = '?';
  check = (m: Readonly<Model>) => m.releases.length > 0;
  async run(m: Model, real: Real) {
    count(`mark ${this.mark}`);
    const release = m.releases[this.which % m.releases.length];
    if (!release) throw new Error('mark: no release');
    this.releaseId = release.id;
    const outcome = mark(m, release.id, this.mark);
    const params = { releaseId: release.id, mark: this.mark, reason: 'model test' };
    // Asked again, a mark is an answer with what stands, not a refusal.
    expect(await client(real).call('release.mark', params)).toMatchObject({ id: release.id, bad: this.mark === 'bad' ? { why: 'model test' } : null, ...(outcome.unchanged ? { unchanged: true } : {}) });
    await converge(m, real, this.toString());
  }
  toString = () => `mark(${this.releaseId}, ${this.mark})`;
}

const REFUSALS: Record<string, RegExp> = {
  'no last known good': /no last known good revision to roll back to/,
  'is marked bad': /is marked bad by .* pass --force .*, or clear the mark: axum mark rel-\d+ good/,
  'nothing is live': /nothing is live in \w+.*: nothing to promote/,
  'is live already': /has the release that is live already/,
  'serves its last known good': /is the automatic rollback to the last known good #\d+: .* --to N/,
};

class Rollback implements Cmd {
  /** The revision asked for: null for the last known good. */
  private to: number | null = null;
  constructor(
    readonly env: string,
    readonly which: number | null,
    readonly force: boolean,
    readonly cli: boolean,
    /** Only when the model has a last known good: short sequences otherwise mostly test the refusal. */
    readonly whenPossible = false,
  ) {}
  check = (m: Readonly<Model>) => !this.whenPossible || lastKnownGoodOf(m as Model, envOf(m as Model, this.env)) !== null;
  async run(m: Model, real: Real) {
    count('rollback');
    // Among revisions of another release than the live one (a rollback to what is live is refused, and
    // picking it often would leave few real rollbacks), or the number after the last (no such revision).
    const env = envOf(m, this.env);
    const others = env.revisions.filter((r) => r.releaseId !== liveOf(env)?.releaseId);
    this.to = this.which === null ? null : (others[this.which % (others.length + 1)]?.revision ?? env.revisions.length + 1);
    const outcome = rollback(m, this.env, this.to, this.force);
    const args = ['rollback', this.env, ...(this.to === null ? [] : ['--to', String(this.to)]), ...(this.force ? ['--force'] : []), '--json', '--repo', real.dir];
    const params = { env: this.env, to: this.to, force: this.force };
    if ('refused' in outcome) {
      count('rollback refused');
      const pattern = REFUSALS[outcome.refused] ?? new RegExp(`${outcome.refused} \\(revisions: `);
      if (this.cli) {
        const result = await axum(args, { env: real.env });
        expect(result.code, result.stdout).toBe(1);
        expect(result.stderr).toMatch(pattern);
      } else {
        const reply = await client(real).request('env.rollback', params);
        expect(reply.ok, JSON.stringify(reply)).toBe(false);
        if (!reply.ok) {
          expect(reply.code).toBe('refused');
          expect(reply.message).toMatch(pattern);
        }
      }
    } else {
      let answer: { revision: number; status: string };
      if (this.cli) {
        const result = await axum(args, { env: real.env });
        expect(result.code, result.stderr).toBe(outcome.revision.status === 'live' ? 0 : 1);
        answer = JSON.parse(result.stdout) as typeof answer;
      } else answer = await client(real).call('env.rollback', params);
      expect(answer).toMatchObject({ revision: outcome.revision.revision, status: outcome.revision.status });
    }
    await converge(m, real, this.toString());
  }
  toString = () => `rollback(${this.env}${this.to === null ? '' : `, --to ${this.to}`}${this.force ? ', --force' : ''})${via(this.cli)}`;
}

class Pin implements Cmd {
  constructor(
    readonly env: string,
    readonly pinned: boolean,
    readonly cli: boolean,
  ) {}
  check = () => true;
  async run(m: Model, real: Real) {
    count(this.pinned ? 'pin' : 'unpin');
    const deployed = pin(m, this.env, this.pinned);
    if (deployed) count('unpin deployed');
    if (this.cli) {
      const result = await axum([this.pinned ? 'pin' : 'unpin', this.env, '--json', '--repo', real.dir], { env: real.env });
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toMatchObject({ name: this.env, pinned: this.pinned });
    } else {
      const answer = await client(real).call('env.pin', { env: this.env, pinned: this.pinned });
      // Unpinning deploys the release the pin held back (or says why none is deployed).
      expect(answer).toMatchObject({ pinned: this.pinned, deployed: deployed ? { revision: deployed.revision, releaseId: deployed.releaseId, status: deployed.status } : null });
    }
    await converge(m, real, this.toString());
  }
  toString = () => `${this.pinned ? 'pin' : 'unpin'}(${this.env})${via(this.cli)}`;
}

/**
 * The work tree's axum.yml made invalid (a syntax error, or a YAML alias bomb) or put back. The
 * file decides what the daemon watches and runs, never what is recovered or rolled back: every
 * other command, a restart and a kill -9 included, must give the same state while it is broken
 * (the daemon starts and runs on the last valid config). The model does not change.
 */
class WorkTreeConfig implements Cmd {
  constructor(readonly kind: 'invalid' | 'alias-bomb' | 'valid') {}
  check = () => true;
  async run(m: Model, real: Real) {
    count(`config ${this.kind}`);
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`)].join('\n');
    writeFileSync(join(real.dir, 'axum.yml'), this.kind === 'valid' ? CONFIG : this.kind === 'invalid' ? 'version: 1\nenvironments: [\n' : `${bomb}\n`);
    const valid = this.kind === 'valid';
    await waitFor(async () => (await client(real).call<{ config: { valid: boolean } }>('state.get')).config.valid === valid, 10_000, `the daemon to read axum.yml as ${valid ? 'valid' : 'invalid'}`);
    await converge(m, real, this.toString());
  }
  toString = () => `work-tree axum.yml ${this.kind}`;
}

/**
 * Another branch checked out whose axum.yml does not declare `staging` (a feature branch from
 * before it existed), across a daemon restart, then back. The records decide what is recovered,
 * kept and rolled back, never the file (ARCHITECTURE.md, glossary: Records): `staging` keeps its
 * revisions, its live release, its pin and its history while undeclared. The model does not change.
 * Only while nothing runs: a staging run that ends while undeclared deploys nothing (said, not modelled).
 */
class OtherBranchCheckedOut implements Cmd {
  check = (m: Readonly<Model>) => unfinished(m as Model).length === 0;
  async run(m: Model, real: Real) {
    count('other branch checked out');
    const state = () => client(real).call<{ config: { valid: boolean }; environments: { name: string; inConfig?: boolean }[] }>('state.get');
    const declared = async (yes: boolean) => {
      const now = await state();
      const staging = now.environments.find((e) => e.name === 'staging');
      // Undeclared and without records yet (nothing deployed, never pinned), it is not listed at all.
      return now.config.valid && (yes ? staging !== undefined && staging.inConfig !== false : staging === undefined || staging.inConfig === false);
    };
    git(real.dir, 'checkout', '-q', '-B', 'elsewhere');
    writeFileSync(join(real.dir, 'axum.yml'), CONFIG.replace(/^ {2}staging: .*\n/m, ''));
    git(real.dir, 'add', 'axum.yml');
    git(real.dir, 'commit', '-q', '-m', 'a branch from before staging existed');
    await waitFor(() => declared(false), 10_000, 'the daemon to read an axum.yml without staging');
    await stopDaemon(real);
    daemonRestarted(m);
    await startDaemon(real, false);
    await converge(m, real, `${this.toString()} (restarted on it)`);
    git(real.dir, 'checkout', '-q', 'main');
    await waitFor(() => declared(true), 10_000, 'the daemon to read axum.yml with staging again');
    await converge(m, real, this.toString());
  }
  toString = () => 'another branch checked out (axum.yml without staging), restart, back';
}

class Restart implements Cmd {
  constructor(readonly cli: boolean) {}
  check = () => true;
  async run(m: Model, real: Real) {
    count('restart');
    const pid = real.pid;
    if (this.cli) {
      real.client?.close();
      real.client = null;
      const stopped = await axum(['daemon', 'stop', '--repo', real.dir], { env: real.env });
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(isAlive(pid)).toBe(false);
    } else {
      await stopDaemon(real);
    }
    daemonRestarted(m);
    await startDaemon(real, this.cli);
    await converge(m, real, this.toString());
  }
  toString = () => `restart${via(this.cli)}`;
}

class Kill implements Cmd {
  constructor(readonly cli: boolean) {}
  check = () => true;
  async run(m: Model, real: Real) {
    count('kill');
    const pid = real.pid;
    real.client?.close();
    real.client = null;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), 10_000, `daemon ${pid} to die`);
    daemonRestarted(m);
    if (this.cli) {
      // The next command starts the daemon by itself.
      const status = await axum(['status', '--json', '--repo', real.dir], { env: real.env });
      expect(status.code, status.stderr).toBe(0);
      real.pid = readDaemonJson(real.dir).pid;
      expect(real.pid).not.toBe(pid);
      real.client = await Client.open(real.dir);
    } else await startDaemon(real, false);
    await converge(m, real, this.toString());
  }
  toString = () => `kill -9${this.cli ? ' (next command restarts it)' : ''}`;
}

// ---------------------------------------------------------------------------------------------

const branches = ENVIRONMENTS.map((e) => e.branch);
const envNames = ENVIRONMENTS.map((e) => e.name);
/** About one command in four goes through the `axum` command; shrinking goes towards the WebSocket. */
const cli = fc.nat({ max: 3 }).map((n) => n === 3);
const commitArb = fc.tuple(fc.constantFrom(...branches), fc.constantFrom<CommitKind>('good', 'good', 'bad', 'slow'), cli).map(([b, k, c]) => new Commit(b, k, c));
const commandArbs: fc.Arbitrary<Cmd>[] = [
  commitArb,
  commitArb,
  commitArb,
  fc.tuple(fc.constantFrom(...branches), cli).map(([b, c]) => new Trigger(b, c)),
  fc.tuple(fc.nat(3), cli).map(([w, c]) => new Cancel(w, c)),
  fc.tuple(fc.constantFrom(...branches), cli).map(([b, c]) => new CommitAndCancel(b, c)),
  fc.tuple(fc.constantFrom(...envNames), fc.nat(20), cli).map(([e, w, c]) => new Deploy(e, w, c)),
  // --force goes over the socket: the command's flag is the CLI's, tested with it.
  fc.tuple(fc.constantFrom(...envNames), fc.nat(20)).map(([e, w]) => new Deploy(e, w, false, true)),
  fc.tuple(fc.constantFrom(...envNames), fc.boolean()).map(([from, force]) => new Promote(from, envNames.find((e) => e !== from)!, force)),
  fc.tuple(fc.constantFrom(...envNames), fc.boolean()).map(([from, force]) => new Promote(from, envNames.find((e) => e !== from)!, force, true)),
  fc.tuple(fc.constantFrom(...envNames), cli).map(([e, c]) => new HeldThenUnpinned(e, c)),
  fc.tuple(fc.nat(20), fc.constantFrom<'good' | 'bad'>('good', 'bad')).map(([w, k]) => new Mark(w, k)),
  fc.tuple(fc.constantFrom(...envNames), fc.option(fc.nat(9), { freq: 3 }), fc.boolean(), cli).map(([e, to, f, c]) => new Rollback(e, to, f, c)),
  fc.tuple(fc.constantFrom(...envNames), cli).map(([e, c]) => new Rollback(e, null, false, c)),
  fc.tuple(fc.constantFrom(...envNames), cli).map(([e, c]) => new Rollback(e, null, false, c, true)),
  fc.constantFrom(...branches).map((b) => new TwoGoodCommits(b)),
  fc.tuple(fc.constantFrom(...envNames), fc.boolean(), cli).map(([e, p, c]) => new Pin(e, p, c)),
  cli.map((c) => new Restart(c)),
  cli.map((c) => new Kill(c)),
  fc.constantFrom<'invalid' | 'alias-bomb' | 'valid'>('invalid', 'alias-bomb', 'valid', 'valid').map((k) => new WorkTreeConfig(k)),
  fc.constant(null).map(() => new OtherBranchCheckedOut()),
];

const replayPath = process.env.AXUM_MODEL_REPLAY;
/** A file to append one line per sequence to, to follow a long run (vitest prints only at the end). */
const PROGRESS = process.env.AXUM_MODEL_PROGRESS;
const MINUTES = process.env.AXUM_MODEL_MINUTES === undefined ? undefined : Number(process.env.AXUM_MODEL_MINUTES);
const seed = process.env.AXUM_MODEL_SEED === undefined ? undefined : Number(process.env.AXUM_MODEL_SEED);
const path = process.env.AXUM_MODEL_PATH;

const durations: number[] = [];
const timeByKind: Record<string, number> = {};
let commandsRun = 0;
afterAll(() => {
  if (durations.length === 0) return;
  const sorted = [...durations].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
  const mode = LONG_MODE ? 'long' : 'short';
  console.log(`FIGURE model-${mode}-sequences: ${durations.length}`);
  console.log(`FIGURE model-${mode}-commands: ${commandsRun}`);
  console.log(`FIGURE model-${mode}-median-sequence-s: ${(median / 1000).toFixed(2)}`);
  console.log(`FIGURE model-${mode}-p95-sequence-s: ${((sorted[Math.floor(sorted.length * 0.95)] ?? 0) / 1000).toFixed(2)}`);
  console.log(`FIGURE model-${mode}-total-s: ${(durations.reduce((a, b) => a + b, 0) / 1000).toFixed(0)}`);
  console.log(`FIGURE model-${mode}-commands-by-kind: ${Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  console.log(`FIGURE model-${mode}-seconds-by-command: ${Object.entries(timeByKind).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')}`);
  if (template) rmSync(join(template, '..'), { recursive: true, force: true });
});

describe('model-based: random command sequences against a real daemon', () => {
  it(`${SEQUENCES} sequences of up to ${MAX_COMMANDS} commands match the model after every command`, async () => {
    // Whether the sequence ends with the CLI check and a last kill -9 is drawn with it, so a replay repeats it.
    const finalCheck = fc.nat(FINAL_CHECK_EVERY - 1).map((n) => n === 0);
    // AXUM_MODEL_MINUTES: no new sequence after that long (fast-check's own time limit abandons the
    // sequence in flight, and with it a daemon).
    const deadline = MINUTES === undefined ? null : Date.now() + MINUTES * 60_000;
    const property = fc.asyncProperty(fc.commands(commandArbs, { maxCommands: MAX_COMMANDS, replayPath }), finalCheck, async (cmds, withFinalCheck) => {
      if (deadline !== null && Date.now() > deadline) return;
      const started = Date.now();
      const real = await newSequence();
      timeByKind['new repository and daemon'] = (timeByKind['new repository and daemon'] ?? 0) + Date.now() - started;
      let executed = 0;
      try {
        const counted = [...cmds].map((cmd) => ({
          check: (m: Readonly<Model>) => cmd.check(m),
          run: async (m: Model, r: Real) => {
            executed++;
            const t = Date.now();
            await cmd.run(m, r);
            const kind = cmd.toString().replace(/\(.*$/, '').replace(/ .*$/, '');
            timeByKind[kind] = (timeByKind[kind] ?? 0) + Date.now() - t;
          },
          toString: () => cmd.toString(),
        }));
        const model = initialModel();
        await fc.asyncModelRun(() => ({ model, real }), counted);
        // What the `axum` command shows agrees too; and after one more kill -9, nothing acknowledged is lost.
        if (withFinalCheck) {
          const t = Date.now();
          const shown = await observeCli(real);
          expect(JSON.stringify(shown)).toBe(JSON.stringify(expected(model)));
          await new Kill(false).run(model, real);
          counts.kill = (counts.kill ?? 1) - 1;
          count('final check');
          timeByKind['final checks'] = (timeByKind['final checks'] ?? 0) + Date.now() - t;
        }
      } finally {
        commandsRun += executed;
        await endSequence(real);
        durations.push(Date.now() - started);
        if (PROGRESS) appendFileSync(PROGRESS, `${new Date().toISOString()} sequence ${durations.length}: ${executed} commands, ${Date.now() - started} ms\n`);
      }
    });
    const out = await fc.check(property, {
      numRuns: SEQUENCES,
      ...(seed === undefined ? {} : { seed }),
      ...(path === undefined ? {} : { path, endOnFailure: true }),
    });
    if (deadline !== null && Date.now() > deadline) console.log(`model-based: AXUM_MODEL_MINUTES=${MINUTES} reached; ${durations.length} sequence(s) ran`);
    if (out.failed) {
      const counterexample = out.counterexample ? `${fc.stringify(out.counterexample[0])}${out.counterexample[1] ? ', then the CLI check and a last kill -9' : ''}` : '(none)';
      const replay = /replayPath="([^"]+)"/.exec(counterexample)?.[1];
      throw new Error(
        [
          `model-based test failed after ${out.numRuns} sequence(s), shrunk ${out.numShrinks} time(s)`,
          `counterexample: ${counterexample}`,
          `replay: AXUM_MODEL_SEED=${out.seed} AXUM_MODEL_PATH=${out.counterexamplePath ?? ''}${replay ? ` AXUM_MODEL_REPLAY=${replay}` : ''} ${LONG_MODE ? 'AXUM_TEST_LONG=1 ' : ''}NO_COLOR=1 npx vitest run test/model.test.ts`,
          `error: ${out.errorInstance instanceof Error ? (out.errorInstance.stack ?? out.errorInstance.message) : String(out.errorInstance)}`,
        ].join('\n'),
      );
    }
  }, LONG_MODE ? 4 * 3600_000 : 600_000);
});
