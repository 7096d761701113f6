import { describe, expect, it } from 'vitest';
import type { Key } from 'ink';
import { bindingsFor, resolveKey } from './keymap.js';
import { initialTuiState } from './state/tui-state.js';

const noKey = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false } as Key;

describe('the keymap', () => {
  it('has no key bound twice on one screen', () => {
    for (const view of ['dashboard', 'run', 'history'] as const) {
      const state = { ...initialTuiState, view: view === 'dashboard' ? { kind: view } : view === 'run' ? { kind: view, runId: 'r', step: 0, scroll: null } : { kind: view, env: 'e', selected: 0 } };
      const inputs = ['j', 'k', 'g', 'G', 'q', '?', 'r', 'a', 'p', 't', 'x', '[', ']'];
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
