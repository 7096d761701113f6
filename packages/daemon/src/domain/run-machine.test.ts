import { createActor, fromPromise, toPromise } from 'xstate';
import { describe, expect, it } from 'vitest';
import { createRunMachine, withRetries, type RunAttempt, type StagePlan, type StepOutcome, type StepPlan } from './run-machine.js';

const step = (stage: string, name: string, extra: Partial<StepPlan> = {}): StepPlan => ({ stage, name, run: name, timeoutMs: null, retries: 0, env: {}, ...extra });
const plan: StagePlan[] = [
  { name: 'test', steps: [step('test', 'unit'), step('test', 'lint')] },
  { name: 'build', steps: [step('build', 'train')] },
];

/** A fake runner: each command's outcomes in order; `hang` never finishes until aborted. */
function fakeRunner(script: Record<string, (Omit<StepOutcome, 'attempts'> | 'hang')[]>) {
  const calls: string[] = [];
  const aborted: string[] = [];
  const attempt: RunAttempt = (s, n, signal) => {
    calls.push(`${s.name}#${n}`);
    const outcome = script[s.name]?.[n - 1] ?? { status: 'succeeded', exitCode: 0 };
    if (outcome === 'hang') {
      return new Promise((resolve) =>
        signal.addEventListener('abort', () => {
          aborted.push(s.name);
          resolve({ status: 'cancelled', exitCode: null });
        }),
      );
    }
    return Promise.resolve(outcome);
  };
  return { attempt, calls, aborted };
}

function start(stages: StagePlan[], runner: ReturnType<typeof fakeRunner>) {
  const run = withRetries(runner.attempt);
  const machine = createRunMachine(stages).provide({
    actors: { runStep: fromPromise<StepOutcome, { step: StepPlan }>(({ input, signal }) => run(input.step, signal)) },
  });
  const actor = createActor(machine);
  actor.start();
  return actor;
}

const summary = (actor: ReturnType<typeof start>) => actor.getSnapshot().context.steps.map((s) => `${s.name}:${s.status}`);

describe('the run machine', () => {
  it('runs stages in order, steps of a stage in parallel, and succeeds', async () => {
    const runner = fakeRunner({});
    const actor = start(plan, runner);
    await toPromise(actor);
    expect(actor.getSnapshot().value).toBe('succeeded');
    expect(summary(actor)).toEqual(['unit:succeeded', 'lint:succeeded', 'train:succeeded']);
    expect(runner.calls.slice(0, 2).sort()).toEqual(['lint#1', 'unit#1']);
    expect(runner.calls[2]).toBe('train#1');
  });

  it('fails the stage on a failed step, stops its running sibling, and skips every later step', async () => {
    const runner = fakeRunner({ unit: [{ status: 'failed', exitCode: 1 }], lint: ['hang'] });
    const actor = start(plan, runner);
    await toPromise(actor);
    expect(actor.getSnapshot().value).toBe('failed');
    expect(summary(actor)).toEqual(['unit:failed', 'lint:cancelled', 'train:skipped']);
    expect(runner.aborted).toEqual(['lint']);
    expect(runner.calls).not.toContain('train#1');
  });

  it('treats timed-out as a failure', async () => {
    const runner = fakeRunner({ train: [{ status: 'timed-out', exitCode: null }] });
    const actor = start(plan, runner);
    await toPromise(actor);
    expect(actor.getSnapshot().value).toBe('failed');
    expect(summary(actor)).toEqual(['unit:succeeded', 'lint:succeeded', 'train:timed-out']);
  });

  it('retries a failing step up to its retries and records the attempts', async () => {
    const flaky: StagePlan[] = [{ name: 'build', steps: [step('build', 'train', { retries: 2 })] }];
    const runner = fakeRunner({ train: [{ status: 'failed', exitCode: 1 }, { status: 'timed-out', exitCode: null }, { status: 'succeeded', exitCode: 0 }] });
    const actor = start(flaky, runner);
    await toPromise(actor);
    expect(actor.getSnapshot().value).toBe('succeeded');
    expect(runner.calls).toEqual(['train#1', 'train#2', 'train#3']);
    expect(actor.getSnapshot().context.steps[0]).toMatchObject({ status: 'succeeded', attempts: 3 });
  });

  it('gives up after the last retry', async () => {
    const flaky: StagePlan[] = [{ name: 'build', steps: [step('build', 'train', { retries: 1 })] }];
    const runner = fakeRunner({ train: [{ status: 'failed', exitCode: 1 }, { status: 'failed', exitCode: 3 }] });
    const actor = start(flaky, runner);
    await toPromise(actor);
    expect(actor.getSnapshot().context.steps[0]).toMatchObject({ status: 'failed', exitCode: 3, attempts: 2 });
  });

  it('cancel stops running steps (their signal aborts) and skips the rest', async () => {
    const runner = fakeRunner({ unit: ['hang'], lint: ['hang'] });
    const actor = start(plan, runner);
    actor.send({ type: 'run.cancel' });
    await toPromise(actor);
    expect(actor.getSnapshot().value).toBe('cancelled');
    expect(summary(actor)).toEqual(['unit:cancelled', 'lint:cancelled', 'train:skipped']);
    expect(runner.aborted.sort()).toEqual(['lint', 'unit']);
  });

  it('records a runner that throws as a failed step', async () => {
    const machine = createRunMachine(plan).provide({
      actors: { runStep: fromPromise<StepOutcome, { step: StepPlan }>(async () => Promise.reject(new Error('boom'))) },
    });
    const actor = createActor(machine).start();
    await toPromise(actor);
    expect(actor.getSnapshot().value).toBe('failed');
  });
});
