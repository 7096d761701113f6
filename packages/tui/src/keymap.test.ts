import { describe, expect, it } from 'vitest';
import type { Key } from 'ink';
import { bindingsFor, resolveKey } from './keymap.js';
import { initialTuiState, reduce } from './state/tui-state.js';
import { daemonState } from './state/first-hour.test.js';

const noKey = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false } as Key;

describe('the keymap', () => {
  it('has no key bound twice on one screen', () => {
    for (const view of ['dashboard', 'run', 'history', 'releases'] as const) {
      const state = { ...initialTuiState, view: view === 'dashboard' ? { kind: view } : view === 'run' ? { kind: view, runId: 'r', step: 0, scroll: null } : view === 'releases' ? { kind: view, selected: 0 } : { kind: view, env: 'e', selected: 0 } };
      const inputs = ['j', 'k', 'g', 'G', 'q', '?', 'r', 'a', 'p', 'P', 'R', 'b', 't', 'x', '[', ']'];
      for (const input of inputs) {
        const hits = bindingsFor(state).filter((b) => b.matches(input, noKey));
        expect(hits.length, `${view}: ${input}`).toBeLessThanOrEqual(1);
      }
    }
  });

  it('puts no daemon action on a Ctrl-letter: Ctrl plus any letter runs nothing on the daemon, on any screen', () => {
    const screens = [
      { ...initialTuiState, focus: 'environments' as const },
      { ...initialTuiState, focus: 'runs' as const },
      { ...initialTuiState, view: { kind: 'run' as const, runId: 'r', step: 0, scroll: null } },
      { ...initialTuiState, view: { kind: 'history' as const, env: 'e', selected: 0 } },
      { ...initialTuiState, view: { kind: 'releases' as const, selected: 0 } },
    ];
    for (const state of screens) {
      for (const letter of 'abcdefghijklmnopqrstuvwxyz') {
        expect(resolveKey(state, letter, { ...noKey, ctrl: true })?.binding.command.kind, `${state.view.kind}/${state.focus}: Ctrl-${letter}`).not.toBe('daemon');
      }
    }
  });

  it('says why a key is disabled', () => {
    const hit = resolveKey({ ...initialTuiState, focus: 'runs' }, 'r', noKey);
    expect(hit?.disabled).toBe('Tab to the environments first');
    expect(resolveKey(initialTuiState, 'x', noKey)?.disabled).toBe('Tab to the runs first');
  });

  it("offers no x on a revision's operations (they are no run to cancel): not in the footer, the overlay or input", () => {
    const operations = { ...initialTuiState, view: { kind: 'run' as const, runId: 'production#7', step: 0, scroll: null } };
    expect(bindingsFor(operations).map((b) => b.label)).not.toContain('x');
    expect(resolveKey(operations, 'x', noKey)).toBeNull();
    const run = { ...initialTuiState, view: { kind: 'run' as const, runId: 'run-7', step: 0, scroll: null } };
    expect(bindingsFor(run).map((b) => b.label)).toContain('x');
  });

  it('Ctrl-r is not r: a key held with Ctrl matches only a binding that asks for Ctrl', () => {
    expect(resolveKey(initialTuiState, 'r', { ...noKey, ctrl: true })).toBeNull();
    expect(resolveKey(initialTuiState, 'r', noKey)?.binding.label).toBe('r');
    expect(resolveKey(initialTuiState, 'c', { ...noKey, ctrl: true })?.binding.command.kind).toBe('quit');
  });

  it('shows each pair once in the help overlay, and Home/End move in a log', () => {
    const run = { ...initialTuiState, view: { kind: 'run' as const, runId: 'r', step: 0, scroll: null } };
    const rows = bindingsFor(run).filter((b) => b.inHelp !== false).map((b) => b.label);
    expect(rows.filter((label) => /^(k|\[|N|PgUp)$/.test(label))).toEqual([]);
    expect(new Set(rows).size).toBe(rows.length);
    expect(resolveKey(run, '', { ...noKey, home: true } as Key)?.binding.command).toEqual({ kind: 'dispatch', action: { type: 'log.scroll', by: 'top' } });
    expect(resolveKey(run, '', { ...noKey, end: true } as Key)?.binding.command).toEqual({ kind: 'dispatch', action: { type: 'log.scroll', by: 'bottom' } });
  });
});

describe('promote and releases keys', () => {
  const at = (revision: number, releaseId: string) => ({ revision, releaseId, commit: 'c'.repeat(40) });
  const env = (name: string, live: ReturnType<typeof at> | null, inConfig = true) =>
    ({ name, branch: name, path: `/r/${name}`, protected: name === 'production', approval: 'auto', inConfig, pinned: false, awaitingApproval: false, live, serving: null, lastKnownGood: live, rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null }) as const;
  const withEnvs = (environments: ReturnType<typeof env>[], selected = 0) =>
    ({ ...initialTuiState, selected, daemon: { environments: [...environments], runs: [], activity: [] } }) as unknown as Parameters<typeof resolveKey>[0];

  it("P promotes the selected environment's live release to the next declared environment", () => {
    const state = withEnvs([env('dev', at(4, 'rel-4')), env('gone', null, false), env('staging', at(2, 'rel-2')), env('production', at(1, 'rel-1'))]);
    const hit = resolveKey(state, 'P', noKey);
    expect(hit?.disabled).toBeNull();
    expect(hit?.binding.command.kind === 'daemon' ? hit.binding.command.build(state) : null).toEqual({ kind: 'promote', from: 'dev', to: 'staging', releaseId: 'rel-4', force: false });
  });

  it('P is disabled with a reason when nothing is live or it is the last environment', () => {
    expect(resolveKey(withEnvs([env('dev', null), env('production', null)]), 'P', noKey)?.disabled).toBe('nothing is live in dev to promote');
    expect(resolveKey(withEnvs([env('dev', at(1, 'rel-1')), env('production', at(1, 'rel-1'))], 1), 'P', noKey)?.disabled).toBe('production is the last environment in axum.yml: nothing to promote to');
  });

  it('R opens the releases view; b and u mark the selected release, each enabled only when it changes something', () => {
    expect(resolveKey(initialTuiState, 'R', noKey)?.binding.command).toEqual({ kind: 'dispatch', action: { type: 'releases.open' } });
    const release = { id: 'rel-3', bad: null } as unknown as NonNullable<(typeof initialTuiState)['releases']>[number];
    const state = { ...initialTuiState, view: { kind: 'releases' as const, selected: 0 }, releases: [release] };
    const bad = resolveKey(state, 'b', noKey);
    expect(bad?.disabled).toBeNull();
    expect(bad?.binding.command.kind === 'daemon' ? bad.binding.command.build(state) : null).toMatchObject({ kind: 'mark', releaseId: 'rel-3', mark: 'bad', reason: expect.stringMatching(/^marked in the TUI by /) });
    expect(resolveKey(state, 'u', noKey)?.disabled).toBe('it is not marked bad');
    // g/G are the first/last row here as in every list, never a mark.
    expect(resolveKey(state, 'g', noKey)?.binding.command).toEqual({ kind: 'dispatch', action: { type: 'selection.move', by: -Number.MAX_SAFE_INTEGER } });
    expect(reduce(state, { type: 'selection.move', by: Number.MAX_SAFE_INTEGER }).view).toEqual({ kind: 'releases', selected: 0 });
    expect(resolveKey({ ...state, releases: [] }, 'b', noKey)?.disabled).toBe('no release selected');
  });

  it('r in an environment with no revisions says why it does nothing', () => {
    const env = { name: 'dev', branch: 'dev', pinned: false } as unknown as Parameters<typeof daemonState>[0][number];
    const state = { ...initialTuiState, daemon: daemonState([env]), view: { kind: 'history' as const, env: 'dev', selected: 0 }, histories: { dev: [] } };
    expect(resolveKey(state, 'r', noKey)?.disabled).toBe('dev has no revisions yet: nothing to roll back to');
  });

  it('PgDn/PgUp page the dashboard lists, the revisions and the releases', () => {
    for (const view of [{ kind: 'dashboard' as const }, { kind: 'history' as const, env: 'dev', selected: 0 }, { kind: 'releases' as const, selected: 0 }]) {
      const state = { ...initialTuiState, view };
      expect(resolveKey(state, '', { ...noKey, pageDown: true })?.binding.command).toEqual({ kind: 'dispatch', action: { type: 'selection.move', by: 10 } });
      expect(resolveKey(state, '', { ...noKey, pageUp: true })?.binding.command).toEqual({ kind: 'dispatch', action: { type: 'selection.move', by: -10 } });
    }
  });
});
