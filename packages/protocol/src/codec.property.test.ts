// Property tests of the codec (issue #9): `decode*` never throws, whatever the frame, and always
// returns something the daemon can send back as a typed `error`; every valid message round-trips.
// `pnpm test:long` (AXUM_TEST_LONG=1) runs 50× more cases.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeClientMessage, decodeDaemonMessage, encode, type Decoded } from './codec.js';
import type { ClientMessage } from './client-message.js';
import { branchNameProblem } from './branch-name.js';
import { ERROR_CODES } from './error-code.js';
import { PROTOCOL_VERSION } from './version.js';

const LONG_MODE = process.env.AXUM_TEST_LONG === '1';
const runs = (short: number) => ({ numRuns: LONG_MODE ? short * 50 : short });

/** What every decode outcome must look like: a message, or a failure the daemon can echo as a typed `error`. */
function expectWellFormed(decoded: Decoded<unknown>): void {
  if (decoded.ok) {
    expect(decoded.message).toBeTypeOf('object');
    return;
  }
  expect(['malformed-frame', 'invalid-message', 'unknown-method', 'invalid-params']).toContain(decoded.code);
  // The finer codes are for requests whose id can be echoed.
  if (decoded.code === 'unknown-method' || decoded.code === 'invalid-params') expect(decoded.id).not.toBeNull();
  expect(decoded.message).toBeTypeOf('string');
  expect(decoded.message.length).toBeGreaterThan(0);
  // Bounded: a hostile frame must not make the daemon echo megabytes back.
  expect(decoded.message.length).toBeLessThanOrEqual(600);
  if (decoded.id !== null) expect(decoded.id.length).toBeGreaterThan(0);
  if (decoded.id !== null) expect(decoded.id.length).toBeLessThanOrEqual(64);
  // The error built from it is itself a valid daemon message, on the wire and back.
  const wire = encode({ type: 'error', id: decoded.id, code: decoded.code, message: decoded.message });
  const echoed = decodeDaemonMessage(wire);
  expect(echoed.ok, wire).toBe(true);
}

/** Both decoders, for inputs that are not meant to be valid on either side. */
function decodeBoth(frame: unknown): void {
  expectWellFormed(decodeClientMessage(frame));
  expectWellFormed(decodeDaemonMessage(frame));
}

