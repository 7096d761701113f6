// Text from outside (commit subjects, step output, names, daemon messages) shown on a terminal:
// it is shown, never executed (ARCHITECTURE.md, "Trust boundaries"). A terminal acts on escape
// sequences wherever they appear: OSC 52 writes the clipboard, OSC 2 the window title, CSI 2 J
// clears the screen, and an unfinished sequence swallows whatever is printed after it.
//
// The rules, in one pass:
// - sequences are removed whole: CSI (ESC [ or U+009B, to its final byte), OSC, DCS, SOS, PM and
//   APC strings (ESC ] P X ^ _ or their C1 forms, to BEL, ST, ESC, CAN, SUB or the line's end), and
//   the other escapes (ESC, intermediates, a final byte: ESC c resets the terminal). A sequence
//   cut short (at the end of the text, or by a byte that cannot continue it) is removed as far as
//   it goes, and what follows is read as text again;
// - with `keepColours`, a complete SGR sequence (ESC [ digits and ; m) stays: colours only;
// - single control characters are shown, not removed, so that nothing hides text silently: C0 as
//   its Control Picture (BEL as ␇, a lone ESC as ␛), DEL as ␡, the other C1 code points as U+FFFD;
// - tab and newline stay; a carriage return before a newline or at the end (CRLF output) goes,
//   any other is shown as ␍ (it would otherwise overwrite the line's start with what follows);
// - with `lastFrame` (step output), a carriage return inside a line ends a frame (a progress bar
//   such as tqdm's redraws its line that way): the line shows its last frame after one ␍, as a
//   terminal would leave it, marked so that overwritten text is never taken for all there was.
//
// The output therefore holds no C0 control but tab and newline, no DEL, no C1 code point, and an
// ESC only as the start of a complete SGR sequence when colours are kept. Sanitize whole lines: a
// sequence split across two chunks is only recognisable once they are joined.

/** How terminal text is cleaned: colours (SGR) are kept only for step output shown on a terminal. */
export interface TerminalTextOptions {
  keepColours?: boolean;
  lastFrame?: boolean;
}

const ESC = 0x1b;
const BEL = 0x07;
const CAN = 0x18;
const SUB = 0x1a;
const C1_ST = 0x9c;
const C1_CSI = 0x9b;
/** OSC, DCS, SOS, PM, APC as C1 code points: each opens a string that runs to its terminator. */
const C1_STRINGS = new Set([0x9d, 0x90, 0x98, 0x9e, 0x9f]);
/** The characters after ESC that open a string: OSC `]`, DCS `P`, SOS `X`, PM `^`, APC `_`. */
const ESC_STRINGS = new Set([0x5d, 0x50, 0x58, 0x5e, 0x5f]);

const inRange = (code: number, low: number, high: number) => code >= low && code <= high;

/** Anything a terminal could act on: C0 but tab and newline, DEL, C1. */
const isControl = (code: number) => code < 0x20 ? code !== 0x09 && code !== 0x0a : inRange(code, 0x7f, 0x9f);

/** The first control character's index, or -1 (a loop: the lint rule keeps control characters out of regular expressions). */
function firstControl(text: string): number {
  for (let i = 0; i < text.length; i++) if (isControl(text.charCodeAt(i))) return i;
  return -1;
}

/** `text[from, to)` is ESC [ digits and semicolons m: a colour (SGR), nothing else. */
function isSgr(text: string, from: number, to: number): boolean {
  if (to - from < 3 || text.charCodeAt(from + 1) !== 0x5b || text.charCodeAt(to - 1) !== 0x6d) return false;
  for (let i = from + 2; i < to - 1; i++) {
    const code = text.charCodeAt(i);
    if (!inRange(code, 0x30, 0x39) && code !== 0x3b) return false;
  }
  return true;
}

/** Where a CSI whose parameters start at `at` ends (after its final byte, or where it breaks off). */
function csiEnd(text: string, at: number): number {
  let i = at;
  while (i < text.length && inRange(text.charCodeAt(i), 0x30, 0x3f)) i++;
  while (i < text.length && inRange(text.charCodeAt(i), 0x20, 0x2f)) i++;
  return i < text.length && inRange(text.charCodeAt(i), 0x40, 0x7e) ? i + 1 : i;
}

