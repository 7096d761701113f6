// What a new user's trial found on screen: cut outcomes, a run view with no reason, help cut at 80
// columns, the releases' spare width, a rollback dialog taller than the terminal.
import { Box } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DaemonState, ReleaseListing, RunView as Run } from '@axum/protocol';
import { bindingsFor } from '../keymap.js';
import { initialTuiState, type Confirm, type TuiState } from '../state/tui-state.js';
import { ConfirmDialog } from './ConfirmDialog.js';
import { HelpOverlay } from './HelpOverlay.js';
import { ReleasesView } from './ReleasesView.js';
import { RunsTable } from './RunsTable.js';
import { eachRow } from '../state/run-rows.js';
import { RunView, type LogPosition } from './RunView.js';
import { wrapText } from './wrap-text.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
const skipped = (name: string) => ({ stage: 'train', name, status: 'skipped' as const, exitCode: null, durationMs: null, startedAt: null, attempts: 0, logBytes: 0 });
const reusedRun: Run = {
  id: 'run-4', number: 4, status: 'succeeded', commit: 'a'.repeat(40), branch: 'main', env: 'production', trigger: 'push', reused: true,
  createdAt: 't', startedAt: 't', finishedAt: 't', subject: 'merge staging', releaseId: 'rel-3',
  message: 'reused rel-3: refused, marked bad by verify of staging#2: gate accuracy 0.41 < 0.8 (the LKG had 0.93)\u001b[2J', warnings: [],
  deploy: { env: 'production', revision: null, outcome: 'refused-bad' }, steps: [skipped('unit'), skipped('train')],
};
const daemon = { runs: [reusedRun], environments: [] } as unknown as DaemonState;

