import type { PrometheusAnswer } from '../domain/prometheus-checks.js';
import type { BackupTargetReport, HostSpec, PipelineConfig, ReleaseView } from '@axum/protocol';
import type { RunsDocument } from '../domain/history.js';
import type { CurrentPointer } from '../domain/reconciliation.js';

// The ports the engine talks through. Adapters implement them; tests pass fakes.

/** One attached client, as the transport presents it to the engine. */
export interface ClientConnection {
  /** Short id for logs. */
  readonly id: string;
  /**
   * Queues a text frame; a client whose send buffer is over the cap is dropped instead. A Buffer is
   * the frame's UTF-8 bytes, possibly queued for other clients too: it is never changed.
   */
  send(frame: string | Buffer): void;
  /** Bytes queued for this client and not yet sent: streams pause while it is high. */
  bufferedAmount(): number;
  /** Closes with a WebSocket close code. */
  close(code: number, reason: string): void;
}

/** What the engine does with one connection's frames; returned by `attach`. */
export interface ConnectionHandlers {
  onFrame(frame: unknown): void;
  onClose(): void;
}

/** Structured enough to grep, plain enough to read in `.axum/daemon.log`. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Time, injected so tests are deterministic. */
export interface Clock {
  now(): number;
}

/** Git, as the pipeline needs it. The adapter scrubs GIT_DIR & co and disables hooks. */
export interface GitPort {
  /** Branch name → commit, as `git for-each-ref refs/heads` lists them (the truth; watcher events are hints). */
  heads(): Promise<Map<string, string>>;
  /** The commit a branch points at, or null when there is no such branch (one branch: no `heads()` listing). */
  head(branch: string): Promise<string | null>;
  /** Full SHA of a revision, or null when it names no commit. */
  resolveCommit(rev: string): Promise<string | null>;
  /** The branch HEAD points at, or null when detached or unborn. */
  currentBranch(): Promise<string | null>;
  /** A file's content at a commit, or null when it has no such file. */
  showFile(commit: string, path: string): Promise<string | null>;
  /** First line of the commit message. */
  subject(commit: string): Promise<string>;
  /** `short subject` lines of commits reachable from `to` but not from `from`, newest first (at most `limit`). */
  commitsBetween(from: string, to: string, limit: number): Promise<string[]>;
  /**
   * The commits a branch's head passed over moving from `from` to `to` (first parents, `to` and
   * `from` left out), oldest first: the newest `limit` of them.
   */
  skippedCommits(from: string, to: string, limit: number): Promise<string[]>;
  /** Whether `ancestor` is an ancestor of (or equal to) `commit`; `unknown` when git could not tell (a bad revision, git failing). */
  isAncestor(ancestor: string, commit: string): Promise<'ancestor' | 'not-ancestor' | 'unknown'>;
  /** A clean detached worktree of `commit` at `dir` (outside the repository). */
  addWorktree(commit: string, dir: string): Promise<void>;
  /**
   * A worktree this port added at `dir`, cleaned by `cleanWorktree`, moved to `commit`: every file
   * git tracks there forced to the commit (modified, deleted and staged files included). Rejects
   * when `dir` is not the worktree as it was added.
   */
  resetWorktree(commit: string, dir: string): Promise<void>;
  /** A worktree this port added: its untracked and ignored files removed (a run's outputs). Rejects like `resetWorktree`. */
  cleanWorktree(dir: string): Promise<void>;
  removeWorktree(dir: string): Promise<void>;
  pruneWorktrees(): Promise<void>;
}

/** Where a step writes its (masked) output; byte offsets are what clients resume from. */
export interface LogSink {
  write(chunk: Buffer): void;
  /** Flushes what the masker held back and closes the file; resolves to the final size. */
  close(): Promise<number>;
  /** Bytes written so far. */
  size(): number;
  /**
   * Why the log could not be written (a full disk, a read-only folder), or null. A sink never
   * throws: a write that fails stops the log there, and the step that owned it fails with this
   * reason (RELIABILITY.md, file-system errors).
   */
  failure(): string | null;
}

/** Per-step append-only log files. */
export interface LogStore {
  open(runId: string, step: string, secrets: readonly string[]): LogSink;
  /**
   * Up to `limit` bytes from `offset`, the log's size and the time index entries of that range.
   * `data` stops before a UTF-8 character whose last bytes are not there yet (or not in the range),
   * except at the end of a finished log. `open`: its sink is not closed yet (more may come, even
   * after the step's status says it ended: a cancelled step's last output and marker).
   */
  read(runId: string, step: string, offset: number, limit: number): Promise<{ data: Buffer; size: number; times: [number, number][]; open: boolean }>;
  removeRun(runId: string): Promise<void>;
  /** The ids that have a log folder (run ids, and operation log ids such as `deploy-staging-7-…`). */
  runIds(): Promise<string[]>;
}

