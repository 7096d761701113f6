import { z } from 'zod';

/** Client → daemon: the first message of every connection. */
export const Hello = z.object({
  type: z.literal('hello'),
  protocolVersion: z.number().int(),
  client: z.object({
    name: z.string().max(100),
    version: z.string().max(50),
    pid: z.number().int().optional(),
    /** Shown to the other clients (presence, activity): the login and the terminal, for people. */
    user: z.string().max(100).optional(),
    terminal: z.string().max(100).optional(),
  }),
});
export type Hello = z.infer<typeof Hello>;

const requestId = z.string().min(1).max(64);

/** Methods a client can call, each with its params. One row per method. */
export const RequestBody = z.discriminatedUnion('method', [
  /** Returns `{ pong: true }`; a liveness check. */
  z.object({ method: z.literal('ping'), params: z.object({}).strict().default({}) }),
  /** Returns the full `DaemonState`, the same as a snapshot. */
  z.object({ method: z.literal('state.get'), params: z.object({}).strict().default({}) }),
  /** Compares branch heads with git now (instead of waiting for the watcher) and queues runs. Returns `{ reconciled: true }`. */
  z.object({ method: z.literal('git.reconcile'), params: z.object({}).strict().default({}) }),
  /** Recent runs, newest first. Returns `RunView[]`. */
  z.object({ method: z.literal('runs.list'), params: z.object({ limit: z.number().int().min(1).max(10_000).default(20) }).strict().default({ limit: 20 }) }),
  /** One run by id (`run-12`) or number (`12`). Returns `RunView`. */
  z.object({ method: z.literal('run.get'), params: z.object({ runId: z.string().min(1).max(64) }).strict() }),
  /**
   * Queues a manual run of a branch head, or of a commit reachable from the branch it runs for
   * (`branch`, else the current branch). `by` says who (the revision it deploys says so too);
   * `force` lets it deploy a reused release that is marked bad. Returns the queued `RunView`, or
   * (`existing: true`) the run of that commit for that branch already queued or running, unless
   * `again` asks for a new one all the same.
   */
  z.object({
    method: z.literal('run.trigger'),
    params: z
      .object({ branch: z.string().min(1).max(255).optional(), commit: z.string().min(1).max(64).optional(), by: z.string().max(200).default('a client'), force: z.boolean().default(false), again: z.boolean().default(false) })
      .strict()
      .default({ by: 'a client', force: false, again: false }),
  }),
  /** Cancels a queued or running run; returns the run once its processes are gone. */
  z.object({ method: z.literal('run.cancel'), params: z.object({ runId: z.string().min(1).max(64) }).strict() }),
  /** Reads a step's log from a byte offset. Returns `LogChunk`. */
  z.object({
    method: z.literal('logs.read'),
    params: z
      .object({
        runId: z.string().min(1).max(64),
        step: z.string().min(1).max(64),
        offset: z.number().int().nonnegative().default(0),
        limit: z.number().int().min(1).max(1024 * 512).default(256 * 1024),
      })
      .strict(),
  }),
  /**
   * Streams a step's log from `offset` as `log.chunk` messages until the step ends (then one chunk
   * with `complete: true`). Resuming after a reconnect from the last `nextOffset` gives no gap and
   * no duplicate. Returns `{ following: true }`.
   */
  z.object({
    method: z.literal('logs.follow'),
    params: z.object({ runId: z.string().min(1).max(64), step: z.string().min(1).max(64), offset: z.number().int().nonnegative().default(0) }).strict(),
  }),
  /** Stops a `logs.follow`. Returns `{ following: false }`. */
  z.object({ method: z.literal('logs.unfollow'), params: z.object({ runId: z.string().min(1).max(64), step: z.string().min(1).max(64) }).strict() }),
  /** An environment's revisions, newest first. Returns `RevisionView[]`. */
  z.object({ method: z.literal('history.get'), params: z.object({ env: z.string().min(1).max(64) }).strict() }),
  /** What would change going from one release to another (commits, config keys, artifacts, metrics). Returns `ReleaseDiff`. */
  z.object({ method: z.literal('releases.diff'), params: z.object({ from: z.string().min(1).max(64), to: z.string().min(1).max(64) }).strict() }),
  /**
   * Re-hashes every release's stored files (corrupt ones are marked bad) and materialized folders, and
   * checks every environment's `current` target (a problem raises its incident). `rebuild` first adds
   * to the release index every release a folder's manifest describes. Returns `FsckReport`.
   */
  z.object({ method: z.literal('releases.fsck'), params: z.object({ rebuild: z.boolean().optional() }).strict().default({}) }),
  /**
   * Backs up `.axum/` to every `backup.to` target now (README.md, "Backups"): blobs the target lacks,
   * the history documents, then the backup's manifest. Returns `BackupReport`.
   */
  z.object({ method: z.literal('backup.run'), params: z.object({}).strict().default({}) }),
  /** Every release, newest first (`env`: only those deployed to it). Returns `ReleaseListing[]`. */
  z.object({ method: z.literal('releases.list'), params: z.object({ env: z.string().min(1).max(64).optional() }).strict().default({}) }),
  /** Marks a release good (clears its bad mark) or bad, with a reason; journaled on the release. Returns its `ReleaseView`. */
  z.object({
    method: z.literal('release.mark'),
    params: z.object({ releaseId: z.string().min(1).max(64), mark: z.enum(['good', 'bad']), reason: z.string().max(500).optional(), by: z.string().max(200).default('a client') }).strict(),
  }),
  /** Deploys a release (or the release of a commit) by hand; a bad release needs `force`. Returns the new `RevisionView` once verified or failed. */
  z.object({
    method: z.literal('env.deploy'),
    params: z
      .object({ env: z.string().min(1).max(64), releaseId: z.string().min(1).max(64).optional(), commit: z.string().min(4).max(64).optional(), force: z.boolean().default(false), by: z.string().max(200).default('a client') })
      .strict(),
  }),
  /** Deploys `from`'s live release to `to` (no rebuild); a bad release needs `force`. Returns the new `RevisionView` once verified or failed. */
  z.object({
    method: z.literal('env.promote'),
    params: z.object({ from: z.string().min(1).max(64), to: z.string().min(1).max(64), force: z.boolean().default(false), by: z.string().max(200).default('a client') }).strict(),
  }),
  /** Rolls back to a revision (default: last known good) and pins. Returns the new `RevisionView`. */
  z.object({
    method: z.literal('env.rollback'),
    params: z.object({ env: z.string().min(1).max(64), to: z.number().int().positive().nullable().default(null), force: z.boolean().default(false), by: z.string().max(200).default('a client') }).strict(),
  }),
  /** Deploys the release waiting for approval. Returns the new `RevisionView`. */
  // `force`: approve a release marked bad (a forced run's release waits for approval like any other).
  z.object({ method: z.literal('env.approve'), params: z.object({ env: z.string().min(1).max(64), force: z.boolean().default(false), by: z.string().max(200).default('a client') }).strict() }),
  /**
   * Pins or unpins an environment. Unpinning deploys the newest release the pin held back (a client
   * asks first where the environment is protected). Returns its `EnvironmentView` and that deploy's revision.
   */
  z.object({ method: z.literal('env.pin'), params: z.object({ env: z.string().min(1).max(64), pinned: z.boolean(), by: z.string().max(200).default('a client') }).strict() }),
  /** Asks the daemon to stop gracefully; returns `{ stopping: true }` before it exits. */
  z.object({ method: z.literal('daemon.shutdown'), params: z.object({}).strict().default({}) }),
]);
export type RequestBody = z.infer<typeof RequestBody>;
export type RequestMethod = RequestBody['method'];
/** Every method name, in the order above (for `unknown-method` errors). */
export const REQUEST_METHODS: readonly RequestMethod[] = RequestBody.options.map((option) => option.shape.method.value);

/** Client → daemon: call a method; answered by a `result` or an `error` with the same id. */
export const Request = z.intersection(z.object({ type: z.literal('request'), id: requestId }), RequestBody);
export type Request = z.infer<typeof Request>;

/** Every message a client may send. */
export const ClientMessage = z.union([Hello, Request]);
export type ClientMessage = z.infer<typeof ClientMessage>;
