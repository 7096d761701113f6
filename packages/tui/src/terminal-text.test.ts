import { describe, expect, it } from 'vitest';
import { terminalStrings, terminalText, withoutColours } from './terminal-text.js';

const ESC = '\x1b';
/** What may reach a terminal: no control but tab and newline; with colours, ESC only as a complete SGR. */
function isSafe(text: string, colours = false): boolean {
  // With colours, each ESC must open a complete SGR: those are taken out, any other ESC stays and fails.
  const bare = colours ? text.split(ESC).map((part, k) => (k === 0 ? part : /^\[[0-9;]*m/.test(part) ? part.replace(/^\[[0-9;]*m/, '') : ESC + part)).join('') : text;
  return [...bare].every((c) => {
    const code = c.codePointAt(0) ?? 0;
    return code === 0x09 || code === 0x0a || (code >= 0x20 && code < 0x7f) || code > 0x9f;
  });
}

describe('terminalText', () => {
  it('leaves text without controls as it is, tabs and newlines included', () => {
    const text = 'train: accuracy 0.93\tloss 0.2\nnext — ünïcode ✓';
    expect(terminalText(text)).toBe(text);
  });

  it('removes OSC strings ended by BEL or by ST (clipboard, title, hyperlinks)', () => {
    expect(terminalText(`a${ESC}]52;c;ZXZpbA==\x07b`)).toBe('ab');
    expect(terminalText(`a${ESC}]2;pwned${ESC}\\b`)).toBe('ab');
    expect(terminalText(`${ESC}]8;;https://x.test${ESC}\\link${ESC}]8;;${ESC}\\`)).toBe('link');
  });

  it('removes CSI sequences: erase, cursor movement, modes, and colours unless kept', () => {
    expect(terminalText(`${ESC}[2J${ESC}[H${ESC}[3;4H${ESC}[?1049h${ESC}[?25l${ESC}[2Kok`)).toBe('ok');
    expect(terminalText(`${ESC}[31mred${ESC}[0m`)).toBe('red');
    expect(terminalText(`${ESC}[1;31mred${ESC}[m`, { keepColours: true })).toBe(`${ESC}[1;31mred${ESC}[m`);
    // Only digits and semicolons are colours: everything else goes, also with keepColours.
    expect(terminalText(`${ESC}[2J${ESC}[38:2::1:2:3m${ESC}[>4;2m${ESC}[?1h${ESC}[5Ax`, { keepColours: true })).toBe('x');
  });

  it('removes DCS, SOS, PM and APC strings', () => {
    expect(terminalText(`a${ESC}P1$r0m${ESC}\\b${ESC}Xsos${ESC}\\c${ESC}^pm${ESC}\\d${ESC}_apc${ESC}\\e`)).toBe('abcde');
    // tmux's passthrough doubles the inner ESC: the string ends there, and the inner OSC goes too.
    expect(terminalText(`a${ESC}Ptmux;${ESC}${ESC}]52;c;eA==\x07${ESC}\\b`)).toBe('a␛b');
  });

  it('removes the other escapes (reset, save cursor, charsets, screen alignment)', () => {
    expect(terminalText(`a${ESC}cb${ESC}7c${ESC}(0d${ESC}#8e${ESC}Mf`)).toBe('abcdef');
  });

  it('removes C1 sequences given as code points (U+009B is CSI, U+009D OSC…)', () => {
    expect(terminalText('a\u009b2Jb\u009d2;title\u009cc\u0090dcs\u009cd')).toBe('abcd');
    expect(terminalText('a\u009b31mb', { keepColours: true })).toBe('ab');
  });

  it('shows a lone ESC and single control characters instead of removing them', () => {
    expect(terminalText(`a${ESC}`)).toBe('a␛');
    expect(terminalText(`a${ESC}${ESC}[2Jb`)).toBe('a␛b');
    expect(terminalText('bell\x07 back\x08 nul\x00 del\x7f')).toBe('bell␇ back␈ nul␀ del␡');
    expect(terminalText('a\u0085b\u009cc')).toBe('a\ufffdb\ufffdc');
  });

  it('drops the carriage return of CRLF and shows any other', () => {
    expect(terminalText('line\r')).toBe('line');
    expect(terminalText('one\r\ntwo\r\n')).toBe('one\ntwo\n');
    expect(terminalText('ok    \rFAILED')).toBe('ok    ␍FAILED');
  });

  it('shows a progress bar\'s last frame after one ␍ with lastFrame (step output), line by line; without it every frame', () => {
    const bar = '\rtraining |          | 0%\rtraining |#         | 10%\rtraining |##########| 100%';
    expect(terminalText(`epoch 1\n${bar}\ndone\r\n`, { lastFrame: true })).toBe('epoch 1\n␍training |##########| 100%\ndone\n');
    expect(terminalText(bar)).toBe('␍training |          | 0%␍training |#         | 10%␍training |##########| 100%');
    // Overwritten text is never taken for all there was: the ␍ stays; colours of the last frame stay.
    expect(terminalText('error: disk\rall good  ', { lastFrame: true })).toBe('␍all good  ');
    expect(terminalText('a\r\x1b[32mok\x1b[0m', { keepColours: true, lastFrame: true })).toBe('␍\x1b[32mok\x1b[0m');
    expect(terminalText('a\x1b]52;c;aGk=\x07\rb', { lastFrame: true })).toBe('␍b');
  });

  it('removes a sequence cut short as far as it goes, and reads on as text', () => {
    expect(terminalText(`done${ESC}[`)).toBe('done');
    expect(terminalText(`done${ESC}[1;3`)).toBe('done');
    expect(terminalText(`done${ESC}]2;never ended`)).toBe('done');
    expect(terminalText(`a${ESC}]2;title\nb`)).toBe('a\nb');
    expect(terminalText(`a${ESC}[12\x07b`)).toBe('a␇b');
    expect(terminalText(`a${ESC}[1;31mred`, { keepColours: true })).toBe(`a${ESC}[1;31mred`);
    expect(terminalText(`a${ESC}[1;31`, { keepColours: true })).toBe('a');
  });

  it('recognises a sequence split across chunks once the line is whole, and never passes half of one', () => {
    const line = `subject ${ESC}]52;c;ZXZpbA==\x07 ${ESC}[2J ${ESC}[32mgreen${ESC}[0m`;
    for (let cut = 0; cut <= line.length; cut++) {
      const head = terminalText(line.slice(0, cut), { keepColours: true });
      expect(isSafe(head, true)).toBe(true);
    }
    expect(terminalText(line, { keepColours: true })).toBe(`subject   ${ESC}[32mgreen${ESC}[0m`);
  });

  it('leaves nothing a terminal could act on, whatever the input (random strings)', () => {
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    const alphabet = ['\x1b', '[', ']', 'P', '_', '^', 'X', '\\', '\x07', '\x9b', '\x9c', '\x9d', '\r', '\n', ';', '2', 'm', 'J', '(', 'a', '\x00', '\x7f', '\x85', '\x18'];
    for (let n = 0; n < 2000; n++) {
      const text = Array.from({ length: next() % 24 }, () => alphabet[next() % alphabet.length]).join('');
      expect(isSafe(terminalText(text))).toBe(true);
      expect(isSafe(terminalText(text, { keepColours: true }), true)).toBe(true);
      expect(isSafe(terminalText(text, { keepColours: true, lastFrame: true }), true)).toBe(true);
    }
  });
});

describe('withoutColours', () => {
  it('leaves the characters that take columns', () => {
    expect(withoutColours(terminalText(`${ESC}[1;31mred${ESC}[0m and ${ESC}[mplain`, { keepColours: true }))).toBe('red and plain');
    expect(withoutColours('plain')).toBe('plain');
  });
});

describe('terminalStrings', () => {
  it('cleans every string of a decoded message and keeps the rest as it is', () => {
    const steps = [{ name: 'train', exitCode: 0 }];
    const run = { id: 'run-1', subject: `fix${ESC}]2;pwned\x07`, steps, startedAt: null, ok: true };
    const clean = terminalStrings(run);
    expect(clean).toEqual({ id: 'run-1', subject: 'fix', steps, startedAt: null, ok: true });
    expect(clean.steps).toBe(steps);
    expect(terminalStrings(steps)).toBe(steps);
  });

  it('keeps a `__proto__` key off the wire a plain key', () => {
    const value = JSON.parse(`{"__proto__": {"polluted": "x\\u001b[2J"}}`) as Record<string, unknown>;
    const clean = terminalStrings(value);
    expect(Object.getPrototypeOf(clean)).toBe(Object.prototype);
    expect(Object.hasOwn(clean, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
