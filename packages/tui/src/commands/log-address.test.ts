import { describe, expect, it } from 'vitest';
import type { DaemonState, EnvironmentView, RunView } from '@axum/protocol';
import { logAddressHint } from './log-address.js';

const env = (over: Partial<EnvironmentView>) => ({ name: 'staging', branch: 'main', live: null, serving: null, ...over }) as EnvironmentView;
const run = (id: string, branch: string) => ({ id, branch, status: 'succeeded' }) as RunView;
const state = (environments: EnvironmentView[], runs: RunView[]) => ({ environments, runs }) as Pick<DaemonState, 'environments' | 'runs'>;

describe('axum logs with an environment or a branch', () => {
  it('names the live revision and the newest run of its branch', () => {
    const live = { revision: 4, releaseId: 'rel-9', commit: 'a'.repeat(40) };
    expect(logAddressHint('staging', state([env({ live })], [run('run-12', 'main'), run('run-11', 'main')]))).toBe(
      "staging is an environment, not a run: a revision's logs are ENV#N — axum logs staging#4 (its deploy and verify output, #4 live now); its newest run: axum logs run-12 (main, succeeded)",
    );
  });
  it('an environment with no revision yet, a branch, and a word that is neither', () => {
    for (const typed of ['run1', 'run_1', 'RUN-1', 'Run 01']) expect(logAddressHint(typed, state([], []))).toBe(`no run ${typed}: did you mean run-1? (axum runs lists the runs)`);
    expect(logAddressHint('run-1', state([], []))).toBeNull();
    expect(logAddressHint('staging', state([env({})], []))).toBe("staging is an environment, not a run: a revision's logs are ENV#N — axum logs staging#N once it has a revision (axum history staging lists them)");
    expect(logAddressHint('develop', state([env({})], [run('run-3', 'develop')]))).toBe('develop is a branch, not a run: its newest run: axum logs run-3 (develop, succeeded)');
    expect(logAddressHint('nope', state([env({})], [run('run-3', 'develop')]))).toBeNull();
  });
});
