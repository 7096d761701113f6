// In-memory fakes of the ports deployments talk through (STYLE.md, "Effects are injected"): no
// processes, no files, no timers. Each fake keeps what happened so a test can look, and has a few
// switches to make the world fail the way a real one does.
import type { ReleaseView } from '@axum/protocol';
import type { Clock, DocumentStore, GitPort, LogSink, LogStore, Logger, ReleaseInput, ReleaseStore, StepProcessRequest, StepProcessResult, StepRunner } from '../ports.js';

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

/** What a release store holds outside the documents: pointers and materialized folders. */
export interface ReleaseStoreSnapshot {
  current: Map<string, string>;
  materialized: Set<string>;
}

export type FakeReleaseStore = ReleaseStore & {
  /** envDir → release id `current` names. */
  current: Map<string, string>;
  materialized: Set<string>;
  /** Every pointer swap, in order. */
  swaps: { envDir: string; releaseId: string }[];
  pruned: string[];
  sweeps: string[][];
  /** Switches that make the next operations fail like a real disk does. */
  faults: {
    /** The next N swaps throw EPERM (a pointer that cannot be written). */
    swapFailures: number;
    /** `check` reports a stored blob of these releases missing. */
    missingBlob: Set<string>;
    /** `verifyHashes` reports a hash mismatch for these releases. */
    hashMismatch: Set<string>;
    /** `verifyHashes` of these releases rejects with EIO (a read error of the machine). */
    unreadable: Set<string>;
    /** `materialize` of these releases throws ENOSPC. */
    diskFull: Set<string>;
    /** `checkFolder` finds a file of these releases' folders changed. */
    folderChanged: Set<string>;
    /** Awaited by `currentTarget` after it read the link, before it answers: a slow read the world can move under. */
    afterCurrentRead: (() => Promise<void>) | null;
  };
  /** What `readManifests` finds in the release folders. */
  manifests: ReleaseView[];
  snapshot(): ReleaseStoreSnapshot;
};

const RELEASES_DIR = '/state/releases/';
const errno = (code: string, message: string) => Object.assign(new Error(`${code}: ${message}`), { code });

/** An in-memory ReleaseStore; `from` restores what a crashed daemon left on disk. */
export function createFakeReleaseStore(from?: ReleaseStoreSnapshot): FakeReleaseStore {
  const current = new Map(from?.current);
  const materialized = new Set(from?.materialized);
  const swaps: { envDir: string; releaseId: string }[] = [];
  const faults = { swapFailures: 0, missingBlob: new Set<string>(), hashMismatch: new Set<string>(), unreadable: new Set<string>(), diskFull: new Set<string>(), folderChanged: new Set<string>(), afterCurrentRead: null as (() => Promise<void>) | null };
  const pruned: string[] = [];
  const sweeps: string[][] = [];
  let highestNumber = 0;
  const store: FakeReleaseStore = {
    current,
    materialized,
    swaps,
    pruned,
    sweeps,
    faults,
    snapshot: () => ({ current: new Map(current), materialized: new Set(materialized) }),
    async create(input: ReleaseInput): Promise<ReleaseView> {
      const { id, runId, commit, branch, subject, createdAt, metrics, config } = input;
      const refusal = input.refusePath?.('model/weights.bin') ?? null;
      if (refusal !== null) throw new Error(refusal);
      return { id, runId, commit, branch, subject, createdAt, metrics, artifacts: [{ path: 'model/weights.bin', sha256: 'a'.repeat(64), size: 4 }], bad: null, marks: [], config };
    },
    async check(release) {
      return faults.missingBlob.has(release.id) ? `model/weights.bin: stored file of ${release.id} is missing` : null;
    },
    async verifyHashes(release) {
      if (faults.unreadable.has(release.id)) throw new Error('model/weights.bin: its stored copy cannot be read (EIO: i/o error, read)');
      return faults.hashMismatch.has(release.id) ? 'model/weights.bin: sha256 does not match' : null;
    },
    async checkFolder(release) {
      return { materialized: materialized.has(release.id), problem: faults.folderChanged.has(release.id) ? 'model/weights.bin: changed since it was materialized' : null };
    },
    async highestReleaseNumber() {
      return highestNumber;
    },
    async recordReleaseNumber(n) {
      highestNumber = Math.max(highestNumber, n);
    },
    sweepPartials: async () => [],
    describe: async () => undefined,
    manifests: [],
    async readManifests() {
      return { releases: structuredClone(store.manifests), unreadable: [] };
    },
    async materialize(release) {
      if (faults.diskFull.has(release.id)) throw errno('ENOSPC', 'no space left on device');
      materialized.add(release.id);
      return `${RELEASES_DIR}${release.id}`;
    },
    async repairFolder(release) {
      faults.folderChanged.delete(release.id);
      materialized.add(release.id);
      return release.artifacts.map((a) => a.path);
    },
    async restoreBlobs() {
      return { restored: [], lost: [] };
    },
    async swapCurrent(envDir, releaseDir) {
      if (faults.swapFailures > 0) {
        faults.swapFailures -= 1;
        throw errno('EPERM', `operation not permitted, rename '${envDir}/current.tmp'`);
      }
      const releaseId = releaseDir.slice(RELEASES_DIR.length);
      // The real store links to a folder: swapping to one never materialized is a caller's bug.
      if (!releaseDir.startsWith(RELEASES_DIR) || !materialized.has(releaseId)) throw new Error(`swap to ${releaseDir}, which was never materialized`);
      current.set(envDir, releaseId);
      swaps.push({ envDir, releaseId });
    },
    async prune(_kept, dropped) {
      for (const r of dropped) {
        pruned.push(r.id);
        materialized.delete(r.id);
      }
    },
    async sweep(kept) {
      sweeps.push(kept.map((r) => r.id));
      return { releases: [], blobs: 0 };
    },
    async clearCurrent(envDir) {
      current.delete(envDir);
    },
    async currentReleaseId(envDir) {
      return current.get(envDir) ?? null;
    },
    async currentTarget(envDir) {
      const releaseId = current.get(envDir);
      await faults.afterCurrentRead?.();
      return releaseId === undefined ? null : { releaseId, present: materialized.has(releaseId) };
    },
  };
  return store;
}

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
    isAncestor: async () => false,
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
