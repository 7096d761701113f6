// Issue #9, protocol fuzzing: hand-built and random WebSocket frames over the daemon's real Unix
// socket, 10,000 malformed messages from authenticated clients, the connection cap, a flooding client.
// Measured figures are logged as `FIGURE <name>: <value>` lines (RELIABILITY.md collects them).
// `pnpm test:long` (AXUM_TEST_LONG=1) runs bigger counts: 10,000 messages from one client, longer flood.
import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { MAX_FRAME_BYTES, decodeClientMessage, decodeDaemonMessage } from '@axum/protocol';
import { LONG_MODE, axum, cleanupRepo, isAlive, makeRepo, openClient, rawSocket, readDaemonJson, token, upgradeStatus, waitFor } from './support/axum.js';
import { OP, closeFrame, frame, lengthField as lengthFieldOf, percentile, rawConnect, rssBytes, text, type FrameSpec } from './support/raw-ws.js';

/** The daemon refuses upgrades beyond this many open WebSocket connections (ws-transport.ts, MAX_CONNECTIONS). */
const MAX_CONNECTIONS = 128;
/** Sockets still in their HTTP upgrade allowed beyond that (ws-transport.ts, MAX_PENDING_UPGRADES). */
const MAX_PENDING_UPGRADES = 32;
/** The per-connection rate limit (client-session.ts): 200 messages/s sustained, bursts of 400. */
const RATE_PER_SECOND = 200;
const BURST = 400;

const figure = (name: string, value: string | number) => console.log(`FIGURE ${name}: ${value}`);

type Client = Awaited<ReturnType<typeof openClient>>;

let dir: string;
let socketPath: string;
let bearer: string;
let pid: number;
/** Connected (hello done) for the whole file: every test checks it is still answered. */
let bystander: Client;
let pings = 0;

/** One ping from the bystander; resolves with its round-trip time in ms. */
async function bystanderPing(client: Client = bystander): Promise<number> {
  const id = `ping-${++pings}`;
  const started = performance.now();
  client.ws.send(JSON.stringify({ type: 'request', id, method: 'ping', params: {} }));
  const answer = await client.next((m) => m.id === id);
  expect(answer).toEqual({ type: 'result', id, result: { pong: true } });
  return performance.now() - started;
}

async function expectDaemonUnaffected(): Promise<void> {
  expect(isAlive(pid), 'daemon alive').toBe(true);
  await bystanderPing();
}

beforeAll(async () => {
  dir = makeRepo();
  const started = await axum(['daemon', 'start', '--repo', dir]);
  expect(started.code, started.stderr).toBe(0);
  ({ socket: socketPath, pid } = readDaemonJson(dir));
  bearer = token(dir);
  bystander = await openClient(dir);
});

afterAll(async () => {
  bystander?.ws.close();
  await cleanupRepo(dir);
});

// ---------------------------------------------------------------------------------------------

interface Case {
  name: string;
  bytes: Buffer[];
  /** The close code ws sends for this violation. */
  close: number;
}

const invalidUtf8 = {
  'a lone 0xFF': Buffer.from([0x7b, 0xff, 0x7d]),
  'an overlong NUL (C0 80)': Buffer.from([0xc0, 0x80]),
  'a UTF-16 surrogate encoded in UTF-8 (ED A0 80)': Buffer.from([0xed, 0xa0, 0x80]),
  'a truncated 3-byte sequence at the end': Buffer.from([0x22, 0xe2, 0x82]),
  'a code point above U+10FFFF (F4 90 80 80)': Buffer.from([0xf4, 0x90, 0x80, 0x80]),
  'a stray continuation byte': Buffer.from([0x41, 0x80, 0x41]),
};

const u16 = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(n, 0);
  return b;
};

