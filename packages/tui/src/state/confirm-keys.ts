// What a key does while a confirmation is open, as data: the App performs it, tests read it.
import type { Key } from 'ink';
import type { Confirm, PendingAction } from './tui-state.js';

export type ConfirmStep =
  | { kind: 'cancel' }
  | { kind: 'perform'; action: PendingAction }
  /** Typed, not confirmed: the text typed does not match what must be typed. */
  | { kind: 'mismatch'; message: string }
  | { kind: 'type'; input: string; backspace: boolean }
  | { kind: 'ignore' };

/**
 * `y`/`n` for plain confirmations; the environment's name and Enter for protected ones; a typed
 * reason and Enter for a bad mark (the `y` and `n` of a reason are letters of it, not answers).
 */
export function confirmKey(confirm: Confirm, input: string, key: Key): ConfirmStep {
  if (key.escape) return { kind: 'cancel' };
  if (confirm.reason) {
    if (key.return) {
      const typed = confirm.input.trim();
      const action = confirm.action;
      return { kind: 'perform', action: action.kind === 'mark' ? { ...action, reason: typed || confirm.reason.fallback } : action };
    }
    return { kind: 'type', input, backspace: key.backspace || key.delete };
  }
  if (confirm.typed === null) {
    if (/^n$/i.test(input)) return { kind: 'cancel' };
    if (/^y$/i.test(input)) return { kind: 'perform', action: confirm.action };
    return { kind: 'ignore' };
  }
  if (key.return) return confirm.input === confirm.typed ? { kind: 'perform', action: confirm.action } : { kind: 'mismatch', message: `not confirmed ("${confirm.input}" is not "${confirm.typed}"): nothing changed` };
  return { kind: 'type', input, backspace: key.backspace || key.delete };
}
