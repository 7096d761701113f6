// Every delta's type, checked against the union: a new delta cannot be left out of a client's
// switch (the TUI once dropped `backups.changed`, so its header never saw a backup). A module of
// its own, with type imports only, so a client reads it without loading the schemas.
import type { DaemonMessage, Delta } from './daemon-message.js';

const DELTA_TYPES: Record<Delta['type'], true> = {
  'config.changed': true,
  'clients.changed': true,
  'activity.added': true,
  'warning.added': true,
  'backups.changed': true,
  'run.updated': true,
  'environment.updated': true,
};

/** Whether `message` changes the state (a client applies it with `applyDelta`). */
export function isDelta(message: DaemonMessage): message is Delta {
  return Object.hasOwn(DELTA_TYPES, message.type);
}
