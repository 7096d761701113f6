import type { RunView } from '@axum/protocol';
import { describe, expect, it } from 'vitest';
import { runsTableLines } from './runs-list.js';

const run = (n: number, status: RunView['status'], branch = 'main', extra: Partial<RunView> = {}): RunView =>
  ({ id: `run-${n}`, status, branch, trigger: 'push', commit: `${n}`.padStart(8, 'a'), subject: `commit ${n}`, deploy: null, message: null, steps: [], warnings: [], startedAt: null, finishedAt: null, ...extra }) as unknown as RunView;

describe('runsTableLines', () => {
  // A fast-forward merge: the head's run and a push run per commit passed over, superseded.
  const merged = [run(22, 'succeeded'), run(21, 'superseded'), run(20, 'superseded'), run(19, 'superseded'), run(18, 'succeeded', 'develop'), run(17, 'superseded', 'develop')];

  it('folds consecutive superseded runs of one branch into one line, with the words of the dashboard', () => {
    const lines = runsTableLines(merged, null, { fold: true });
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^RUN +STATUS/);
    expect(lines[1]).toMatch(/^run-22 +succeeded /);
    expect(lines[2]).toBe('… 3 superseded runs of main (run-19..run-21)');
    expect(lines[3]).toMatch(/^run-18 +succeeded /);
    // One superseded run alone stays a row: a fold of one saves nothing.
    expect(lines[4]).toMatch(/^run-17 +superseded /);
  });

  it('keeps each run a row when superseded runs were asked for', () => {
    const lines = runsTableLines(merged, null, { fold: false });
    expect(lines.slice(1).map((l) => l.split(' ')[0])).toEqual(['run-22', 'run-21', 'run-20', 'run-19', 'run-18', 'run-17']);
  });

  it('cuts a fold line to the width of a terminal', () => {
    const lines = runsTableLines(merged, 30, { fold: true });
    expect(lines[2]).toBe('… 3 superseded runs of main (…');
  });
});

describe('a failed run in the table', () => {
  const invalid = 'axum.yml at ea222130 is invalid: axum.yml:26:47: steps[0]: unknown key "timeot" (did you mean "timeout"?)';
  const failedStep = { name: 'train', stage: 'build', status: 'failed', exitCode: 2 };

  it('says why under its row, indented, whole on a pipe; only failed runs', () => {
    const lines = runsTableLines([run(5, 'succeeded'), run(4, 'failed', 'develop', { message: invalid }), run(3, 'failed', 'develop', { steps: [failedStep] } as unknown as Partial<RunView>), run(2, 'cancelled')], null, { fold: true });
    expect(lines).toHaveLength(7);
    expect(lines[2]).toMatch(/^run-4 +failed /);
    expect(lines[3]).toBe(`  ${invalid}`);
    expect(lines[4]).toMatch(/^run-3 +failed /);
    expect(lines[5]).toBe('  step train failed (exit 2)');
    expect(lines[6]).toMatch(/^run-2 +cancelled /);
  });

  it('cuts the reason to the width of a terminal', () => {
    expect(runsTableLines([run(4, 'failed', 'develop', { message: invalid })], 40, { fold: true })[2]).toBe(`  ${invalid.slice(0, 37)}…`);
  });

  it('gives the reason of the newest 5 failed runs only', () => {
    const failed = Array.from({ length: 8 }, (_, i) => run(8 - i, 'failed', 'main', { message: `broke ${8 - i}` }));
    const reasons = runsTableLines(failed, null, { fold: true }).filter((l) => l.startsWith('  '));
    expect(reasons).toEqual(['  broke 8', '  broke 7', '  broke 6', '  broke 5', '  broke 4']);
  });
});

describe('a run that warned, in the table', () => {
  const empty = 'secret token is declared but not set in the daemon\'s environment: the step got token= (export it, then axum daemon stop)';

  it('lists its warnings under its row, one line each, after a failure\'s reason', () => {
    const lines = runsTableLines([run(3, 'succeeded', 'main', { warnings: [empty, 'two\nlines'] }), run(2, 'failed', 'main', { message: 'broke', warnings: [empty] }), run(1, 'succeeded')], null, { fold: true });
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^run-3 +succeeded /),
      `  warning: ${empty}`,
      '  warning: two lines',
      expect.stringMatching(/^run-2 +failed /),
      '  broke',
      `  warning: ${empty}`,
      expect.stringMatching(/^run-1 +succeeded /),
    ]);
  });

  it('counts the warnings past three, cuts each to the width, and lists those of the newest 5 warned runs only', () => {
    const many = runsTableLines([run(9, 'succeeded', 'main', { warnings: ['a', 'b', 'c', 'd'] })], null, { fold: true });
    expect(many.slice(2)).toEqual(['  warning: a', '  warning: b', '  … 2 more warnings (axum logs run-9 lists them)']);
    expect(runsTableLines([run(9, 'succeeded', 'main', { warnings: [empty] })], 40, { fold: true })[2]).toBe(`  warning: ${empty.slice(0, 28)}…`);
    const warned = Array.from({ length: 8 }, (_, i) => run(8 - i, 'succeeded', 'main', { warnings: [`w${8 - i}`] }));
    expect(runsTableLines(warned, null, { fold: true }).filter((l) => l.startsWith('  '))).toEqual(['  warning: w8', '  warning: w7', '  warning: w6', '  warning: w5', '  warning: w4']);
  });
});
