// In-memory fakes of the ports deployments talk through (STYLE.md, "Effects are injected"): no
// processes, no files, no timers. Each fake keeps what happened so a test can look, and has a few
// switches to make the world fail the way a real one does.
import type { Clock, DocumentStore, GitPort, LogSink, LogStore, Logger, StepProcessRequest, StepProcessResult, StepRunner } from '../ports.js';

/** What one scripted step does when it runs. Every field is optional: the default exits 0 silently. */
export interface ScriptedStep {
  exitCode?: number;
  /** Written to the step's log sink. */
  output?: string;
  /** Appended as `name=value` lines to the file its `AXUM_METRICS` names. */
  metrics?: Record<string, number>;
  /** Runs until this settles (or the signal aborts: then `cancelled`), so a test holds a step open. */
  until?: Promise<unknown>;
  /** Runs until the signal aborts. */
  hang?: boolean;
  /** Reports `timed-out`, as the runner does when `timeoutMs` passes. */
  timedOut?: boolean;
  /** The runner cannot start it (`sh` missing, EAGAIN): `run` rejects. */
  spawnError?: string;
}

/** A step's behaviour, fixed or decided per request (by release, revision…). */
export type Script = ScriptedStep | ((request: StepProcessRequest) => ScriptedStep);

/** The release id of a deploy, verify or monitor step, read from its `AXUM_RELEASE_DIR`. */
export const releaseOf = (request: StepProcessRequest): string => (request.env.AXUM_RELEASE_DIR ?? '').split('/').pop() ?? '';

/** Files steps wrote (metrics): `readText` of the world reads them. Keyed by absolute path. */
export type FakeFiles = Map<string, string>;

export type FakeRunner = StepRunner & {
  /** Every request, in order. */
  calls: StepProcessRequest[];
  /** Process groups `reap` was asked to kill. */
  reaped: number[];
  script(command: string, script: Script): void;
  /** The requests of one command. */
  ran(command: string): StepProcessRequest[];
};

/** A StepRunner scripted per command text; unknown commands succeed. */
export function createFakeRunner(files: FakeFiles): FakeRunner {
  const scripts = new Map<string, Script>();
  const calls: StepProcessRequest[] = [];
  const reaped: number[] = [];
  let nextPgid = 4000;
  const result = (status: StepProcessResult['status'], exitCode: number | null): StepProcessResult => ({ status, exitCode, durationMs: 1 });
  return {
    calls,
    reaped,
    script: (command, script) => void scripts.set(command, script),
    ran: (command) => calls.filter((c) => c.command === command),
    async run(request, signal) {
      calls.push(request);
      const script = scripts.get(request.command) ?? {};
      const step = typeof script === 'function' ? script(request) : script;
      if (step.spawnError) throw new Error(step.spawnError);
      request.onSpawn(nextPgid++);
      if (step.output) request.log.write(Buffer.from(step.output));
      const metricsFile = request.env.AXUM_METRICS;
      if (step.metrics && metricsFile) {
        const lines = Object.entries(step.metrics).map(([name, value]) => `${name}=${value}\n`);
        files.set(metricsFile, (files.get(metricsFile) ?? '') + lines.join(''));
      }
      if (step.hang || step.until) {
        const aborted = new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
        await Promise.race([aborted, step.until ?? new Promise(() => undefined)]);
      }
      if (signal.aborted) return result('cancelled', null);
      if (step.timedOut) return result('timed-out', null);
      const code = step.exitCode ?? 0;
      return result(code === 0 ? 'succeeded' : 'failed', code);
    },
    reap(pgid) {
      reaped.push(pgid);
      return false; // the crashed daemon's processes are long gone in a fake world
    },
    reapStrays: () => [],
  };
}

export { createFakeReleaseStore, type FakeReleaseStore, type ReleaseStoreSnapshot } from './fake-release-store.js';