const CASES: Case[] = [
  ...[3, 4, 5, 6, 7, 0xb, 0xc, 0xd, 0xe, 0xf].map((opcode) => ({ name: `reserved opcode 0x${opcode.toString(16)}`, bytes: [frame({ opcode, payload: '{}' })], close: 1002 })),
  ...[
    [0b100, 'RSV1 (no permessage-deflate was negotiated)'],
    [0b010, 'RSV2'],
    [0b001, 'RSV3'],
    [0b111, 'RSV1-3'],
  ].map(([rsv, name]) => ({ name: `${name as string} set on a text frame`, bytes: [text('{}', { rsv: rsv as number })], close: 1002 })),
  { name: 'RSV1 set on a ping', bytes: [frame({ opcode: OP.ping, rsv: 0b100 })], close: 1002 },
  { name: 'an unmasked text frame', bytes: [text('{"type":"hello"}', { masked: false })], close: 1002 },
  { name: 'an unmasked ping', bytes: [frame({ opcode: OP.ping, masked: false })], close: 1002 },
  { name: 'an unmasked close', bytes: [frame({ opcode: OP.close, masked: false, payload: u16(1000) })], close: 1002 },
  { name: 'a continuation frame with nothing to continue', bytes: [frame({ opcode: OP.continuation, payload: 'x' })], close: 1002 },
  { name: 'a new text frame inside a fragmented message', bytes: [text('{"a":', { fin: false }), text('1}')], close: 1002 },
  { name: 'a fragmented ping (FIN clear on a control frame)', bytes: [frame({ opcode: OP.ping, fin: false, payload: 'x' })], close: 1002 },
  { name: 'a fragmented close', bytes: [frame({ opcode: OP.close, fin: false, payload: u16(1000) })], close: 1002 },
  { name: 'a ping of 126 bytes (control frames carry at most 125)', bytes: [frame({ opcode: OP.ping, payload: Buffer.alloc(126) })], close: 1002 },
  { name: 'a ping whose 5 bytes are written in the 16-bit length form', bytes: [frame({ opcode: OP.ping, payload: 'hello', lengthForm: 16 })], close: 1002 },
  { name: 'a close frame of 1 byte', bytes: [frame({ opcode: OP.close, payload: Buffer.from([3]) })], close: 1002 },
  ...[0, 999, 1004, 1005, 1006, 1015, 2000, 2999, 5000, 65535].map((code) => ({ name: `a close frame with the invalid code ${code}`, bytes: [closeFrame(code)], close: 1002 })),
  { name: 'a close frame whose reason is invalid UTF-8', bytes: [closeFrame(1000, Buffer.from([0xff, 0xfe]))], close: 1007 },
  ...Object.entries(invalidUtf8).map(([name, bytes]) => ({ name: `a text frame with ${name}`, bytes: [text(bytes)], close: 1007 })),
  {
    name: 'invalid UTF-8 spread over two fragments',
    bytes: [text(Buffer.from([0x22, 0xe2]), { fin: false }), frame({ opcode: OP.continuation, payload: Buffer.from([0x28, 0xa1, 0x22]) })],
    close: 1007,
  },
  { name: 'a 64-bit length of 2^40 (no payload follows)', bytes: [text('', { claimedLength: 2n ** 40n })], close: 1009 },
  { name: 'a 64-bit length of 2^63 (over 2^53 - 1)', bytes: [text('', { claimedLength: 2n ** 63n })], close: 1009 },
  { name: 'a 64-bit length of 2^64 - 1', bytes: [text('', { claimedLength: 2n ** 64n - 1n })], close: 1009 },
  { name: 'a length one byte over the limit, claimed', bytes: [frame({ opcode: OP.binary, claimedLength: BigInt(MAX_FRAME_BYTES + 1) })], close: 1009 },
  { name: 'a text frame one byte over the limit, sent in full', bytes: [text('x'.repeat(MAX_FRAME_BYTES + 1))], close: 1009 },
  {
    name: 'a fragmented message whose fragments add up to over the limit',
    bytes: [text('x'.repeat(MAX_FRAME_BYTES / 2), { fin: false }), frame({ opcode: OP.continuation, fin: false, payload: 'x'.repeat(MAX_FRAME_BYTES / 2) }), frame({ opcode: OP.continuation, payload: 'x' })],
    close: 1009,
  },
  // Not in the list, but ws's server default (maxFragments 16,384): a message in tiny pieces costs one Buffer each.
  {
    name: 'a message in 16,385 one-byte fragments',
    bytes: [text('x', { fin: false }), ...Array.from({ length: 16_384 }, (_, i) => frame({ opcode: OP.continuation, fin: i === 16_383, payload: 'x' }))],
    close: 1008,
  },
];

describe('hand-built malformed frames over the real socket', () => {
  for (const c of CASES) {
    it(`${c.name} → close ${c.close}, only that connection`, async () => {
      const connection = await rawConnect(socketPath, bearer);
      try {
        connection.send(Buffer.concat(c.bytes));
        expect(await connection.waitClose()).toBe(c.close);
        // Nothing but the close frame: the daemon did not answer the violation as a message.
        expect(connection.frames.filter((f) => f.opcode !== OP.close)).toEqual([]);
      } finally {
        connection.destroy();
      }
      await expectDaemonUnaffected();
    });
  }

  it('a violation after the handshake closes that session only; the others are told it left', async () => {
    const connection = await rawConnect(socketPath, bearer);
    try {
      connection.send(text(JSON.stringify({ type: 'hello', protocolVersion: 1, client: { name: 'fuzz', version: '0' } })));
      const welcome = await connection.waitFrame((f) => f.opcode === OP.text && f.payload.toString().includes('"welcome"'));
      const clientId = (JSON.parse(welcome.payload.toString()) as { clientId: string }).clientId;
      await connection.waitFrame((f) => f.opcode === OP.text && f.payload.toString().includes('"snapshot"'));
      const attached = bystander.messages.length;
      connection.send(frame({ opcode: 0xb, payload: 'x' }));
      expect(await connection.waitClose()).toBe(1002);
      await bystander.next((m) => m.type === 'clients.changed' && bystander.messages.indexOf(m) >= attached);
      expect(clientId).toMatch(/^c\d+$/);
    } finally {
      connection.destroy();
    }
    await expectDaemonUnaffected();
  });

  it('valid but unusual frames keep the connection open and get typed errors', async () => {
    const connection = await rawConnect(socketPath, bearer);
    try {
      // A binary frame: malformed-frame. Exactly the size limit: accepted by ws, refused by the codec.
      connection.send(frame({ opcode: OP.binary, payload: Buffer.from([1, 2, 3]) }));
      connection.send(text('x'.repeat(MAX_FRAME_BYTES)));
      // A message fragmented across frames, with a ping in the middle and a UTF-8 sequence split across fragments.
      const euro = Buffer.from('"€"');
      connection.send(text(euro.subarray(0, 2), { fin: false }));
      connection.send(frame({ opcode: OP.ping, payload: 'mid' }));
      connection.send(frame({ opcode: OP.continuation, payload: euro.subarray(2) }));
      // Empty text frame, non-minimal length forms, an unsolicited pong.
      connection.send(text(''));
      connection.send(text('[]', { lengthForm: 16 }));
      connection.send(text('{}', { lengthForm: 64 }));
      connection.send(frame({ opcode: OP.pong, payload: 'unsolicited' }));
      await connection.probe();
      expect(connection.closeCode()).toBeUndefined();
      expect(connection.frames.some((f) => f.opcode === OP.pong && f.payload.toString() === 'mid')).toBe(true);
      const errors = connection.messages();
      expect(errors.map((m) => m.code)).toEqual(['malformed-frame', 'malformed-frame', 'invalid-message', 'malformed-frame', 'invalid-message', 'invalid-message']);
      for (const m of errors) expect(decodeDaemonMessage(JSON.stringify(m))).toMatchObject({ ok: true, message: { type: 'error', id: null } });
      // A clean close is echoed with its code.
      connection.send(closeFrame(4321, 'bye'));
      expect(await connection.waitClose()).toBe(4321);
    } finally {
      connection.destroy();
    }
    await expectDaemonUnaffected();
  });
});

