import { chownSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { PROTOCOL_VERSION, type DaemonInfo, type DaemonState } from '@axum/protocol';
import { MalformedResultError, connectToDaemon } from './daemon-connection.js';

const run = {
  id: 'run-1',
  number: 1,
  status: 'succeeded',
  commit: '9fceb02d0ae598e95dc970b74767f19372d61af8',
  branch: 'main',
  env: null,
  trigger: 'manual',
  createdAt: '2026-11-29T10:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  steps: [],
  subject: 'first',
  releaseId: null,
  reused: false,
  message: null,
  warnings: [],
  deploy: null,
};

/**
 * A stand-in daemon on a real socket in this process: it completes the handshake and answers each
 * method from `answers` (a result value, sent as is, whatever its shape; null when none).
 */
async function fakeDaemon(answers: Record<string, unknown>): Promise<{ info: DaemonInfo; connections: () => number; received: string[]; stop: () => Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'axum-conn-'));
  const socket = join(dir, 'daemon.sock');
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, 'secret\n');
  const info: DaemonInfo = { pid: process.pid, version: '0.1.0', protocolVersion: PROTOCOL_VERSION, repo: dir, socket, tokenFile, listen: null, startedAt: '2026-11-29T10:00:00.000Z' };
  const state: DaemonState = { daemon: info, config: { file: 'axum.yml', valid: true, errors: [], loadedAt: null }, environments: [], runs: [], warnings: [], clients: 1, attached: [], activity: [], backups: [] };
  const server: Server = createServer();
  const wss = new WebSocketServer({ server });
  let connections = 0;
  const received: string[] = [];
  server.on('connection', () => connections++);
  wss.on('connection', (ws) => {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as { type: string; id?: string; method?: string };
      received.push(message.method ?? message.type);
      if (message.type === 'hello') {
        ws.send(JSON.stringify({ type: 'welcome', protocolVersion: PROTOCOL_VERSION, clientId: 'c1', daemon: info }));
        ws.send(JSON.stringify({ type: 'snapshot', state }));
      } else if (message.type === 'request') {
        ws.send(JSON.stringify({ type: 'result', id: message.id, result: answers[message.method ?? ''] ?? null }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    info,
    connections: () => connections,
    received,
    stop: async () => {
      for (const client of wss.clients) client.terminate();
      await new Promise((resolve) => wss.close(resolve));
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('connectToDaemon: request', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('resolves with the result once it matches the method schema', async () => {
    const daemon = await fakeDaemon({ 'runs.list': [run], ping: { pong: true } });
    stop = daemon.stop;
    const connection = await connectToDaemon(daemon.info, 'test');
    await expect(connection.request('runs.list', { limit: 5 })).resolves.toEqual([run]);
    await expect(connection.request('ping')).resolves.toEqual({ pong: true });
    connection.close();
  });

  it('rejects a malformed result with an error naming the method and the field, and keeps the connection usable', async () => {
    const daemon = await fakeDaemon({ 'run.get': { ...run, status: 'exploded' }, 'runs.list': [run, { id: 7 }], ping: { pong: true } });
    stop = daemon.stop;
    const connection = await connectToDaemon(daemon.info, 'test');
    const bad = connection.request('run.get', { runId: 'run-1' });
    await expect(bad).rejects.toBeInstanceOf(MalformedResultError);
    await expect(bad).rejects.toThrow(/^the daemon's answer to run\.get does not match its schema: result\.status: /);
    await expect(connection.request('runs.list', {})).rejects.toThrow(/answer to runs\.list does not match its schema: result\.1\.id: /);
    await expect(connection.request('ping')).resolves.toEqual({ pong: true });
    connection.close();
  });

  it('sends early requests right behind the hello, and settles them (schema-checked) after the snapshot', async () => {
    const daemon = await fakeDaemon({ 'runs.list': [run], ping: { pong: 'yes' } });
    stop = daemon.stop;
    let list: Promise<unknown> | undefined;
    let ping: Promise<unknown> | undefined;
    const connection = await connectToDaemon(daemon.info, 'test', 5000, (request) => {
      list = request('runs.list', { limit: 5 });
      ping = request('ping');
      ping.catch(() => undefined);
    });
    expect(connection.welcomeState.runs).toEqual([]);
    await expect(list).resolves.toEqual([run]);
    await expect(ping).rejects.toBeInstanceOf(MalformedResultError);
    expect(daemon.received).toEqual(['hello', 'runs.list', 'ping']);
    connection.close();
  });

  it('rejects a null result too (a daemon answering null is not a pong)', async () => {
    const daemon = await fakeDaemon({});
    stop = daemon.stop;
    const connection = await connectToDaemon(daemon.info, 'test');
    await expect(connection.request('ping')).rejects.toThrow(/answer to ping does not match its schema/);
    connection.close();
  });
});

describe('connectToDaemon: whom it trusts with the token', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('never reads a token file that is a symlink (a cloned repository could point it at any file of ours)', async () => {
    const daemon = await fakeDaemon({});
    stop = daemon.stop;
    const link = join(daemon.info.socket, '..', 'link');
    symlinkSync(daemon.info.tokenFile, link);
    await expect(connectToDaemon({ socket: daemon.info.socket, tokenFile: link }, 'test')).rejects.toThrow(`${link} is not a regular file; refusing to read it`);
    expect(daemon.connections()).toBe(0);
  });

  it.runIf(process.getuid?.() === 0)('never connects to a socket another user owns', async () => {
    const daemon = await fakeDaemon({});
    stop = daemon.stop;
    chownSync(daemon.info.socket, 65534, 65534);
    await expect(connectToDaemon(daemon.info, 'test')).rejects.toThrow(`socket ${daemon.info.socket} belongs to uid 65534, not to you (uid 0); refusing to send it the token`);
    expect(daemon.connections()).toBe(0);
  });
});
