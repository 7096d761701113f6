import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { bindingsFor } from '../keymap.js';
import type { DaemonState } from '@axum/protocol';
import { initialTuiState, reduce, type TuiState } from '../state/tui-state.js';
import { HelpOverlay } from './HelpOverlay.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
const inRun: TuiState = { ...initialTuiState, helpOpen: true, view: { kind: 'run', runId: 'run-1', step: 0, scroll: null } };

describe('the help overlay', () => {
  it('at 80×24 stays below the height the header and footer leave, and still names every key', async () => {
    const { lastFrame } = render(<HelpOverlay state={inRun} rows={24} columns={80} />);
    await tick();
    const frame = lastFrame() ?? '';
    const height = frame.split('\n').length;
    // Drawn alone (App.tsx): the whole frame must stay under 24 rows.
    expect(height).toBeLessThan(24);
    expect(Math.max(...frame.split('\n').map((row) => row.length))).toBeLessThanOrEqual(80);
    for (const binding of bindingsFor(inRun).filter((b) => b.inHelp !== false)) expect(frame).toContain(binding.label);
  });

  it('keeps one column with the whole descriptions when the terminal is tall enough', async () => {
    const { lastFrame } = render(<HelpOverlay state={inRun} rows={60} columns={120} />);
    await tick();
    expect(lastFrame()).toContain('PgDn/PgUp a page down / up (the log rows on screen)');
  });

  it('at 80×24 says why each disabled key is disabled, whole, and still fits', async () => {
    const env = (name: string) => ({
      name, branch: name, path: `/repo/.axum/envs/${name}`, protected: false, approval: 'auto' as const, inConfig: true, pinned: false, awaitingApproval: false,
      live: null, serving: null, lastKnownGood: null, rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null,
    });
    const daemon: DaemonState = {
      daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/repo', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
      config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' },
      environments: [env('staging'), env('production')], runs: [], warnings: [], clients: 1, attached: [], activity: [], backups: [],
    };
    const connected = { ...reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemon }), helpOpen: true };
    // Environments focused (x waits for the runs), then runs focused (most keys wait for the environments).
    for (const state of [connected, { ...connected, focus: 'runs' as const }]) {
      const reasons = bindingsFor(state).filter((b) => b.inHelp !== false).map((b) => b.disabledReason?.(state) ?? null).filter((why): why is string => why !== null);
      expect(reasons.length).toBeGreaterThan(1);
      const { lastFrame } = render(<HelpOverlay state={state} rows={24} columns={80} />);
      await tick();
      const rows = (lastFrame() ?? '').split('\n');
      expect(rows.length).toBeLessThan(24);
      expect(Math.max(...rows.map((row) => row.length))).toBeLessThanOrEqual(80);
      // Read as a person does: each column top to bottom (two columns from column 41), and the rows whole.
      const flat = (texts: string[]) => texts.join(' ').replace(/\s+/g, ' ');
      const read = [flat(rows), flat(rows.map((row) => row.slice(0, 41))), flat(rows.map((row) => row.slice(41)))].join(' | ');
      for (const why of reasons) expect(read).toContain(why);
    }
  });

  it("on the dashboard names the FLAGS column's short forms (said at 80 columns), and still fits 80×24", async () => {
    const production = {
      name: 'production', branch: 'release', path: '/repo/.axum/envs/production', protected: true, approval: 'manual' as const, inConfig: true, pinned: true, awaitingApproval: false,
      live: null, serving: null, lastKnownGood: null, rollbackTarget: null, heldReleaseId: null, paused: null, pendingReleaseId: null, operation: null, incident: null, liveMetric: null, lastCheck: null,
    };
    const daemon: DaemonState = {
      daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/repo', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
      config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' },
      environments: [production], runs: [], warnings: [], clients: 1, attached: [], activity: [], backups: [],
    };
    const state = { ...reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemon }), helpOpen: true };
    for (const [columns, rows] of [[80, 24], [120, 40]] as const) {
      const { lastFrame } = render(<HelpOverlay state={state} rows={rows} columns={columns} />);
      await tick();
      const shown = (lastFrame() ?? '').split('\n');
      expect(shown.length).toBeLessThan(rows);
      expect(Math.max(...shown.map((row) => row.length))).toBeLessThanOrEqual(columns);
      const read = shown.join(' ').replace(/\s+/g, ' ');
      expect(read).toContain('FLAGS, where narrow: prot = protected · manual = manual approval');
      // Nothing to roll back to: r is refused, said in short where the whole refusal leaves the legend no row.
      expect(read).toMatch(columns === 80 ? /r: refused here \(pressing it says why\)/ : /r roll back: .* — disabled: production: no last known good to roll back to/);
    }
    // Not on the other screens: their tables have no FLAGS.
    const run = render(<HelpOverlay state={inRun} rows={24} columns={80} />);
    await tick();
    expect(run.lastFrame()).not.toContain('FLAGS');
  });
});