// ---------------------------------------------------------------------------------------------

type Expectation = { close: number } | { answered: 'error' | 'nothing' | 'pong' | { closeEcho: number | null } };

/** What ws (8.x, server side, maxPayload = MAX_FRAME_BYTES, no extensions) does with one frame on a fresh connection. */
function expected(spec: FrameSpec & { payload: Buffer }): Expectation {
  const { opcode, rsv = 0, fin = true, masked = true } = spec;
  const lengthField = lengthFieldOf(spec);
  const length = spec.claimedLength ?? BigInt(spec.payload.length);
  if (rsv & 0b011) return { close: 1002 };
  if (rsv & 0b100) return { close: 1002 };
  const control = opcode >= 0x8 && opcode <= 0xa;
  if (opcode === 0 || !(control || opcode === 1 || opcode === 2)) return { close: 1002 };
  if (control && (!fin || lengthField > 125 || (opcode === OP.close && lengthField === 1))) return { close: 1002 };
  if (!masked) return { close: 1002 };
  if (lengthField === 127 && length >= 2n ** 53n) return { close: 1009 };
  if (!control && length > BigInt(MAX_FRAME_BYTES)) return { close: 1009 };
  if (spec.claimedLength !== undefined && spec.claimedLength !== BigInt(spec.payload.length)) return { answered: 'nothing' }; // waits for the rest
  if (opcode === OP.text) {
    if (!fin) return { answered: 'nothing' };
    const decoded = new TextDecoder('utf-8', { fatal: true });
    try {
      decoded.decode(spec.payload);
    } catch {
      return { close: 1007 };
    }
    return { answered: 'error' };
  }
  if (opcode === OP.binary) return { answered: fin ? 'error' : 'nothing' };
  if (opcode === OP.ping) return { answered: 'pong' };
  if (opcode === OP.pong) return { answered: 'nothing' };
  // close
  if (spec.payload.length === 0) return { answered: { closeEcho: null } };
  const code = spec.payload.readUInt16BE(0);
  const validCode = (code >= 1000 && code <= 1014 && ![1004, 1005, 1006].includes(code)) || (code >= 3000 && code <= 4999);
  if (!validCode) return { close: 1002 };
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(spec.payload.subarray(2));
  } catch {
    return { close: 1007 };
  }
  return { answered: { closeEcho: code } };
}

const payloadArb = fc.oneof(
  fc.json({ maxDepth: 3 }).map((s) => Buffer.from(s)),
  fc.string({ unit: 'binary', maxLength: 60 }).map((s) => Buffer.from(s)),
  fc.uint8Array({ maxLength: 140 }).map((b) => Buffer.from(b)),
  fc.tuple(fc.integer({ min: 0, max: 65535 }), fc.string({ maxLength: 20 })).map(([code, reason]) => Buffer.concat([u16(code), Buffer.from(reason)])),
);

const frameArb = fc.record({
  fin: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  rsv: fc.oneof({ weight: 3, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 7 }) }),
  opcode: fc.oneof({ weight: 2, arbitrary: fc.constantFrom(OP.text, OP.binary, OP.close, OP.ping, OP.pong) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 15 }) }),
  masked: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  payload: payloadArb,
  lengthForm: fc.constantFrom('auto' as const, 'auto' as const, 16 as const, 64 as const),
  // A length longer than the bytes sent: small (the daemon waits), near the limit, or absurd.
  claimedExtra: fc.option(fc.oneof(fc.bigInt({ min: 1n, max: 300n }), fc.bigInt({ min: BigInt(MAX_FRAME_BYTES) - 200n, max: BigInt(MAX_FRAME_BYTES) + 2n }), fc.bigInt({ min: 1n, max: 2n ** 64n - 1n })), { nil: undefined, freq: 4 }),
}).map(({ claimedExtra, ...spec }) => {
  const claimed = claimedExtra === undefined ? undefined : BigInt(spec.payload.length) + claimedExtra;
  return { ...spec, claimedLength: claimed !== undefined && claimed < 2n ** 64n ? claimed : undefined };
});