/** One attempt of a step as a process. */
export interface StepProcessRequest {
  command: string;
  cwd: string;
  env: Record<string, string>;
  timeoutMs: number | null;
  log: LogSink;
  /** Called with the process group id as soon as it exists, so a crash can reap it. */
  onSpawn(pgid: number): void;
}

/** How a step process ended. */
export interface StepProcessResult {
  status: 'succeeded' | 'failed' | 'timed-out' | 'cancelled';
  exitCode: number | null;
  durationMs: number;
}

/** Runs `sh -c` in its own process group; aborting the signal kills the whole group. */
export interface StepRunner {
  run(request: StepProcessRequest, signal: AbortSignal): Promise<StepProcessResult>;
  /** Kills a recorded process group left by a crashed daemon, if our steps are still in it; true if so. */
  reap(pgid: number): boolean;
  /**
   * Kills every process a previous daemon of this repository left running, recorded or not (found
   * by the marker its steps inherit). Only at start, before anything of ours runs. Returns the pids.
   */
  reapStrays(): number[];
}

/** One persisted document (lowdb). `save` coalesces writes and resolves once durable. */
export interface DocumentStore<T> {
  /** Loads the document; an unreadable file is moved aside and reported, never overwritten. */
  load(): Promise<{ doc: T; warning: string | null }>;
  save(doc: T): Promise<void>;
}

/**
 * The runs history. Unlike the other documents it is written as changes, not whole (it is the one
 * that grows: thousands of runs, a save per run transition), so a save names the runs that changed.
 */
export interface RunsStore {
  /** Loads the history; an unreadable file is moved aside and reported, never overwritten. */
  load(): Promise<{ doc: RunsDocument; warning: string | null }>;
  /**
   * Persists `doc` (coalesced; resolves once durable). `changed`: ids of runs whose records were
   * changed in place since they were last saved. New and dropped runs need not be named.
   */
  save(doc: RunsDocument, changed: readonly string[]): Promise<void>;
  /** After the last save of a clean stop: folds the changes into one whole file for the next start. */
  close(): Promise<void>;
}

/** What a release is made from: a succeeded run's worktree. */
export interface ReleaseInput {
  id: string;
  runId: string;
  commit: string;
  branch: string;
  subject: string;
  /** The run's worktree (build outputs included). */
  workdir: string;
  /** `artifacts` globs, relative to the repository. */
  patterns: readonly string[];
  metrics: Record<string, number>;
  createdAt: string;
  /** Told each `artifacts` pattern that matched no file (the release is refused when none matched any). */
  unmatched?: (patterns: string[]) => void;
  /** Why a matched path must not be released (a secret in its name), checked before anything is written; null when it may. */
  refusePath?: (path: string) => string | null;
  /** The run's config (its commit's `axum.yml`): the release deploys, verifies and is monitored with it. */
  config: PipelineConfig;
}

/** Content-addressed release files and the environments' `current` pointers. */
export interface ReleaseStore {
  /**
   * Hashes the artifacts into the store (identical files stored once) and writes the release
   * folder's manifest (durably, before the release is recorded); returns the release.
   */
  create(input: ReleaseInput): Promise<ReleaseView>;
  /**
   * A reason the release cannot be made live (a blob missing, resized, writable; a file of its
   * materialized folder changed since it was materialized), or null. O(files): nothing is re-hashed.
   */
  check(release: ReleaseView): Promise<string | null>;
  /**
   * The release's materialized folder: whether it is there complete, and a reason its files are no
   * longer what was materialized (by size and change times; with `deep`, also by re-hashing each).
   */
  checkFolder(release: ReleaseView, deep: boolean): Promise<{ materialized: boolean; problem: string | null }>;
  /** The highest release number ever used: the durable counter and every `rel-N` folder on disk. */
  highestReleaseNumber(): Promise<number>;
  /** Records durably that release number `n` is used, before a release takes it. */
  recordReleaseNumber(n: number): Promise<void>;
  /** Removes the `files.partial-*` folders of copies a kill cut short (never live); returns them. */
  sweepPartials(): Promise<string[]>;
  /** Writes the manifest of each release whose folder has none (recorded by an older daemon). */
  describe(releases: readonly ReleaseView[]): Promise<void>;
  /** The manifest of every release folder (to rebuild a lost index), and the folders without one. */
  readManifests(): Promise<{ releases: ReleaseView[]; unreadable: string[] }>;
  /** Re-hashes every stored file of the release: a hash mismatch or a missing stored file, or null; rejects on a read error of the machine (which marks nothing). */
  verifyHashes(release: ReleaseView): Promise<string | null>;
  /** The release's folder, materialized from the store once (copy-on-write where possible). */
  materialize(release: ReleaseView): Promise<string>;
  /**
   * `axum fsck --repair`: each file of the folder that is no longer the release's put back from the
   * store (hashed, then renamed into place), or a gone folder materialized. Returns the paths put back.
   */
  repairFolder(release: ReleaseView): Promise<string[]>;
  /**
   * The release's stored files that are lost or corrupt, given back (unless `dryRun`) from an intact
   * copy in a complete release folder: its own, or one of `sources` with the same sha256.
   */
  restoreBlobs(release: ReleaseView, sources: readonly ReleaseView[], dryRun: boolean): Promise<{ restored: { path: string; from: string }[]; lost: string[] }>;
  /** Points `<envDir>/current` at the release folder atomically (new link, rename over the old). */
  swapCurrent(envDir: string, releaseDir: string): Promise<void>;
  /** Deletes pruned releases' folders and every stored file no kept release uses. */
  prune(kept: readonly ReleaseView[], dropped: readonly ReleaseView[]): Promise<void>;
  /**
   * At start, before anything runs: deletes release folders and stored files that no recorded
   * release uses (left by a crash between storing a release's files and recording it, or between
   * retention's record and its delete). Returns what went.
   */
  sweep(kept: readonly ReleaseView[]): Promise<{ releases: string[]; blobs: number }>;
  /** Removes `<envDir>/current` (a first deploy cut short: nothing verified was ever there). */
  clearCurrent(envDir: string): Promise<void>;
  /** The release id `<envDir>/current` names, or null. */
  currentReleaseId(envDir: string): Promise<string | null>;
  /** What `<envDir>/current` names and whether that folder exists (reconciliation), or null when there is no `current`. */
  currentTarget(envDir: string): Promise<CurrentPointer | null>;
}

