import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DaemonState, RunView as Run } from '@axum/protocol';
import { LogBuffer } from '../client/log-buffer.js';
import { LogPager } from '../client/log-pager.js';
import { initialTuiState, type TuiState } from '../state/tui-state.js';
import { RunView, type LogPosition } from './RunView.js';
import { withoutColours } from '../terminal-text.js';

const run: Run = {
  id: 'run-1', number: 1, status: 'running', commit: 'a'.repeat(40), branch: 'main', env: null, trigger: 'manual', reused: false,
  createdAt: '2026-11-29T10:00:00.000Z', startedAt: '2026-11-29T10:00:00.000Z', finishedAt: null, subject: 'initial', releaseId: null, message: null, warnings: [], deploy: null,
  steps: [{ stage: 'test', name: 'hose', status: 'running', exitCode: null, durationMs: null, startedAt: null, attempts: 1, logBytes: 0 }],
};
const daemon = { runs: [run], environments: [] } as unknown as DaemonState;
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

/** A followed log of these lines, and a daemon that serves them by byte offset (as `logs.read`). */
function log(lines: string[]): LogPager {
  const buffer = new LogBuffer();
  for (let at = 0; at < lines.length; at += 1000) {
    const chunk = lines.slice(at, at + 1000).map((l) => `${l}\n`).join('');
    buffer.append(chunk, buffer.offset + Buffer.byteLength(chunk), false);
  }
  const bytes = Buffer.from(lines.map((l) => `${l}\n`).join(''));
  return new LogPager(buffer, async (offset, limit) => {
    let data = bytes.subarray(offset, Math.min(bytes.length, offset + limit));
    if (offset + data.length < bytes.length) data = data.subarray(0, data.lastIndexOf(10) + 1);
    return { offset, nextOffset: offset + data.length, data: data.toString('utf8'), complete: false, times: [] };
  });
}

function view(state: Partial<TuiState>, buffer: LogPager, scroll: number | null = null) {
  const positionRef: { current: LogPosition | null } = { current: null };
  const full: TuiState = { ...initialTuiState, daemon, ...state, view: { kind: 'run', runId: 'run-1', step: 0, scroll } };
  const rendered = render(<RunView state={full} view={full.view as Extract<TuiState['view'], { kind: 'run' }>} log={buffer} rows={20} columns={100} positionRef={positionRef} />);
  return { ...rendered, positionRef };
}

