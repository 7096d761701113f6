import type { TuiAction } from '../state/tui-state.js';

/** The time a notice or a delta arrived, for the event log entry it may become (the reducer reads no clock). */
export const stamped = (action: TuiAction): TuiAction => ((action.type === 'notice' || action.type === 'daemon.delta') && !action.at ? { ...action, at: new Date().toISOString() } : action);
