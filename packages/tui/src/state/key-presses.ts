import type { Key } from 'ink';

const NO_KEY: Key = { upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false } as Key;

const ESC: Key = { ...NO_KEY, escape: true, meta: true } as Key;
/** Keys Ink names: a press with one of these is not a plain character. */
const NAMED: readonly (keyof Key)[] = ['upArrow', 'downArrow', 'leftArrow', 'rightArrow', 'pageDown', 'pageUp', 'home', 'end', 'return', 'escape', 'tab', 'backspace', 'delete', 'ctrl'];

/**
 * Esc and the next key typed at once (a fast hand, `tmux send-keys Escape Tab`) reach Ink as one
 * sequence, which it reads as that key held with alt (meta) — and ESC + Tab as no key at all: the
 * Tab is left as a bare `\t`. No key of this app is held with alt, so such a press is what was
 * typed: Esc, then the key. Returns that second key, or null for any other press.
 */
function afterEscape(input: string, key: Key): { input: string; key: Key } | null {
  if (input === '\t' && !key.tab) return { input: '', key: { ...NO_KEY, tab: true } };
  if (!key.meta || key.escape || key.ctrl) return null;
  if (key.return && (input === '' || input === '\r')) return { input: '', key: { ...NO_KEY, return: true } };
  if ([...input].length !== 1 || NAMED.some((name) => key[name])) return null;
  return { input, key: { ...NO_KEY, shift: input !== input.toLowerCase() } };
}

/**
 * Esc pressed twice quickly (out of a log search, then out of the run view) reaches Ink in one read,
 * `ESC ESC`, which it parses as one key, Esc held with alt, and hands to `useInput` exactly as a lone
 * Esc: only the bytes it parsed the press from (`raw`) tell them apart. A press of ESC bytes alone
 * is as many Esc presses (Ink parses three as two presses, `ESC ESC` and `ESC`: three in all).
 */
function repeatedEscapes(raw: string, key: Key): number {
  return key.escape && raw.length > 1 && [...raw].every((ch) => ch === '\u001b') ? raw.length : 0;
}

/**
 * Ink hands a burst of typed characters to `useInput` as one string ("tion\r" when typing fast or
 * pasting). Splits plain bursts into single presses; escape sequences (arrows, Esc) pass as they are.
 * `raw`: the bytes Ink parsed the press from (use-key-presses.ts), when known.
 */
export function splitPresses(input: string, key: Key, raw = ''): { input: string; key: Key }[] {
  const escapes = repeatedEscapes(raw, key);
  if (escapes > 0) return Array.from({ length: escapes }, () => ({ input: '', key: ESC }));
  // Esc, then an arrow (or another key sent as a sequence) at once: Ink reads the pair as that key
  // held with alt, and the Esc would be lost.
  if (raw.startsWith('\u001b\u001b[') || raw.startsWith('\u001b\u001bO')) return [{ input: '', key: ESC }, { input, key: { ...key, meta: false } }];
  const second = afterEscape(input, key);
  if (second) return [{ input: '', key: ESC }, second];
  if (input.length <= 1 || input.startsWith('\u001b') || key.ctrl || key.meta) return [{ input, key }];
  return [...input].map((ch) => {
    if (ch === '\r' || ch === '\n') return { input: '', key: { ...NO_KEY, return: true } };
    if (ch === '\t') return { input: '', key: { ...NO_KEY, tab: true } };
    if (ch === '\u007f' || ch === '\b') return { input: '', key: { ...NO_KEY, backspace: true } };
    return { input: ch, key: { ...NO_KEY, shift: ch !== ch.toLowerCase() } };
  });
}
