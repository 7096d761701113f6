// The sockets of a listener that have not finished their HTTP request yet (no token shown), kept
// few so they cannot exhaust the daemon's file descriptors, and so that no one can fill their places
// and lock the user's own clients out (ws-transport.ts, MAX_PENDING_UPGRADES).
import type { Socket } from 'node:net';
import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { loopbackPeerUids } from './loopback-peer.js';

const READ_GAP_MS = 100;
const MAX_UNSORTED = 512;

/**
 * Holds at most `cap` sockets whose request is incomplete on `server`. One more closes one of them,
 * not the newcomer: a socket that sent part of a request is trickling it (a whole one is parsed as
 * it arrives, and a real client sends it at once), so the oldest such goes first; with none, the
 * oldest silent one. On TCP (`tcpPort` gives the bound port), a connection another user's process
 * made is closed before it takes a place: it could not hold the token anyway.
 */
export function holdPending(server: Server, cap: number, tcpPort: () => number | null): void {
  const pending = new Set<Socket>();
  const me = process.getuid?.();
  let arrived: Socket[] = [];
  /** Sockets whose request was complete before their turn came to be admitted: never pending. */
  const finished = new WeakSet<Duplex>();

  const admit = (socket: Socket): void => {
    if (socket.destroyed || finished.has(socket)) return;
    pending.add(socket);
    socket.once('close', () => pending.delete(socket));
    if (pending.size <= cap) return;
    const evicted = [...pending].find((s) => s.bytesRead > 0) ?? pending.values().next().value!;
    pending.delete(evicted);
    evicted.destroy();
  };

  // The owners are read once for the sockets accepted meanwhile, at most once per READ_GAP_MS: a
  // read walks the kernel's whole table (10–30 ms on a busy host), and a storm of connections must
  // cost a bounded share of the daemon's time, not one read each.
  let lastRead = 0;
  let scheduled = false;
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    setTimeout(() => {
      scheduled = false;
      sortArrived();
      lastRead = Date.now();
    }, Math.max(0, lastRead + READ_GAP_MS - Date.now()));
  };
  const sortArrived = (): void => {
    const batch = arrived;
    arrived = [];
    const port = tcpPort();
    const owners = port === null || me === undefined ? new Map<number, number>() : loopbackPeerUids(port);
    for (const socket of batch) {
      const owner = socket.remotePort === undefined ? undefined : owners.get(socket.remotePort);
      if (owner !== undefined && owner !== me) socket.destroy();
      else admit(socket);
    }
  };

  server.on('connection', (socket: Socket) => {
    if (tcpPort() === null) {
      admit(socket);
      return;
    }
    // Beyond this many waiting for their owner's check the newcomer is closed: descriptors stay bounded.
    if (arrived.length >= MAX_UNSORTED) {
      socket.destroy();
      return;
    }
    arrived.push(socket);
    schedule();
  });
  const done = (socket: Duplex) => {
    finished.add(socket);
    pending.delete(socket as Socket);
  };
  server.on('upgrade', (_req, socket: Duplex) => done(socket));
  server.on('request', (req: { socket: Duplex }) => done(req.socket));
}
