import { Box } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { DaemonState, ReleaseListing } from '@axum/protocol';
import { initialTuiState, reduce, type TuiState } from '../state/tui-state.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { ReleasesView } from './ReleasesView.js';

const release = (n: number, extra: Partial<ReleaseListing> = {}): ReleaseListing => ({
  id: `rel-${n}`, runId: `run-${n}`, commit: `${n}`.padEnd(40, 'a'), branch: 'main', subject: `retrain the model on the December data, take ${n}`, createdAt: '2026-12-04T03:36:00.000Z',
  artifacts: [], metrics: {}, bad: null, marks: [], config: null, liveIn: [], verifiedIn: [], size: 1_200_000, ...extra,
});
const daemon: DaemonState = {
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/repo', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' },
  environments: [], runs: [], warnings: [], clients: 1, attached: [], activity: [], backups: [],
};
const releases = [
  release(30, { bad: { why: 'gate accuracy 0.41 < 0.8', by: 'staging#12', at: '2026-12-04T03:40:00.000Z' } }),
  release(29, { liveIn: ['staging', 'production'], verifiedIn: [{ env: 'staging', revision: 11 }, { env: 'production', revision: 5 }] }),
  ...Array.from({ length: 28 }, (_, i) => release(28 - i)),
];
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));

function screen(state: TuiState) {
  if (state.view.kind !== 'releases') throw new Error('not the releases view');
  return render(
    <Box flexDirection="column" width={80}>
      <Header state={state} />
      <ReleasesView state={state} view={state.view} link={null} dispatch={() => undefined} rows={24} columns={80} />
      <Footer state={state} columns={80} />
    </Box>,
  );
}

describe('the releases view', () => {
  it('fits 80×24 with 30 releases: live in, verified, BAD, and the selected mark with who, when and why', async () => {
    let state = reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemon });
    state = reduce(state, { type: 'releases.open' });
    state = reduce(state, { type: 'releases.loaded', releases });
    const { lastFrame } = screen(state);
    await tick();
    const frame = lastFrame() ?? '';
    expect(frame.split('\n').length).toBeLessThan(24);
    for (const line of frame.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    // COMMIT gives way first at 80 columns (the selected release's line says it).
    expect(frame).toMatch(/› rel-30\s+retrain.*BAD/);
    expect(frame).toContain('rel-30 · 30aaaaaa · ');
    expect(frame).toMatch(/rel-29\s+retrain.* staging, production staging#11,/);
    expect(frame).toContain('bad: gate accuracy 0.41 < 0.8 — by staging#12, 2026-12-04 03:40');
    // rel-30 is marked bad already: u clears it; b, which would do nothing, is not offered.
    expect(frame).toContain('u unmark');
    expect(frame).not.toContain('b mark bad');
    // What a cell cuts, the selected release's line says in full.
    state = reduce(state, { type: 'selection.move', by: 1 });
    const next = screen(state);
    await tick();
    expect((next.lastFrame() ?? '').replace(/\n/g, ' ')).toContain('rel-29 · 29aaaaaa · live in staging, production · verified staging#11, production#5');
  });

  it('at 80×24 reads a long bad reason whole, on two rows, and still fits', async () => {
    const why = 'monitor failed 3 times in a row on #5 (checks 1–3; the last measured error_rate = 0.18 (fail: > 0.05))';
    const long = [release(30, { bad: { why, by: 'staging#5', at: '2026-12-04T03:40:00.000Z' } }), ...releases.slice(1)];
    let state = reduce(reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemon }), { type: 'releases.open' });
    state = reduce(state, { type: 'releases.loaded', releases: long });
    const { lastFrame } = screen(state);
    await tick();
    const rows = (lastFrame() ?? '').split('\n');
    expect(rows.length).toBeLessThan(24);
    for (const row of rows) expect(row.length, row).toBeLessThanOrEqual(80);
    expect(rows.join(' ').replace(/\s+/g, ' ')).toContain(`bad: ${why} — by staging#5, 2026-12-04 03:40`);
  });

  it('keeps the cursor on its release when a new one lands on top, and scrolls to it', async () => {
    let state = reduce(reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemon }), { type: 'releases.open' });
    state = reduce(state, { type: 'releases.loaded', releases });
    for (let i = 0; i < 25; i++) state = reduce(state, { type: 'selection.move', by: 1 });
    expect(state.releases?.[(state.view as { selected: number }).selected]?.id).toBe('rel-5');
    state = reduce(state, { type: 'releases.loaded', releases: [release(31), ...releases] });
    expect(state.releases?.[(state.view as { selected: number }).selected]?.id).toBe('rel-5');
    const { lastFrame } = screen(state);
    await tick();
    expect(lastFrame()).toContain('› rel-5 ');
    expect(lastFrame()).toContain('rel-5 · 5aaaaaaa · 1.2 MB · made 2026-12-04 03:36 by run-5 · not marked bad');
  });
});
