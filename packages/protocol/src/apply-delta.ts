import type { Delta } from './daemon-message.js';
import type { DaemonState } from './state.js';
import { ACTIVITY_KEPT } from './presence.js';

/** How many warnings the shared state keeps (the daemon's log has them all). */
export const WARNINGS_KEPT = 20;

/** How many runs the shared state keeps (older ones are a `runs.list` away). */
export const RECENT_RUNS = 50;

/** Applies one delta to a client's copy of the state; the daemon applies the same change to its own. */
export function applyDelta(state: DaemonState, delta: Delta): DaemonState {
  switch (delta.type) {
    case 'config.changed':
      return { ...state, config: delta.config, environments: delta.environments };
    case 'clients.changed':
      return { ...state, clients: delta.clients, attached: delta.attached };
    case 'warning.added':
      // The newest WARNINGS_KEPT: a daemon on a full disk for hours must not grow every client's state.
      return { ...state, warnings: [...state.warnings, delta.message].slice(-WARNINGS_KEPT) };
    case 'backups.changed':
      return { ...state, backups: delta.backups };
    case 'activity.added':
      return { ...state, activity: [...state.activity, delta.entry].slice(-ACTIVITY_KEPT) };
    case 'environment.updated':
      return { ...state, environments: state.environments.map((env) => (env.name === delta.environment.name ? delta.environment : env)) };
    case 'run.updated': {
      const others = state.runs.filter((run) => run.id !== delta.run.id);
      // Newest first, by number; the snapshot keeps the most recent RECENT_RUNS.
      const runs = [delta.run, ...others].sort((a, b) => b.number - a.number).slice(0, RECENT_RUNS);
      return { ...state, runs };
    }
  }
}
