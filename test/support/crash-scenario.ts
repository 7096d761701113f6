// The crash tests' shared parts (RELIABILITY.md): a repository whose pipeline makes, deploys and
// verifies a small model; a scenario that passes every crash point; and the invariants checked
// after each kill -9 and restart. The scenario talks WebSocket directly (never the CLI): a CLI
// command would start a new daemon on its own, before the dead one's files could be inspected.
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import WebSocket from 'ws';
import { axum, commitFiles, daemonPid, isAlive, makeRepo, readDaemonJson, runsOnDisk, token } from './axum.js';

export const ENV = 'staging';
export const KEEP_RUNS = 3;

/** The pipeline: prepare (sleeps when the commit says so), train (the model), eval verifies through `current`. */
export const CRASH_CONFIG = `version: 1
environments:
  ${ENV}: { branch: main }
stages:
  - name: build
    steps:
      - { name: prepare, run: "sh step.sh prepare" }
      - { name: train, run: "sh step.sh train" }
artifacts: [model/**]
verify:
  steps:
    - { name: eval, run: "sh step.sh eval" }
  gates: { accuracy: ">= 0.8" }
rollback: { auto: true }
history: { keepRuns: ${KEEP_RUNS}, keepReleases: 2 }
`;

// train and eval leave a background sleeper: harmless when the runner cleans up after a step, an
// orphan for the next daemon to find when a crash cuts the step short.
const STEP_SCRIPT = `case "$1" in
  prepare) sleep "$(cat slow.txt 2>/dev/null || echo 0)" ;;
  train) sleep 30 & mkdir -p model && cp data.txt model/weights.txt && head -c 65536 /dev/urandom > model/blob.bin ;;
  eval) sleep 30 & echo "accuracy=$(cat "$AXUM_CURRENT/model/weights.txt")" >> "$AXUM_METRICS"; sleep 0.05 ;;
esac
`;

/** A model version: its accuracy (below 0.8 fails the gate) and whether `prepare` sleeps (to be cancelled). */
export function commitModel(dir: string, accuracy: string, options: { slow?: boolean } = {}): string {
  // build.txt makes every commit a change, even of a model committed before.
  const files = { 'data.txt': `${accuracy}\n`, 'slow.txt': options.slow ? '10\n' : '0\n', 'step.sh': STEP_SCRIPT, 'build.txt': `${randomUUID()}\n` };
  return commitFiles(dir, `model ${accuracy}${options.slow ? ' (slow)' : ''}`, files);
}

export interface RunSeen {
  id: string;
  number: number;
  status: string;
  commit: string;
  releaseId: string | null;
}
export interface RevisionSeen {
  revision: number;
  status: string;
  kind: string;
  releaseId: string;
  verified: boolean;
  /** Read by the checks after a restart (why a revision failed, its log folder); not part of what is acknowledged. */
  message?: string | null;
  createdAt?: string;
}

/** Everything a client was told before the crash: what must survive it. */
export interface Acknowledged {
  runs: Map<string, RunSeen>;
  revisions: Map<number, RevisionSeen>;
  /** The pin state of the last acknowledged pin, unpin or rollback, unless one is in flight. */
  pinned: boolean | null;
  /** A manual rollback asked for and not yet settled: the pin before it, and the newest revision then. */
  rollbackInFlight: { pinnedBefore: boolean; after: number } | null;
}

export class DaemonGone extends Error {
  constructor() {
    super('the daemon is gone');
  }
}

