import { readFileSync, readlinkSync } from 'node:fs';
import { userName } from '../user-name.js';
import { OPEN, UnixWebSocket } from './unix-websocket.js';
import type * as CodecModule from './daemon-codec.js';
import { AXUM_VERSION, PROTOCOL_VERSION, ownFileProblem, ownSocketProblem, type DaemonMessage, type DaemonState, type ParamsOf, type RequestMethod, type ResultOf } from '@axum/protocol';

type Codec = typeof CodecModule;
let codec: Codec | null = null;
let codecLoading: Promise<Codec> | null = null;
/** The decoder (zod and the schemas), loaded on first use: see daemon-codec.ts. */
function loadCodec(): Promise<Codec> {
  return (codecLoading ??= import('./daemon-codec.js').then((loaded) => (codec = loaded)));
}

/** Why a connection attempt failed, for the caller to word and map to an exit code. */
export class ConnectionError extends Error {
  constructor(
    message: string,
    readonly reason: 'unreachable' | 'unauthorized' | 'protocol-mismatch' | 'timeout' | 'closed',
  ) {
    super(message);
  }
}

/** The daemon answered a request with a result that does not match the method's result schema. */
export class MalformedResultError extends Error {}

/** An attached client: the state as of the last message, requests, and a stream of messages. */
export interface DaemonConnection {
  readonly clientId: string;
  /** The state after the snapshot and every delta received since. */
  readonly welcomeState: DaemonState;
  /** Calls a method; resolves with its result once it passed the method's result schema. */
  request: RequestFn;
  /** Every message after the snapshot; returns how to stop listening. */
  onMessage(listener: (message: DaemonMessage) => void): () => void;
  /** Called once when the connection ends, whoever ended it. */
  onClose(listener: (reason: string) => void): () => void;
  close(): void;
}

/**
 * A daemon that stops answering (SIGSTOP, a frozen machine) keeps its socket open: without a
 * heartbeat a request in flight would wait out its whole timeout (an hour for a rollback), and a
 * follower would wait forever. No pong for this long fails every pending request (exit 3) and
 * closes the connection (the TUI then shows its data as stale and reconnects).
 */
export const STALL_MS = 15_000;
const PING_EVERY_MS = 2_000;

/** The terminal this client runs on (`pts/3`), for the others' presence line; none off a TTY. */
function terminalOf(): { terminal?: string } {
  if (!process.stdin.isTTY) return {};
  try {
    const device = readlinkSync('/proc/self/fd/0');
    return device.startsWith('/dev/') ? { terminal: device.slice('/dev/'.length) } : {};
  } catch {
    return {};
  }
}

/** Calls a method of the daemon; resolves with its result once it passed the method's result schema. */
export type RequestFn = <M extends RequestMethod>(method: M, params?: ParamsOf<M>, timeoutMs?: number) => Promise<ResultOf<M>>;

/**
 * Requests sent with the hello, before the snapshot is read: called once, when the socket opens.
 * The daemon handles a connection's frames in order (the snapshot is sent while it handles the
 * hello), so they are answered after the snapshot, on the state the snapshot shows or later.
 */
export type EarlyRequests = (request: RequestFn) => void;

/** Where a daemon listens: always the per-user runtime folder's paths (`runtimePathsFor`), never a path read from the repository. */
export interface DaemonEndpoint {
  socket: string;
  tokenFile: string;
}

/**
 * Opens the daemon's socket with its token, says hello, and resolves once the snapshot arrived.
 * The token is read only from a file we own and sent only to a socket we own (lstat, no symlinks):
 * a socket another user made could be a listener that collects tokens.
 */
