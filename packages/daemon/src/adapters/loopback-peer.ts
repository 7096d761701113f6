// Who made a loopback TCP connection: Linux lists every TCP socket with its owner's uid in
// /proc/net/tcp (and tcp6). A connection to `--listen` is the client's socket whose local port is the
// connection's remote port and whose remote port is the listener's. Any local user can connect to a
// loopback port; only the user's own processes can hold the token, so another user's sockets are
// closed at once instead of taking a place among the connections still sending their request.
import { readFileSync } from 'node:fs';

const TABLES = ['/proc/net/tcp', '/proc/net/tcp6'];

/** The port of an `address:port` field of /proc/net/tcp (hex, the port big-endian). */
const portOf = (field: string): number => Number.parseInt(field.slice(field.lastIndexOf(':') + 1), 16);

/**
 * The uid owning the client side of each connection to `listenPort`, by the client's port; empty
 * where the tables cannot be read (not Linux): then nothing is closed for its owner.
 */
export function loopbackPeerUids(listenPort: number): Map<number, number> {
  const owners = new Map<number, number>();
  for (const table of TABLES) {
    let text: string;
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 8 || portOf(fields[2]!) !== listenPort) continue;
      owners.set(portOf(fields[1]!), Number(fields[7]));
    }
  }
  return owners;
}
