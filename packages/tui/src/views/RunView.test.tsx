import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DaemonState, RunView as Run } from '@axum/protocol';
import { LogBuffer } from '../client/log-buffer.js';
import { initialTuiState, type TuiState } from '../state/tui-state.js';
import { RunView, type LogPosition } from './RunView.js';

const run: Run = {
  id: 'run-1', number: 1, status: 'running', commit: 'a'.repeat(40), branch: 'main', env: null, trigger: 'manual', reused: false,
  createdAt: '2026-11-29T10:00:00.000Z', startedAt: '2026-11-29T10:00:00.000Z', finishedAt: null, subject: 'initial', releaseId: null, message: null, warnings: [], deploy: null,
  steps: [{ stage: 'test', name: 'hose', status: 'running', exitCode: null, durationMs: null, startedAt: null, attempts: 1, logBytes: 0 }],
};
const daemon = { runs: [run] } as unknown as DaemonState;
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

function log(lines: string[]): LogBuffer {
  const buffer = new LogBuffer();
  const text = lines.map((l) => `${l}\n`).join('');
  buffer.append(text, Buffer.byteLength(text), false);
  return buffer;
}

function view(state: Partial<TuiState>, buffer: LogBuffer, scroll: number | null = null) {
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
    // 20 rows: run line, 1 step, margin, header → 9 log rows (rows − steps − 10).
    expect(frame).toContain('── hose · lines 42-50 of 50 · following');
    expect(frame).toContain('line 42');
    expect(frame).toContain('line 47');
    expect(frame).toContain(`${'x'.repeat(99)}…`);
    expect(frame.find((row) => row.startsWith('wide 漢字'))?.endsWith('…')).toBe(true);
    expect(frame.at(-1)).toBe('line 50');
    expect(frame).not.toContain('line 41');
    expect(positionRef.current).toMatchObject({ from: 41, min: 0, max: 41 });
  });

  it('scrolled, starts at its line, and highlights search matches without changing the text', async () => {
    const { lastFrame } = view({ search: { editing: false, input: '', query: 'LINE 3' } }, log(Array.from({ length: 50 }, (_, i) => `line ${i + 1}`)), 2);
    await tick();
    const frame = lastFrame() ?? '';
    expect(frame).toContain('── hose · lines 3-11 of 50 · 39 lines below · G to follow');
    expect(frame.split('\n').filter((row) => row.startsWith('line '))).toEqual(['line 3', 'line 4', 'line 5', 'line 6', 'line 7', 'line 8', 'line 9', 'line 10', 'line 11']);
  });
});
