import { z } from 'zod/mini';
import { ActivityEntry, AttachedClient } from './presence.js';

/** Where and how a running daemon can be reached; also the body of `.axum/daemon.json`. */
export const DaemonInfo = z.object({
  pid: z.int().check(z.positive()),
  version: z.string(),
  protocolVersion: z.int(),
  repo: z.string(),
  socket: z.string(),
  tokenFile: z.string(),
  /** `host:port` of the TCP listener, null unless started with `--listen`. */
  listen: z.nullable(z.string()),
  startedAt: z.string(),
});
export type DaemonInfo = z.infer<typeof DaemonInfo>;

/** A position-carrying problem in `axum.yml`. */
export const ConfigProblem = z.object({
  file: z.string(),
  line: z.int(),
  col: z.int(),
  message: z.string(),
});
export type ConfigProblem = z.infer<typeof ConfigProblem>;

/** Whether the daemon runs on a valid `axum.yml`; on error it keeps the last valid one. */
export const ConfigStatus = z.object({
  file: z.string(),
  /** False when the file on disk is invalid or missing (the daemon then uses the last valid one, if any). */
  valid: z.boolean(),
  errors: z.array(ConfigProblem),
  loadedAt: z.nullable(z.string()),
});
export type ConfigStatus = z.infer<typeof ConfigStatus>;

/** The revision an environment's `current` pointer names. */
export const LiveRevision = z.object({
  revision: z.int().check(z.positive()),
  releaseId: z.string(),
  commit: z.string(),
});
export type LiveRevision = z.infer<typeof LiveRevision>;

/**
 * The revision `current` serves: the live one (`failed: false`), or one that failed where it serves
 * and was not rolled back (`failed: true`, *serving, failed*: rollback.auto off, or a rollback that
 * could not run). `live` stays the verified live revision only.
 */
export const ServingRevision = z.extend(LiveRevision, { failed: z.boolean() });
export type ServingRevision = z.infer<typeof ServingRevision>;

/**
 * An environment paused by an inconclusive verification or monitor check (ARCHITECTURE.md,
 * glossary: Inconclusive): `revision` is the one it concerns, `reason` what could not be measured.
 * Commits build but do not deploy, and nothing rolls back by itself, until a person decides:
 * `axum approve ENV` keeps what serves, `axum rollback ENV` goes back, a manual deploy replaces it.
 */
export const Pause = z.object({ since: z.string(), revision: z.int().check(z.positive()), reason: z.string() });
export type Pause = z.infer<typeof Pause>;

/**
 * One remote host of an environment (docs/remote-environments.md): the release its `current`
 * names by the last operation that reached it, and whether that operation went well there
 * (`failed`: `reason` says what failed on that host, e.g. ssh's own words; `unknown`: no operation
 * has reached it yet).
 */
export const HostView = z.object({ host: z.string(), releaseId: z.nullable(z.string()), state: z.enum(['ok', 'failed', 'unknown']), reason: z.nullable(z.string()), at: z.string() });
export type HostView = z.infer<typeof HostView>;