describe('random frames over the real socket (model-based: ws’s rules predict each outcome)', () => {
  it('each random frame gets exactly the predicted answer or close code', async () => {
    const outcomes: Record<string, number> = {};
    await fc.assert(
      fc.asyncProperty(frameArb, async (spec) => {
        const expectation = expected(spec);
        const key = 'close' in expectation ? `close ${expectation.close}` : typeof expectation.answered === 'string' ? expectation.answered : 'close echoed';
        outcomes[key] = (outcomes[key] ?? 0) + 1;
        const connection = await rawConnect(socketPath, bearer);
        try {
          connection.send(frame(spec));
          if ('close' in expectation) {
            expect(await connection.waitClose()).toBe(expectation.close);
            return;
          }
          if (typeof expectation.answered === 'object') {
            expect(await connection.waitClose()).toBe(expectation.answered.closeEcho);
            return;
          }
          if (expectation.answered === 'nothing' && spec.claimedLength !== undefined) {
            // The daemon is waiting for payload bytes that never come: nothing to probe; it must not have answered.
            await new Promise((r) => setTimeout(r, 20));
            expect(connection.frames).toEqual([]);
            return;
          }
          await connection.probe();
          const before = connection.frames.filter((f) => !(f.opcode === OP.pong && f.payload.toString().startsWith('probe-')));
          if (expectation.answered === 'error') {
            expect(before).toHaveLength(1);
            const decoded = decodeDaemonMessage(before[0]?.payload.toString('utf8'));
            expect(decoded).toMatchObject({ ok: true, message: { type: 'error' } });
          } else if (expectation.answered === 'pong') {
            expect(before).toEqual([{ opcode: OP.pong, fin: true, payload: spec.payload }]);
          } else {
            expect(before).toEqual([]);
          }
          expect(connection.closeCode()).toBeUndefined();
        } finally {
          connection.destroy();
        }
      }),
      { numRuns: LONG_MODE ? 3_000 : 150 },
    );
    figure(`random frames, outcomes (${LONG_MODE ? 'long' : 'short'})`, JSON.stringify(outcomes));
    await expectDaemonUnaffected();
  });

  it('random bytes after the upgrade: closed with 1002/1007/1009, or left waiting for more; never anything else', async () => {
    const samples = fc.sample(fc.uint8Array({ minLength: 1, maxLength: 64 }), { numRuns: LONG_MODE ? 1_000 : 60, seed: 9 });
    const codes: Record<string, number> = {};
    for (let i = 0; i < samples.length; i += 20) {
      await Promise.all(
        samples.slice(i, i + 20).map(async (bytes) => {
          const connection = await rawConnect(socketPath, bearer);
          connection.send(Buffer.from(bytes));
          const code = await connection.waitClose(300).catch(() => 'open');
          codes[String(code)] = (codes[String(code)] ?? 0) + 1;
          if (code !== 'open') expect([1002, 1007, 1008, 1009]).toContain(code);
          // Whatever it answered before closing is a typed error or a pong.
          for (const f of connection.frames) expect([OP.text, OP.pong, OP.close]).toContain(f.opcode);
          connection.destroy();
        }),
      );
    }
    figure(`random bytes, outcomes (${LONG_MODE ? 'long' : 'short'})`, JSON.stringify(codes));
    await expectDaemonUnaffected();
  });
});

// ---------------------------------------------------------------------------------------------

interface Planned {
  frame: string | Buffer;
  /** The error the daemon must answer with: `message` is checked when the codec predicts it. */
  expect: { id: string | null; code: string; message?: string };
}

