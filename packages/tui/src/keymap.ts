import type { Key } from 'ink';
import type { TuiAction, TuiState } from './state/tui-state.js';

/** What a binding does: a reducer action, or an effect the app performs (quit). */
export type Command = { kind: 'dispatch'; action: TuiAction } | { kind: 'quit' };

/** One row per key: input handling, the footer and the `?` overlay all read this table. */
export interface Binding {
  /** As shown to the user. */
  label: string;
  description: string;
  matches(input: string, key: Key): boolean;
  command: Command;
  /** Why the key does nothing right now, or null when it is enabled. */
  disabledReason?: (state: TuiState) => string | null;
  /** Shown in the one-line footer (the overlay shows every binding). */
  footer: boolean;
}

const noEnvironments = (state: TuiState): string | null =>
  (state.daemon?.environments.length ?? 0) === 0 ? 'no environments to move through' : null;

export const KEYMAP: readonly Binding[] = [
  { label: 'j/↓', description: 'next environment', matches: (i, k) => i === 'j' || k.downArrow, command: { kind: 'dispatch', action: { type: 'selection.move', by: 1 } }, disabledReason: noEnvironments, footer: true },
  { label: 'k/↑', description: 'previous environment', matches: (i, k) => i === 'k' || k.upArrow, command: { kind: 'dispatch', action: { type: 'selection.move', by: -1 } }, disabledReason: noEnvironments, footer: true },
  { label: '?', description: 'show or hide this help', matches: (i) => i === '?', command: { kind: 'dispatch', action: { type: 'help.toggle' } }, footer: true },
  { label: 'Esc', description: 'close the overlay / go back', matches: (_i, k) => k.escape, command: { kind: 'dispatch', action: { type: 'help.close' } }, footer: false },
  { label: 'q', description: 'quit (the daemon keeps running)', matches: (i) => i === 'q', command: { kind: 'quit' }, footer: true },
  { label: 'Ctrl-C', description: 'quit', matches: (i, k) => k.ctrl && i === 'c', command: { kind: 'quit' }, footer: false },
];

/** The first enabled binding for a key press, or the disabled one (with why) when that is all there is. */
export function resolveKey(state: TuiState, input: string, key: Key): { binding: Binding; disabled: string | null } | null {
  const binding = KEYMAP.find((b) => b.matches(input, key));
  if (!binding) return null;
  return { binding, disabled: binding.disabledReason?.(state) ?? null };
}