export function connectToDaemon(info: DaemonEndpoint, clientName: string, timeoutMs = 5000, early?: EarlyRequests): Promise<DaemonConnection> {
  const problem = ownSocketProblem(info.socket) ?? ownFileProblem(info.tokenFile);
  if (problem !== null) return Promise.reject(new ConnectionError(`cannot reach the daemon: ${problem}`, 'unreachable'));
  let token: string;
  try {
    token = readFileSync(info.tokenFile, 'utf8').trim();
  } catch (err) {
    return Promise.reject(new ConnectionError(`cannot read the daemon's token file ${info.tokenFile}: ${(err as Error).message}`, 'unreachable'));
  }
  return new Promise((resolve, reject) => {
    const ws = new UnixWebSocket(info.socket, { Authorization: `Bearer ${token}` });
    const messageListeners = new Set<(message: DaemonMessage) => void>();
    // Messages that arrive after the snapshot but before anyone listens (a React effect runs a
    // frame later) are kept, not lost: a delta missed here would never be sent again.
    let backlog: DaemonMessage[] | null = [];
    const closeListeners = new Set<(reason: string) => void>();
    const pending = new Map<string, { settle: (result: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
    let nextId = 1;
    let clientId = '';
    let settled = false;
    const fail = (error: ConnectionError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(error);
    };
    const timer = setTimeout(() => fail(new ConnectionError(`the daemon did not answer within ${timeoutMs} ms`, 'timeout')), timeoutMs);

    ws.on('unexpectedResponse', (status) => {
      fail(new ConnectionError(`the daemon refused the connection (HTTP ${status})`, status === 401 ? 'unauthorized' : 'unreachable'));
    });
    ws.on('error', (err) => fail(new ConnectionError(`cannot reach the daemon at ${info.socket}: ${err.message}`, 'unreachable')));
    ws.on('open', () => {
      ws.send(JSON.stringify({ type: 'hello', protocolVersion: PROTOCOL_VERSION, client: { name: clientName, version: AXUM_VERSION, pid: process.pid, user: userName(), ...terminalOf() } }));
      early?.(request);
      // Only now: compiling the decoder overlaps the daemon's answer instead of delaying the hello.
      loadCodec().catch((err: Error) => fail(new ConnectionError(`cannot load the protocol's decoder: ${err.message}`, 'unreachable')));
    });
    // The daemon's ws answers pings by itself, even mid-operation: silence means it is not running.
    let lastPong = Date.now();
    ws.on('pong', () => (lastPong = Date.now()));
    let stalled = false;
    const heartbeat = setInterval(() => {
      if (ws.readyState !== OPEN) return;
      if (Date.now() - lastPong > STALL_MS) {
        stalled = true;
        for (const entry of pending.values()) {
          clearTimeout(entry.timer);
          entry.reject(new ConnectionError(`the daemon stopped answering (no reply for ${STALL_MS / 1000} s): what was asked may or may not have happened; \`axum status\` and \`axum history ENV\` say what did`, 'timeout'));
        }
        pending.clear();
        ws.terminate();
        return;
      }
      ws.ping();
    }, PING_EVERY_MS);
    heartbeat.unref();
    ws.on('close', (code, closeReason) => {
      clearInterval(heartbeat);
      const reason = stalled ? `the daemon stopped answering (no reply for ${STALL_MS / 1000} s)` : closeReason || `closed (${code})`;
      fail(new ConnectionError(`the daemon closed the connection: ${reason}`, 'closed'));
      for (const entry of pending.values()) {
        clearTimeout(entry.timer);
        entry.reject(new ConnectionError('the connection to the daemon closed', 'closed'));
      }
      pending.clear();
      for (const listener of closeListeners) listener(reason);
    });
    // Frames that arrive before the decoder is loaded wait for it, in order.
    const inbox: (string | null)[] = [];
    ws.on('message', (text) => {
      if (codec !== null && inbox.length === 0) return receive(codec, text);
      inbox.push(text);
      if (inbox.length === 1) void loadCodec().then((loaded) => {
        for (let next = inbox.shift(); next !== undefined; next = inbox.shift()) receive(loaded, next);
      }, () => undefined); // a failed load fails the connection (on 'open')
    });
    const receive = (decoder: Codec, text: string | null): void => {
      const decoded = decoder.decodeDaemonMessage(text);
      if (!decoded.ok) return; // a newer daemon's message we cannot read: ignore rather than crash
      const message = decoded.message;
      if ((message.type === 'result' || message.type === 'error') && message.id !== null) {
        const entry = pending.get(message.id);
        if (entry) {
          pending.delete(message.id);
          clearTimeout(entry.timer);
          if (message.type === 'result') entry.settle(message.result);
          else entry.reject(Object.assign(new Error(message.message), { code: message.code }));
          return;
        }
      }
      if (!settled) {
        if (message.type === 'welcome') clientId = message.clientId;
        else if (message.type === 'error' && message.code === 'protocol-mismatch') fail(new ConnectionError(message.message, 'protocol-mismatch'));
        else if (message.type === 'snapshot') {
          settled = true;
          clearTimeout(timer);
          resolve(connection(message.state));
        }
        return;
      }
      if (backlog) backlog.push(message);
      for (const listener of messageListeners) listener(message);
    };

    const request: RequestFn = (method, params, requestTimeoutMs = 10_000) => {
      const id = `r${nextId++}`;
      return new Promise((resolveRequest, rejectRequest) => {
        const requestTimer = setTimeout(() => {
          pending.delete(id);
          rejectRequest(new ConnectionError(`no answer to ${method} within ${requestTimeoutMs} ms`, 'timeout'));
        }, requestTimeoutMs);
        // Checked here, once, so views and commands get the typed result and never a wrong shape.
        const settle = (result: unknown) => {
          const decoded = (codec as Codec).decodeResult(method, result);
          if (decoded.ok) resolveRequest(decoded.result);
          else rejectRequest(new MalformedResultError(decoded.message));
        };
        pending.set(id, { settle, reject: rejectRequest, timer: requestTimer });
        ws.send(JSON.stringify({ type: 'request', id, method, params: params ?? {} }));
      });
    };

    const connection = (welcomeState: DaemonState): DaemonConnection => ({
      clientId,
      welcomeState,
      request,
      onMessage(listener) {
        messageListeners.add(listener);
        const missed = backlog ?? [];
        backlog = null;
        for (const message of missed) listener(message);
        return () => messageListeners.delete(listener);
      },
      onClose(listener) {
        closeListeners.add(listener);
        return () => closeListeners.delete(listener);
      },
      close() {
        ws.close(1000, 'bye');
      },
    });
  });
}