/** Malformed messages of many kinds, each with the typed error the daemon must answer. */
function malformedMessages(count: number, seed: number): Planned[] {
  let unique = 0;
  const anyJson = fc.jsonValue({ maxDepth: 3 });
  const kinds: fc.Arbitrary<string | Buffer>[] = [
    fc.json({ maxDepth: 3 }),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)), // sent as a binary frame
    // Wrong types in every field of a request.
    fc.record({ type: fc.oneof(fc.constant('request'), anyJson), id: fc.oneof(fc.string({ minLength: 1, maxLength: 64 }), anyJson), method: fc.oneof(fc.constantFrom('ping', 'run.get', 'logs.read', 'env.pin'), anyJson), params: anyJson }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    // Unknown methods, including prototype names.
    fc.tuple(fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', 'PING', 'ping ', 'run.get.x')), anyJson).map(([method, params]) => JSON.stringify({ type: 'request', id: `u${++unique}`, method, params })),
    // Ids that are too long (up to 100 KB), empty, or not strings.
    fc.oneof(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 65, max: 1_000 }) }, { weight: 1, arbitrary: fc.constantFrom(10_000, 100_000) }).map((n) => 'i'.repeat(n)), fc.constant(''), fc.double(), fc.constant(null), fc.array(fc.nat())).map((id) => JSON.stringify({ type: 'request', id, method: 'ping', params: {} })),
    // Known methods, params of the wrong type or with extra keys.
    fc.tuple(fc.constantFrom('runs.list', 'run.get', 'logs.read', 'logs.follow', 'env.rollback', 'env.pin', 'history.get', 'releases.diff', 'daemon.shutdown', 'run.trigger'), fc.dictionary(fc.constantFrom('limit', 'runId', 'step', 'offset', 'env', 'to', 'force', 'pinned', 'extra', 'from', 'branch'), fc.oneof(anyJson, fc.double(), fc.integer({ min: -1e15, max: 1e15 }))))
      .map(([method, params]) => JSON.stringify({ type: 'request', id: `p${++unique}`, method, params })),
    // Huge numbers, deep nesting, a second hello.
    fc.constantFrom(
      '{"type":"request","id":"big","method":"runs.list","params":{"limit":1e308}}',
      '{"type":"request","id":"neg","method":"logs.read","params":{"runId":"run-1","step":"x","offset":-1}}',
      '{"type":"hello","protocolVersion":1e400,"client":{"name":"x","version":"1"}}',
      JSON.stringify({ type: 'request', id: 'deep', method: 'run.get', params: { runId: JSON.parse('['.repeat(500) + ']'.repeat(500)) as unknown } }),
      '[' .repeat(10_000) + ']'.repeat(10_000),
      JSON.stringify({ type: 'hello', protocolVersion: 1, client: { name: 'again', version: '1' } }),
    ),
  ];
  const raw = fc.sample(fc.oneof(...kinds), { numRuns: Math.ceil(count * 1.2) + 50, seed });
  const planned: Planned[] = [];
  for (const f of raw) {
    if (planned.length === count) break;
    const decoded = decodeClientMessage(typeof f === 'string' ? f : f);
    if (!decoded.ok) {
      planned.push({ frame: f, expect: { id: decoded.id, code: decoded.code, message: decoded.message } });
    } else if (decoded.message.type === 'hello' && decoded.message.protocolVersion === 1) {
      planned.push({ frame: f, expect: { id: null, code: 'invalid-message', message: 'hello was already received on this connection' } });
    }
    // Anything else that happens to be a valid request is left out (it could be daemon.shutdown).
  }
  // Well-formed requests that fail on the daemon's side, answered asynchronously: not-found.
  for (let i = 0; i < planned.length; i += 20) {
    const id = `nf${i}`;
    const requests = [
      { method: 'run.get', params: { runId: `run-${900_000 + i}` } },
      { method: 'history.get', params: { env: `nope-${i}` } },
      { method: 'releases.diff', params: { from: `r-${i}`, to: `r-${i + 1}` } },
      { method: 'logs.read', params: { runId: `run-${900_000 + i}`, step: 'unit' } },
    ];
    const request = requests[(i / 20) % requests.length] as { method: string; params: object };
    planned[i] = { frame: JSON.stringify({ type: 'request', id, ...request }), expect: { id, code: 'not-found' } };
  }
  // A branch "checked out where the client runs" that git could never have: refused before any git.
  const hostileBranches = ['../x', '-x', 'refs/..', 'main\u0000x', 'a\u001b[2Jb'];
  for (let i = 0; i < hostileBranches.length && planned.length > 20 * hostileBranches.length; i++) {
    const frame = JSON.stringify({ type: 'request', id: `co${i}`, method: 'run.trigger', params: { checkedOut: hostileBranches[i], commit: 'HEAD' } });
    const decoded = decodeClientMessage(frame);
    // The codec's own words: a daemon that let the name through to git would answer another message.
    if (decoded.ok) throw new Error(`the codec lets checkedOut ${JSON.stringify(hostileBranches[i])} through`);
    planned[20 * i + 10] = { frame, expect: { id: decoded.id, code: decoded.code, message: decoded.message } };
  }
  if (planned.length < count) throw new Error(`only ${planned.length} malformed messages generated, ${count} wanted`);
  return planned.slice(0, count);
}

/**
 * Sends `plan` as a client that keeps to the daemon's limit, and checks each typed error. The sender
 * is itself a token bucket (200 messages, `perSecond`) with at most 200 messages unanswered: whatever
 * the daemon then sees, even after being descheduled on a loaded machine (messages pile up in the
 * socket and arrive together), conforms to bursts of 400 at `perSecond` < 200/s, and none is dropped.
 */
async function sendAndCheck(client: Client, plan: Planned[], perSecond: number): Promise<{ problems: string[]; errors: number }> {
  const WINDOW = 200;
  const firstError = client.messages.length;
  let closed = 'open';
  client.ws.on('close', (code, reason) => (closed = `closed ${code} ${reason.toString()}`));
  let answered = 0;
  client.ws.on('message', (data) => {
    if (data.toString().startsWith('{"type":"error"')) answered++;
  });
  const errorsSoFar = () => client.messages.slice(firstError).filter((m) => (m as { type?: string }).type === 'error');
  let credit = WINDOW;
  let last = performance.now();
  let sent = 0;
  while (sent < plan.length && closed === 'open') {
    const now = performance.now();
    credit = Math.min(WINDOW, credit + ((now - last) / 1000) * perSecond);
    last = now;
    const count = Math.min(Math.floor(credit), answered + WINDOW - sent, plan.length - sent);
    for (let i = 0; i < count; i++, sent++) {
      const p = plan[sent] as Planned;
      client.ws.send(p.frame, { binary: typeof p.frame !== 'string' });
    }
    credit -= Math.max(0, count);
    await new Promise((r) => setTimeout(r, 20));
  }
  await waitFor(() => errorsSoFar().length >= plan.length, 30_000, `${plan.length} typed errors`).catch(() => {
    throw new Error(`${plan.length} sent, ${errorsSoFar().length} typed errors answered (${errorsSoFar().filter((m) => (m as { code?: string }).code === 'rate-limited').length} rate-limited); connection ${closed}; last answer ${JSON.stringify(client.messages.at(-1)).slice(0, 300)}`);
  });
  await new Promise((r) => setTimeout(r, 100)); // nothing more than one answer each
  const errors = errorsSoFar() as Record<string, unknown>[];
  const queues = new Map<string | null, Planned['expect'][]>();
  for (const p of plan) queues.set(p.expect.id, [...(queues.get(p.expect.id) ?? []), p.expect]);
  const problems: string[] = [];
  for (const error of errors) {
    const shape = decodeDaemonMessage(JSON.stringify(error));
    if (!shape.ok || shape.message.type !== 'error') problems.push(`not a typed error: ${JSON.stringify(error).slice(0, 200)}`);
    const want = queues.get((error.id as string | null) ?? null)?.shift();
    if (!want) problems.push(`unexpected error ${JSON.stringify(error).slice(0, 200)}`);
    else if (want.code !== error.code || (want.message !== undefined && want.message !== error.message)) problems.push(`want ${JSON.stringify(want).slice(0, 200)}, got ${JSON.stringify(error).slice(0, 200)}`);
  }
  if (errors.length !== plan.length) problems.push(`${plan.length} sent, ${errors.length} errors answered`);
  return { problems: problems.slice(0, 10), errors: errors.length };
}

