import { describe, expect, it } from 'vitest';
import type { Key } from 'ink';
import { KEYMAP, bindingsFor, resolveKey } from './keymap.js';
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

  it('puts no destructive action on a bare Ctrl-letter', () => {
    for (const binding of KEYMAP) {
      if (binding.command.kind !== 'daemon') continue;
      for (const letter of 'abcdefghijklmnopqrstuvwxyz') expect(binding.matches(letter, { ...noKey, ctrl: true }) && binding.matches(letter, noKey) === false).toBe(false);
    }
  });

  it('says why a key is disabled', () => {
    const hit = resolveKey({ ...initialTuiState, focus: 'runs' }, 'r', noKey);
    expect(hit?.disabled).toBe('Tab to the environments first');
    expect(resolveKey(initialTuiState, 'x', noKey)?.disabled).toBe('Tab to the runs first');
  });
});
