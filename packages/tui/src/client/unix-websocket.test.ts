import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { UnixWebSocket } from './unix-websocket.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A `ws` server on a Unix socket (the daemon's library); `onClient` gets each connection. */
async function server(onClient: (ws: WebSocket) => void, token = 'secret'): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'axum-uws-'));
  const socket = join(dir, 's.sock');
  const http: Server = createServer();
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  http.on('upgrade', (req, sock, head) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      sock.end('HTTP/1.1 401 Unauthorized\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, sock, head, onClient);
  });
  await new Promise<void>((resolve) => http.listen(socket, resolve));
  cleanups.push(async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => http.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  });
  return socket;
}

/** Connects and collects every event until close. */
function collect(socket: string, token = 'secret', afterOpen?: (ws: UnixWebSocket) => void): Promise<{ events: string[]; messages: (string | null)[] }> {
  return new Promise((resolve) => {
    const events: string[] = [];
    const messages: (string | null)[] = [];
    const ws = new UnixWebSocket(socket, { Authorization: `Bearer ${token}` });
    ws.on('open', () => {
      events.push('open');
      afterOpen?.(ws);
    });
    ws.on('message', (text) => messages.push(text));
    ws.on('pong', () => events.push('pong'));
    ws.on('unexpectedResponse', (status) => events.push(`http ${status}`));
    ws.on('error', (err) => events.push(`error ${err.message}`));
    ws.on('close', (code, reason) => {
      events.push(`close ${code} ${reason}`);
      resolve({ events, messages });
    });
  });
}

describe('UnixWebSocket against the ws server', () => {
  it('takes a large message whole, a fragmented one joined, a binary one as null, then the close frame', async () => {
    const large = 'x'.repeat(3 * 1024 * 1024);
    const socket = await server((ws) => {
      ws.send(large);
      ws.send('frag-', { fin: false });
      ws.send('ment', { fin: true });
      ws.send(Buffer.from([1, 2, 3]), { binary: true });
      ws.close(1000, 'bye');
    });
    const { events, messages } = await collect(socket);
    expect(messages.map((m) => (m === null ? null : m.length > 100 ? m.length : m))).toEqual([large.length, 'frag-ment', null]);
    expect(events).toEqual(['open', 'close 1000 bye']);
  });

  it('sends text the server reads, is answered a ping, and closes with its own code (echoed)', async () => {
    const received: string[] = [];
    const socket = await server((ws) => ws.on('message', (data) => received.push(data.toString())));
    const { events } = await collect(socket, 'secret', (ws) => {
      ws.send('hello é'.repeat(20_000));
      ws.ping();
      setTimeout(() => ws.close(1000, 'done'), 100);
    });
    expect(received).toEqual(['hello é'.repeat(20_000)]);
    expect(events).toEqual(['open', 'pong', 'close 1000 done']); // ws echoes the close frame
  });

  it('reports a refused upgrade by its HTTP status, and a missing socket as an error, each then closed', async () => {
    const socket = await server(() => undefined);
    expect((await collect(socket, 'wrong')).events).toEqual(['http 401', 'close 1006 ']);
    const missing = await collect(join(tmpdir(), 'axum-no-such-socket', 's.sock'));
    expect(missing.events).toEqual([expect.stringMatching(/^error connect ENOENT/), 'close 1006 ']);
  });
});