describe('10,000 malformed messages from authenticated clients', () => {
  it('each gets exactly its typed {code, message} error; the daemon stays up and its RSS grows < 20 MB', async () => {
    // Pace: under the per-connection limit (200/s sustained, bursts of 400), since excess messages are
    // dropped with one `rate-limited` error a second (tested below). Short mode spreads the 10,000
    // over 20 clients at 180/s each (~2 s on an idle machine); long mode sends all 10,000 from one client (~55 s).
    const total = 10_000;
    const clientCount = LONG_MODE ? 1 : 20;
    const perSecond = RATE_PER_SECOND - 20;
    const generating = performance.now();
    const plans = Array.from({ length: clientCount }, (_, i) => malformedMessages(total / clientCount, 1000 + i));
    const generatedMs = performance.now() - generating;
    // Warm-up, the same shape as the measured run (the same clients in parallel, the same messages):
    // on first contact with thousands of messages/s V8 grows its young generation (semi-spaces up to 16 MB
    // each), +30-40 MB of RSS that then stays flat over later rounds (measured: 82 → 122, 120, 134,
    // 125 MB over four rounds). That is heap sizing, not growth per message, so it is not counted.
    const warmStart = rssBytes(pid);
    const warm: Client[] = [];
    try {
      for (const _ of plans) warm.push(await openClient(dir));
      const results = await Promise.all(warm.map((client, i) => sendAndCheck(client, (plans[i] as Planned[]).slice(0, LONG_MODE ? 3_000 : undefined), perSecond)));
      expect(results.flatMap((r) => r.problems)).toEqual([]);
    } finally {
      for (const client of warm) client.ws.close();
    }
    await new Promise((r) => setTimeout(r, 300));
    const before = rssBytes(pid);
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 100);
    const started = performance.now();
    const clients: Client[] = [];
    try {
      for (const _ of plans) clients.push(await openClient(dir));
      const results = await Promise.all(clients.map((client, i) => sendAndCheck(client, plans[i] as Planned[], perSecond)));
      expect(results.flatMap((r) => r.problems)).toEqual([]);
      expect(results.reduce((sum, r) => sum + r.errors, 0)).toBe(total);
    } finally {
      clearInterval(sampler);
      for (const client of clients) client.ws.close();
    }
    const seconds = (performance.now() - started) / 1000;
    // What stays, not what the flood's garbage holds until the next collection: on a machine busy
    // with the rest of the suite the daemon collects later (19-22 MB at 300 ms there, 3 MB alone).
    // A leak keeps the growth up whatever the wait, and fails below.
    let after = rssBytes(pid);
    for (const until = Date.now() + 10_000; after - before >= 20 * 1024 * 1024 && Date.now() < until; after = rssBytes(pid)) await new Promise((r) => setTimeout(r, 250));
    const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
    figure(`malformed messages answered with a typed error (${LONG_MODE ? 'long, 1 client' : 'short, 20 clients'})`, `${total}/${total} in ${seconds.toFixed(1)} s`);
    figure(`daemon RSS over 10,000 malformed messages (${LONG_MODE ? 'long' : 'short'})`, `${mb(before)} MB → ${mb(after)} MB (growth ${mb(after - before)} MB, peak ${mb(peak)} MB; the warm-up before it: ${mb(warmStart)} → ${mb(before)} MB)`);
    console.log(`(generating the messages took ${generatedMs.toFixed(0)} ms)`);
    expect(after - before).toBeLessThan(20 * 1024 * 1024);
    await expectDaemonUnaffected();
  }, 180_000);

  it('over the rate limit: every dropped request is answered `rate-limited` with its id; id-less junk gets one error a second; the connection is kept', async () => {
    const client = await openClient(dir);
    const start = client.messages.length;
    const count = BURST + 600;
    for (let i = 0; i < count; i++) client.ws.send(JSON.stringify({ type: 'request', id: `f${i}`, method: 'ping', params: {} }));
    for (let i = 0; i < 300; i++) client.ws.send('{"no":"id"}');
    await waitFor(() => client.messages.slice(start).filter((m) => (m as { id?: string }).id?.startsWith('f')).length >= count, 10_000, `an answer to each of the ${count} requests`);
    await new Promise((r) => setTimeout(r, 300));
    const answers = client.messages.slice(start) as Record<string, unknown>[];
    const results = answers.filter((m) => m.type === 'result').length;
    const limited = answers.filter((m) => m.code === 'rate-limited' && m.id !== null);
    const anonymous = answers.filter((m) => m.code === 'rate-limited' && m.id === null);
    // Every request got exactly one answer: a result, or rate-limited with its own id.
    const ids = answers.map((m) => m.id).filter((id): id is string => typeof id === 'string' && id.startsWith('f'));
    expect(new Set(ids).size).toBe(count);
    expect(ids).toHaveLength(count);
    expect(results + limited.length).toBe(count);
    expect(limited[0]).toMatchObject({ type: 'error', code: 'rate-limited', message: expect.stringMatching(/this request was dropped/) });
    expect(results).toBeGreaterThanOrEqual(BURST - 1); // the bucket, less the hello
    expect(results).toBeLessThan(count);
    // Frames without an id: one notice a second, however long the burst takes to process.
    expect(anonymous.length).toBeGreaterThanOrEqual(1);
    expect(anonymous.length).toBeLessThanOrEqual(2);
    figure('rate limit: a burst of 1,000 pings and 300 id-less frames at once', `${results} answered, ${limited.length} answered rate-limited with their id, ${anonymous.length} id-less rate-limited notice(s)`);
    // Still connected: after the bucket refills it is answered again.
    await new Promise((r) => setTimeout(r, 600));
    await bystanderPing(client);
    client.ws.close();
  });
});