describe('the decoders never throw', () => {
  it('on any JSON text (fc.json)', () => {
    fc.assert(fc.property(fc.json({ maxDepth: 6 }), (text) => decodeBoth(text)), runs(500));
  });

  it('on any string, including lone surrogates and control characters', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 300 }), fc.string({ maxLength: 300 })), (text) =>
        decodeBoth(text),
      ),
      runs(500),
    );
  });

  it('on random bytes, as a Buffer (a binary frame) or decoded as UTF-8 text', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        decodeBoth(Buffer.from(bytes));
        decodeBoth(Buffer.from(bytes).toString('utf8'));
        decodeBoth(Buffer.from(bytes).toString('latin1'));
      }),
      runs(500),
    );
  });

  it('on any JS value that is not a string (what the transport might hand over)', () => {
    fc.assert(
      fc.property(fc.anything({ withBigInt: true, withBoxedValues: true, withMap: true, withSet: true, withTypedArray: true, withDate: true }), (value) => {
        fc.pre(typeof value !== 'string');
        const decoded = decodeClientMessage(value);
        expect(decoded).toMatchObject({ ok: false, code: 'malformed-frame', id: null });
      }),
      runs(500),
    );
  });

  it('on objects shaped like messages with wrong types in every field', () => {
    const anyJson = fc.jsonValue({ maxDepth: 3 });
    fc.assert(
      fc.property(
        fc.record(
          {
            type: fc.oneof(fc.constantFrom('hello', 'request', 'result', 'error', 'snapshot', '__proto__', 'constructor'), anyJson),
            id: fc.oneof(fc.string({ maxLength: 80 }), fc.string({ minLength: 65, maxLength: 5000 }), anyJson),
            method: fc.oneof(fc.constantFrom('ping', 'run.get', 'logs.read', 'env.deploy', 'daemon.shutdown', 'toString', '__proto__', 'hasOwnProperty'), anyJson),
            params: fc.oneof(fc.dictionary(fc.string({ maxLength: 10 }), anyJson), anyJson),
            protocolVersion: fc.oneof(fc.integer(), fc.double(), anyJson),
            client: fc.oneof(fc.record({ name: anyJson, version: anyJson, pid: anyJson }, { requiredKeys: [] }), anyJson),
          },
          { requiredKeys: [] },
        ),
        (value) => {
          const text = JSON.stringify(value);
          decodeBoth(text);
          const decoded = decodeClientMessage(text);
          // The id of a broken request is kept whenever it can be (so the client can match the error).
          if (!decoded.ok && typeof value.id === 'string' && value.id.length >= 1 && value.id.length <= 64) expect(decoded.id).toBe(value.id);
        },
      ),
      runs(500),
    );
  });

  it('on mutations of valid messages: truncated, spliced, bytes flipped', () => {
    fc.assert(
      fc.property(clientMessage(), fc.nat(), fc.nat(), fc.string({ unit: 'binary', maxLength: 8 }), (message, a, b, insert) => {
        const text = encode(message);
        const cut = a % (text.length + 1);
        const to = Math.min(text.length, cut + (b % 8));
        decodeBoth(text.slice(0, cut));
        decodeBoth(text.slice(0, cut) + insert + text.slice(to));
        const bytes = Buffer.from(text);
        if (bytes.length > 0) bytes.writeUInt8((bytes.readUInt8(a % bytes.length) ^ (1 << b % 8)) & 0xff, a % bytes.length);
        decodeBoth(bytes.toString('utf8'));
      }),
      runs(500),
    );
  });

  it('on pathological frames near the size limit (deep nesting, many keys, long strings)', () => {
    const depth = 100_000;
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    const deepObject = '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
    const manyKeys = `{"type":"request","id":"r1","method":"ping","params":{${Array.from({ length: 50_000 }, (_, i) => `"k${i}":${i}`).join(',')}}}`;
    const frames = [
      deep,
      deepObject,
      '['.repeat(depth),
      `{"type":"request","id":"r1","method":"run.get","params":{"runId":${deep}}}`,
      `{"type":"request","id":"r1","method":"run.get","params":${deepObject}}`,
      `{"type":"hello","protocolVersion":1,"client":${deepObject}}`,
      manyKeys,
      JSON.stringify({ type: 'request', id: 'x'.repeat(900_000), method: 'ping', params: {} }),
      JSON.stringify({ type: 'request', id: 'r1', method: 'run.get', params: { runId: '\u0000'.repeat(900_000) } }),
      'x'.repeat(1_000_000),
      '"' + 'x'.repeat(1_000_000),
      '1'.repeat(1_000_000),
      '-' + '9'.repeat(400) + 'e99999',
      '\uFEFF{"type":"hello"}',
    ];
    // Each is refused with a typed error, never a throw or a hang (the test's timeout). How long each
    // takes is a figure, not an assertion: `node bench/codec-frames.mjs` times them beside JSON.parse.
    for (const frame of frames) decodeBoth(frame);
    expect(decodeClientMessage(manyKeys)).toMatchObject({ ok: false, code: 'invalid-params', id: 'r1' });
  });
});

describe('valid messages round-trip', () => {
  it('decode(encode(m)) is m, for every client message', () => {
    fc.assert(
      fc.property(clientMessage(), (message) => {
        const decoded = decodeClientMessage(encode(message));
        expect(decoded.ok, JSON.stringify(decoded)).toBe(true);
        if (decoded.ok) expect(decoded.message).toEqual(message);
      }),
      runs(500),
    );
  });

  it('decode(encode(e)) is e, for every typed error the daemon sends', () => {
    fc.assert(
      fc.property(fc.option(fc.string({ minLength: 1, maxLength: 64 }), { nil: null }), fc.constantFrom(...ERROR_CODES), fc.string({ unit: 'binary', maxLength: 500 }), (id, code, text) => {
        const error = { type: 'error' as const, id, code, message: text };
        const decoded = decodeDaemonMessage(encode(error));
        expect(decoded).toEqual({ ok: true, message: error });
      }),
      runs(500),
    );
  });

  it('a client message is never mistaken for a daemon message, nor the reverse', () => {
    fc.assert(
      fc.property(clientMessage(), (message) => {
        expect(decodeDaemonMessage(encode(message)).ok).toBe(false);
      }),
      runs(300),
    );
  });
});

// ----- arbitraries of valid client messages (every method, every optional field) -----

