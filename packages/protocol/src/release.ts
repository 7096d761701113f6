import { z } from 'zod/mini';
import { PipelineConfigSnapshot } from './pipeline-config-snapshot.js';

/**
 * One file of a release: its path in the repository, content hash and size. A symlink kept as a
 * link has `link`, its target text (relative, inside the release); its sha256 and size are those of
 * that text (what `lstat` reports as a link's size), and the file it names is an artifact of its
 * own. Releases recorded before links were kept have no `link`: every artifact is a file.
 */
export const ArtifactView = z.object({
  path: z.string(),
  sha256: z.string().check(z.regex(/^[0-9a-f]{64}$/)),
  size: z.int().check(z.nonnegative()),
  link: z.optional(z.string()),
});
export type ArtifactView = z.infer<typeof ArtifactView>;

/** One change of a release's mark, as journaled on it: who, when, why (`good` clears a bad mark). */
export const ReleaseMark = z.object({ mark: z.enum(['good', 'bad']), by: z.string(), why: z.string(), at: z.string() });
export type ReleaseMark = z.infer<typeof ReleaseMark>;

/** The immutable bundle a succeeded run produces (ARCHITECTURE.md, glossary). */
export const ReleaseView = z.object({
  id: z.string(),
  runId: z.string(),
  commit: z.string(),
  branch: z.string(),
  subject: z.string(),
  createdAt: z.string(),
  artifacts: z.array(ArtifactView),
  /** `name=value` lines the run's steps wrote to AXUM_METRICS. */
  metrics: z.record(z.string(), z.number()),
  /** Set when verification failed on it, a monitor incident fired on it, or a rollback moved away from it. */
  bad: z.nullable(z.object({ by: z.string(), why: z.string(), at: z.string() })),
  /** Every mark and clearing, oldest first (`axum mark`, and the failures that marked it). */
  marks: z._default(z.array(ReleaseMark), []),
  /**
   * The config of the run that made it (its commit's `axum.yml`): its deploy, verify and monitor
   * run with this, never with the working tree's. Null for a release recorded before snapshots
   * (the config in use then stands in). A snapshot that no longer reads is null, not a lost history.
   */
  config: z.catch(z._default(z.nullable(PipelineConfigSnapshot), null), null),
});
export type ReleaseView = z.infer<typeof ReleaseView>;

/**
 * A release as `axum releases` lists it: the release, the environments whose `current` serves it,
 * the revisions that verified it, and the bytes of its artifacts.
 */
export const ReleaseListing = z.extend(ReleaseView, {
  liveIn: z.array(z.string()),
  verifiedIn: z.array(z.object({ env: z.string(), revision: z.int().check(z.positive()) })),
  size: z.int().check(z.nonnegative()),
});
export type ReleaseListing = z.infer<typeof ReleaseListing>;

export const RevisionStatus = z.enum(['deploying', 'verifying', 'live', 'superseded', 'failed']);
export type RevisionStatus = z.infer<typeof RevisionStatus>;
export const RevisionKind = z.enum(['deploy', 'rollback', 'auto-rollback']);
export type RevisionKind = z.infer<typeof RevisionKind>;

/**
 * One gate's verdict on a revision: the metric its verify steps wrote, the threshold actually used
 * (for a relative gate, the number computed from the LKG's value; for its fallback, the fallback's),
 * and the last known good's value of the same metric beside it (null when there was no LKG or it had
 * none). `value` comes from the revision's verify steps, else from its release's build (`from: 'build'`);
 * null: no step wrote the metric (a failed gate that says so). `inconclusive`:
 * a relative gate with no LKG value and no fallback (threshold null; `reason` says why).
 */
export const GateVerdict = z.object({
  metric: z.string(),
  op: z.string(),
  threshold: z.nullable(z.number()),
  value: z.nullable(z.number()),
  lkgValue: z.nullable(z.number()),
  verdict: z.enum(['pass', 'fail', 'inconclusive']),
  /** Why a gate is inconclusive, or how its threshold was chosen (`no last known good value; fallback`); null otherwise. */
  reason: z._default(z.nullable(z.string()), null),
  /** The gate as written in `axum.yml` (`>= lkg - 0.01`); '' in records made before relative gates. */
  expression: z._default(z.string(), ''),
  /** `build`: no verify step wrote the metric and the value is the one the release's build wrote; absent otherwise. */
  from: z.optional(z.literal('build')),
});
export type GateVerdict = z.infer<typeof GateVerdict>;

/** A step of an operation (`interrupted`: the daemon stopped while it ran; its log is the prefix it wrote). */
// `inconclusive`: a Prometheus check (or a monitor tick of checks only) that measured nothing it could judge.
export const OperationStepStatus = z.enum(['pending', 'running', 'succeeded', 'failed', 'cancelled', 'skipped', 'timed-out', 'interrupted', 'inconclusive']);
export type OperationStepStatus = z.infer<typeof OperationStepStatus>;

/**
 * One step of a revision's operations: the deploy hook (stage `deploy`), a verify step (`verify`),
 * or one monitor check (`monitor`, named `check-N`; only the newest few are kept). Its output is
 * the log `ENV#N` / step `name` (`axum logs production#7 --step smoke`).
 */