/** One environment as every client sees it. */
export const EnvironmentView = z.object({
  name: z.string(),
  branch: z.string(),
  /** Absolute path of the folder holding the `current` link. */
  path: z.string(),
  protected: z.boolean(),
  approval: z.enum(['auto', 'manual']),
  /**
   * False for an environment that has records but that the config in use does not declare (another
   * branch's axum.yml checked out): still served from its records (history, rollback, pin, logs),
   * shown as it was last configured; commits deploy nothing to it.
   */
  inConfig: z._default(z.boolean(), true),
  pinned: z.boolean(),
  awaitingApproval: z.boolean(),
  live: z.nullable(LiveRevision),
  /** What `current` serves according to the history; null when nothing does. Older daemons send none. */
  serving: z._default(z.nullable(ServingRevision), null),
  /**
   * The last known good: the newest verified revision whose release is not bad — the live one itself
   * when it is verified (ARCHITECTURE.md, glossary).
   */
  lastKnownGood: z.nullable(LiveRevision),
  /** Where a rollback with no target would go: the last known good other than the live release; null when none (or refused). */
  rollbackTarget: z._default(z.nullable(LiveRevision), null),
  /**
   * What a bad mark on lastKnownGood's release (a manual rollback elsewhere marks the release it
   * leaves) would leave here: the last known good then (null: none), and whether other verified
   * releases were there, marked bad already. Null when there is no last known good; older daemons send none.
   */
  ifLastKnownGoodMarked: z.optional(z.nullable(z.object({ lastKnownGood: z.nullable(LiveRevision), othersMarkedBad: z.boolean() }))),
  /**
   * The bad mark of the release `current` serves, when it has one: a release can be marked after it
   * went live here (a rollback elsewhere, `axum mark`), and goes on serving until someone moves it.
   */
  servingBad: z.nullish(z.object({ releaseId: z.string(), by: z.string(), at: z.string(), why: z.string() })),
  /** The newest release a pin or a pause held back: `axum unpin` or `axum approve` deploys it. */
  heldReleaseId: z._default(z.nullable(z.string()), null),
  /** Set while an inconclusive verification or monitor check pauses the environment's automatic actions. Older daemons send none. */
  paused: z._default(z.nullable(Pause), null),
  /** Its remote hosts, in the order axum.yml lists them; absent or empty for a local environment (older daemons send none). */
  hosts: z.optional(z.array(HostView)),
  /** The release waiting for `axum approve` (approval: manual). */
  pendingReleaseId: z.nullable(z.string()),
  /**
   * The release queued to deploy here next: behind the operation in progress, or while the axum.yml in
   * use does not declare the environment (it deploys when one declares it again). Older daemons send none.
   */
  queuedReleaseId: z.nullish(z.string()),
  /** A deploy or rollback in progress: its revision and what holds the environment. */
  operation: z.nullable(z.object({ revision: z.int(), kind: z.string(), holder: z.string(), startedAt: z.string() })),
  /** The last thing that went wrong here, shown until the next successful revision. */
  incident: z.nullable(z.string()),
  /** The live revision's key metric: the first gated metric it has (else its first metric), with the LKG's value. */
  liveMetric: z._default(z.nullable(z.object({ name: z.string(), value: z.number(), lkgValue: z.nullable(z.number()) })), null),
  /** The live revision's newest monitor check: whether it passed, when, and its step (`axum logs ENV#N --step check-N`). */
  lastCheck: z._default(z.nullable(z.object({ passed: z.boolean(), inconclusive: z._default(z.boolean(), false), at: z.string(), step: z.string() })), null),
  /**
   * Why the live revision is not monitored though its release declares a monitor: the config in use
   * declares none (a branch switched, an edit), so no check runs and `lastCheck` is null. Older daemons send none.
   */
  monitorOff: z.nullish(z.string()),
});
export type EnvironmentView = z.infer<typeof EnvironmentView>;

export const RunStatus = z.enum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'superseded', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;

export const StepStatus = z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled', 'skipped', 'timed-out']);
export type StepStatus = z.infer<typeof StepStatus>;

export const StepView = z.object({
  stage: z.string(),
  name: z.string(),
  status: StepStatus,
  exitCode: z.nullable(z.int()),
  durationMs: z.nullable(z.number()),
  startedAt: z.nullable(z.string()),
  attempts: z.int().check(z.nonnegative()),
  /** Bytes in the step's log file so far (its masked output). */
  logBytes: z.int().check(z.nonnegative()),
});
export type StepView = z.infer<typeof StepView>;

