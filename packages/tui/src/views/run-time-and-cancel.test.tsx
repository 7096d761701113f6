// A newcomer's findings: sub-second runs read `0s` in the TIME column, and the run view of a running
// run did not offer `x` though it cancels.
import { Box } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DaemonState, RunView as Run } from '@axum/protocol';
import { initialTuiState, type TuiState } from '../state/tui-state.js';
import { Footer } from './Footer.js';
import { RunsTable } from './RunsTable.js';
import { eachRow } from '../state/run-rows.js';
import { formatDuration } from './Elapsed.js';
import { RunView, type LogPosition } from './RunView.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
const step = (status: Run['steps'][number]['status'], durationMs: number | null) => ({ stage: 'build', name: 'train', status, exitCode: null, durationMs, startedAt: null, attempts: 1, logBytes: 0 });
const run = (over: Partial<Run>): Run =>
  ({
    id: 'run-25', number: 25, status: 'succeeded', commit: 'a'.repeat(40), branch: 'main', env: null, trigger: 'push', reused: false, createdAt: 't',
    startedAt: '2026-01-01T10:00:00.000Z', finishedAt: '2026-01-01T10:00:00.902Z', subject: 'quick', releaseId: null, message: null, warnings: [], deploy: null, steps: [step('succeeded', 83)],
    ...over,
  }) as Run;

describe('a finished run under a second', () => {
  it('reads in milliseconds in the TIME column, as `axum runs` says it', async () => {
    const { lastFrame } = render(<Box width={80}><RunsTable runs={eachRow([run({})])} maxRows={5} selected={null} /></Box>);
    await tick();
    expect(lastFrame()).toMatch(/run-25 .* 902ms /);
    const state: TuiState = { ...initialTuiState, daemon: { runs: [run({})], environments: [] } as unknown as DaemonState, view: { kind: 'run', runId: 'run-25', step: 0, scroll: null } };
    const positionRef: { current: LogPosition | null } = { current: null };
    const view = render(<Box width={80}><RunView state={state} view={state.view as Extract<TuiState['view'], { kind: 'run' }>} log={null} rows={24} columns={80} positionRef={positionRef} /></Box>);
    await tick();
    expect(view.lastFrame()).toContain('build/train succeeded 83ms');
    expect(formatDuration(83)).toBe('83ms');
    expect(formatDuration(42_000)).toBe('42s');
  });
});

describe("the run view's footer", () => {
  const footer = (status: Run['status']) => {
    const state: TuiState = { ...initialTuiState, daemon: { runs: [run({ status, finishedAt: null, steps: [step('running', null)] })], environments: [] } as unknown as DaemonState, view: { kind: 'run', runId: 'run-25', step: 0, scroll: null } };
    return render(<Footer state={state} columns={80} />).lastFrame() ?? '';
  };
  it('offers x to cancel a running run, at 80 columns', () => {
    expect(footer('running')).toContain('x cancel');
    expect(footer('running').trim()).toMatch(/^G\/End follow · \[ \] step · \/ search · x cancel {3,}\? help · Esc back · q quit$/);
    expect(footer('queued')).toContain('x cancel');
  });
  it('does not offer it once the run is finished', () => {
    expect(footer('succeeded')).not.toContain('x cancel');
  });
});