/** Strings of `min`..`max` UTF-16 code units, any code point (astral ones count 2). */
const str = (min: number, max: number) => fc.string({ unit: 'binary', minLength: min, maxLength: Math.floor(max / 2) }).filter((s) => s.length >= min && s.length <= max);
/** A branch name git allows (what `run.trigger` takes): of letters, digits and the punctuation branches use, those git refuses filtered out. */
const branch = fc.string({ unit: fc.constantFrom(...'aZ09-_./@é'), minLength: 1, maxLength: 60 }).filter((s) => branchNameProblem(s) === null);
const id64 = str(1, 64);
const by = str(0, 200);
const empty = fc.constant({});

function clientMessage(): fc.Arbitrary<ClientMessage> {
  const hello = fc.record(
    {
      type: fc.constant('hello' as const),
      protocolVersion: fc.oneof(fc.constant(PROTOCOL_VERSION), fc.integer()),
      client: fc.record({ name: str(0, 100), version: str(0, 50), pid: fc.integer() }, { requiredKeys: ['name', 'version'] }),
    },
    { noNullPrototype: true },
  );
  const bodies = [
    fc.record({ method: fc.constant('ping' as const), params: empty }),
    fc.record({ method: fc.constant('state.get' as const), params: empty }),
    fc.record({ method: fc.constant('git.reconcile' as const), params: empty }),
    fc.record({ method: fc.constant('runs.list' as const), params: fc.record({ limit: fc.integer({ min: 1, max: 10_000 }) }) }),
    fc.record({ method: fc.constant('run.get' as const), params: fc.record({ runId: id64 }) }),
    fc.record({ method: fc.constant('run.trigger' as const), params: fc.record({ branch, commit: str(4, 64), by, force: fc.boolean(), again: fc.boolean(), rebuild: fc.boolean() }, { requiredKeys: ['by', 'force', 'again', 'rebuild'] }) }),
    fc.record({ method: fc.constant('run.cancel' as const), params: fc.record({ runId: id64 }) }),
    fc.record({
      method: fc.constant('logs.read' as const),
      params: fc.record({ runId: id64, step: id64, offset: fc.nat(), limit: fc.integer({ min: 1, max: 512 * 1024 }) }),
    }),
    fc.record({ method: fc.constant('logs.follow' as const), params: fc.record({ runId: id64, step: id64, offset: fc.nat() }) }),
    fc.record({ method: fc.constant('logs.unfollow' as const), params: fc.record({ runId: id64, step: id64 }) }),
    fc.record({ method: fc.constant('history.get' as const), params: fc.record({ env: id64 }) }),
    fc.record({ method: fc.constant('releases.diff' as const), params: fc.record({ from: id64, to: id64 }) }),
    fc.record({ method: fc.constant('releases.fsck' as const), params: fc.record({ rebuild: fc.boolean(), repair: fc.boolean() }, { requiredKeys: [] }) }),
    fc.record({ method: fc.constant('releases.list' as const), params: fc.record({ env: id64 }, { requiredKeys: [] }) }),
    fc.record({
      method: fc.constant('release.mark' as const),
      params: fc.record({ releaseId: id64, mark: fc.constantFrom('good' as const, 'bad' as const), reason: str(0, 500), by }, { requiredKeys: ['releaseId', 'mark', 'by'] }),
    }),
    fc.record({
      method: fc.constant('env.deploy' as const),
      params: fc.record({ env: id64, releaseId: id64, commit: str(4, 64), force: fc.boolean(), by, again: fc.boolean() }, { requiredKeys: ['env', 'force', 'by', 'again'] }),
    }),
    fc.record({ method: fc.constant('env.promote' as const), params: fc.record({ from: id64, to: id64, force: fc.boolean(), by, again: fc.boolean() }) }),
    fc.record({
      method: fc.constant('env.rollback' as const),
      params: fc.record({ env: id64, to: fc.option(fc.integer({ min: 1 }), { nil: null }), force: fc.boolean(), by }),
    }),
    fc.record({ method: fc.constant('env.approve' as const), params: fc.record({ env: id64, force: fc.boolean(), by }) }),
    fc.record({ method: fc.constant('env.pin' as const), params: fc.record({ env: id64, pinned: fc.boolean(), by }) }),
    fc.record({ method: fc.constant('daemon.shutdown' as const), params: empty }),
  ];
  const request = fc.tuple(id64, fc.oneof(...bodies)).map(([id, body]) => ({ type: 'request' as const, id, ...body }) as ClientMessage);
  return fc.oneof(hello as fc.Arbitrary<ClientMessage>, request);
}
