import { Box } from 'ink';
import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import type { ActivityEntry, DaemonState } from '@axum/protocol';
import type { Key } from 'ink';
import { bindingsFor, resolveKey } from '../keymap.js';
import { initialTuiState, reduce, type TuiState } from '../state/tui-state.js';
import { EventsOverlay } from './EventsOverlay.js';
import { chromeRows } from './chrome-rows.js';
import { Footer } from './Footer.js';
import { Header } from './Header.js';
import { HelpOverlay } from './HelpOverlay.js';
import { withoutColours } from '../terminal-text.js';

const entry = (n: number, what = `pinned staging (${n})`): ActivityEntry => ({ at: `2026-12-04T08:${String(n).padStart(2, '0')}:00.000Z`, who: 'alice (axum-tui on pts/3)', what, clientId: n % 2 ? 'c1' : 'c2' });
const LONG = 'rolled back production to #3 (now #5): the gate accuracy 0.41 < 0.8 of the verify step, marked bad by staging#12 at 03:40 — END';
const activity = Array.from({ length: 29 }, (_, i) => entry(i + 1, i === 4 ? LONG : undefined));
const daemon: DaemonState = {
  daemon: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/repo', socket: '/s', tokenFile: '/t', listen: null, startedAt: 't' },
  config: { file: 'axum.yml', valid: true, errors: [], loadedAt: 't' },
  environments: [], runs: [], warnings: [], clients: 1, attached: [], activity, backups: [],
};
const tick = () => new Promise((resolve) => setTimeout(resolve, 20));
const key = (over: Partial<Key> = {}): Key => ({ upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false, return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false, hyper: false, capsLock: false, numLock: false, ...over } as Key);

/** Presses keys as the App does: through the keymap. */
function press(state: TuiState, input: string, over: Partial<Key> = {}): TuiState {
  const hit = resolveKey(state, input, key(over));
  if (!hit || hit.disabled || hit.binding.command.kind !== 'dispatch') throw new Error(`no events key for ${input}`);
  return reduce(state, hit.binding.command.action);
}

function screen(state: TuiState) {
  return render(
    <Box flexDirection="column" width={80}>
      <Header state={state} />
      <EventsOverlay state={state} rows={24} columns={80} chrome={chromeRows(state)} />
      <Footer state={state} columns={80} />
    </Box>,
  );
}

const open = () => reduce(reduce(initialTuiState, { type: 'connection.connected', clientId: 'c1', state: daemon, at: '2026-12-04T08:00:00.000Z' }), { type: 'events.toggle' });

describe('the event log overlay', () => {
  it('scrolls through every kept entry with j/k, PgUp/PgDn and g/G, the title saying which are shown', async () => {
    let state = open();
    const first = screen(state);
    await tick();
    expect(first.lastFrame()).toContain('Events 17–30 of 30');
    expect(first.lastFrame()).toContain('› 08:29:00');
    state = press(state, 'k');
    state = press(state, '', { upArrow: true });
    expect(state.eventsSelected).toBe(27);
    state = press(state, '', { pageUp: true });
    expect(state.eventsSelected).toBe(19);
    state = press(state, 'g');
    expect(state.eventsSelected).toBe(0);
    const top = screen(state);
    await tick();
    const frame = top.lastFrame() ?? '';
    expect(frame).toMatch(/Events 1–1[0-9] of 30/);
    // The oldest: the line of this terminal's connection, before the entries the daemon sent with it.
    expect(frame).toContain('› 08:00:00 connected to the daemon (pid 1)');
    expect(frame.split('\n').length).toBeLessThan(24);
    state = press(state, 'j');
    state = press(state, '', { downArrow: true });
    state = press(state, '', { pageDown: true });
    expect(state.eventsSelected).toBe(10);
    state = press(state, 'G');
    expect(state.eventsSelected).toBeNull();
  });

  it('stays below 24 rows at 80×24 with a notice in the footer too (a reconnect says itself there)', async () => {
    const state = { ...open(), notice: 'reconnected: the daemon restarted (pid 2, was 1)' };
    const { lastFrame } = screen(state);
    await tick();
    const rows = (lastFrame() ?? '').split('\n');
    // Every row but the terminal's last, the notice's row given by the list: the frame keeps its height.
    expect(rows.length).toBe(23);
    expect(rows.at(-2)).toBe('reconnected: the daemon restarted (pid 2, was 1)');
    expect(rows.filter((row) => row.startsWith('│ ') && /\d\d:\d\d:\d\d/.test(row))).toHaveLength(13);
    const without = screen(open());
    await tick();
    expect((without.lastFrame() ?? '').split('\n')).toHaveLength(23);
  });

  it('shows the selected entry in full below the list at 80 columns, every row within the width', async () => {
    let state = open();
    for (let i = 0; i < 24; i++) state = press(state, 'k');
    expect(state.eventsSelected).toBe(5);
    const { lastFrame } = screen(state);
    await tick();
    const frame = withoutColours(lastFrame() ?? '');
    const rows = frame.split('\n');
    expect(rows.length).toBeLessThan(24);
    expect(Math.max(...rows.map((r) => r.length))).toBeLessThanOrEqual(80);
    // Cut in the list, whole below it.
    expect(frame.replace(/[│\s]+/g, ' ')).toContain('marked bad by staging#12 at 03:40 — END');
  });

  it('keeps the selection on its entry when the oldest drops off, and follows the newest at the end', () => {
    let state = open();
    state = press(state, 'g');
    state = press(state, 'j');
    const more = (s: TuiState, n: number) => reduce(s, { type: 'daemon.delta', delta: { type: 'activity.added', entry: entry(n) } });
    state = more(state, 30);
    expect(state.eventsSelected).toBe(1);
    state = more(state, 31);
    expect(state.daemon?.activity[state.eventsSelected!]?.at).toBe(entry(2).at);
    state = press(state, 'G');
    state = more(state, 32);
    expect(state.eventsSelected).toBeNull();
  });

  it('has its keys in the one key table: the footer and the ? help show them, the view underneath gets none', async () => {
    const state = open();
    expect(bindingsFor(state).map((b) => b.label)).toEqual(expect.arrayContaining(['j/k', 'PgUp/PgDn', 'g/Home', 'G/End', 'Esc']));
    // j moved the dashboard's hidden selection before.
    expect(resolveKey(state, 'j', key())?.binding.command).toEqual({ kind: 'dispatch', action: { type: 'events.move', by: 1 } });
    const footer = render(<Footer state={state} columns={120} />);
    await tick();
    expect(footer.lastFrame()).toContain('j/k scroll');
    expect(footer.lastFrame()).toContain('G/End newest');
    // ? over the events shows their keys, and gives the events back (? or Esc).
    const helped = press(state, '?');
    expect(helped).toMatchObject({ helpOpen: true, eventsOpen: true });
    const help = render(<HelpOverlay state={helped} rows={40} columns={120} />);
    await tick();
    expect(help.lastFrame()).toContain('Keys (events)');
    expect(help.lastFrame()).toContain('PgUp/PgDn');
    expect(press(helped, '', { escape: true })).toMatchObject({ helpOpen: false, eventsOpen: true });
    expect(press(helped, '?')).toMatchObject({ helpOpen: false, eventsOpen: true });
    // Esc and e still close it.
    expect(press(state, '', { escape: true }).eventsOpen).toBe(false);
    expect(press(state, 'e').eventsOpen).toBe(false);
  });
});