/**
 * What became of the deploy a run led to (ARCHITECTURE.md, glossary), kept current as its revision moves:
 * `pending` (queued, deploying or verifying), `live`, `failed` (deploy hook, verification, gates or
 * an error), `interrupted` (a daemon restart cut it short: recorded failed, nothing judged it;
 * `current` went back and it is not retried by itself), `rolled-back` (it was live; a rollback moved the environment away from it),
 * `superseded` (a newer deploy replaced it, or a newer release took its place in the queue),
 * `awaiting-approval`, `queued` (the axum.yml in use does not declare the environment: its release waits
 * in the environment's queue and deploys when axum.yml declares it again), `held-by-pin`, `held-by-pause` (an inconclusive verification or monitor check
 * paused the environment: `axum approve` decides), `inconclusive` (it went where it serves and its
 * verification could not decide: nothing was marked bad or rolled back, the environment is paused and
 * `axum approve` decides), `refused-bad` (its release is marked bad), `none` (the run produced no
 * release: its stages did not succeed).
 */
export const DeployOutcome = z.enum(['pending', 'live', 'failed', 'interrupted', 'inconclusive', 'rolled-back', 'superseded', 'awaiting-approval', 'queued', 'held-by-pin', 'held-by-pause', 'refused-bad', 'none']);
export type DeployOutcome = z.infer<typeof DeployOutcome>;

/** A run's deploy: the environment, the revision it became (null until one exists), its outcome. */
export const RunDeploy = z.object({ env: z.string(), revision: z.nullable(z.int().check(z.positive())), outcome: DeployOutcome });
export type RunDeploy = z.infer<typeof RunDeploy>;

/** One run as listed by `axum runs` and the dashboard. */
export const RunView = z.object({
  id: z.string(),
  /** Sequential per repository; `id` is `run-<number>`. */
  number: z.int().check(z.positive()),
  status: RunStatus,
  commit: z.string(),
  branch: z.string(),
  env: z.nullable(z.string()),
  trigger: z.enum(['push', 'manual', 'watch', 'restart']),
  createdAt: z.string(),
  startedAt: z.nullable(z.string()),
  finishedAt: z.nullable(z.string()),
  steps: z.array(StepView),
  /** First line of the commit message. */
  subject: z.string(),
  /** The release this run produced (succeeded runs on a branch that feeds an environment), or reused. */
  releaseId: z.nullable(z.string()),
  /** True when the run reused the release its commit already had (build once, promote) and ran no stage. */
  reused: z._default(z.boolean(), false),
  /** Why the run ended the way it did, when that is not obvious from its steps. */
  message: z.nullable(z.string()),
  /** What the run did that it should not have (an `artifacts` pattern that matched no file), one line each. */
  warnings: z._default(z.array(z.string()), []),
  /** On a branch that feeds an environment: what became of its deploy; null otherwise. */
  deploy: z._default(z.nullable(RunDeploy), null),
});
export type RunView = z.infer<typeof RunView>;

/**
 * One backup target as the daemon last saw it (docs/backups.md): when its newest backup was
 * written (null: never, by this daemon or an earlier one), the error of the last attempt (null when
 * it succeeded), and the interval, so a client can say a backup is stale (older than twice `every`).
 */
export const BackupTargetStatus = z.object({
  target: z.string(),
  lastBackupAt: z.nullable(z.string()),
  error: z.nullable(z.string()),
  everyMs: z.int().check(z.positive()),
});
export type BackupTargetStatus = z.infer<typeof BackupTargetStatus>;

/** The whole state a client renders; sent on attach, then kept current by deltas. */
export const DaemonState = z.object({
  daemon: DaemonInfo,
  config: ConfigStatus,
  environments: z.array(EnvironmentView),
  runs: z.array(RunView),
  /** Problems the daemon met and recovered from (a history file moved aside…), newest last. */
  warnings: z.array(z.string()),
  /** Number of clients attached right now (this one included). */
  clients: z.int().check(z.nonnegative()),
  /** Who is attached: name, user, terminal, since when. */
  attached: z._default(z.array(AttachedClient), []),
  /** What clients did, oldest first, the newest ACTIVITY_KEPT. */
  activity: z._default(z.array(ActivityEntry), []),
  /** The backup targets of `backup.to` (empty when none are configured). Older daemons send none. */
  backups: z._default(z.array(BackupTargetStatus), []),
});
export type DaemonState = z.infer<typeof DaemonState>;
