import type { DaemonMessage } from '@axum/protocol';
import type { TuiAction } from '../state/tui-state.js';
import { ConnectionError, connectToDaemon, type DaemonConnection } from './daemon-connection.js';
import { readDiscovery } from './daemon-launcher.js';

/** Backoff between reconnect attempts: 0.5 s doubling to 8 s. */
export function backoffMs(attempt: number): number {
  return Math.min(8000, 500 * 2 ** Math.max(0, attempt - 1));
}

/**
 * Keeps the TUI attached: turns daemon messages into reducer actions, and on a lost connection
 * retries with backoff (re-reading the discovery file, since a restarted daemon has a new token).
 * Returns how to stop.
 */
export function keepConnected(repoRoot: string, dispatch: (action: TuiAction) => void, first: DaemonConnection): () => void {
  let stopped = false;
  let current: DaemonConnection | null = null;
  let timer: NodeJS.Timeout | undefined;

  const adopt = (connection: DaemonConnection): void => {
    current = connection;
    dispatch({ type: 'connection.connected', clientId: connection.clientId, state: connection.welcomeState });
    connection.onMessage((message: DaemonMessage) => {
      if (message.type === 'config.changed' || message.type === 'clients.changed' || message.type === 'run.updated' || message.type === 'environment.updated') dispatch({ type: 'daemon.delta', delta: message });
      else if (message.type === 'daemon.stopping') dispatch({ type: 'daemon.stopping', reason: message.reason });
    });
    connection.onClose((reason) => {
      current = null;
      if (!stopped) retry(1, reason);
    });
  };

  const retry = (attempt: number, reason: string): void => {
    const wait = backoffMs(attempt);
    dispatch({ type: 'connection.lost', attempt, reason, retryInMs: wait });
    timer = setTimeout(() => {
      const info = readDiscovery(repoRoot);
      if (!info) {
        retry(attempt + 1, 'the daemon is not running (start it with `axum daemon start`)');
        return;
      }
      connectToDaemon(info, 'axum-tui').then(
        (connection) => (stopped ? connection.close() : adopt(connection)),
        (err: Error) => {
          if (err instanceof ConnectionError && err.reason === 'protocol-mismatch') dispatch({ type: 'connection.failed', reason: err.message });
          else retry(attempt + 1, err.message);
        },
      );
    }, wait);
  };

  adopt(first);
  return () => {
    stopped = true;
    clearTimeout(timer);
    current?.close();
  };
}
