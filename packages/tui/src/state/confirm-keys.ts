// What a key does while a confirmation is open, as data: the App performs it, tests read it.
import type { Key } from 'ink';
import type { Confirm, PendingAction } from './tui-state.js';

export type ConfirmStep =
  | { kind: 'cancel' }
  | { kind: 'perform'; action: PendingAction }
  /** Typed, not confirmed: the text typed does not match what must be typed. */
  | { kind: 'mismatch'; message: string }
  | { kind: 'type'; input: string; backspace: boolean }
  /** The reason is in; the environment's name comes next (a bad mark of a release live in a protected one). */
  | { kind: 'next'; confirm: Omit<Confirm, 'input'> }
  | { kind: 'ignore' };

/**
 * `y`/`n` for plain confirmations; the environment's name and Enter for protected ones; a typed
 * reason and Enter for a bad mark (the `y` and `n` of a reason are letters of it, not answers),
 * then the environment's name when the release is live in a protected one.
 */
export function confirmKey(confirm: Confirm, input: string, key: Key): ConfirmStep {
  if (key.escape) return { kind: 'cancel' };
  if (confirm.reason) {
    if (key.return) {
      const typed = confirm.input.trim();
      const action = confirm.action;
      const reason = typed || confirm.reason.fallback;
      const withReason = action.kind === 'mark' ? { ...action, reason } : action;
      if (confirm.typed !== null) {
        const { reason: _asked, ...rest } = confirm;
        return { kind: 'next', confirm: { ...rest, details: [...confirm.details, `reason: ${reason}`], action: withReason } };
      }
      return { kind: 'perform', action: withReason };
    }
    return { kind: 'type', input, backspace: key.backspace || key.delete };
  }
  if (confirm.typed === null) {
    if (/^n$/i.test(input)) return { kind: 'cancel' };
    if (/^y$/i.test(input)) return { kind: 'perform', action: confirm.action };
    return { kind: 'ignore' };
  }
  if (key.return) return confirm.input === confirm.typed ? { kind: 'perform', action: confirm.action } : { kind: 'mismatch', message: `not confirmed: "${confirm.input}" is not "${confirm.typed}"; nothing changed` };
  return { kind: 'type', input, backspace: key.backspace || key.delete };
}
