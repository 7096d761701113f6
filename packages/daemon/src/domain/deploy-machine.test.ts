// The deploy lifecycle as a transition table: every effect is a fake actor that records its call,
// so each case reads as the effects in order and the final state: machines are data, effects are actors a test swaps for fakes.
import { createActor, fromPromise, toPromise } from 'xstate';
import { describe, expect, it } from 'vitest';
import { deployMachine, type DeployMachineInput, type OutcomeInput, type OutcomeRecorded, type RollBackInput, type RollbackTarget, type StepResult } from './deploy-machine.js';
import { failurePolicy, operationPlan, type OperationFailure, type OperationStep } from './deploy-policy.js';
import type { ParsedMetrics } from './gates.js';

const smoke: OperationStep = { stage: 'verify', name: 'smoke', run: 'smoke', timeoutMs: 1000 };
const hook: OperationStep = { stage: 'deploy', name: 'deploy', run: 'hook', timeoutMs: 1000 };
const input = (extra: Partial<DeployMachineInput> = {}): DeployMachineInput => ({ kind: 'deploy', releaseId: 'rel-3', address: 'staging#3', steps: [smoke], gates: {}, lkgMetrics: null, autoRollback: true, ...extra });

/** What the fake world answers; every field defaults to the happy path. */
interface World {
  integrity?: string | null;
  materialize?: string | null;
  swap?: 'throws';
  undo?: 'throws';
  steps?: Record<string, StepResult | 'throws'>;
  metrics?: ParsedMetrics;
  lastKnownGood?: RollbackTarget | null;
  /** The environment is pinned when the outcome is recorded (a pin set while the operation ran counts). */
  pinned?: boolean;
}

/** Every effect as a fake that records its call in `calls` and answers as `world` says. */
function fakeActors(world: World, calls: string[]) {
  const fake = <O, I = void>(role: string, answer: (input: I) => O) =>
    fromPromise<O, I>(async ({ input }) => {
      calls.push(role);
      return answer(input);
    });
  return {
    recordRevision: fake<void>('recordRevision', () => undefined),
    checkIntegrity: fake<string | null>('checkIntegrity', () => world.integrity ?? null),
    materialize: fake<string | null>('materialize', () => world.materialize ?? null),
    swapCurrent: fake<void>('swapCurrent', () => {
      if (world.swap === 'throws') throw new Error('EPERM: rename');
    }),
    recordVerifying: fake<void>('recordVerifying', () => undefined),
    openWorktree: fake<void>('openWorktree', () => undefined),
    runStep: fromPromise<StepResult, { index: number; step: OperationStep }>(async ({ input: { step } }) => {
      calls.push(`runStep ${step.name}`);
      const result = world.steps?.[step.name] ?? { status: 'succeeded', exitCode: 0 };
      if (result === 'throws') throw new Error('spawn sh EAGAIN');
      return result;
    }),
    closeWorktree: fake<void>('closeWorktree', () => undefined),
    readMetrics: fake<ParsedMetrics>('readMetrics', () => world.metrics ?? { metrics: {}, notNumbers: {} }),
    markBad: fake<void, OperationFailure>('markBad', () => undefined),
    recordOutcome: fromPromise<OutcomeRecorded, OutcomeInput>(async ({ input }) => {
      calls.push(`record ${input.outcome}`);
      return { pinned: world.pinned ?? false };
    }),
    findLastKnownGood: fake<RollbackTarget | null>('findLastKnownGood', () => (world.lastKnownGood === undefined ? { revision: 2, releaseId: 'rel-2' } : world.lastKnownGood)),
    rollBack: fromPromise<void, RollBackInput>(async ({ input }) => void calls.push(`rollBack #${input.to.revision}`)),
    withdraw: fake<void>('withdraw', () => undefined),
    undo: fake<void>('undo', () => {
      if (world.undo === 'throws') throw new Error('EPERM: rename');
    }),
  };
}

async function operate(world: World, extra: Partial<DeployMachineInput> = {}) {
  const calls: string[] = [];
  const machine = deployMachine.provide({ actors: fakeActors(world, calls) });
  const actor = createActor(machine, { input: input(extra) }).start();
  const output = await toPromise(actor);
  const snapshot = actor.getSnapshot();
  return { end: snapshot.value, calls, failure: output.failure, results: snapshot.context.results };
}

const THROUGH_SWAP = ['recordRevision', 'checkIntegrity', 'materialize', 'swapCurrent', 'recordVerifying'];

