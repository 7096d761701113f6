import { applyDelta, type DaemonState, type Delta } from '@axum/protocol';

/** How the TUI's link to the daemon stands. */
export type ConnectionStatus =
  | { kind: 'connecting' }
  | { kind: 'connected'; clientId: string }
  | { kind: 'reconnecting'; attempt: number; reason: string; retryInMs: number }
  | { kind: 'failed'; reason: string };

/** Everything the TUI renders. Changed only by `reduce`. */
export interface TuiState {
  connection: ConnectionStatus;
  /** The daemon's state as of the last snapshot and deltas; null before the first snapshot. */
  daemon: DaemonState | null;
  helpOpen: boolean;
  /** Index of the highlighted environment. */
  selected: number;
  /** A short message shown in the footer until the next action. */
  notice: string | null;
}

/** Everything that can happen to the TUI's state. Dotted lowercase names, as in XState. */
export type TuiAction =
  | { type: 'connection.connected'; clientId: string; state: DaemonState }
  | { type: 'connection.lost'; attempt: number; reason: string; retryInMs: number }
  | { type: 'connection.failed'; reason: string }
  | { type: 'daemon.delta'; delta: Delta }
  | { type: 'daemon.stopping'; reason: string }
  | { type: 'help.toggle' }
  | { type: 'help.close' }
  | { type: 'selection.move'; by: number };

export const initialTuiState: TuiState = { connection: { kind: 'connecting' }, daemon: null, helpOpen: false, selected: 0, notice: null };

/** The TUI's one reducer: pure, so every transition is a unit test. */
export function reduce(state: TuiState, action: TuiAction): TuiState {
  switch (action.type) {
    case 'connection.connected':
      return { ...state, connection: { kind: 'connected', clientId: action.clientId }, daemon: action.state, notice: null };
    case 'connection.lost':
      return { ...state, connection: { kind: 'reconnecting', attempt: action.attempt, reason: action.reason, retryInMs: action.retryInMs } };
    case 'connection.failed':
      return { ...state, connection: { kind: 'failed', reason: action.reason } };
    case 'daemon.delta':
      return state.daemon ? { ...state, daemon: applyDelta(state.daemon, action.delta), selected: clampSelection(state.selected, action.delta, state) } : state;
    case 'daemon.stopping':
      return { ...state, notice: `daemon stopping: ${action.reason}` };
    case 'help.toggle':
      return { ...state, helpOpen: !state.helpOpen };
    case 'help.close':
      return { ...state, helpOpen: false };
    case 'selection.move': {
      const count = state.daemon?.environments.length ?? 0;
      if (count === 0) return state;
      return { ...state, selected: Math.min(count - 1, Math.max(0, state.selected + action.by)) };
    }
  }
}

function clampSelection(selected: number, delta: Delta, state: TuiState): number {
  if (delta.type !== 'config.changed') return selected;
  const count = delta.environments.length || state.daemon?.environments.length || 0;
  return Math.max(0, Math.min(selected, count - 1));
}

/** One word for the header. */
export function connectionLabel(connection: ConnectionStatus): string {
  switch (connection.kind) {
    case 'connecting':
      return 'connecting…';
    case 'connected':
      return 'connected';
    case 'reconnecting':
      return `disconnected — retrying in ${Math.ceil(connection.retryInMs / 1000)} s (attempt ${connection.attempt})`;
    case 'failed':
      return 'cannot connect';
  }
}
