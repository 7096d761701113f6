import type { TuiAction } from '../state/tui-state.js';

/** What becomes an event log entry: it carries the time it arrived (the reducer reads no clock). */
const LOGGED: ReadonlySet<TuiAction['type']> = new Set(['notice', 'daemon.delta', 'connection.connected', 'daemon.stopping']);

/** The time a notice, a delta, a (re)connect or a stop arrived, for the event log entry it may become. */
export const stamped = (action: TuiAction): TuiAction => (LOGGED.has(action.type) && !('at' in action && action.at) ? ({ ...action, at: new Date().toISOString() } as TuiAction) : action);