/** Where a control string (OSC, DCS, SOS, PM, APC) whose body starts at `at` ends, its terminator included. */
function stringEnd(text: string, at: number): number {
  for (let i = at; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === BEL || code === C1_ST || code === CAN || code === SUB) return i + 1;
    // ESC \ is the string terminator; any other ESC aborts the string and starts a sequence of its own.
    if (code === ESC) return text.charCodeAt(i + 1) === 0x5c ? i + 2 : i;
    // A newline is where a line-by-line reader stops too: the rest of the text stays text.
    if (code === 0x0a) return i;
  }
  return text.length;
}

/** Where the escape sequence starting with ESC at `at` ends; `at + 1` for a lone ESC (nothing can follow it). */
function escapeEnd(text: string, at: number): number {
  const next = text.charCodeAt(at + 1);
  if (next === 0x5b) return csiEnd(text, at + 2);
  if (ESC_STRINGS.has(next)) return stringEnd(text, at + 2);
  let i = at + 1;
  while (i < text.length && inRange(text.charCodeAt(i), 0x20, 0x2f)) i++;
  if (i < text.length && inRange(text.charCodeAt(i), 0x30, 0x7e)) return i + 1;
  return i;
}

/** One control character as something visible. */
function shown(code: number): string {
  if (code < 0x20) return String.fromCharCode(0x2400 + code);
  return code === 0x7f ? '␡' : '\ufffd';
}

/** `text` with every terminal control sequence removed and every other control character made visible (see the rules above). */
export function terminalText(text: string, options: TerminalTextOptions = {}): string {
  let i = firstControl(text);
  if (i < 0) return text;
  let out = '';
  let plainFrom = 0;
  while (i < text.length) {
    const code = text.charCodeAt(i);
    if (!isControl(code)) {
      i++;
      continue;
    }
    out += text.slice(plainFrom, i);
    let end: number;
    if (code === ESC) {
      end = escapeEnd(text, i);
      if (end === i + 1) out += '␛';
      else if (options.keepColours && isSgr(text, i, end)) out += text.slice(i, end);
    } else if (code === C1_CSI) {
      end = csiEnd(text, i + 1);
    } else if (C1_STRINGS.has(code)) {
      end = stringEnd(text, i + 1);
    } else if (code === 0x0d) {
      end = i + 1;
      if (i + 1 < text.length && text.charCodeAt(i + 1) !== 0x0a) out = options.lastFrame ? `${out.slice(0, out.lastIndexOf('\n') + 1)}␍` : `${out}␍`;
    } else {
      end = i + 1;
      out += shown(code);
    }
    i = end;
    plainFrom = end;
  }
  return out + text.slice(plainFrom);
}

/**
 * A decoded message or result with every string in it passed through `terminalText` (no
 * colours): what the TUI shows of the daemon's state. Unchanged parts are returned as they are.
 */
export function terminalStrings<T>(value: T): T {
  if (typeof value === 'string') return terminalText(value) as T;
  if (Array.isArray(value)) {
    const mapped = value.map((item: unknown) => terminalStrings(item));
    return (mapped.some((item, k) => item !== value[k]) ? mapped : value) as T;
  }
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  const mapped = entries.map(([key, item]) => [key, terminalStrings(item)] as const);
  // fromEntries defines own properties: a `__proto__` key off the wire stays a plain key.
  return (mapped.some(([, item], k) => item !== entries[k]?.[1]) ? Object.fromEntries(mapped) : value) as T;
}

/** Text cleaned with `keepColours` without its colour sequences: what takes columns on screen (and what a search reads). */
export function withoutColours(text: string): string {
  let at = text.indexOf('\x1b');
  if (at < 0) return text;
  let out = '';
  let from = 0;
  for (; at >= 0; at = text.indexOf('\x1b', from)) {
    out += text.slice(from, at);
    // After terminalText every ESC opens a complete ESC [ digits ; m: it ends at the first `m`.
    const end = text.indexOf('m', at);
    from = end < 0 ? text.length : end + 1;
  }
  return out + text.slice(from);
}
