import { existsSync } from 'node:fs';
import { isDelta, type DaemonMessage, type LogChunk, type ParamsOf, type RequestMethod, type ResultOf } from '@axum/protocol';
import type { TuiAction } from '../state/tui-state.js';
import { ConnectionError, connectToDaemon, type DaemonConnection } from './daemon-connection.js';
import { daemonEndpoint } from './daemon-launcher.js';
import { terminalStrings, terminalText } from '../terminal-text.js';

/** Backoff between reconnect attempts to a socket that exists but does not answer: 0.25 s doubling to 2 s. */
export function backoffMs(attempt: number): number {
  return Math.min(2000, 250 * 2 ** Math.max(0, attempt - 1));
}

/**
 * While the socket file is missing (the daemon restarting), checking for it is one stat: poll it
 * often, so the TUI is back within a fraction of a second of the daemon listening.
 */
const SOCKET_POLL_MS = 200;

/** The TUI's side of the daemon: requests on whatever connection is current, and log chunks. */
export interface DaemonLink {
  request<M extends RequestMethod>(method: M, params: ParamsOf<M>, timeoutMs?: number): Promise<ResultOf<M>>;
  /** Every `log.chunk`; returns how to stop listening. */
  onLogChunk(listener: (chunk: LogChunk) => void): () => void;
  /** Called after each (re)connect, so streams can resume from their offsets. */
  onReconnect(listener: () => void): () => void;
  stop(): void;
}

/**
 * Keeps the TUI attached: turns daemon messages into reducer actions, and on a lost connection
 * retries with backoff (re-reading the token, since a restarted daemon has a new one).
 * Everything the views render arrives here, so every string of it (subjects, messages, incidents,
 * names, errors) is cleaned of terminal control sequences here, once (ARCHITECTURE.md, "Trust
 * boundaries"); log chunks keep their bytes (offsets count them) and are cleaned line by line when
 * drawn (log-layout.ts).
 */
export function keepConnected(repoRoot: string, dispatch: (action: TuiAction) => void, first: DaemonConnection): DaemonLink {
  let stopped = false;
  let current: DaemonConnection | null = null;
  let timer: NodeJS.Timeout | undefined;
  const logListeners = new Set<(chunk: LogChunk) => void>();
  const reconnectListeners = new Set<() => void>();

  const adopt = (connection: DaemonConnection, again: boolean): void => {
    current = connection;
    dispatch({ type: 'connection.connected', clientId: connection.clientId, state: terminalStrings(connection.welcomeState) });
    connection.onMessage((message: DaemonMessage) => {
      if (isDelta(message)) {
        dispatch({ type: 'daemon.delta', delta: terminalStrings(message) });
        return;
      }
      switch (message.type) {
        case 'daemon.stopping':
          dispatch({ type: 'daemon.stopping', reason: terminalText(message.reason) });
          break;
        case 'log.chunk':
          for (const listener of logListeners) listener(message);
          break;
        default:
          break;
      }
    });
    connection.onClose((reason) => {
      current = null;
      if (!stopped) retry(1, reason);
    });
    if (again) for (const listener of reconnectListeners) listener();
  };

  const retry = (attempt: number, reason: string, wait = backoffMs(attempt)): void => {
    dispatch({ type: 'connection.lost', attempt, reason: terminalText(reason), retryInMs: wait, at: new Date().toISOString() });
    timer = setTimeout(() => {
      let endpoint: ReturnType<typeof daemonEndpoint>;
      try {
        endpoint = daemonEndpoint(repoRoot);
      } catch (err) {
        dispatch({ type: 'connection.failed', reason: terminalText((err as Error).message) });
        return;
      }
      if (!existsSync(endpoint.socket)) {
        retry(attempt + 1, 'the daemon is not running (start it with `axum daemon start`)', SOCKET_POLL_MS);
        return;
      }
      connectToDaemon(endpoint, 'axum-tui').then(
        (connection) => (stopped ? connection.close() : adopt(connection, true)),
        (err: Error) => {
          if (err instanceof ConnectionError && err.reason === 'protocol-mismatch') dispatch({ type: 'connection.failed', reason: terminalText(err.message) });
          else retry(attempt + 1, err.message);
        },
      );
    }, wait);
  };

  adopt(first, false);
  return {
    request(method, params, timeoutMs) {
      if (!current) return Promise.reject(new Error('not connected to the daemon'));
      // A log read keeps its bytes, as a followed chunk does (offsets count them): the log pane cleans each line as it draws it.
      const clean = (result: ResultOf<typeof method>) => (method === 'logs.read' ? { ...terminalStrings(result), data: (result as LogChunk).data } : terminalStrings(result));
      return current.request(method, params, timeoutMs).then(clean, (err: unknown) => {
        // A refusal's message is shown as a notice: it quotes names and subjects too.
        if (err instanceof Error) err.message = terminalText(err.message);
        throw err;
      });
    },
    onLogChunk(listener) {
      logListeners.add(listener);
      return () => logListeners.delete(listener);
    },
    onReconnect(listener) {
      reconnectListeners.add(listener);
      return () => reconnectListeners.delete(listener);
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
      current?.close();
    },
  };
}
