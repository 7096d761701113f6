// The plan of a deploy or rollback and the policy after one fails: the pure rules the deploy
// machine (deploy-machine.ts), monitor incidents and crash recovery share.
import type { CheckSpec, PipelineConfig, RevisionView } from '@axum/protocol';

/** Deploy and verify steps without a `timeout` get this one: a hung check must not hold an environment forever. */
export const DEFAULT_OPERATION_STEP_TIMEOUT_MS = 10 * 60 * 1000;

/** One deploy hook or verify step as the operation runs it. */
export interface OperationStep {
  stage: 'deploy' | 'verify';
  name: string;
  run: string;
  timeoutMs: number;
  /** A verify check that asks Prometheus instead of running `run` (docs/gates-and-checks.md, "Checks that ask Prometheus"). */
  check?: CheckSpec;
}

/** The steps of a deploy or rollback from a config: the `deploy.run` hook first, then `verify.steps`, then `verify.checks`. */
export function operationPlan(config: PipelineConfig): OperationStep[] {
  return [
    ...(config.deploy ? [{ stage: 'deploy' as const, name: 'deploy', run: config.deploy.run, timeoutMs: config.deploy.timeout ?? DEFAULT_OPERATION_STEP_TIMEOUT_MS }] : []),
    ...(config.verify?.steps ?? []).map((s) => ({ stage: 'verify' as const, name: s.name, run: s.run, timeoutMs: s.timeout ?? DEFAULT_OPERATION_STEP_TIMEOUT_MS })),
    ...(config.verify?.checks ?? []).map((c) => ({ stage: 'verify' as const, name: c.name, run: '', timeoutMs: c.count * c.every + DEFAULT_OPERATION_STEP_TIMEOUT_MS, check: c })),
  ];
}

/**
 * Where an operation stopped. `integrity` refuses before anything moves (`materialize` too, in
 * records written before a failed copy became an `error`); `deploy` and `verify` blame the release;
 * `error` is Axum's or the machine's (a pointer that cannot be written, a full disk, a step that
 * cannot be spawned or whose log cannot be written, a copy that fails) and blames nothing.
 * `inconclusive`: verification could neither pass nor fail it (a relative gate with no last known
 * good value, a Prometheus check that could not measure): it blames nothing and a person decides.
 */
export type FailureStage = 'integrity' | 'materialize' | 'deploy' | 'verify' | 'error' | 'inconclusive';

/** Why an operation did not go live. */
export interface OperationFailure {
  stage: FailureStage;
  message: string;
  /** The error's whole text when `message` keeps only its first meaningful line: for the daemon's log. */
  detail?: string;
  /**
   * Every failed gate names a metric no step wrote: most often a name mistyped in the release's own
   * axum.yml, which fails it wherever it goes — so it is marked bad as for any failed gate (a model
   * that failed on staging must not reach production by a merge), and the words say what to fix.
   */
  unwrittenMetric?: true;
}

/**
 * Verification that neither passed nor failed: marks nothing, rolls nothing back, pauses the
 * environment, and says who decides and how (the environment is the address before `#`).
 */
export const inconclusive = (address: string, why: string): OperationFailure => {
  const env = address.slice(0, address.lastIndexOf('#'));
  return { stage: 'inconclusive', message: `inconclusive: ${why}; nothing was marked bad or rolled back; ${env} is paused: axum approve ${env} keeps it, axum rollback ${env} goes back` };
};

/** What could not be measured, from an `inconclusive` failure's message: a pause's reason, without the advice. */
export const inconclusiveWhy = (message: string): string => message.split('; nothing was marked bad or rolled back')[0]!;

/** Where a failure happened, as the rollback policy weighs it. */
export interface FailureAt {
  stage: FailureStage | 'monitor';
  kind: RevisionView['kind'];
  autoRollback: boolean;
  lastKnownGood: boolean;
  monitorPassed?: boolean;
  /** The environment is pinned: no automatic move, whatever failed. */
  pinned?: boolean;
}

/** True when only the pin keeps `at` from an automatic rollback (or withdrawal): the incident must say so. */
export const heldByPin = (at: FailureAt): boolean => at.pinned === true && failurePolicy({ ...at, pinned: false }) !== 'keep';

/** What a pinned environment's incident adds to the failure it saw: nothing moved, and how to move by hand. */
export const pinnedNoRollbackText = (env: string): string =>
  ` — ${env} is pinned: not rolled back automatically (axum rollback ${env} goes back by hand and stays pinned; or axum unpin ${env}, then axum rollback ${env})`;

/**
 * The rollback policy after a failure (one rule for a failed operation, a monitor incident and a
 * failure found at start): with `rollback.auto`, back to the last known good; with none, a release
 * that failed before going live is withdrawn, one that was live (monitor) keeps serving. A pinned
 * environment is never moved by it.
 */
export function failurePolicy(at: FailureAt): 'roll-back' | 'withdraw' | 'keep' {
  if (!at.autoRollback) return 'keep';
  // A pin is the user saying the environment stays where it is: nothing moves it by itself, a
  // failure included. The incident says so and how to go back by hand (`heldByPin`).
  if (at.pinned) return 'keep';
  // An error is the machine's, not the release's: the operation put back what served (or could not
  // write the pointer at all), and an automatic rollback would meet the same full disk or read-only
  // folder and fail in its turn. Nothing is rolled back, nothing withdrawn.
  if (at.stage === 'error') return 'keep';
  // Inconclusive is neither a pass nor a failure: nothing is rolled back on a guess; a person decides.
  if (at.stage === 'inconclusive') return 'keep';
  // A monitor incident on an automatic rollback whose monitor never passed: the last known good
  // fails the same monitor at once, so the cause is likely outside the release (a dependency, the
  // host). Rolling back again would mark one release after another bad, stepping further back each
  // time; it stops here, as a failed automatic rollback does. Once its monitor has passed, a later
  // incident is news and rolls back as any other.
  if (at.stage === 'monitor') return at.lastKnownGood && (at.kind !== 'auto-rollback' || at.monitorPassed !== false) ? 'roll-back' : 'keep';
  // An automatic rollback that fails is not rolled back again: it would step further back each time.
  if (at.kind === 'auto-rollback' || at.stage === 'integrity' || at.stage === 'materialize') return 'keep';
  return at.lastKnownGood ? 'roll-back' : 'withdraw';
}
