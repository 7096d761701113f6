// The run view of a run whose deploy failed verification: `d` opens that deploy's revision (its
// verify output) in the TUI, where the run's line used to send the person to `axum history`.
import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import type { DaemonState, RunView } from '@axum/protocol';
import { bindingsFor, resolveKey } from '../keymap.js';
import { deployOutcomeText } from './selectors.js';
import { initialTuiState, reduce, type TuiState } from './tui-state.js';

const run = (deploy: RunView['deploy']): RunView =>
  ({ id: 'run-11', number: 11, status: 'succeeded', commit: 'f'.repeat(40), branch: 'main', env: 'staging', trigger: 'push', reused: false, createdAt: 't', startedAt: 't', finishedAt: 't', steps: [], subject: 'a bad model', releaseId: 'rel-11', message: null, warnings: [], deploy }) as RunView;
const inRunView = (r: RunView): TuiState => ({ ...initialTuiState, daemon: { runs: [r], environments: [] } as unknown as DaemonState, view: { kind: 'run', runId: r.id, step: 0, scroll: null } });
const press = (state: TuiState, input: string) => {
  const hit = resolveKey(state, input, {} as Key);
  if (!hit || hit.disabled !== null || hit.binding.command.kind !== 'navigate') return { state, disabled: hit?.disabled ?? 'no key' };
  const action = hit.binding.command.build(state);
  return { state: action ? reduce(state, action) : state, disabled: null };
};

describe('d in the run view', () => {
  it("opens the revision the run's deploy made, and Esc comes back to the run", () => {
    const failed = run({ env: 'staging', revision: 5, outcome: 'failed' });
    expect(deployOutcomeText(failed)).toBe('deploy: rel-11 FAILED in staging#5 (d opens it)');
    // Failed before any revision was made (refused, or its hold not recorded): no d to offer.
    expect(deployOutcomeText(run({ env: 'staging', revision: null, outcome: 'failed' }))).toBe('deploy: rel-11 FAILED in staging');
    const { state } = press(inRunView(failed), 'd');
    expect(state.view).toMatchObject({ kind: 'run', runId: 'staging#5' });
    expect(reduce(state, { type: 'back' }).view).toMatchObject({ kind: 'run', runId: 'run-11' });
  });

  it('says why it does nothing when the run made no revision; in a revision itself it is left out, as x is', () => {
    expect(press(inRunView(run(null)), 'd').disabled).toBe('no deploy of this run to open');
    expect(press(inRunView(run({ env: 'staging', revision: null, outcome: 'pending' })), 'd').disabled).toBe('no deploy of this run to open');
    expect(bindingsFor(inRunView(run(null))).map((b) => b.label)).toEqual(expect.arrayContaining(['d', 'x']));
    const revision: TuiState = { ...inRunView(run(null)), view: { kind: 'run', runId: 'staging#5', step: 0, scroll: null } };
    expect(resolveKey(revision, 'd', {} as Key)).toBeNull();
    // Not in the footer nor in `?`: neither lists a key of another screen.
    expect(bindingsFor(revision).map((b) => b.label)).not.toContain('d');
    expect(bindingsFor(revision).map((b) => b.label)).not.toContain('x');
  });
});
