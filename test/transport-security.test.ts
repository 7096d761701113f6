import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axum, cleanupRepo, makeRepo, openClient, rawSocket, readDaemonJson, token, upgradeStatus } from './support/axum.js';

/** Raw HTTP over the Unix socket, to see exactly what a non-WebSocket client gets. */
function rawHttp(socketPath: string, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    let out = '';
    socket.on('data', (d) => (out += d.toString()));
    socket.on('end', () => resolve(out));
    socket.on('close', () => resolve(out));
    socket.on('error', reject);
    socket.write(text);
  });
}

/** TCP ports the process listens on, read from /proc (its socket inodes in LISTEN state). */
function listeningTcpPorts(pid: number): number[] {
  const inodes = new Set(
    readdirSync(`/proc/${pid}/fd`)
      .map((fd) => {
        try {
          return /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`))?.[1];
        } catch {
          return undefined;
        }
      })
      .filter((x): x is string => x !== undefined),
  );
  const ports: number[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 10 || cols[3] !== '0A' || !inodes.has(cols[9] ?? '')) continue;
      ports.push(parseInt((cols[1] ?? '').split(':')[1] ?? '0', 16));
    }
  }
  return ports;
}

describe('the Unix socket transport', () => {
  let dir: string;
  beforeAll(async () => {
    dir = makeRepo();
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
  });
  afterAll(() => cleanupRepo(dir));

  it('answers 401 before the upgrade without a token or with a wrong one', async () => {
    const { socket } = readDaemonJson(dir);
    expect(await upgradeStatus(rawSocket(socket))).toBe(401);
    expect(await upgradeStatus(rawSocket(socket, { Authorization: 'Bearer wrong' }))).toBe(401);
    expect(await upgradeStatus(rawSocket(socket, { Authorization: token(dir) }))).toBe(401);
    expect(await upgradeStatus(rawSocket(socket, { Authorization: `Bearer ${token(dir)}x` }))).toBe(401);
    expect(await upgradeStatus(rawSocket(socket, { Authorization: `Bearer ${token(dir)}` }))).toBe(101);
  });

  it('answers a plain HTTP request with 401, or 426 with the token, and never the token itself', async () => {
    const { socket } = readDaemonJson(dir);
    const anonymous = await rawHttp(socket, 'GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(anonymous).toMatch(/^HTTP\/1\.1 401/);
    const authed = await rawHttp(socket, `GET / HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token(dir)}\r\nConnection: close\r\n\r\n`);
    expect(authed).toMatch(/^HTTP\/1\.1 426/);
    expect(anonymous + authed).not.toContain(token(dir));
    const garbage = await rawHttp(socket, '\x00\x01\x02 not http at all\r\n\r\n');
    expect(garbage).not.toContain(token(dir));
  });

  it('gives typed errors for malformed frames and keeps the connection open', async () => {
    const client = await openClient(dir, false);
    client.ws.send('{"type":');
    expect(await client.next((m) => m.type === 'error')).toMatchObject({ code: 'malformed-frame', id: null });
    client.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await client.next((m) => m.type === 'error')).toMatchObject({ code: 'malformed-frame' });
    client.ws.send(JSON.stringify({ type: 'request', id: 'r1', method: 'ping', params: {} }));
    expect(await client.next((m) => m.type === 'error')).toMatchObject({ code: 'handshake-required', id: 'r1' });
    client.ws.send(JSON.stringify({ type: 'hello', protocolVersion: 1, client: { name: 'e2e', version: '0' } }));
    expect(await client.next((m) => m.type === 'welcome')).toMatchObject({ protocolVersion: 1 });
    expect(await client.next((m) => m.type === 'snapshot')).toHaveProperty('state.environments');
    client.ws.send(JSON.stringify({ type: 'request', id: 'r2', method: 'nope', params: {} }));
    expect(await client.next((m) => m.type === 'error')).toMatchObject({ code: 'unknown-method', id: 'r2' });
    client.ws.send(JSON.stringify({ type: 'request', id: 'r3', method: 'ping', params: {} }));
    expect(await client.next((m) => m.type === 'result')).toEqual({ type: 'result', id: 'r3', result: { pong: true } });
    client.ws.close();
  });

  it('closes with 1009 a frame over the size limit, and keeps serving the others', async () => {
    const bystander = await openClient(dir);
    const offender = await openClient(dir);
    const closed = new Promise<number>((resolve) => offender.ws.on('close', (code) => resolve(code)));
    offender.ws.send('x'.repeat(2 * 1024 * 1024));
    expect(await closed).toBe(1009);
    bystander.ws.send(JSON.stringify({ type: 'request', id: 'after', method: 'ping', params: {} }));
    expect(await bystander.next((m) => m.type === 'result')).toMatchObject({ id: 'after' });
    bystander.ws.close();
  });

  it('refuses a protocol version it does not speak with a typed error', async () => {
    const client = await openClient(dir, false);
    const closed = new Promise<number>((resolve) => client.ws.on('close', (code) => resolve(code)));
    client.ws.send(JSON.stringify({ type: 'hello', protocolVersion: 999, client: { name: 'future', version: '9' } }));
    expect(await client.next((m) => m.type === 'error')).toMatchObject({ code: 'protocol-mismatch' });
    expect(await closed).toBe(4001);
  });

  it('tells every attached client when another attaches or leaves', async () => {
    const first = await openClient(dir);
    const second = await openClient(dir);
    expect(await first.next((m) => m.type === 'clients.changed' && m.clients === 2)).toBeTruthy();
    second.ws.close();
    expect(await first.next((m) => m.type === 'clients.changed' && m.clients === 1)).toBeTruthy();
    first.ws.close();
  });

  it('has no TCP listener without --listen', () => {
    expect(listeningTcpPorts(readDaemonJson(dir).pid)).toEqual([]);
  });
});

describe('the TCP transport (--listen)', () => {
  let dir: string;
  let port: number;
  beforeAll(async () => {
    dir = makeRepo();
    const start = await axum(['daemon', 'start', '--listen', '127.0.0.1:0', '--json', '--repo', dir]);
    expect(start.code, start.stderr).toBe(0);
    const listen = (JSON.parse(start.stdout) as { listen: string }).listen;
    port = Number(listen.split(':').pop());
  });
  afterAll(() => cleanupRepo(dir));

  const get = (headers: Record<string, string>): Promise<number> =>
    new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/', headers: { Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers } });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        resolve(res.statusCode ?? 0);
      });
      req.on('response', (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end();
    });

  it('listens on loopback only, on the port it reports', () => {
    expect(listeningTcpPorts(readDaemonJson(dir).pid)).toEqual([port]);
    expect(readDaemonJson(dir).listen).toBe(`127.0.0.1:${port}`);
  });

  it('accepts the token from an allowed Host', async () => {
    const auth = { Authorization: `Bearer ${token(dir)}` };
    expect(await get({ ...auth, Host: `127.0.0.1:${port}` })).toBe(101);
    expect(await get({ ...auth, Host: `localhost:${port}` })).toBe(101);
  });

  it('answers 403 to any Origin and to a foreign Host, even with the token', async () => {
    const auth = { Authorization: `Bearer ${token(dir)}` };
    for (const origin of ['null', 'http://evil.example', `http://127.0.0.1:${port}`, 'http://127.0.0.2:8080']) {
      expect(await get({ ...auth, Host: `127.0.0.1:${port}`, Origin: origin }), origin).toBe(403);
    }
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1:${port + 1}`, '127.0.0.1', `0.0.0.0:${port}`]) {
      expect(await get({ ...auth, Host: host }), host).toBe(403);
    }
  });

  it('answers 401 without the token', async () => {
    expect(await get({ Host: `127.0.0.1:${port}` })).toBe(401);
    expect(await get({ Host: `127.0.0.1:${port}`, Authorization: 'Bearer nope' })).toBe(401);
  });
});
