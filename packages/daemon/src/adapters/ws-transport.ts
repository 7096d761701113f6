import { timingSafeEqual } from 'node:crypto';
import { chmodSync, unlinkSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES } from '@axum/protocol';
import { STREAM_PAUSE_BYTES } from '../engine/log-follower.js';
import { holdPending } from './pending-requests.js';
import type { ClientConnection, ConnectionHandlers, Logger } from '../engine/ports.js';

/** A client whose unsent output exceeds this is dropped: a slow client must not grow daemon memory. */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;
/**
 * A client with more than STALL_BYTES unsent that takes none of it for STALL_MS is dropped (close
 * 1008): its log streams are paused at that point, so it would otherwise hold that memory until the
 * heartbeat notices it (15–30 s). "Takes" is counted per frame handed to the kernel, so a client
 * reading even slowly (one 64 KiB log chunk in 5 s) is kept; reconnecting resumes its logs from
 * their offsets.
 */
export const STALL_BYTES = STREAM_PAUSE_BYTES;
export const STALL_MS = 5_000;
const STALL_CHECK_MS = 1_000;
/** A dropped client gets a close frame, behind what it has not read; then its socket is destroyed. */
const DROP_GRACE_MS = 2_000;
/** WebSocket close code for a client dropped for not reading (policy violation). */
export const CLOSE_NOT_READING = 1008;
/** Beyond this many open connections, new upgrades get 503. */
export const MAX_CONNECTIONS = 128;
/**
 * Sockets that have not finished their HTTP request (no token shown yet): at most this many, each for
 * at most UPGRADE_TIMEOUT_MS (then 408). One more closes one of them (a trickler first), not the newcomer: any
 * local user can open sockets to `--listen` and trickle headers, and a cap that refused new sockets
 * (or counted them against MAX_CONNECTIONS) would let them lock the token holders out, while a real
 * client sends its whole request at once, so it is never the one that has sent part of one.
 * Without a cap, idle connections pile up until the daemon runs out of file descriptors.
 */
export const MAX_PENDING_UPGRADES = 32;
const UPGRADE_TIMEOUT_MS = 4_000;
const HEARTBEAT_MS = 15_000;

export interface TransportOptions {
  socketPath: string;
  /** TCP listener on loopback, only with `--listen`. */
  tcp: { host: string; port: number } | null;
  token: string;
  logger: Logger;
  attach: (connection: ClientConnection) => ConnectionHandlers;
}

export interface Transport {
  /** `host:port` actually bound (port 0 resolved), or null. */
  tcpAddress: string | null;
  /** Closes every connection and listener and removes the socket file. */
  close(): Promise<void>;
}

type Rejection = { status: number; reason: string };

/**
 * WebSocket over a Unix socket (always) and loopback TCP (opt-in). Every request is authenticated
 * in `upgrade`, before a WebSocket exists: browsers (any `Origin`) and foreign `Host`s get 403 on TCP
 * (cross-site WebSocket hijacking, as in the webpack-dev-server and Vite CVEs), a bad token 401.
 */
