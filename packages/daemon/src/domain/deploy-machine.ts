import { assign, fromPromise, setup } from 'xstate';
import { integrityRefusalText } from '@axum/protocol';
import { failurePolicy, inconclusive, type OperationFailure, type OperationStep } from './deploy-policy.js';
import { firstMeaningfulLine } from './incidents.js';
import type { DeployMachineContext, DeployMachineInput, OutcomeInput, OutcomeRecorded, RollBackInput, RollbackTarget, StepResult } from './deploy-io.js';
import { describeFailedGates, describeInconclusiveGates, gateVerdicts, onlyUnwrittenMetricsFailed, type ParsedMetrics } from './gates.js';

export type { DeployMachineContext, DeployMachineInput, OperationResults, OutcomeInput, OutcomeRecorded, RollBackInput, RollbackTarget, StepResult } from './deploy-io.js';

/** An effect that threw: one line for the revision and its incident, the whole text for the log. */
const brokeOff = (error: unknown): OperationFailure => {
  const text = error instanceof Error ? error.message : String(error);
  const { line, more } = firstMeaningfulLine(text);
  return { stage: 'error', message: `the operation broke off: ${line}${more ? ' (the rest in .axum/daemon.log)' : ''}`, ...(more ? { detail: text } : {}) };
};
const stepFailure = (step: OperationStep, result: StepResult, address: string): OperationFailure => {
  const logs = `axum logs ${address} --step ${step.name}`;
  if (result.status === 'inconclusive') return inconclusive(address, `${result.summary ?? `check ${step.name}`} (${logs})`);
  if (step.check && result.status === 'failed') return { stage: step.stage, message: `${result.summary ?? `check ${step.name} failed`} (${logs})` };
  const how = result.status === 'timed-out' ? `timed out after ${step.timeoutMs} ms` : result.status === 'cancelled' ? 'was cancelled (the daemon is stopping)' : `exited ${result.exitCode}`;
  return { stage: step.stage, message: `${step.stage} step ${step.name} ${how}${result.host ? ` on ${result.host}` : ''} (axum logs ${address} --step ${step.name})` };
};

/** Placeholder for an effect; the engine provides the real actors (and tests fakes). */
const effect = <Output, Input = void>(role: string) =>
  fromPromise<Output, Input>(async () => {
    throw new Error(`${role} actor not provided`);
  });

/**
 * One deploy or rollback on one environment: record the revision → integrity check → materialize →
 * atomic `current` swap → record `verifying` → deploy hook and verify steps in a worktree → hash
 * check → gates → live; or refused (nothing moved) or failed, and then the rollback policy. Every
 * effect is a named actor; states tagged `holding` hold the environment (one operation at a time).
 */