/** A minimal protocol client that fails every pending request the moment the socket closes. */
export class Client {
  private pending = new Map<string, { resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private closed = false;
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      const waiter = typeof message.id === 'string' ? this.pending.get(message.id) : undefined;
      if (!waiter) return;
      this.pending.delete(message.id as string);
      waiter.resolve(message);
    });
    ws.on('close', () => this.fail());
    ws.on('error', () => this.fail());
  }

  static async open(dir: string): Promise<Client> {
    const info = readDaemonJson(dir);
    const ws = new WebSocket(`ws+unix://${info.socket}:/`, { headers: { Authorization: `Bearer ${token(dir)}` }, perMessageDeflate: false });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const client = new Client(ws);
    await new Promise<void>((resolve, reject) => {
      ws.once('message', () => resolve()); // welcome or snapshot: the handshake is done
      ws.once('close', () => reject(new DaemonGone()));
      ws.send(JSON.stringify({ type: 'hello', protocolVersion: 1, client: { name: 'crash-test', version: '0' } }));
    });
    return client;
  }

  private fail(): void {
    this.closed = true;
    for (const waiter of this.pending.values()) waiter.reject(new DaemonGone());
    this.pending.clear();
  }

  /** The result, or throws the typed error's message (DaemonGone when the socket closed). */
  async request<T>(method: string, params: Record<string, unknown>): Promise<T> {
    if (this.closed) throw new DaemonGone();
    const id = `c${this.nextId++}`;
    const answer = await new Promise<Record<string, unknown>>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.ws.send(JSON.stringify({ type: 'request', id, method, params }));
    });
    if (answer.type === 'error') throw new Error(`${method}: ${String(answer.code)}: ${String(answer.message)}`);
    return answer.result as T;
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Drives the repository through a story that passes every crash point, recording what it was told. */
export class Scenario {
  readonly acknowledged: Acknowledged = { runs: new Map(), revisions: new Map(), pinned: null, rollbackInFlight: null };
  private client: Client | null = null;
  constructor(
    readonly dir: string,
    private readonly pid: () => number | null,
  ) {}

  async connect(): Promise<void> {
    this.client?.close();
    this.client = await Client.open(this.dir);
  }

  disconnect(): void {
    this.client?.close();
    this.client = null;
  }

  private alive(): boolean {
    const pid = this.pid();
    return pid !== null && isAlive(pid);
  }

  private async call<T>(method: string, params: Record<string, unknown>): Promise<T> {
    if (!this.client || !this.alive()) throw new DaemonGone();
    try {
      return await this.client.request<T>(method, params);
    } catch (err) {
      if (!this.alive() || err instanceof DaemonGone) throw new DaemonGone();
      throw err;
    }
  }