describe('control frames from a client that does not read', () => {
  it('a ping flood is cut before its pongs grow daemon memory (ws: 60 pongs pending at most)', async () => {
    const connection = await rawConnect(socketPath, bearer);
    connection.socket.pause(); // never read a pong
    const before = rssBytes(pid);
    const ping = frame({ opcode: OP.ping, payload: Buffer.alloc(125, 0x70) });
    const batch = Buffer.concat(Array.from({ length: 1_000 }, () => ping));
    let written = 0;
    const limit = (LONG_MODE ? 200 : 50) * 1024 * 1024;
    const started = performance.now();
    while (written < limit && !connection.socket.destroyed) {
      if (!connection.socket.write(batch)) await new Promise((r) => setTimeout(r, 5));
      written += batch.length;
      if (written % (20 * batch.length) === 0) await new Promise((r) => setImmediate(r));
    }
    await waitFor(() => connection.socket.destroyed, 10_000, 'the flooding connection cut').catch(() => undefined);
    // Writes fail once the daemon has closed its end: the socket is destroyed (EPIPE/ECONNRESET).
    const cut = connection.socket.destroyed;
    const after = rssBytes(pid);
    connection.destroy();
    figure('ping flood from a client that never reads', `${(written / 1024 / 1024).toFixed(1)} MB of pings written in ${((performance.now() - started) / 1000).toFixed(1)} s, connection ${cut ? 'cut by the daemon' : 'still open'}, daemon RSS ${(before / 1048576).toFixed(1)} → ${(after / 1048576).toFixed(1)} MB`);
    expect(cut).toBe(true);
    expect(after - before).toBeLessThan(20 * 1024 * 1024);
    await expectDaemonUnaffected();
  });
});

// ---------------------------------------------------------------------------------------------

describe('connection cap', () => {
  it(`refuses the upgrade beyond ${MAX_CONNECTIONS} connections with 503, and frees slots as clients leave`, async () => {
    const open: WebSocket[] = [];
    try {
      await new Promise((r) => setTimeout(r, 300)); // earlier tests' connections are gone
      // The bystander holds one slot already.
      for (let i = 1; i < MAX_CONNECTIONS; i++) {
        const ws = rawSocket(socketPath, { Authorization: `Bearer ${bearer}` });
        await new Promise<void>((resolve, reject) => {
          ws.once('open', () => resolve());
          ws.once('error', reject);
        });
        open.push(ws);
      }
      expect(await upgradeStatus(rawSocket(socketPath, { Authorization: `Bearer ${bearer}` }))).toBe(503);
      await expect(rawConnect(socketPath, bearer)).rejects.toThrow(/503/);
      await expectDaemonUnaffected();
      const leaving = open.pop() as WebSocket;
      await new Promise((resolve) => {
        leaving.once('close', resolve);
        leaving.close();
      });
      await waitFor(async () => (await upgradeStatus(rawSocket(socketPath, { Authorization: `Bearer ${bearer}` }))) === 101, 5_000, 'a freed slot');
    } finally {
      for (const ws of open) ws.terminate();
    }
  });

  it(`bounds raw connections that never finish an HTTP request (at most ${MAX_CONNECTIONS} + ${MAX_PENDING_UPGRADES} sockets)`, async () => {
    // Sockets that connect and send nothing (or half a request) are not WebSockets yet: they must not
    // pile up without bound (each holds a file descriptor: enough of them and the daemon cannot open a log).
    const count = LONG_MODE ? 3_000 : 600;
    const fdsBefore = readdirSync(`/proc/${pid}/fd`).length;
    const sockets = await Promise.all(
      Array.from(
        { length: count },
        (_, i) =>
          new Promise<Socket>((resolve) => {
            const s = connect(socketPath);
            s.on('error', () => undefined);
            s.on('connect', () => {
              if (i % 2 === 0) s.write('GET / HTTP/1.1\r\nHost: x\r\n');
              resolve(s);
            });
            s.on('close', () => resolve(s));
          }),
      ),
    );
    try {
      await new Promise((r) => setTimeout(r, 300));
      const fds = readdirSync(`/proc/${pid}/fd`).length;
      const stillOpen = sockets.filter((s) => !s.destroyed).length;
      figure(`idle raw connections: ${count} opened at once`, `${stillOpen} kept by the daemon, its fds ${fdsBefore} → ${fds}`);
      expect(stillOpen).toBeLessThanOrEqual(MAX_CONNECTIONS + MAX_PENDING_UPGRADES);
      expect(fds - fdsBefore).toBeLessThanOrEqual(MAX_CONNECTIONS + MAX_PENDING_UPGRADES);
      // The connected clients are still served.
      await expectDaemonUnaffected();
      if (LONG_MODE) {
        // The ones it kept are answered 408 and closed once the upgrade timeout (10 s) passes.
        await waitFor(() => sockets.every((s) => s.destroyed || s.readableEnded), 15_000, 'idle sockets closed by the upgrade timeout');
      }
    } finally {
      for (const s of sockets) s.destroy();
    }
    await waitFor(async () => (await upgradeStatus(rawSocket(socketPath, { Authorization: `Bearer ${bearer}` }))) === 101, 5_000, 'new clients accepted again');
  }, 60_000);
});

