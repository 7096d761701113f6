import type { Delta } from './daemon-message.js';
import type { DaemonState } from './state.js';

/** Applies one delta to a client's copy of the state; the daemon applies the same change to its own. */
export function applyDelta(state: DaemonState, delta: Delta): DaemonState {
  switch (delta.type) {
    case 'config.changed':
      return { ...state, config: delta.config, environments: delta.environments };
    case 'clients.changed':
      return { ...state, clients: delta.clients };
  }
}
