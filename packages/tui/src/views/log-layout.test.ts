import { describe, expect, it } from 'vitest';
import { LogBuffer } from '../client/log-buffer.js';
import { CURRENT_OFF, CURRENT_ON, layoutLog, MATCH_OFF, MATCH_ON, stamp, truncateEnd, type LogLayoutOptions } from './log-layout.js';

function buffer(lines: string[], partial = ''): LogBuffer {
  const b = new LogBuffer();
  const text = lines.map((l) => `${l}\n`).join('') + partial;
  b.append(text, Buffer.byteLength(text), false, [[0, Date.UTC(2026, 10, 29, 10, 0, 0, 5)]]);
  return b;
}

const base: LogLayoutOptions = { follow: true, top: 0, rows: 3, columns: 20, wrap: false, timestamps: false, query: null };
const rowsOf = (layout: ReturnType<typeof layoutLog>) => layout.blocks.flatMap((b) => (b.kind === 'plain' ? b.rows : [`<${b.text}>`]));

describe('layoutLog', () => {
  it('following, shows the last rows, the line being written included', () => {
    const layout = layoutLog(buffer(['one', 'two', 'three', 'four'], 'fiv'), base);
    expect(layout).toMatchObject({ top: 2, count: 3, maxTop: 2 });
    expect(rowsOf(layout)).toEqual(['three', 'four', 'fiv']);
    expect(layout.blocks).toHaveLength(1);
  });

  it('shows a progress bar drawn with carriage returns as its last frame, the line being written included', () => {
    const layout = layoutLog(buffer(['\repoch 0%\repoch 50%\repoch 100%', 'next'], '\rstep 1/9\rstep 2/9'), { ...base, columns: 30 });
    expect(rowsOf(layout)).toEqual(['<␍epoch 100%>', 'next', '<␍step 2/9>']);
  });

  it('scrolled, starts at `top`, clamped to the last screenful', () => {
    const log = buffer(['a', 'b', 'c', 'd', 'e']);
    expect(rowsOf(layoutLog(log, { ...base, follow: false, top: 1 }))).toEqual(['b', 'c', 'd']);
    expect(layoutLog(log, { ...base, follow: false, top: 9 })).toMatchObject({ top: 2, count: 3 });
    expect(layoutLog(log, { ...base, follow: false, top: -4 })).toMatchObject({ top: 0 });
    expect(layoutLog(buffer([]), base)).toMatchObject({ top: 0, count: 0, blocks: [] });
  });

  it('cuts plain lines to the width as Ink does, and leaves other lines to Ink', () => {
    const long = 'x'.repeat(25);
    const layout = layoutLog(buffer([long, 'wide 漢字', 'tab\there', 'ok']), { ...base, rows: 4 });
    expect(layout.blocks).toEqual([
      { kind: 'plain', rows: [`${'x'.repeat(19)}…`], highlight: false },
      { kind: 'text', text: 'wide 漢字', rows: 1, highlight: false },
      { kind: 'text', text: 'tab\there', rows: 1, highlight: false },
      { kind: 'plain', rows: ['ok'], highlight: false },
    ]);
  });

  it('wraps plain lines at the width, keeping the tail in view when following', () => {
    const layout = layoutLog(buffer(['first', 'y'.repeat(45), 'last']), { ...base, rows: 4, wrap: true });
    expect(rowsOf(layout)).toEqual(['y'.repeat(20), 'y'.repeat(20), 'y'.repeat(5), 'last']);
    expect(layout).toMatchObject({ top: 1, count: 2 });
    // A line taller than the pane shows its first rows.
    expect(rowsOf(layoutLog(buffer(['z'.repeat(200)]), { ...base, wrap: true }))).toEqual(['z'.repeat(20), 'z'.repeat(20), 'z'.repeat(20)]);
  });

  it('draws a line without its control sequences, keeping only its colours, also when they arrived in two chunks', () => {
    const log = new LogBuffer();
    const printed = 'title\x1b]2;pwned\x07 clip\x1b]52;c;ZXZpbA==\x07 \x1b[2Jcleared \x1b[32mok\x1b[0m\n';
    const cut = printed.indexOf(';c;');
    log.append(printed.slice(0, cut), cut, false);
    expect(rowsOf(layoutLog(log, { ...base, columns: 60 }))).toEqual(['title clip']);
    log.append(printed.slice(cut), printed.length, true);
    expect(rowsOf(layoutLog(log, { ...base, columns: 60 }))).toEqual(['<title clip cleared \x1b[32mok\x1b[0m>']);
    // Colours take no columns: the line fits one row, and a search does not look into them.
    const wrapped = layoutLog(log, { ...base, columns: 20, wrap: true, query: '32m' });
    expect(wrapped.blocks).toEqual([{ kind: 'text', text: 'title clip cleared \x1b[32mok\x1b[0m', rows: 2, highlight: false }]);
  });

  it('marks only the matched text of search matches (case-insensitive), and prefixes timestamps', () => {
    const on = MATCH_ON;
    const off = MATCH_OFF;
    const layout = layoutLog(buffer(['build ok', 'ERROR here', 'error 2 error', 'done', 'tab\terror']), { ...base, rows: 5, query: 'error' });
    expect(layout.blocks).toEqual([
      { kind: 'plain', rows: ['build ok'], highlight: false },
      { kind: 'plain', rows: [`${on}ERROR${off} here`, `${on}error${off} 2 ${on}error${off}`], highlight: true },
      { kind: 'plain', rows: ['done'], highlight: false },
      { kind: 'text', text: `tab\t${on}error${off}`, rows: 1, highlight: true },
    ]);
    const stamped = layoutLog(buffer(['a']), { ...base, columns: 40, timestamps: true });
    expect(rowsOf(stamped)).toEqual(['10:00:00.005 a']);
  });
});