export const deployMachine = setup({
  types: { context: {} as DeployMachineContext, input: {} as DeployMachineInput, output: {} as { failure: OperationFailure | null } },
  actors: {
    recordRevision: effect<void>('recordRevision'),
    checkIntegrity: effect<string | null>('checkIntegrity'),
    materialize: effect<string | null>('materialize'),
    swapCurrent: effect<void>('swapCurrent'),
    recordVerifying: effect<void>('recordVerifying'),
    openWorktree: effect<void>('openWorktree'),
    runStep: effect<StepResult, { index: number; step: OperationStep }>('runStep'),
    closeWorktree: effect<void>('closeWorktree'),
    readMetrics: effect<ParsedMetrics>('readMetrics'),
    markBad: effect<void, OperationFailure>('markBad'),
    recordOutcome: effect<OutcomeRecorded, OutcomeInput>('recordOutcome'),
    findLastKnownGood: effect<RollbackTarget | null>('findLastKnownGood'),
    rollBack: effect<void, RollBackInput>('rollBack'),
    withdraw: effect<void>('withdraw'),
    undo: effect<void>('undo'),
  },
  guards: {
    hasSteps: ({ context }) => context.steps.length > 0,
    moreSteps: ({ context }) => context.step < context.steps.length,
    hookNext: ({ context }) => context.steps[context.step]?.stage === 'deploy',
    failing: ({ context }) => context.failure !== null,
    // A verify step that failed or could not decide ran after the others: they may have written metrics.
    verifyStepFailed: ({ context }) => context.failure?.stage === 'verify' || context.failure?.stage === 'inconclusive',
    blamesRelease: ({ context }) => context.failure?.stage === 'deploy' || context.failure?.stage === 'verify',
    errorAfterMove: ({ context }) => context.moved && context.failure?.stage === 'error',
    policyActs: ({ context }) => context.failure !== null && failurePolicy({ stage: context.failure.stage, kind: context.kind, autoRollback: context.autoRollback, lastKnownGood: true, pinned: context.pinned }) !== 'keep',
  },
  actions: {
    brokeOff: assign({ failure: ({ event }) => brokeOff((event as { error?: unknown }).error) }),
    stepEnded: assign(({ context, event }) => {
      const step = context.steps[context.step]!;
      const { output } = event as unknown as { output: StepResult };
      return { step: context.step + 1, failure: output.status === 'succeeded' ? null : stepFailure(step, output, context.address) };
    }),
  },
}).createMachine({
  id: 'deploy',
  description: 'One deploy or rollback of a release on one environment, and the rollback policy after it fails.',
  context: ({ input }) => ({ ...input, step: 0, moved: false, failure: null, results: null, rollbackTo: null, pinned: false }),
  initial: 'recording',
  output: ({ context }) => ({ failure: context.failure }),
  states: {
    recording: {
      description: 'The revision is saved as deploying before anything moves.',
      tags: 'holding',
      invoke: { src: 'recordRevision', onDone: 'checking', onError: { target: 'recordingRefusal', actions: 'brokeOff' } },
    },
    checking: {
      description: "Every stored file of the release is present with its size and mode (not re-hashed: that runs beside verification).",
      tags: 'holding',
      invoke: {
        src: 'checkIntegrity',
        onDone: [
          { guard: ({ event }) => event.output !== null, target: 'recordingRefusal', actions: assign({ failure: ({ context, event }) => ({ stage: 'integrity' as const, message: integrityRefusalText(context.releaseId, event.output!) }) }) },
          { target: 'materializing' },
        ],
        onError: { target: 'recordingRefusal', actions: 'brokeOff' },
      },
    },
    materializing: {
      description: "The release's folder is made from the store (once per release).",
      tags: 'holding',
      invoke: {
        src: 'materialize',
        onDone: [
          // A copy that fails is the machine's (a full disk, a folder that cannot be written): an error.
          { guard: ({ event }) => event.output !== null, target: 'recordingRefusal', actions: assign({ failure: ({ context, event }) => ({ stage: 'error' as const, message: `could not materialize release ${context.releaseId}: ${event.output}` }) }) },
          { target: 'swapping' },
        ],
        onError: { target: 'recordingRefusal', actions: 'brokeOff' },
      },
    },
    swapping: {
      description: '`current` is pointed at the release atomically; a swap that fails moved nothing.',
      tags: 'holding',
      invoke: { src: 'swapCurrent', onDone: { target: 'recordingVerifying', actions: assign({ moved: true }) }, onError: { target: 'recordingRefusal', actions: 'brokeOff' } },
    },
    recordingVerifying: {
      description: 'The revision is saved as verifying (and a manual rollback marks the release it left bad).',
      tags: 'holding',
      invoke: { src: 'recordVerifying', onDone: [{ guard: 'hasSteps', target: 'preparing' }, { target: 'judging' }], onError: { target: 'failing', actions: 'brokeOff' } },
    },
    preparing: {
      description: "A worktree of the release's commit is made for its steps.",
      tags: 'holding',
      invoke: { src: 'openWorktree', onDone: 'nextStep', onError: { target: 'closing', actions: 'brokeOff' } },
    },
    nextStep: {
      description: 'Chooses the next step, or ends the steps.',
      tags: 'holding',
      always: [{ guard: 'failing', target: 'closing' }, { guard: 'moreSteps', target: 'dispatch' }, { target: 'closing' }],
    },
    dispatch: {
      description: 'The deploy hook runs as `hooking`, the verify steps as `verifying`.',
      tags: 'holding',
      always: [{ guard: 'hookNext', target: 'hooking' }, { target: 'verifying' }],
    },
    hooking: stepState('The `deploy.run` hook runs; if it fails, verification is skipped.'),
    verifying: stepState('A verify step runs; the first that fails ends verification.'),
    closing: {
      description: 'The worktree is removed, whatever the steps did.',
      tags: 'holding',
      invoke: { src: 'closeWorktree', onDone: [{ guard: 'verifyStepFailed', target: 'keepingMetrics' }, { guard: 'failing', target: 'failing' }, { target: 'judging' }], onError: [{ guard: 'verifyStepFailed', target: 'keepingMetrics' }, { guard: 'failing', target: 'failing' }, { target: 'judging' }] },
    },
    keepingMetrics: {
      description: 'A verify step failed: what the others wrote is kept on the revision (the history shows what was measured); no gate is judged.',
      tags: 'holding',
      invoke: { src: 'readMetrics', onDone: { target: 'failing', actions: assign({ results: ({ event }) => ({ metrics: event.output.metrics, gates: [] }) }) }, onError: 'failing' },
    },
    judging: {
      description: 'The metrics the verify steps wrote (else the build) are judged by the gates, beside the last known good values.',
      tags: 'holding',
      invoke: {
        src: 'readMetrics',
        onDone: {
          target: 'judged',
          actions: assign(({ context, event }) => {
            // A verify step that wrote a metric that is not a number is named, not covered by the build's value.
            const build = Object.fromEntries(Object.entries(context.buildMetrics ?? {}).filter(([name]) => !Object.hasOwn(event.output.notNumbers, name)));
            const gates = gateVerdicts(context.gates, event.output.metrics, context.lkgMetrics, build);
            const failed = describeFailedGates(gates, event.output.notNumbers);
            const unsure = describeInconclusiveGates(gates);
            // A failed gate outweighs an inconclusive one: the release is then known to be worse.
            const failure =
              failed.length > 0
                ? onlyUnwrittenMetricsFailed(gates, event.output.notNumbers)
                  ? { stage: 'verify' as const, message: `gates failed: ${failed.join('; ')}; ${context.releaseId}'s own axum.yml gates it, so it fails wherever it goes (a commit that fixes the gate makes a release that can pass)`, unwrittenMetric: true as const }
                  : { stage: 'verify' as const, message: `gates failed: ${failed.join('; ')}` }
                : unsure.length > 0
                  ? inconclusive(context.address, unsure.join('; '))
                  : null;
            return { results: { metrics: event.output.metrics, gates }, failure };
          }),
        },
        onError: { target: 'failing', actions: 'brokeOff' },
      },
    },
    judged: {
      description: 'Every gate passed, or one failed.',
      tags: 'holding',
      always: [{ guard: 'failing', target: 'failing' }, { target: 'recordingLive' }],
    },
    recordingLive: {
      description: 'The revision is saved live and verified; the one it replaces is superseded.',
      tags: 'holding',
      invoke: { src: 'recordOutcome', input: ({ context }) => ({ outcome: 'live' as const, failure: null, results: context.results }), onDone: 'live', onError: { target: 'broken', actions: 'brokeOff' } },
    },
    recordingRefusal: {
      description: 'Nothing moved: the revision is saved failed and the live revision stays live.',
      tags: 'holding',
      invoke: { src: 'recordOutcome', input: ({ context }) => ({ outcome: 'refused' as const, failure: context.failure, results: null }), onDone: 'refused', onError: { target: 'broken', actions: 'brokeOff' } },
    },
    failing: {
      description: 'The release failed in front of users: it is marked bad, unless the failure was an error of Axum or the machine, which puts back what served before, or of axum.yml (a gate on a metric no step wrote), which marks nothing.',
      tags: 'holding',
      always: [{ guard: 'blamesRelease', target: 'markingBad' }, { guard: 'errorAfterMove', target: 'undoing' }, { target: 'recordingFailure' }],
    },
    undoing: {
      description: 'An error after the pointer moved: `current` goes back to the release that was live (or is removed when none was); nothing is marked, no rollback runs.',
      tags: 'holding',
      invoke: { src: 'undo', onDone: 'recordingUndone', onError: 'recordingFailure' },
    },
    recordingUndone: {
      description: 'The revision is saved failed with reason `error`; the revision that was live stays live and last known good.',
      tags: 'holding',
      invoke: { src: 'recordOutcome', input: ({ context }) => ({ outcome: 'undone' as const, failure: context.failure, results: context.results }), onDone: 'undone', onError: { target: 'broken', actions: 'brokeOff' } },
    },
    markingBad: {
      description: 'The release is marked bad with who, when and why.',
      tags: 'holding',
      invoke: { src: 'markBad', input: ({ context }) => context.failure!, onDone: 'recordingFailure', onError: 'recordingFailure' },
    },
    recordingFailure: {
      description: 'The revision is saved failed with its reason; the environment is free again after this.',
      tags: 'holding',
      invoke: { src: 'recordOutcome', input: ({ context }) => ({ outcome: 'failed' as const, failure: context.failure, results: context.results }),
        onDone: { target: 'weighing', actions: assign({ pinned: ({ event }) => event.output.pinned }) },
        onError: { target: 'broken', actions: 'brokeOff' } },
    },
    weighing: {
      description: 'The rollback policy weighs the failure with the pin as it was when the outcome was saved, not when the operation began: a pin set during verification holds.',
      always: [{ guard: 'policyActs', target: 'deciding' }, { target: 'failed' }],
    },
    deciding: {
      description: 'rollback.auto: finds the last known good to go back to.',
      invoke: {
        src: 'findLastKnownGood',
        onDone: [{ guard: ({ event }) => event.output !== null, target: 'rollingBack', actions: assign({ rollbackTo: ({ event }) => event.output }) }, { target: 'withdrawing' }],
        onError: 'failed',
      },
    },
    rollingBack: {
      description: 'An automatic rollback to the last known good runs as an operation of its own.',
      invoke: { src: 'rollBack', input: ({ context }) => ({ to: context.rollbackTo!, failure: context.failure! }), onDone: 'rolledBack', onError: 'failed' },
    },
    withdrawing: {
      description: 'Nothing is known good: `current` no longer names the failed release (nothing verified serves).',
      invoke: { src: 'withdraw', onDone: 'withdrawn', onError: 'failed' },
    },
    live: { type: 'final', description: 'The release is live and verified.' },
    refused: { type: 'final', description: 'Refused before anything moved; the live revision stays live.' },
    undone: { type: 'final', description: 'An error after the move was undone: what was live serves again and stays live.' },
    failed: { type: 'final', description: 'Failed; with rollback.auto off it still serves (an incident says so).' },
    rolledBack: { type: 'final', description: 'Failed, and the last known good is live again.' },
    withdrawn: { type: 'final', description: 'Failed with nothing known good: `current` is removed.' },
    broken: { type: 'final', description: 'The outcome could not be saved; the next start recovers from the records.' },
  },
});

/** A state that runs the step at `context.step`: the hook and the verify steps share it. */
function stepState(description: string) {
  return {
    description,
    tags: 'holding' as const,
    invoke: {
      src: 'runStep' as const,
      input: ({ context }: { context: DeployMachineContext }) => ({ index: context.step, step: context.steps[context.step]! }),
      onDone: { target: 'nextStep' as const, actions: 'stepEnded' as const },
      onError: { target: 'closing', actions: 'brokeOff' as const },
    },
  };
}

export type DeployMachine = typeof deployMachine;
/** The final states an operation can end in. */
export type DeployEnd = 'live' | 'refused' | 'undone' | 'failed' | 'rolledBack' | 'withdrawn' | 'broken';
