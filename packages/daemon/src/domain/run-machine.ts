import { assign, fromPromise, setup, type ActorLogicFrom } from 'xstate';
import type { PipelineConfig, StepStatus } from '@axum/protocol';

/** One step as the machine runs it. */
export interface StepPlan {
  stage: string;
  name: string;
  run: string;
  timeoutMs: number | null;
  retries: number;
  env: Record<string, string>;
}

/** The stages of a run, in order; the steps of one stage run in parallel. */
export interface StagePlan {
  name: string;
  steps: StepPlan[];
}

/** How one step ended (after its retries). */
export interface StepOutcome {
  status: Extract<StepStatus, 'succeeded' | 'failed' | 'timed-out' | 'cancelled'>;
  exitCode: number | null;
  attempts: number;
}

export interface StepState {
  stage: string;
  name: string;
  status: StepStatus;
  exitCode: number | null;
  attempts: number;
}

export interface RunMachineContext {
  steps: StepState[];
}

/** The final status the machine reaches. */
export type RunOutcome = 'succeeded' | 'failed' | 'cancelled';

/** The plan of a run, from a validated config. */
export function planFromConfig(config: PipelineConfig, onlyStages?: readonly string[]): StagePlan[] {
  return config.stages
    .filter((stage) => !onlyStages || onlyStages.includes(stage.name))
    .map((stage) => ({
      name: stage.name,
      steps: stage.steps.map((step) => ({
        stage: stage.name,
        name: step.name,
        run: step.run,
        timeoutMs: step.timeout ?? null,
        retries: step.retries,
        env: step.env ?? {},
      })),
    }));
}

/**
 * Runs one attempt of a step; the adapter behind it spawns `sh -c` in a process group.
 * Aborting the signal kills the group. Never rejects for a failing command: that is an outcome.
 */
export type RunAttempt = (step: StepPlan, attempt: number, signal: AbortSignal) => Promise<Omit<StepOutcome, 'attempts'>>;

/** Wraps an attempt runner with the step's `retries`: a failed or timed-out attempt runs again. */
export function withRetries(runAttempt: RunAttempt) {
  return async (step: StepPlan, signal: AbortSignal): Promise<StepOutcome> => {
    let last: Omit<StepOutcome, 'attempts'> = { status: 'cancelled', exitCode: null };
    for (let attempt = 1; attempt <= step.retries + 1; attempt++) {
      if (signal.aborted) return { status: 'cancelled', exitCode: null, attempts: attempt - 1 };
      last = await runAttempt(step, attempt, signal);
      if (last.status === 'succeeded' || last.status === 'cancelled' || signal.aborted) return { ...last, attempts: attempt };
    }
    return { ...last, attempts: step.retries + 1 };
  };
}

/** Placeholder for the `runStep` actor; the engine provides the real one (and tests a fake). */
const runStepPlaceholder = fromPromise<StepOutcome, { step: StepPlan }>(async () => {
  throw new Error('runStep actor not provided');
});

const FAILED: readonly StepStatus[] = ['failed', 'timed-out'];

/**
 * The run as a state machine generated from its plan: one state per stage, each invoking
 * `runStep` once per step (in parallel). A failed step fails its stage at once (its running
 * siblings are stopped and become `cancelled`) and every later step becomes `skipped`.
 * `run.cancel` stops whatever runs. Side effects live only in the provided `runStep` actor.
 */
export function createRunMachine(stages: StagePlan[]) {
  const stageState = (index: number) => `stage ${index + 1}: ${stages[index]?.name ?? ''}`;
  const steps: StepState[] = stages.flatMap((stage) =>
    stage.steps.map((step) => ({ stage: stage.name, name: step.name, status: 'pending' as StepStatus, exitCode: null, attempts: 0 })),
  );
  const base = setup({
    types: { context: {} as RunMachineContext, events: {} as { type: 'run.cancel' } },
    actors: { runStep: runStepPlaceholder },
  });

  const setStatus = (context: RunMachineContext, match: (s: StepState) => boolean, status: StepStatus): StepState[] =>
    context.steps.map((s) => (match(s) ? { ...s, status } : s));
  const stopAfterFailure = (context: RunMachineContext): StepState[] =>
    context.steps.map((s) => (s.status === 'running' ? { ...s, status: 'cancelled' } : s.status === 'pending' ? { ...s, status: 'skipped' } : s));

  const states: Record<string, object> = {};
  stages.forEach((stage, index) => {
    const inStage = (s: StepState) => s.stage === stage.name;
    const next = index + 1 < stages.length ? stageState(index + 1) : 'succeeded';
    states[stageState(index)] = {
      description: `Runs the steps of stage "${stage.name}" in parallel.`,
      entry: assign({ steps: ({ context }: { context: RunMachineContext }) => setStatus(context, inStage, 'running') }),
      invoke: stage.steps.map((step) => ({
        id: `step:${step.name}`,
        src: 'runStep',
        input: { step },
        onDone: {
          actions: assign({
            steps: ({ context, event }: { context: RunMachineContext; event: unknown }) => {
              const { output } = event as { output: StepOutcome };
              return context.steps.map((s) => (s.name === step.name ? { ...s, status: output.status, exitCode: output.exitCode, attempts: output.attempts } : s));
            },
          }),
        },
        onError: {
          // A runner that throws is a bug in Axum, not the step's fault; record it as failed.
          actions: assign({
            steps: ({ context }: { context: RunMachineContext }) => context.steps.map((s) => (s.name === step.name ? { ...s, status: 'failed' as StepStatus } : s)),
          }),
        },
      })),
      always: [
        {
          guard: ({ context }: { context: RunMachineContext }) => context.steps.some((s) => inStage(s) && FAILED.includes(s.status)),
          target: 'failed',
          actions: assign({ steps: ({ context }: { context: RunMachineContext }) => stopAfterFailure(context) }),
        },
        {
          guard: ({ context }: { context: RunMachineContext }) => context.steps.filter(inStage).every((s) => s.status === 'succeeded'),
          target: next,
        },
      ],
    };
  });

  return base.createMachine({
    id: 'run',
    description: 'One execution of the pipeline stages for one commit.',
    context: { steps },
    initial: stages.length > 0 ? stageState(0) : 'succeeded',
    on: {
      'run.cancel': {
        target: '.cancelled',
        actions: assign({
          steps: ({ context }) =>
            context.steps.map((s) => (s.status === 'running' ? { ...s, status: 'cancelled' } : s.status === 'pending' ? { ...s, status: 'skipped' } : s)),
        }),
      },
    },
    states: {
      ...states,
      succeeded: { type: 'final', description: 'Every step succeeded.' },
      failed: { type: 'final', description: 'A step failed or timed out; later steps were skipped.' },
      cancelled: { type: 'final', description: 'Cancelled: running steps were killed, later ones skipped.' },
    } as never,
  });
}

export type RunMachine = ReturnType<typeof createRunMachine>;
export type RunStepLogic = ActorLogicFrom<typeof runStepPlaceholder>;
