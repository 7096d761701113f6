import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { bindingsFor } from '../keymap.js';
import { initialTuiState, type TuiState } from '../state/tui-state.js';
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
});