describe('line helpers', () => {
  it('truncates like Ink and stamps like the run view', () => {
    expect(truncateEnd('abcdef', 6)).toBe('abcdef');
    expect(truncateEnd('abcdefg', 6)).toBe('abcde…');
    expect(stamp(null)).toBe(' '.repeat(12));
    expect(stamp(Date.UTC(2026, 0, 1, 23, 59, 58, 999))).toBe('23:59:58.999 ');
  });
});

describe('search marks', () => {
  const on = MATCH_ON;
  const off = MATCH_OFF;
  it('are raw inverse video (NO_COLOR drops Ink attributes, not these), taking no columns', () => {
    expect(on).toBe('\x1b[7m');
    expect(off).toBe('\x1b[27m');
  });

  it('mark a match split by a wrap on both rows, and one cut by the width up to the cut', () => {
    const line = `${'a'.repeat(18)}needle${'b'.repeat(4)}`;
    const wrapped = layoutLog(buffer([line]), { ...base, wrap: true, query: 'NEEDLE' });
    expect(rowsOf(wrapped)).toEqual([`${'a'.repeat(18)}${on}ne${off}`, `${on}edle${off}bbbb`]);
    const cut = layoutLog(buffer([line]), { ...base, query: 'needle' });
    expect(rowsOf(cut)).toEqual([`${'a'.repeat(18)}${on}n${off}…`]);
  });

  it('in coloured lines, skip the colours and set the mark again after a sequence inside the match', () => {
    const layout = layoutLog(buffer(['\x1b[31mfail\x1b[0med here, failed']), { ...base, columns: 40, query: 'failed' });
    expect(layout.blocks).toEqual([
      { kind: 'text', text: `\x1b[31m${on}fail\x1b[0m${on}ed${off} here, ${on}failed${off}`, rows: 1, highlight: true },
    ]);
  });

  it('draw the current match (where n/N landed) apart from the others, without colour, in plain and in coloured lines', () => {
    expect([CURRENT_ON, CURRENT_OFF]).toEqual(['\x1b[4;7m', '\x1b[24;27m']);
    // A step's own bold goes on after the match: nothing here turns it off (SGR 22 is bold off).
    expect(CURRENT_OFF.slice(2, -1).split(';')).not.toContain('22');
    const bold = layoutLog(buffer(['\x1b[1;31mERROR disk full\x1b[0m']), { ...base, follow: false, rows: 1, query: 'ERROR', current: 0 });
    expect(rowsOf(bold)).toEqual([`<\x1b[1;31m${CURRENT_ON}ERROR${CURRENT_OFF} disk full\x1b[0m>`]);
    const epochs = ['epoch 1', 'epoch 2', '\x1b[32mepoch 3\x1b[0m', 'epoch 4'];
    const layout = layoutLog(buffer(epochs), { ...base, follow: false, rows: 4, query: 'epoch', current: 2 });
    expect(rowsOf(layout)).toEqual([`${on}epoch${off} 1`, `${on}epoch${off} 2`, `<\x1b[32m${CURRENT_ON}epoch${CURRENT_OFF} 3\x1b[0m>`, `${on}epoch${off} 4`]);
    expect(rowsOf(layoutLog(buffer(epochs), { ...base, follow: false, rows: 4, query: 'epoch', current: 1 }))[1]).toBe(`${CURRENT_ON}epoch${CURRENT_OFF} 2`);
  });

  it('keep the current match in view when wrapped lines leave it below the last screenful', () => {
    const long = (n: number) => `epoch ${n} ${'x'.repeat(20)}`; // two rows each at 20 columns
    const log = buffer([1, 2, 3, 4, 5, 6].map(long));
    // Six lines of two rows each in three rows: the clamp to the last screenful starts at the fourth line, which fits alone.
    const layout = layoutLog(log, { ...base, follow: false, top: 5, wrap: true, query: 'epoch', current: 5 });
    expect(layout.top + layout.count).toBe(6);
    expect(rowsOf(layout).some((row) => row.startsWith(`${CURRENT_ON}epoch${CURRENT_OFF} 6`))).toBe(true);
  });

  it('treat the query as text, not a pattern, and still clean control sequences from outside', () => {
    const layout = layoutLog(buffer(['a.b axb \x1b]2;pwned\x07a.b']), { ...base, columns: 40, query: 'a.b' });
    expect(rowsOf(layout)).toEqual([`${on}a.b${off} axb ${on}a.b${off}`]);
  });
});
