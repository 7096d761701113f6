import type { TuiState } from '../state/tui-state.js';
import { footerRows } from './Footer.js';

/**
 * Rows a view may not use: the header's (3, a row of the link's state while it is down, the
 * config's errors), the footer's (3 with a notice, else 2), and the terminal's last row — a frame
 * as high as the terminal makes Ink clear the screen and redraw all of it on every frame (flicker).
 * Every other row is the view's: a view cut to fit fills the terminal to its last row but one, and
 * gives a row to a notice as it comes, so the frame keeps its height.
 */
export function chromeRows(state: TuiState): number {
  const config = state.daemon && !state.daemon.config.valid ? 1 + Math.min(3, state.daemon.config.errors.length) : 0;
  const link = state.connection.kind !== 'connected' && state.connection.kind !== 'connecting' ? 1 : 0;
  return 3 + link + config + footerRows(state) + 1;
}