  /** Polls runs and history (recording them as acknowledged) until `done` holds. */
  async until(what: string, done: (runs: RunSeen[], revisions: RevisionSeen[]) => boolean, timeoutMs = 30_000): Promise<{ runs: RunSeen[]; revisions: RevisionSeen[] }> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const runs = await this.call<RunSeen[]>('runs.list', { limit: 100 });
      const revisions = await this.call<RevisionSeen[]>('history.get', { env: ENV });
      for (const run of runs) this.acknowledged.runs.set(run.id, { id: run.id, number: run.number, status: run.status, commit: run.commit, releaseId: run.releaseId });
      for (const r of revisions) this.acknowledged.revisions.set(r.revision, { revision: r.revision, status: r.status, kind: r.kind, releaseId: r.releaseId, verified: r.verified });
      if (done(runs, revisions)) return { runs, revisions };
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; runs ${JSON.stringify(runs.slice(0, 4))}; revisions ${JSON.stringify(revisions.slice(0, 4))}`);
      await new Promise((r) => setTimeout(r, 60));
    }
  }

  /** A commit whose run ends (any way) and whose deploy, if any, settles. */
  async commitAndSettle(accuracy: string): Promise<void> {
    const sha = commitModel(this.dir, accuracy);
    await this.until(`the run of ${accuracy} and its deploy`, (runs, revisions) => {
      const run = runs.find((r) => r.status !== 'superseded' && r.commit === sha);
      if (!run || ['queued', 'running'].includes(run.status)) return false;
      return revisions.every((r) => r.status !== 'deploying' && r.status !== 'verifying') && (run.status !== 'succeeded' || this.releaseSettled(run, revisions));
    });
  }

  /** A succeeded run's release was deployed and settled — or held back by a pin. */
  private releaseSettled(run: RunSeen, revisions: RevisionSeen[]): boolean {
    if (this.acknowledged.pinned) return true;
    const deployed = revisions.find((r) => r.releaseId === run.releaseId && r.kind === 'deploy');
    if (!deployed) return false;
    // A failed deploy is followed by the automatic rollback: wait for it too.
    return deployed.status !== 'failed' || revisions.some((r) => r.kind === 'auto-rollback' && r.revision > deployed.revision && r.status !== 'deploying' && r.status !== 'verifying');
  }

  async rollback(): Promise<void> {
    this.acknowledged.pinned = null;
    const { environments } = await this.call<{ environments: { name: string; pinned: boolean }[] }>('state.get', {});
    const { revisions } = await this.until('the history before the rollback', () => true);
    const pinnedBefore = environments.find((e) => e.name === ENV)?.pinned ?? false;
    this.acknowledged.rollbackInFlight = { pinnedBefore, after: Math.max(0, ...revisions.map((r) => r.revision)) };
    try {
      await this.call('env.rollback', { env: ENV, to: null, force: false, by: 'crash-test' });
    } catch (err) {
      if (!(err instanceof DaemonGone)) this.acknowledged.rollbackInFlight = null; // refused: nothing started
      throw err;
    }
    this.acknowledged.pinned = true;
    await this.until('the rollback to settle', (_runs, revisions) => revisions.every((r) => r.status !== 'deploying' && r.status !== 'verifying'));
    this.acknowledged.rollbackInFlight = null;
  }

  async pin(pinned: boolean): Promise<void> {
    this.acknowledged.pinned = null;
    await this.call('env.pin', { env: ENV, pinned, by: 'crash-test' });
    this.acknowledged.pinned = pinned;
  }

  /** A slow run, cancelled while its first step sleeps. */
  async cancelSlowRun(): Promise<void> {
    const sha = commitModel(this.dir, '0.92', { slow: true });
    const { runs } = await this.until('the slow run to be running', (list) => list.some((r) => r.commit === sha && r.status === 'running'));
    const run = runs.find((r) => r.commit === sha);
    await this.call('run.cancel', { runId: run?.id });
    await this.until('the cancelled run', (list) => list.some((r) => r.id === run?.id && r.status === 'cancelled'));
  }

  /** The whole story: every crash point is passed at least once (most several times). */
  async play(): Promise<void> {
    await this.commitAndSettle('0.86'); // v1: first deploy
    await this.commitAndSettle('0.9'); // v2: second deploy
    await this.rollback(); // back to v1, pinned
    await this.pin(false);
    await this.commitAndSettle('0.41'); // v3: fails its gate → auto-rollback to v2
    await this.cancelSlowRun(); // v4: cancelled; run retention (keepRuns 3) prunes
    await this.pin(true);
    await this.pin(false);
    await this.commitAndSettle('0.93'); // v5: deployed; release retention (keepReleases 2) prunes
  }
}

/** Starts the repository's daemon (with `AXUM_CRASH_AT` when given) and returns its pid. */
export async function startDaemon(dir: string, mark: string, crashAt?: string): Promise<number> {
  // A small journal limit: the runs history compacts every few saves, so crashes land on both
  // kinds of write (a journal line, a compaction).
  const env: NodeJS.ProcessEnv = { CRASHTEST_MARK: mark, AXUM_CRASH_AT: crashAt ?? '', AXUM_HISTORY_COMPACT_BYTES: '8192' };
  const started = await axum(['daemon', 'start', '--repo', dir], { env });
  if (started.code !== 0) throw new Error(`axum daemon start failed (${started.code}): ${started.stderr}`);
  const pid = daemonPid(dir);
  if (pid === null) throw new Error('no daemon.pid after start');
  return pid;
}

/** A fresh repository for a crash test, with its pipeline committed (no run yet: first start takes heads as seen). */
export function crashRepo(): { dir: string; mark: string } {
  const dir = makeRepo({ config: CRASH_CONFIG });
  commitModel(dir, '0.85');
  return { dir, mark: randomUUID() };
}

/** Ids of runs the history on disk says are running (read right after the kill, before any restart). */
export function runningOnDisk(dir: string): string[] {
  const doc = runsOnDisk(dir) as { runs: { id: string; status: string }[] };
  return doc.runs.filter((r) => r.status === 'running').map((r) => r.id);
}

/** Processes a test's daemon environment reached (`CRASHTEST_MARK`) that are not a live daemon's descendants. */
export function orphans(mark: string, daemon: number): number[] {
  const ancestry = (pid: number): number[] => {
    const chain: number[] = [];
    for (let p = pid; p > 1 && chain.length < 64; ) {
      chain.push(p);
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        p = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      } catch {
        break;
      }
    }
    return chain;
  };
  const found: number[] = [];
  for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    const pid = Number(name);
    if (pid === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(`CRASHTEST_MARK=${mark}`)) continue;
    } catch {
      continue;
    }
    if (!isAlive(pid) || ancestry(pid).includes(daemon)) continue;
    found.push(pid);
  }
  return found;
}

/**
 * After a kill -9 and a restart: the invariants RELIABILITY.md promises. Returns a list of
 * violations (empty when all hold) so a failure names every broken promise at once.
 */
export async function violations(dir: string, mark: string, acknowledged: Acknowledged, runningAtCrash: string[]): Promise<string[]> {
  const problems: string[] = [];
  const history = join(dir, '.axum', 'history');
  // 1. History parses, and nothing was moved aside as unreadable.
  for (const file of ['runs.json', 'releases.json', join('envs', `${ENV}.json`)]) {
    const path = join(history, file);
    if (!existsSync(path)) continue;
    try {
      JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      problems.push(`${file} does not parse: ${(err as Error).message}`);
    }
  }
  // The runs journal: whole lines only once the daemon is back (a torn last line is cut at start).
  const journal = join(history, 'runs.journal');
  if (existsSync(journal)) {
    const text = readFileSync(journal, 'utf8');
    if (text !== '' && !text.endsWith('\n')) problems.push('runs.journal ends in a partial line after the restart');
    for (const [i, line] of text.split('\n').filter(Boolean).entries()) {
      try {
        JSON.parse(line);
      } catch (err) {
        problems.push(`runs.journal line ${i + 1} does not parse: ${(err as Error).message}`);
      }
    }
  }
  const aside = [...readdirSync(history), ...(existsSync(join(history, 'envs')) ? readdirSync(join(history, 'envs')) : [])].filter((f) => /\.(corrupt|invalid)-/.test(f));
  if (aside.length > 0) problems.push(`history files moved aside: ${aside.join(', ')}`);

  const pid = daemonPid(dir);
  if (pid === null || !isAlive(pid)) return [...problems, 'the daemon is not running after the restart'];
  const client = await Client.open(dir);
  try {
    // 2. No run the dead daemon was running is still running, 1 s after the restart.
    await new Promise((r) => setTimeout(r, 1000));
    let runs = await client.request<RunSeen[]>('runs.list', { limit: 100 });
    for (const id of runningAtCrash) {
      const run = runs.find((r) => r.id === id);
      if (run?.status === 'running') problems.push(`${id} is still running 1 s after the restart`);
    }
    // Queued runs resume and deploy, and a rollback the dead daemon was about to do is done by
    // the new one: the rest is checked once all of that has settled.
    const settle = Date.now() + 90_000;
    for (let quiet = 0; quiet < 2 && Date.now() < settle; ) {
      const { environments } = await client.request<{ environments: { name: string; operation: unknown }[] }>('state.get', {});
      runs = await client.request<RunSeen[]>('runs.list', { limit: 100 });
      const busy = environments.some((e) => e.operation !== null) || runs.some((r) => r.status === 'queued' || r.status === 'running');
      quiet = busy ? 0 : quiet + 1;
      await new Promise((r) => setTimeout(r, 150));
    }
    // 3. Nothing acknowledged is lost: finished runs keep their outcome; pruning only takes the oldest.
    const oldestKept = Math.min(...runs.map((r) => r.number));
    for (const seen of acknowledged.runs.values()) {
      const now = runs.find((r) => r.id === seen.id);
      if (!now) {
        if (!(runs.length >= KEEP_RUNS && seen.number < oldestKept)) problems.push(`${seen.id} (${seen.status}) was acknowledged and is gone`);
        continue;
      }
      const terminal = !['queued', 'running'].includes(seen.status);
      if (terminal && now.status !== seen.status) problems.push(`${seen.id} was acknowledged ${seen.status}, is now ${now.status}`);
    }
    const revisions = await client.request<RevisionSeen[]>('history.get', { env: ENV });
    for (const seen of acknowledged.revisions.values()) {
      const now = revisions.find((r) => r.revision === seen.revision);
      if (!now) problems.push(`revision #${seen.revision} (${seen.status}) was acknowledged and is gone`);
      else if (now.releaseId !== seen.releaseId || now.kind !== seen.kind) problems.push(`revision #${seen.revision} changed: ${JSON.stringify(seen)} → ${JSON.stringify(now)}`);
      else if (seen.status === 'failed' && now.status !== 'failed') problems.push(`revision #${seen.revision} was acknowledged failed, is now ${now.status}`);
      else if (seen.verified && !now.verified) problems.push(`revision #${seen.revision} lost its verification`);
    }
    const state = await client.request<{ environments: { name: string; pinned: boolean; live: { releaseId: string } | null }[] }>('state.get', {});
    const env = state.environments.find((e) => e.name === ENV);
    if (acknowledged.pinned !== null && env?.pinned !== acknowledged.pinned) problems.push(`pinned is ${env?.pinned}; the last acknowledged pin said ${acknowledged.pinned}`);
    // 4. `current` names the live revision's release, complete and hash-verified; nothing when none is live.
    const link = join(dir, '.axum', 'envs', ENV, 'current');
    let current: string | null = null;
    try {
      current = basename(dirname(readlinkSync(link)));
    } catch {
      current = null;
    }
    const live = revisions.find((r) => r.status === 'live');
    if ((live?.releaseId ?? null) !== current) problems.push(`current names ${current ?? 'nothing'}, the live revision is ${live ? `#${live.revision} (${live.releaseId})` : 'none'}`);
    if (current !== null && !existsSync(join(link, 'model', 'weights.txt'))) problems.push(`current (${current}) is not a complete release folder`);
    problems.push(...(await marksPinAndPointer(client, revisions, env?.pinned ?? false, acknowledged)));
    problems.push(...(await unnamedOperationLogs(dir, client, revisions)));
    const fsck = await client.request<{ problems: { releaseId: string; problem: string }[] }>('releases.fsck', {});
    if (fsck.problems.length > 0) problems.push(`fsck: ${JSON.stringify(fsck.problems)}`);
    // 5. Nothing the dead daemon started is still running.
    const left = await settleOrphans(mark, pid);
    if (left.length > 0) problems.push(`orphan processes: ${left.map((p) => `${p} ${commandOf(p)}`).join('; ')}`);
  } finally {
    client.close();
  }
  return problems;
}