// ---------------------------------------------------------------------------------------------

describe('a client flooding 1,000 messages/s', () => {
  it('answers the other clients’ pings all through the flood, none of them rate-limited (round-trips logged, not asserted)', async () => {
    const pingers = await Promise.all([openClient(dir), openClient(dir), openClient(dir)]);
    const measure = async (ms: number): Promise<number[]> => {
      const rtts: number[] = [];
      const until = performance.now() + ms;
      await Promise.all(
        pingers.map(async (client) => {
          while (performance.now() < until) {
            rtts.push(await bystanderPing(client));
            await new Promise((r) => setTimeout(r, 10));
          }
        }),
      );
      return rtts;
    };
    const quiet = await measure(LONG_MODE ? 3_000 : 700);

    const flooder = await openClient(dir);
    const floodMs = LONG_MODE ? 20_000 : 3_000;
    let sent = 0;
    const kinds = [
      () => JSON.stringify({ type: 'request', id: `fl${sent}`, method: 'ping', params: {} }),
      () => JSON.stringify({ type: 'request', id: `fl${sent}`, method: 'state.get', params: {} }),
      () => `{"type":"request","id":"fl${sent}","method":`,
      () => JSON.stringify({ type: 'request', id: `fl${sent}`, method: 'run.get', params: { runId: 'run-999999' } }),
    ];
    const floodStart = performance.now();
    const flood = setInterval(() => {
      // Every 10 ms, whatever it takes to stay at 1,000/s since the start: a steady stream, not one burst.
      const due = Math.floor(performance.now() - floodStart);
      for (; sent < due; sent++) flooder.ws.send((kinds[sent % kinds.length] as () => string)());
    }, 10);
    let loaded: number[];
    try {
      await new Promise((r) => setTimeout(r, 300));
      loaded = await measure(floodMs - 300);
    } finally {
      clearInterval(flood);
    }
    const floodSeconds = (performance.now() - floodStart) / 1000;
    await new Promise((r) => setTimeout(r, 300));
    const flooderAnswers = flooder.messages.filter((m) => (m as { id?: string }).id?.startsWith('fl') || (m as { code?: string }).code === 'rate-limited') as Record<string, unknown>[];
    const rateLimited = flooderAnswers.filter((m) => m.code === 'rate-limited').length;
    const answered = flooderAnswers.length - rateLimited;
    const p = (values: number[], q: number) => percentile(values, q).toFixed(1);
    figure('ping round-trip, 3 clients, quiet daemon', `p50 ${p(quiet, 50)} ms, p99 ${p(quiet, 99)} ms (${quiet.length} pings)`);
    figure(`ping round-trip, 3 clients, one client flooding 1,000 msgs/s (${floodSeconds.toFixed(1)} s)`, `p50 ${p(loaded, 50)} ms, p99 ${p(loaded, 99)} ms, max ${p(loaded, 100)} ms (${loaded.length} pings)`);
    figure('flooder', `${sent} sent (${Math.round(sent / floodSeconds)}/s), ${answered} answered, ${rateLimited} rate-limited errors, connection ${flooder.ws.readyState === WebSocket.OPEN ? 'open' : 'closed'}`);
    // Counted, not timed (timings live in bench/, BENCHMARKS.md): every bystander ping during the
    // flood was answered with its own result, not rate-limited (bystanderPing checks each one), and
    // each bystander got answers while the flooder was limited.
    expect(loaded.length).toBeGreaterThanOrEqual(pingers.length);
    for (const client of pingers) expect(client.messages.filter((m) => (m as { code?: string }).code === 'rate-limited')).toEqual([]);
    // The flooder was slowed, not cut: answered up to the bucket, told it was limited, still connected.
    expect(rateLimited).toBeGreaterThanOrEqual(1);
    expect(answered).toBeLessThan(sent);
    expect(answered).toBeLessThanOrEqual(BURST + RATE_PER_SECOND * (floodSeconds + 1));
    expect(flooder.ws.readyState).toBe(WebSocket.OPEN);
    for (const client of [...pingers, flooder]) client.ws.close();
    await expectDaemonUnaffected();
  }, 120_000);
});