export const OperationStep = z.object({
  stage: z.enum(['deploy', 'verify', 'monitor']),
  name: z.string(),
  status: OperationStepStatus,
  exitCode: z.nullable(z.int()),
  durationMs: z.nullable(z.number()),
  startedAt: z.nullable(z.string()),
  /** Bytes in the step's log file (its masked output), as of the step's last change. */
  logBytes: z.int().check(z.nonnegative()),
});
export type OperationStep = z.infer<typeof OperationStep>;

/**
 * What one revision did on one host of a remote environment (docs/remote-environments.md):
 * `staged` (its release copied there, not switched: another host failed first), `switched` (the
 * host's `current` moved to it), `put-back` (switched, then put back on what served), `failed`.
 */
export const RevisionHost = z.object({
  host: z.string(),
  outcome: z.enum(['staged', 'switched', 'put-back', 'failed']),
  /** Why it failed, or what it was put back on; null otherwise. */
  reason: z.nullable(z.string()),
  /** Set in a `history` answer (never stored): the host's `current` names this revision's release now, as last seen. */
  serving: z.optional(z.boolean()),
});
export type RevisionHost = z.infer<typeof RevisionHost>;

/** One entry of an environment's history, `#N` to people (ARCHITECTURE.md, glossary). */
export const RevisionView = z.object({
  revision: z.int().check(z.positive()),
  status: RevisionStatus,
  kind: RevisionKind,
  releaseId: z.string(),
  commit: z.string(),
  /** The revision a rollback went back to; null unless a rollback. */
  rollbackTo: z.nullable(z.int().check(z.positive())),
  /** True once verification passed. */
  verified: z.boolean(),
  createdAt: z.string(),
  finishedAt: z.nullable(z.string()),
  /** Who or what started it: `push run-12`, `axum rollback (pid 4242)`, `auto: verify failed on #6`. */
  by: z.string(),
  /** Why it failed, or what it did, in one line. */
  message: z.nullable(z.string()),
  /** The run whose succeeded stages led to this deploy (null for a manual deploy or a rollback). */
  runId: z._default(z.nullable(z.string()), null),
  /** What its verify steps wrote to `AXUM_METRICS` (the last value of a name wins). */
  metrics: z._default(z.record(z.string(), z.number()), {}),
  /** Every gate's verdict, with the last known good's value beside it. */
  gates: z._default(z.array(GateVerdict), []),
  /** Its deploy hook, verify steps and newest monitor checks, in the order they ran. */
  steps: z._default(z.array(OperationStep), []),
  /** Monitor checks run on it while live (all of them; `steps` keeps the newest few). */
  checks: z._default(z.object({ total: z.int().check(z.nonnegative()), failed: z.int().check(z.nonnegative()) }), { total: 0, failed: 0 }),
  /**
   * Set on the revision `current` serves in a `history` answer (never stored): with status `live`,
   * or `failed` when it is *serving, failed* (ARCHITECTURE.md, glossary).
   */
  serving: z.optional(z.boolean()),
  /** Set in a `history` answer on the revision an environment's pause concerns (never stored). */
  paused: z.optional(z.boolean()),
  /**
   * Set once it is `superseded`: the revision that took `current` from it and its kind. A deploy
   * supersedes it; a rollback or automatic rollback rolls it back (its run's deploy is `rolled-back`).
   * Absent in records written before it.
   */
  supersededBy: z.optional(z.object({ revision: z.int().check(z.positive()), kind: RevisionKind })),
  /** A remote environment's hosts, in `axum.yml`'s order: what this revision did on each (absent: a local environment, or a revision no host saw). */
  hosts: z.optional(z.array(RevisionHost)),
});
export type RevisionView = z.infer<typeof RevisionView>;

/** What changes if an environment moves from one release to another: shown before a rollback. */
export const ReleaseDiff = z.object({
  from: z.string(),
  to: z.string(),
  /** `short-sha subject` of the commits between the two (newest first), and which way they go. */
  commits: z.array(z.string()),
  direction: z.enum(['back', 'forward', 'sideways', 'same']),
  /** Dotted keys of `axum.yml` that differ (`verify.gates.accuracy`). */
  configKeys: z.array(z.string()),
  /**
   * The same keys, each with how it differs going from `from` to `to`: `added` (only `to` has it),
   * `removed` (only `from` has it) or `changed`. Optional: daemons before it send `configKeys` alone.
   */
  configChanges: z.optional(z.array(z.object({ key: z.string(), change: z.enum(['added', 'removed', 'changed']) }))),
  /** Artifacts added, removed, or whose sha256/size changed. */
  artifacts: z.array(z.object({ path: z.string(), change: z.enum(['added', 'removed', 'changed']), fromSize: z.nullable(z.number()), toSize: z.nullable(z.number()) })),
  /**
   * Metrics of both releases: the build's and what their verify steps wrote; the metrics `to`'s
   * gates judge first (`gated`, in the gates' order), then the rest by name.
   */
  metrics: z.array(z.object({ name: z.string(), from: z.nullable(z.number()), to: z.nullable(z.number()), gated: z.optional(z.boolean()) })),
});
export type ReleaseDiff = z.infer<typeof ReleaseDiff>;