/**
 * An operation cut short is finished or undone whole (ARCHITECTURE.md, "Crash safety"): the live
 * release is not marked bad (the scenario never forces), a release marked bad by a manual rollback
 * was left by a rollback that went live, and a rollback in flight at the crash either went live
 * (pinned) or left the pin as it was before it.
 */
async function marksPinAndPointer(client: Client, revisions: RevisionSeen[], pinned: boolean, acknowledged: Acknowledged): Promise<string[]> {
  const problems: string[] = [];
  const releases = await client.request<{ id: string; bad: { by: string; why: string } | null }[]>('releases.list', {});
  const bad = new Map(releases.filter((r) => r.bad !== null).map((r) => [r.id, r.bad!]));
  const live = revisions.find((r) => r.status === 'live');
  if (live && bad.has(live.releaseId)) problems.push(`the live revision #${live.revision} serves ${live.releaseId}, which is marked bad: ${bad.get(live.releaseId)!.why}`);
  const wentLive = (r: RevisionSeen) => r.kind === 'rollback' && (r.status === 'live' || r.status === 'superseded');
  // A rollback that moved and then failed its own verification keeps its mark too; an interrupted one does not count.
  const judged = (r: RevisionSeen) => wentLive(r) || (r.kind === 'rollback' && r.status === 'failed' && !/^interrupted/.test(r.message ?? ''));
  for (const [id, mark] of bad) {
    const left = /^rolled back from #(\d+) to #(\d+)$/.exec(mark.why);
    if (left && !revisions.some((r) => judged(r) && r.revision > Number(left[1]))) problems.push(`${id} is marked bad (${mark.why}) but no rollback from it went live`);
  }
  const inFlight = acknowledged.rollbackInFlight;
  if (inFlight) {
    const finished = revisions.some((r) => wentLive(r) && r.revision > inFlight.after);
    const expected = finished || inFlight.pinnedBefore;
    if (pinned !== expected) problems.push(`pinned is ${pinned} after a rollback cut short that was ${finished ? 'finished' : `undone (pinned before: ${inFlight.pinnedBefore})`}`);
  }
  return problems;
}

