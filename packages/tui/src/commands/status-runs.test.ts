import { describe, expect, it } from 'vitest';
import type { RunView } from '@axum/protocol';
import { interruptedRunLines } from './status.js';

const run = (number: number, branch: string, status: RunView['status'], trigger: RunView['trigger'] = 'push') =>
  ({ id: `run-${number}`, number, status, branch, trigger, commit: `${number}`.repeat(40).slice(0, 40) }) as RunView;

describe('axum status: an interrupted run', () => {
  it("says how to run a branch whose newest run was interrupted; not once a newer run of it exists, nor for a watch run", () => {
    expect(interruptedRunLines([run(23, 'develop', 'interrupted'), run(22, 'main', 'interrupted'), run(24, 'main', 'succeeded'), run(25, 'staging', 'interrupted', 'watch')])).toEqual([
      '  run-23 interrupted develop 23232323 · not run again by itself: axum run --branch develop runs it',
    ]);
    expect(interruptedRunLines([run(23, 'develop', 'interrupted'), run(26, 'develop', 'queued')])).toEqual([]);
  });
});
