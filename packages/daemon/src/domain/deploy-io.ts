import type { GateVerdict, RevisionView } from '@axum/protocol';
import type { OperationFailure, OperationStep } from './deploy-policy.js';

/* What goes into the deploy machine and comes out of its effects: the types its actors and the
   engine share, apart from the machine itself so that the machine file reads as the machine. */

/** How one step process ended. */
export interface StepResult {
  /** `inconclusive`: a check that could neither pass nor fail (Prometheus unreachable, no series…). */
  status: 'succeeded' | 'failed' | 'timed-out' | 'cancelled' | 'inconclusive';
  exitCode: number | null;
  /** What a check concluded, in words (a command's result is said from its exit). */
  summary?: string;
  /** The remote host a step run once per host failed on (docs/remote-environments.md). */
  host?: string;
}

/** A revision an automatic rollback can go back to. */
export interface RollbackTarget {
  revision: number;
  releaseId: string;
}

/** What a metrics file and the gates made of it: recorded on the revision. */
export interface OperationResults {
  metrics: Record<string, number>;
  gates: GateVerdict[];
}

/** What an outcome is recorded from. */
export interface OutcomeInput {
  /**
   * `refused`: nothing moved. `undone`: an error after the pointer moved, and `current` was put back
   * on what served before (the live revision stays live). `failed`: it failed where it serves.
   */
  outcome: 'live' | 'failed' | 'refused' | 'undone';
  failure: OperationFailure | null;
  results: OperationResults | null;
}

/** Where an automatic rollback goes, and the failure that sends it there. */
export interface RollBackInput {
  to: RollbackTarget;
  failure: OperationFailure;
}

/** What the machine needs to know of one operation. */
export interface DeployMachineInput {
  kind: RevisionView['kind'];
  releaseId: string;
  /** `ENV#N`, named in failure messages (`axum logs ENV#N --step smoke`). */
  address: string;
  steps: OperationStep[];
  gates: Record<string, string>;
  /** The last known good's metrics, shown beside each gate's value; null when there is none. */
  lkgMetrics: Record<string, number> | null;
  /** What the release's build wrote to `AXUM_METRICS`: a gate's value when no verify step wrote its metric. */
  buildMetrics?: Record<string, number>;
  /** `rollback.auto` of the config the operation runs with. */
  autoRollback: boolean;
}

/** What recording an outcome saw that the rollback policy weighs after it. */
export interface OutcomeRecorded {
  /**
   * The environment was pinned as the outcome was saved: a failure then moves nothing by itself. Read
   * then, not when the operation began, so a pin set during verification holds, and the incident
   * saved with the outcome says the same as the policy does.
   */
  pinned: boolean;
}

export interface DeployMachineContext extends DeployMachineInput {
  /** Index of the step running (or next to run). */
  step: number;
  /** True once `current` names the release: a failure from here on was in front of users. */
  moved: boolean;
  failure: OperationFailure | null;
  results: OperationResults | null;
  rollbackTo: RollbackTarget | null;
  /** As the failed outcome was recorded (`OutcomeRecorded`); false until then. */
  pinned: boolean;
}