describe('the deploy machine', () => {
  it('goes live: every effect in order, the worktree closed before the gates', async () => {
    const { end, calls, failure } = await operate({}, { steps: [hook, smoke] });
    expect(end).toBe('live');
    expect(failure).toBeNull();
    expect(calls).toEqual([...THROUGH_SWAP, 'openWorktree', 'runStep deploy', 'runStep smoke', 'closeWorktree', 'readMetrics', 'record live']);
  });

  it('without steps opens no worktree', async () => {
    const { end, calls } = await operate({}, { steps: [] });
    expect(end).toBe('live');
    expect(calls).toEqual([...THROUGH_SWAP, 'readMetrics', 'record live']);
  });

  const table: { name: string; world: World; extra?: Partial<DeployMachineInput>; end: string; stage: string | null; message?: string; tail: string[] }[] = [
    { name: 'verify fails, rollback.auto', world: { steps: { smoke: { status: 'failed', exitCode: 1 } } }, end: 'rolledBack', stage: 'verify', message: 'verify step smoke exited 1 (axum logs staging#3 --step smoke)', tail: ['readMetrics', 'markBad', 'record failed', 'findLastKnownGood', 'rollBack #2'] },
    { name: 'verify fails, rollback.auto off', world: { steps: { smoke: { status: 'timed-out', exitCode: null } } }, extra: { autoRollback: false }, end: 'failed', stage: 'verify', message: 'verify step smoke timed out after 1000 ms (axum logs staging#3 --step smoke)', tail: ['readMetrics', 'markBad', 'record failed'] },
    // The pin is read as the failure is recorded: one set during verification holds the rollback back.
    { name: 'verify fails on an environment pinned by then: kept, no rollback', world: { steps: { smoke: { status: 'failed', exitCode: 1 } }, pinned: true }, end: 'failed', stage: 'verify', tail: ['readMetrics', 'markBad', 'record failed'] },
    { name: 'verify fails, pinned by then, nothing known good: not withdrawn', world: { steps: { smoke: { status: 'failed', exitCode: 1 } }, lastKnownGood: null, pinned: true }, end: 'failed', stage: 'verify', tail: ['markBad', 'record failed'] },
    { name: 'verify fails with nothing known good', world: { steps: { smoke: { status: 'failed', exitCode: 1 } }, lastKnownGood: null }, end: 'withdrawn', stage: 'verify', tail: ['readMetrics', 'markBad', 'record failed', 'findLastKnownGood', 'withdraw'] },
    { name: 'deploy hook fails: verify skipped', world: { steps: { deploy: { status: 'failed', exitCode: 3 } } }, extra: { steps: [hook, smoke] }, end: 'rolledBack', stage: 'deploy', message: 'deploy step deploy exited 3 (axum logs staging#3 --step deploy)', tail: ['runStep deploy', 'closeWorktree', 'markBad', 'record failed', 'findLastKnownGood', 'rollBack #2'] },
    // A metric no step wrote is axum.yml's mistake (a typo), not the model's: failed and rolled back, nothing marked.
    { name: 'gate on a missing metric: failed, marked bad (its own axum.yml fails it anywhere), rolled back', world: { metrics: { metrics: { latency: 3 }, notNumbers: {} } }, extra: { gates: { accuracy: '>= 0.9' } }, end: 'rolledBack', stage: 'verify', message: "gates failed: no step wrote metric 'accuracy' (gates in axum.yml name metrics the steps write); rel-3's own axum.yml gates it, so it fails wherever it goes (a commit that fixes the gate makes a release that can pass)", tail: ['readMetrics', 'markBad', 'record failed', 'findLastKnownGood', 'rollBack #2'] },
    { name: 'a missing metric beside a gate failed on its value: marked bad', world: { metrics: { metrics: { latency: 900 }, notNumbers: {} } }, extra: { gates: { accuracy: '>= 0.9', latency: '<= 250' } }, end: 'rolledBack', stage: 'verify', message: "gates failed: no step wrote metric 'accuracy' (gates in axum.yml name metrics the steps write); latency = 900, gate <= 250", tail: ['readMetrics', 'markBad', 'record failed', 'findLastKnownGood', 'rollBack #2'] },
    { name: 'a missing metric beside a value that is not a number: marked bad', world: { metrics: { metrics: {}, notNumbers: { latency: 'slow' } } }, extra: { gates: { accuracy: '>= 0.9', latency: '<= 250' } }, end: 'rolledBack', stage: 'verify', tail: ['readMetrics', 'markBad', 'record failed', 'findLastKnownGood', 'rollBack #2'] },
    { name: "a gate on a metric only the build wrote: judged on the build's value", world: { metrics: { metrics: { latency: 3 }, notNumbers: {} } }, extra: { gates: { train_accuracy: '>= 0.9' }, buildMetrics: { train_accuracy: 0.9575 } }, end: 'live', stage: null, tail: ['readMetrics', 'record live'] },
    { name: 'a verify value that is not a number is named, not covered by the build', world: { metrics: { metrics: {}, notNumbers: { accuracy: 'high' } } }, extra: { gates: { accuracy: '>= 0.9' }, buildMetrics: { accuracy: 0.95 } }, end: 'rolledBack', stage: 'verify', message: 'gates failed: accuracy: "high" is not a number (gate >= 0.9)', tail: ['readMetrics', 'markBad', 'record failed', 'findLastKnownGood', 'rollBack #2'] },
    // A relative gate with no LKG value: neither pass nor fail. Nothing marked, nothing rolled back, rollback.auto or not.
    { name: 'a relative gate with no last known good: inconclusive, serving, nothing marked', world: { metrics: { metrics: { accuracy: 0.95 }, notNumbers: {} } }, extra: { gates: { accuracy: '>= lkg - 0.01' } }, end: 'failed', stage: 'inconclusive', message: 'inconclusive: accuracy = 0.95, gate >= lkg - 0.01: no last known good value of accuracy to compare with (a fixed fallback decides when there is none: ">= lkg - 0.01 or >= 0.94"); nothing was marked bad or rolled back; staging is paused: axum approve staging keeps it, axum rollback staging goes back', tail: ['readMetrics', 'record failed'] },
    { name: 'a failed gate outweighs an inconclusive one', world: { metrics: { metrics: { accuracy: 0.95, p95: 900 }, notNumbers: {} } }, extra: { gates: { accuracy: '>= lkg - 0.01', p95: '<= 250' } }, end: 'rolledBack', stage: 'verify', tail: ['readMetrics', 'markBad', 'record failed', 'findLastKnownGood', 'rollBack #2'] },
    { name: 'a relative gate with its fallback used', world: { metrics: { metrics: { accuracy: 0.95 }, notNumbers: {} } }, extra: { gates: { accuracy: '>= lkg - 0.01 or >= 0.9' } }, end: 'live', stage: null, tail: ['readMetrics', 'record live'] },
    { name: 'an automatic rollback that fails is not rolled back again', world: { steps: { smoke: { status: 'failed', exitCode: 1 } } }, extra: { kind: 'auto-rollback' }, end: 'failed', stage: 'verify', tail: ['readMetrics', 'markBad', 'record failed'] },
    { name: 'integrity check fails: refused, nothing moves', world: { integrity: 'blob missing' }, end: 'refused', stage: 'integrity', message: 'release rel-3 failed its integrity check: blob missing', tail: ['recordRevision', 'checkIntegrity', 'record refused'] },
    { name: 'disk full while materializing: an error, refused, nothing marked', world: { materialize: 'the disk is full' }, end: 'refused', stage: 'error', message: 'could not materialize release rel-3: the disk is full', tail: ['checkIntegrity', 'materialize', 'record refused'] },
    { name: 'the pointer cannot be written: an error, nothing moved, nothing marked', world: { swap: 'throws' }, end: 'refused', stage: 'error', message: 'the operation broke off: EPERM: rename', tail: ['materialize', 'swapCurrent', 'record refused'] },
    // ARCHITECTURE.md glossary, Bad: an error marks nothing; what served before serves again and stays live.
    { name: 'a step cannot be spawned: an error after the move, undone, nothing marked, no rollback', world: { steps: { smoke: 'throws' } }, end: 'undone', stage: 'error', tail: ['runStep smoke', 'closeWorktree', 'undo', 'record undone'] },
    { name: 'an error after the move whose undo fails too: serving, failed, no rollback', world: { steps: { smoke: 'throws' }, undo: 'throws' }, end: 'failed', stage: 'error', tail: ['runStep smoke', 'closeWorktree', 'undo', 'record failed'] },
  ];

  it.each(table)('$name → $end', async ({ world, extra, end, stage, message, tail }) => {
    const result = await operate(world, extra);
    expect(result.end).toBe(end);
    expect(result.failure?.stage ?? null).toBe(stage);
    if (message) expect(result.failure?.message).toBe(message);
    expect(result.calls.slice(-tail.length)).toEqual(tail);
    expect(result.calls).not.toContain(stage === 'deploy' ? 'runStep smoke' : 'never');
  });

  it('records the metrics and each gate beside the last known good value', async () => {
    const { end, results } = await operate({ metrics: { metrics: { accuracy: 0.95 }, notNumbers: {} } }, { gates: { accuracy: '>= 0.9' }, lkgMetrics: { accuracy: 0.93 } });
    expect(end).toBe('live');
    expect(results).toEqual({ metrics: { accuracy: 0.95 }, gates: [{ metric: 'accuracy', op: '>=', threshold: 0.9, value: 0.95, lkgValue: 0.93, verdict: 'pass', reason: null, expression: '>= 0.9' }] });
  });

  it('holds the environment until the outcome is recorded, not while the rollback policy runs', async () => {
    const tags: [string, boolean][] = [];
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const failing = fakeActors({ steps: { smoke: { status: 'failed', exitCode: 1 } } }, []);
    const machine = deployMachine.provide({ actors: { ...failing, rollBack: fromPromise<void, RollBackInput>(() => held) } });
    const actor = createActor(machine, { input: input() });
    actor.subscribe((s) => tags.push([String(s.value), s.hasTag('holding')]));
    actor.start();
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(tags.filter(([, holding]) => !holding).map(([state]) => state)).toEqual(['deciding', 'rollingBack']);
    release();
    await toPromise(actor);
    expect(actor.getSnapshot().value).toBe('rolledBack');
  });
});