describe('the run view', () => {
  it('draws the tail of the log: plain rows cut to the width, other lines through Ink, the header', async () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`);
    lines[47] = `wide 漢字 ${'y'.repeat(120)}`;
    lines[48] = `${'x'.repeat(150)}`;
    const { lastFrame, positionRef } = view({}, log(lines));
    await tick();
    const frame = (lastFrame() ?? '').split('\n');
    // 20 rows: the header and footer (6, the terminal's last row in it), run line, 1 step, margin, log title → 10 log rows.
    expect(frame).toContain('── hose · lines 41-50 of 50 · following');
    expect(frame).toContain('line 42');
    expect(frame).toContain('line 47');
    expect(frame).toContain(`${'x'.repeat(99)}…`);
    expect(frame.find((row) => row.startsWith('wide 漢字'))?.endsWith('…')).toBe(true);
    expect(frame.at(-1)).toBe('line 50');
    expect(frame).toContain('line 41');
    expect(frame).not.toContain('line 40');
    expect(positionRef.current).toMatchObject({ from: 40, min: 0, max: 40 });
  });

  it('scrolled, starts at its line, and highlights search matches without changing the text', async () => {
    const { lastFrame } = view({ search: { editing: false, input: '', query: 'LINE 3' } }, log(Array.from({ length: 50 }, (_, i) => `line ${i + 1}`)), 2);
    await tick();
    const frame = lastFrame() ?? '';
    expect(frame).toContain('── hose · lines 3-12 of 50 · G to follow');
    expect(frame.split('\n').map((row) => withoutColours(row)).filter((row) => row.startsWith('line '))).toEqual(['line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'line 10', 'line 11', 'line 12']);
  });

  it('marks only the matched text in inverse video, with or without colour, and says which match of how many', async () => {
    const match = { index: 3, total: 17, runId: 'run-1', step: 0 };
    const { lastFrame } = view({ search: { editing: false, input: '', query: 'NE 3', match } }, log(Array.from({ length: 50 }, (_, i) => `line ${i + 1}`)), 2);
    await tick();
    const frame = lastFrame() ?? '';
    expect(frame).toContain('── hose · lines 3-12 of 50 · match 3 of 17 · G to follow');
    const row = frame.split('\n').find((r) => withoutColours(r) === 'line 3');
    // The match, not the whole line: `li` before it is drawn as it is (no yellow line).
    expect(row?.startsWith('li\x1b[7mne 3\x1b[27m')).toBe(true);
    expect(frame).not.toContain('\x1b[33m');
    // Another step's count is not this one's.
    const other = view({ search: { editing: false, input: '', query: 'NE 3', match: { ...match, step: 1 } } }, log(['line 3']), 0);
    await tick();
    expect(other.lastFrame()).not.toContain('match 3 of 17');
  });

  it('draws the match n/N landed on apart from the others (underlined, no colour needed)', async () => {
    const epochs = Array.from({ length: 50 }, (_, i) => `epoch ${i + 1}`);
    const match = { index: 4, total: 50, runId: 'run-1', step: 0, line: 5 };
    const { lastFrame } = view({ search: { editing: false, input: '', query: 'epoch', match } }, log(epochs), 2);
    await tick();
    const rows = (lastFrame() ?? '').split('\n');
    // Ink writes the attributes one by one: underline and inverse on the current match; inverse alone on the others.
    expect(rows.find((r) => withoutColours(r) === 'epoch 6')).toBe('\x1b[4m\x1b[7mepoch\x1b[27m\x1b[24m 6');
    expect(rows.find((r) => withoutColours(r) === 'epoch 5')).toBe('\x1b[7mepoch\x1b[27m 5');
  });

  it('scrolled above the 10,000 kept lines, keeps the screen while it reads them from the daemon, then shows them', async () => {
    const numbered = Array.from({ length: 30_000 }, (_, i) => `line ${String(i + 1).padStart(5, '0')}`);
    // Read back as printed: cleaned as it is drawn, like the followed lines (no title change, colours kept).
    numbered[3] = 'line 00004 \x1b]2;pwned\x07\x1b[31mred\x1b[0m';
    const { lastFrame, positionRef } = view({}, log(numbered), 0);
    // The first frame: the lines it has, and what it is waiting for.
    expect(lastFrame()).toContain('loading older lines…');
    expect(lastFrame()).toContain('line 20001');
    for (let i = 0; i < 50 && (lastFrame() ?? '').includes('loading'); i++) await tick();
    const frame = (lastFrame() ?? '').split('\n');
    expect(frame).toContain('── hose · lines 1-10 of 30000 · G to follow');
    expect(frame.filter((row) => row.startsWith('line ')).map((row) => withoutColours(row))).toEqual([...numbered.slice(0, 3), 'line 00004 red', ...numbered.slice(4, 10)]);
    expect(lastFrame()).not.toContain('pwned');
    expect(positionRef.current).toMatchObject({ rows: 10, from: 0, min: 0, max: 30_000 - 10 });
  });

  it('scrolled up while the step still prints, counts the lines printed since (G to follow)', async () => {
    const pager = log(Array.from({ length: 50 }, (_, i) => `line ${i + 1}`));
    const { lastFrame } = view({}, pager, 10);
    await tick();
    expect(lastFrame()).toContain('lines 11-20 of 50 · G to follow');
    pager.live.append('more 1\nmore 2\nmore 3\n', pager.live.offset + 21, false);
    for (let i = 0; i < 20 && !(lastFrame() ?? '').includes('new lines'); i++) await tick();
    expect(lastFrame()).toContain('lines 11-20 of 53 · 3 new lines (G to follow)');
  });

  it('a finished step says neither following nor G to follow: its log grows no more', async () => {
    const done: Run = { ...run, status: 'cancelled', finishedAt: '2026-11-29T10:00:09.000Z', steps: [{ ...run.steps[0]!, status: 'cancelled' }] };
    const finished = { runs: [done], environments: [] } as unknown as DaemonState;
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i + 1}`);
    const tail = view({ daemon: finished }, log(lines));
    await tick();
    expect(tail.lastFrame()).toContain('── hose · lines 41-50 of 50\n');
    const scrolled = view({ daemon: finished }, log(lines), 2);
    await tick();
    expect(scrolled.lastFrame()).toContain('── hose · lines 3-12 of 50 · G to the end');
    expect(scrolled.lastFrame()).not.toContain('follow');
  });
});

describe('the run view of a release a rollback put back', () => {
  it('says it is live again where it was superseded', async () => {
    const replaced: Run = { ...run, status: 'succeeded', env: 'staging', releaseId: 'rel-10', deploy: { env: 'staging', revision: 4, outcome: 'superseded' }, steps: [{ ...run.steps[0]!, status: 'succeeded' }] };
    const staging = { name: 'staging', live: { revision: 6, releaseId: 'rel-10', commit: 'a'.repeat(40) } };
    const { lastFrame } = view({ daemon: { runs: [replaced], environments: [staging] } as unknown as DaemonState }, log(['trained']));
    await tick();
    expect(lastFrame()).toContain('deploy: rel-10 to staging superseded by a newer release; live again in staging#6');
  });
});
