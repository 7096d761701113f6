// What the environments' coordinator (environment-coordinator.ts) offers the rest of the engine:
// one operation per environment at a time, the release queued behind it, and what follows.
import type { ReleaseView, RevisionView } from '@axum/protocol';
import type { Hold } from './environment-holds.js';
import type { RequestFailure } from './pipeline.js';
import type { Quiet } from './reconciliation.js';

/** A release handed on again by a later run: that run is told, and its lines begin with `lead`. */
export interface ReuseHandOn {
  runId: string;
  lead: string;
  /** The run was forced (`axum run --force`): a release marked bad deploys all the same, also after it waited. */
  force?: boolean;
}

/** Starts operations on environments and keeps what follows them in order. */
export interface EnvironmentCoordinator {
  /**
   * Runs one deploy or rollback as a deploy machine; resolves when the environment is free again (its
   * outcome recorded). `onRecorded` is called once, when a save first wrote its revision (long before
   * the end: a verify may take an hour).
   */
  operate(env: string, releaseId: string, kind: RevisionView['kind'], rollbackTo: number | null, by: string, runId?: string | null, onRecorded?: () => void): Promise<RevisionView | RequestFailure>;
  hold(env: string): Hold | undefined;
  /** The error that kept an operation's revision from its first save, when no later save wrote it either (the records never held it); else undefined. */
  unrecorded(revision: RevisionView): unknown;
  /** Null while an operation holds `env` or the daemon moves its `current`; else a token that changes with each (reconciliation.ts). */
  quiet: Quiet;
  /**
   * A built release goes on: held by a pin, waiting for approval, queued behind an operation, or
   * deployed. `reuse`: a release made by an earlier run, handed on for this run (build once, promote).
   * `queued`: it waited in the queue; one older than the release live now is superseded, not deployed.
   */
  handOn(env: string, built: ReleaseView, reuse?: ReuseHandOn, queued?: boolean): Promise<string>;
  /** Remembers how a run was triggered and who asked: its deploy's `by` says `manual run-12 by ana via axum run`, not `push`. */
  noteTrigger(runId: string, trigger: string, who?: string): void;
  /** The run a release was last handed on for in this environment (its own run, or one that reused it). */
  runFor(env: string, releaseId: string): string | null;
  /** What follows an operation, also after a pause is lifted: the queued release deploys, or retention runs. */
  next(env: string): Promise<void>;
  /** Persists the environment's document, tells clients, keeps its monitor in step. */
  save(env: string): Promise<void>;
  syncMonitor(env: string): Promise<void>;
  /** Release retention, after the bookkeeping in progress. */
  prune(): Promise<void>;
  /** Counts `work` as part of the environment's operation for `idle`. */
  track(env: string, work: Promise<void>): void;
  /**
   * Holds `env` while crash recovery finishes `work` after the daemon listens (its hosts put
   * back): clients see it as the operation in progress, a deploy queues, a rollback is refused as
   * busy; then what waited goes on.
   */
  recovering(env: string, revision: number, work: () => Promise<void>): void;
  /** Resolves when revision `revision`'s operation has ended with the automatic rollback it started; at once when it is not running. */
  ended(env: string, revision: number): Promise<void>;
  /** Resolves when the environment has no operation, and nothing that follows one, running. */
  idle(env: string): Promise<void>;
  /** Kills every deploy, verify and monitor process (daemon stopping). */
  stop(): Promise<void>;
}