/** Prometheus's HTTP API (adapters/http-prometheus.ts). Never throws: no answer is an `unreachable` answer. */
export interface PrometheusPort {
  /** `GET {url}/api/v1/query?query=…`, given up after `timeoutMs` or when `signal` aborts (a monitor stopping). */
  query(url: string, promql: string, timeoutMs: number, signal?: AbortSignal): Promise<PrometheusAnswer>;
  /** The YAML of Prometheus's own config (`/api/v1/status/config`), or null when it cannot be had. */
  config(url: string, timeoutMs: number): Promise<string | null>;
}

/** Backups of `.axum/` to one target (docs/backups.md); never throws: a failure is the report's `error`. */
export interface BackupWriter {
  /**
   * Writes a new backup to `target`, keeping its newest `keep` snapshots (this one among them).
   * `takeOver`: write even when the target holds another repository's backups (this one moved),
   * or releases this `.axum/` lacks (starting over from nothing on purpose).
   */
  backup(target: string, keep: number, takeOver?: boolean): Promise<BackupTargetReport>;
}

/** What a host's folder holds of a release, and what its `current` names. */
export interface HostInspection {
  /** The release id the host's `current` names, or null when it has none. */
  current: string | null;
  /** True when `releases/<id>` is there whole, with this release's checksums (a rollback copies nothing then). */
  present: boolean;
}

/** A host's swap made ready by `RemoteHosts.prepare`, waiting for the word. */
export interface PreparedSwap extends HostInspection {
  /** Moves the new link over `current` (atomic); rejects naming the host when it could not. */
  commit(): Promise<void>;
  /** Removes the new link; `current` stays. Never rejects. */
  abort(): Promise<void>;
}

/**
 * The remote hosts of an environment (docs/remote-environments.md), over the user's own
 * OpenSSH and rsync: their ssh config, agent and known_hosts apply, and host keys are never
 * accepted on the way. Every method rejects with a message that says what failed on that host.
 */
export interface RemoteHosts {
  inspect(host: HostSpec, release: ReleaseView): Promise<HostInspection>;
  /**
   * `inspect` and the first half of `swap` in one session (each session pays the host's shell
   * start-up): when `releases/<id>` is there whole, the new link is made beside `current` and the
   * session waits for `commit` (the move) or `abort` (the link removed). Absent: the session has
   * ended and nothing was made.
   */
  prepare(host: HostSpec, release: ReleaseView): Promise<PreparedSwap>;
  /**
   * Copies the release folder `localDir` to `<path>/releases/<id>` (rsync, hard-linking files
   * unchanged since `linkDest`, a release already on the host), checks every file's sha256 there,
   * and only then moves it into place. Resolves to the bytes rsync sent.
   */
  push(host: HostSpec, release: ReleaseView, localDir: string, linkDest: string | null): Promise<{ bytesSent: number }>;
  /** Points the host's `current` at `releases/<id>` atomically (new link, `mv -T` over the old); null removes it. */
  swap(host: HostSpec, releaseId: string | null): Promise<void>;
  /** Removes every `releases/rel-*` folder whose id is not in `keep`, never the one `current` names; resolves to the ids removed. */
  prune(host: HostSpec, keep: readonly string[]): Promise<string[]>;
}
