import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../domain/history.js';
import { runChanges } from './runs-journal.js';

const run = (id: string) => ({ id }) as RunRecord;

describe('runChanges: what a journal line holds', () => {
  it('upserts the new and the changed runs; looks for dropped ids only when the count says some are gone', () => {
    const same = runChanges([run('run-1'), run('run-2'), run('run-3')], new Set(['run-1', 'run-2']), new Set(['run-1']));
    expect(same).toEqual({ upsert: [run('run-1'), run('run-3')], added: ['run-3'], drop: [], current: null });
    const pruned = runChanges([run('run-2'), run('run-3')], new Set(['run-1', 'run-2']), new Set());
    expect(pruned).toEqual({ upsert: [run('run-3')], added: ['run-3'], drop: ['run-1'], current: new Set(['run-2', 'run-3']) });
  });
});