export async function startWsTransport(options: TransportOptions): Promise<Transport> {
  const { logger } = options;
  const expected = Buffer.from(`Bearer ${options.token}`);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });
  let nextId = 1;
  const alive = new WeakMap<WebSocket, boolean>();
  /** Per client: when a frame last reached the kernel, and since when its unsent bytes are over STALL_BYTES. */
  const flow = new WeakMap<WebSocket, { id: string; takenAt: number; overSince: number | null }>();

  const authorize = (req: IncomingMessage, tcpPort: number | null): Rejection | null => {
    if (tcpPort !== null) {
      if (req.headers.origin !== undefined) return { status: 403, reason: 'forbidden' };
      const host = (req.headers.host ?? '').toLowerCase();
      const allowed = [`127.0.0.1:${tcpPort}`, `localhost:${tcpPort}`, `[::1]:${tcpPort}`];
      if (!allowed.includes(host)) return { status: 403, reason: 'forbidden' };
    }
    const given = Buffer.from(req.headers.authorization ?? '');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { status: 401, reason: 'missing or wrong token: send Authorization: Bearer <token from the token file>' };
    }
    return null;
  };

  const refusals = throttledLog(logger);

  const reject = (socket: Duplex, { status, reason }: Rejection): void => {
    const text = { 401: 'Unauthorized', 403: 'Forbidden', 426: 'Upgrade Required', 503: 'Service Unavailable' }[status] ?? 'Error';
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(reason) + 1}\r\n\r\n${reason}\n`);
    socket.destroy();
  };

  const onUpgrade = (tcpPort: number | null) => (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const rejection = authorize(req, tcpPort);
    if (rejection) {
      refusals.note(`refused upgrade (${rejection.status}) on ${tcpPort === null ? 'unix socket' : `tcp:${tcpPort}`}`);
      reject(socket, rejection);
      return;
    }
    if (wss.clients.size >= MAX_CONNECTIONS) {
      reject(socket, { status: 503, reason: `connection limit (${MAX_CONNECTIONS}) reached` });
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  };

  const onConnection = (ws: WebSocket): void => {
    const id = `c${nextId++}`;
    alive.set(ws, true);
    const progress = { id, takenAt: Date.now(), overSince: null as number | null };
    flow.set(ws, progress);
    const taken = (err?: Error) => {
      if (!err) progress.takenAt = Date.now();
    };
    const connection: ClientConnection = {
      id,
      send(frame) {
        if (ws.readyState !== ws.OPEN) return;
        if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
          logger.warn(`client ${id} dropped: ${ws.bufferedAmount} bytes unsent (too slow)`);
          ws.terminate();
          return;
        }
        // A text frame also when given bytes (an encoded log chunk shared by its followers).
        ws.send(frame, { binary: false }, taken);
      },
      bufferedAmount: () => ws.bufferedAmount,
      close(code, reason) {
        ws.close(code, reason);
      },
    };
    const handlers = options.attach(connection);
    ws.on('pong', () => alive.set(ws, true));
    ws.on('message', (data, isBinary) => handlers.onFrame(isBinary ? data : data.toString()));
    // ws closes the connection itself on protocol violations (1002), bad UTF-8 (1007), oversize (1009).
    ws.on('error', (err) => logger.warn(`client ${id}: ${err.message}`));
    ws.on('close', () => handlers.onClose());
  };

  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const stallCheck = setInterval(() => {
    const now = Date.now();
    for (const ws of wss.clients) {
      const progress = flow.get(ws);
      if (!progress || ws.readyState !== ws.OPEN) continue;
      const unsent = ws.bufferedAmount;
      if (unsent <= STALL_BYTES) {
        progress.overSince = null;
        continue;
      }
      progress.overSince ??= now;
      const stuckFor = now - Math.max(progress.overSince, progress.takenAt);
      if (stuckFor < STALL_MS) continue;
      const seconds = Math.round(stuckFor / 1000);
      logger.warn(`client ${progress.id} dropped: ${unsent} bytes unsent, none taken for ${seconds} s (not reading)`);
      ws.close(CLOSE_NOT_READING, `not reading: ${unsent} bytes unsent for ${seconds} s`);
      setTimeout(() => ws.terminate(), DROP_GRACE_MS).unref();
    }
  }, STALL_CHECK_MS);
  stallCheck.unref();

  const makeServer = (tcpPort: () => number | null): Server => {
    const server = createServer({ headersTimeout: UPGRADE_TIMEOUT_MS, requestTimeout: UPGRADE_TIMEOUT_MS, connectionsCheckingInterval: 1_000 }, (req, res) => {
      const rejection = authorize(req, tcpPort()) ?? { status: 426, reason: 'this is the Axum daemon: connect with a WebSocket client (the axum command)' };
      res.writeHead(rejection.status, { 'Content-Type': 'text/plain', Connection: 'close' });
      res.end(`${rejection.reason}\n`);
    });
    server.on('upgrade', (req, socket, head) => onUpgrade(tcpPort())(req, socket, head));
    server.on('clientError', (_err, socket) => socket.destroy());
    holdPending(server, MAX_PENDING_UPGRADES, tcpPort);
    return server;
  };

  const unixServer = makeServer(() => null);
  // The socket is created with mode 0600 (umask), then chmod'ed again in case the umask was ignored.
  const previousUmask = process.umask(0o177);
  try {
    await listen(unixServer, () => unixServer.listen(options.socketPath));
  } finally {
    process.umask(previousUmask);
  }
  chmodSync(options.socketPath, 0o600);

  let tcpServer: Server | null = null;
  let tcpAddress: string | null = null;
  if (options.tcp) {
    let boundPort = options.tcp.port;
    tcpServer = makeServer(() => boundPort);
    const server = tcpServer;
    await listen(server, () => server.listen(options.tcp!.port, options.tcp!.host));
    const address = server.address();
    if (address && typeof address === 'object') boundPort = address.port;
    tcpAddress = `${options.tcp.host.includes(':') ? `[${options.tcp.host}]` : options.tcp.host}:${boundPort}`;
  }

  return {
    tcpAddress,
    async close() {
      clearInterval(heartbeat);
      clearInterval(stallCheck);
      for (const ws of wss.clients) ws.close(1001, 'daemon stopping');
      await new Promise((resolve) => setTimeout(resolve, 50));
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      await Promise.all([closeServer(unixServer), tcpServer ? closeServer(tcpServer) : Promise.resolve()]);
      try {
        unlinkSync(options.socketPath);
      } catch {
        // already gone
      }
    },
  };
}

function listen(server: Server, start: () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.once('listening', () => {
      server.off('error', reject);
      resolve();
    });
    start();
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * Refused upgrades are logged one by one up to a budget (200, refilled at 2 per second), then
 * counted and summed up at most every 10 s: a page hammering `--listen` must not fill the disk
 * with `daemon.log` (unthrottled, ~430 MB an hour).
 */
function throttledLog(logger: TransportOptions['logger'], capacity = 200, perSecond = 2, summaryEveryMs = 10_000) {
  let budget = capacity;
  let refilledAt = Date.now();
  let suppressed = 0;
  let summaryAt = 0;
  return {
    note(line: string): void {
      const now = Date.now();
      budget = Math.min(capacity, budget + ((now - refilledAt) / 1000) * perSecond);
      refilledAt = now;
      if (budget >= 1) {
        budget -= 1;
        logger.warn(line);
        return;
      }
      suppressed += 1;
      if (now - summaryAt < summaryEveryMs) return;
      logger.warn(`refused ${suppressed} more upgrade(s) since the last summary (too many to log one by one)`);
      suppressed = 0;
      summaryAt = now;
    },
  };
}