describe('the rollback policy after a failure', () => {
  const cases: [Parameters<typeof failurePolicy>[0], ReturnType<typeof failurePolicy>][] = [
    [{ stage: 'verify', kind: 'deploy', autoRollback: true, lastKnownGood: true }, 'roll-back'],
    [{ stage: 'deploy', kind: 'rollback', autoRollback: true, lastKnownGood: false }, 'withdraw'],
    [{ stage: 'verify', kind: 'deploy', autoRollback: false, lastKnownGood: true }, 'keep'],
    [{ stage: 'verify', kind: 'auto-rollback', autoRollback: true, lastKnownGood: true }, 'keep'],
    [{ stage: 'integrity', kind: 'deploy', autoRollback: true, lastKnownGood: true }, 'keep'],
    // An error (ARCHITECTURE.md glossary, Bad): no automatic rollback that would meet the same disk.
    [{ stage: 'error', kind: 'deploy', autoRollback: true, lastKnownGood: true }, 'keep'],
    [{ stage: 'error', kind: 'deploy', autoRollback: true, lastKnownGood: false }, 'keep'],
    // Inconclusive: a person decides; nothing is rolled back or withdrawn on a guess.
    [{ stage: 'inconclusive', kind: 'deploy', autoRollback: true, lastKnownGood: true }, 'keep'],
    [{ stage: 'inconclusive', kind: 'deploy', autoRollback: true, lastKnownGood: false }, 'keep'],
    // A monitor incident: the release was live; with nothing to go back to it keeps serving.
    [{ stage: 'monitor', kind: 'auto-rollback', autoRollback: true, lastKnownGood: true, monitorPassed: true }, 'roll-back'],
    // … but not an automatic rollback whose monitor never passed: no cascade of rollbacks and marks.
    [{ stage: 'monitor', kind: 'auto-rollback', autoRollback: true, lastKnownGood: true, monitorPassed: false }, 'keep'],
    [{ stage: 'monitor', kind: 'deploy', autoRollback: true, lastKnownGood: true, monitorPassed: false }, 'roll-back'],
    [{ stage: 'monitor', kind: 'deploy', autoRollback: true, lastKnownGood: false }, 'keep'],
    [{ stage: 'monitor', kind: 'deploy', autoRollback: false, lastKnownGood: true }, 'keep'],
    // Pinned: the user said the environment stays where it is; nothing moves it by itself.
    [{ stage: 'monitor', kind: 'rollback', autoRollback: true, lastKnownGood: true, monitorPassed: true, pinned: true }, 'keep'],
    [{ stage: 'verify', kind: 'deploy', autoRollback: true, lastKnownGood: true, pinned: true }, 'keep'],
    [{ stage: 'deploy', kind: 'rollback', autoRollback: true, lastKnownGood: false, pinned: true }, 'keep'],
  ];
  it.each(cases)('%o → %s', (at, expected) => {
    expect(failurePolicy(at)).toBe(expected);
  });
});

describe('the plan of an operation', () => {
  it('runs the deploy hook first, then the verify steps, each with a timeout', () => {
    const plan = operationPlan({ deploy: { run: 'hook' }, verify: { steps: [{ name: 'smoke', run: 'smoke', timeout: 5 }] } } as never);
    expect(plan.map((s) => [s.stage, s.name, s.timeoutMs])).toEqual([
      ['deploy', 'deploy', 600_000],
      ['verify', 'smoke', 5],
    ]);
  });
});