/** Operation log folders (`runs/deploy-*`) of revisions whose release retention pruned: swept at start, removed by retention. */
async function unnamedOperationLogs(dir: string, client: Client, revisions: RevisionSeen[]): Promise<string[]> {
  const releases = new Set((await client.request<{ id: string }[]>('releases.list', {})).map((r) => r.id));
  const named = new Set(revisions.filter((r) => releases.has(r.releaseId)).map((r) => `deploy-${ENV}-${r.revision}-${Date.parse(r.createdAt ?? '')}`));
  const runs = join(dir, '.axum', 'runs');
  const folders = existsSync(runs) ? readdirSync(runs).filter((name) => /^deploy-\w+-\d+-\d+$/.test(name)) : [];
  const unnamed = folders.filter((name) => !named.has(name));
  return unnamed.length > 0 ? [`operation log folders no revision with a kept release names: ${unnamed.join(', ')}`] : [];
}

/** Orphans a moment after the restart (a SIGKILL is delivered, not instant). */
async function settleOrphans(mark: string, daemon: number): Promise<number[]> {
  let left = orphans(mark, daemon);
  for (let i = 0; i < 20 && left.length > 0; i++) {
    await new Promise((r) => setTimeout(r, 100));
    left = orphans(mark, daemon);
  }
  return left;
}

function commandOf(pid: number): string {
  try {
    return execFileSync('ps', ['-o', 'args=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return '?';
  }
}

/** 6. The next operation needs no manual repair: a new commit builds and (unless pinned) goes live. */
export async function nextOperationWorks(scenario: Scenario): Promise<void> {
  await scenario.connect();
  const state = await Client.open(scenario.dir);
  try {
    const envs = await state.request<{ environments: { name: string; pinned: boolean }[] }>('state.get', {});
    // A pin is the product working (a rollback pins), not damage: lifting it is an ordinary step.
    if (envs.environments.find((e) => e.name === ENV)?.pinned) await scenario.pin(false);
  } finally {
    state.close();
  }
  const sha = commitModel(scenario.dir, '0.97');
  await scenario.until('the next commit to build and go live', (runs, revisions) => {
    const run = runs.find((r) => r.commit === sha);
    return run?.status === 'succeeded' && revisions.some((r) => r.releaseId === run.releaseId && r.status === 'live');
  }, 90_000); // after a slow run the crash left queued, and its deploy
}
