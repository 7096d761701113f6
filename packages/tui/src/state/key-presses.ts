import type { Key } from 'ink';

const NO_KEY: Key = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false } as Key;

/**
 * Ink hands a burst of typed characters to `useInput` as one string ("tion\r" when typing fast or
 * pasting). Splits plain bursts into single presses; escape sequences (arrows, Esc) pass as they are.
 */
export function splitPresses(input: string, key: Key): { input: string; key: Key }[] {
  if (input.length <= 1 || input.startsWith('\u001b') || key.ctrl || key.meta) return [{ input, key }];
  return [...input].map((ch) => {
    if (ch === '\r' || ch === '\n') return { input: '', key: { ...NO_KEY, return: true } };
    if (ch === '\t') return { input: '', key: { ...NO_KEY, tab: true } };
    if (ch === '\u007f' || ch === '\b') return { input: '', key: { ...NO_KEY, backspace: true } };
    return { input: ch, key: { ...NO_KEY, shift: ch !== ch.toLowerCase() } };
  });
}