export type FakeDocumentStore<T> = DocumentStore<T> & {
  /** What is "on disk": a copy taken at each save, so later changes in memory do not leak into it. */
  persisted(): T | null;
  saves: number;
};

/** An in-memory DocumentStore; `saved` is what a previous daemon left, `warning` what load reports. */
export function createFakeDocumentStore<T>(empty: () => T, saved: T | null = null, warning: string | null = null): FakeDocumentStore<T> {
  let onDisk: T | null = saved === null ? null : structuredClone(saved);
  const store: FakeDocumentStore<T> = {
    saves: 0,
    persisted: () => (onDisk === null ? null : structuredClone(onDisk)),
    async load() {
      return { doc: onDisk === null ? empty() : structuredClone(onDisk), warning };
    },
    // Copied at the call, not after an await: what a crash point sees is what was written.
    save(doc) {
      onDisk = structuredClone(doc);
      store.saves += 1;
      return Promise.resolve();
    },
  };
  return store;
}

export type FakeGit = GitPort & { worktrees: Set<string> };

/** Git as deployments use it: worktrees of release commits (and, for `diff`, plain answers). */
export function createFakeGit(): FakeGit {
  const worktrees = new Set<string>();
  return {
    worktrees,
    heads: async () => new Map(),
    async head(branch) {
      return (await this.heads()).get(branch) ?? null;
    },
    resolveCommit: async (rev) => rev,
    currentBranch: async () => 'main',
    showFile: async () => null,
    subject: async (commit) => `commit ${commit}`,
    commitsBetween: async () => [],
    skippedCommits: async () => [],
    isAncestor: async () => 'not-ancestor',
    addWorktree: async (_commit, dir) => void worktrees.add(dir),
    resetWorktree: async (_commit, dir) => {
      if (!worktrees.has(dir)) throw new Error(`${dir} is no worktree`);
    },
    cleanWorktree: async (dir) => {
      if (!worktrees.has(dir)) throw new Error(`${dir} is no worktree`);
    },
    removeWorktree: async (dir) => void worktrees.delete(dir),
    pruneWorktrees: async () => undefined,
  };
}

export type MemoryLogStore = LogStore & { text(runId: string, step: string): string };

/** A LogStore that keeps every step's bytes in memory. */
export function createMemoryLogStore(): MemoryLogStore {
  const logs = new Map<string, { chunks: Buffer[]; open: boolean }>();
  const key = (runId: string, step: string) => `${runId}/${step}`;
  const bytes = (runId: string, step: string) => Buffer.concat(logs.get(key(runId, step))?.chunks ?? []);
  return {
    open(runId, step): LogSink {
      const log = { chunks: [] as Buffer[], open: true };
      logs.set(key(runId, step), log);
      const size = () => log.chunks.reduce((n, c) => n + c.length, 0);
      return { write: (chunk) => void log.chunks.push(Buffer.from(chunk)), size, close: async () => ((log.open = false), size()), failure: () => null };
    },
    async read(runId, step, offset, limit) {
      const all = bytes(runId, step);
      return { data: all.subarray(offset, offset + limit), size: all.length, times: [], open: logs.get(key(runId, step))?.open ?? false };
    },
    async removeRun(runId) {
      for (const k of [...logs.keys()]) if (k.startsWith(`${runId}/`)) logs.delete(k);
    },
    async runIds() {
      return [...new Set([...logs.keys()].map((k) => k.slice(0, k.indexOf('/'))))];
    },
    text: (runId, step) => bytes(runId, step).toString('utf8'),
  };
}

/** A clock that moves only when told. */
export function createManualClock(start = Date.UTC(2025, 0, 1)): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

/** A Logger that keeps its lines (`warn: …`) for assertions and for reading a failing test. */
export function createMemoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return { lines, info: (m) => void lines.push(`info: ${m}`), warn: (m) => void lines.push(`warn: ${m}`), error: (m) => void lines.push(`error: ${m}`) };
}
