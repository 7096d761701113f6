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