describe('wrapText', () => {
  it('wraps at spaces, cuts long words, indents, cleans control sequences, caps the rows', () => {
    expect(wrapText('one two three four', 9)).toEqual(['one two', 'three', 'four']);
    expect(wrapText('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapText('one two three', 9, { indent: '  ' })).toEqual(['one two', '  three']);
    expect(wrapText('a\u001b[31mred\u001b[0m\tb', 20)).toEqual(['ared b']);
    expect(wrapText('one two three four', 9, { maxRows: 2 })).toEqual(['one two', 'three…']);
  });
});

describe('the run view of a run that ran no step', () => {
  it("shows the run's message wrapped to the width, cleaned, and the deploy outcome in words; no `lines 0-0 of 0`", async () => {
    const state: TuiState = { ...initialTuiState, daemon, view: { kind: 'run', runId: 'run-4', step: 0, scroll: null } };
    const positionRef: { current: LogPosition | null } = { current: null };
    const { lastFrame } = render(<Box width={60}><RunView state={state} view={state.view as Extract<TuiState['view'], { kind: 'run' }>} log={null} rows={24} columns={60} positionRef={positionRef} /></Box>);
    await tick();
    const frame = lastFrame() ?? '';
    for (const row of frame.split('\n')) expect(row.length, row).toBeLessThanOrEqual(60);
    expect(frame.replace(/\s+/g, ' ')).toContain('— reused rel-3: refused, marked bad by verify of staging#2: gate accuracy 0.41 < 0.8 (the LKG had 0.93)');
    expect(frame).not.toContain('\u001b[2J');
    expect(frame.replace(/\s+/g, ' ')).toContain('deploy: refused, not deployed to production (rel-3 is marked bad)');
    expect(frame).toContain('── unit · skipped, nothing ran (the run reused rel-3)');
    expect(frame).not.toContain('lines 0-0 of 0');
  });
});

describe('the DEPLOY column', () => {
  it('holds the whole outcome: `production ✗ refused (bad)`', async () => {
    const { lastFrame } = render(<RunsTable runs={eachRow([reusedRun])} maxRows={5} selected={null} />);
    await tick();
    expect(lastFrame()).toContain('production ✗ refused (bad) main');
  });
});

describe("a running run's status", () => {
  it('says where it is among its steps and names the running one: ▶ 2/3 train', async () => {
    const step = (name: string, status: string) => ({ stage: 'b', name, status, exitCode: null, durationMs: null, startedAt: null, attempts: 1, logBytes: 0 });
    const running = { ...reusedRun, id: 'run-5', status: 'running', deploy: null, finishedAt: null, startedAt: '2026-01-01T10:00:00.000Z', steps: [step('unit', 'succeeded'), step('train', 'running'), step('eval', 'pending')] } as unknown as Run;
    const { lastFrame } = render(<Box width={100}><RunsTable runs={eachRow([running])} maxRows={5} selected={null} /></Box>);
    await tick();
    expect(lastFrame()).toContain('run-5 ▶ 2/3 train');
  });
});

describe('the runs columns', () => {
  it('are as wide as their content, so at 80 columns the subject starts where the time ends', async () => {
    const plain: Run = { ...reusedRun, id: 'run-12', reused: false, message: null, deploy: null, startedAt: '2026-01-01T10:00:00.000Z', finishedAt: '2026-01-01T10:00:42.000Z', subject: 'retrain on the March data with the new tokenizer and a larger batch' };
    const { lastFrame } = render(<Box width={80}><RunsTable runs={eachRow([plain, { ...plain, id: 'run-7', status: 'interrupted' }])} maxRows={5} selected={null} /></Box>);
    await tick();
    const rows = (lastFrame() ?? '').split('\n');
    expect(rows[0]).toBe('  RUN    STATUS      DEPLOY BRANCH COMMIT   TIME SUBJECT');
    // `interrupted` whole (it was cut to `interrupte`); the subject starts at column 49 (it was 52).
    expect(rows[2]).toBe('  run-7  interrupted —      main   aaaaaaaa 42s  retrain on the March data with…');
    // A long branch is no longer cut to 7, and run-1234 keeps a space before its status.
    const wide = render(<Box width={80}><RunsTable runs={eachRow([{ ...plain, id: 'run-1234', branch: 'feature/x' }])} maxRows={5} selected={null} /></Box>);
    await tick();
    expect(wide.lastFrame()?.split('\n')[1]).toBe('  run-1234 succeeded —      feature/x aaaaaaaa 42s  retrain on the March data w…');
  });
});

describe('the help overlay at 80×24', () => {
  it('wraps descriptions instead of cutting them', async () => {
    const state: TuiState = { ...initialTuiState, helpOpen: true };
    const { lastFrame } = render(<HelpOverlay state={state} rows={24} columns={80} />);
    await tick();
    const frame = lastFrame() ?? '';
    // Drawn alone (App.tsx): below the terminal's height.
    expect(frame.split('\n').length).toBeLessThan(24);
    expect(frame).not.toContain('…');
    for (const row of frame.split('\n')) expect(row.length).toBeLessThanOrEqual(80);
    // Every word of every description is on screen (wrapped, in two columns).
    const words = new Set(frame.replace(/[│╭╮╰╯─]/g, ' ').split(/\s+/));
    for (const b of bindingsFor(state).filter((x) => x.inHelp !== false)) for (const word of b.description.split(/\s+/)) expect(words, word).toContain(word);
  });
});

describe('the releases view at 120 columns', () => {
  it('gives LIVE IN and VERIFIED the width they need before the subject', async () => {
    const r: ReleaseListing = { id: 'rel-29', runId: 'run-29', commit: 'b'.repeat(40), branch: 'main', subject: 'retrain the model on the December data', createdAt: 't', artifacts: [], metrics: {}, bad: null, marks: [], config: null,
      liveIn: ['dev', 'staging', 'production'], verifiedIn: [{ env: 'dev', revision: 4 }, { env: 'staging', revision: 11 }, { env: 'production', revision: 5 }], size: 1 };
    const state: TuiState = { ...initialTuiState, releases: [r], view: { kind: 'releases', selected: 0 } };
    const { lastFrame } = render(<Box width={120}><ReleasesView state={state} view={state.view as Extract<TuiState['view'], { kind: 'releases' }>} link={null} dispatch={() => undefined} rows={24} columns={120} /></Box>);
    await tick();
    expect(lastFrame()).toContain('dev, staging, production dev#4, staging#11, production#5');
    expect(lastFrame()).toContain('bbbbbbbb retrain the model on the December data ');
  });
});

describe('the rollback dialog at 80×24', () => {
  const confirm: Confirm = {
    title: 'roll back production to #2 (rel-5)? rel-7 (live, #3) will be marked bad', typed: 'production', input: '', action: { kind: 'rollback', env: 'production', to: 2, force: false },
    details: ['live now: #3 (rel-7, bbbbbbbb)', 'target: #2 (rel-5, cccccccc)', 'rel-7: to clear its mark later: axum mark rel-7 good', 'rel-7 is also live in dev, staging: it keeps serving there', 'then verify it, and pin the environment (new commits will not deploy until unpinned)'],
    diff: ['code: takes back 12 commits: a · b · c …', 'config: 2 keys change: gates, verify', 'artifacts: model.bin 1.2 MB → 1.1 MB, metrics.json changed, eval.txt changed (+4)', 'metrics: accuracy 0.93 → 0.91, latency 12 → 15'],
  };
  it('stays within the rows it is given: the diff shrinks, the pin line wraps, the title and the prompt stay', async () => {
    const maxRows = 24 - 10;
    const { lastFrame } = render(<ConfirmDialog confirm={confirm} columns={80} maxRows={maxRows} />);
    await tick();
    const frame = lastFrame() ?? '';
    expect(frame.split('\n').length).toBeLessThanOrEqual(maxRows);
    for (const row of frame.split('\n')) expect(row.length).toBeLessThanOrEqual(80);
    expect(frame).toContain('roll back production to #2 (rel-5)?');
    expect(frame.replace(/[│\s]+/g, ' ')).toContain('then verify it, and pin the environment (new commits will not deploy until unpinned)');
    expect(frame).toContain('protected: type production');
  });
});

describe('the rollback dialog in a short terminal', () => {
  it('keeps a row for each diff line before wrapping one, and says when lines were left out', async () => {
    const { confirmRows } = await import('./confirm-layout.js');
    const confirm: Confirm = {
      title: 'roll back?', typed: null, input: '', action: { kind: 'rollback', env: 'staging', to: 1, force: false },
      details: ['live now: #3', 'then verify it'],
      diff: [`code: takes back 3 commits: ${'x'.repeat(100)}`, 'config: unchanged', 'artifacts: identical (same sha256)'],
    };
    expect(confirmRows(confirm, 60, 7).map((r) => r.text)).toEqual(['roll back?', 'live now: #3', expect.stringMatching(/^code: takes back 3 commits: x+…$/), 'config: unchanged', 'artifacts: identical (same sha256)', 'then verify it', 'y to confirm · n or Esc to cancel']);
    const short = confirmRows(confirm, 60, 5).map((r) => r.text);
    expect(short).toHaveLength(5);
    expect(short).toContain('… 2 more lines of the diff');
    expect(short).toContain('live now: #3');
    expect(short.at(-1)).toBe('y to confirm · n or Esc to cancel');
  });
});
