import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeClientMessage, decodeDaemonMessage, encode } from './codec.js';
import { RequestBody } from './client-message.js';
import { DaemonMessage } from './daemon-message.js';

const fixtures = join(import.meta.dirname, '..', 'fixtures');
const read = (side: string) =>
  readdirSync(join(fixtures, side)).map((file) => ({ file, text: readFileSync(join(fixtures, side, file), 'utf8') }));

describe('golden fixtures', () => {
  for (const [side, decode] of [
    ['client', decodeClientMessage],
    ['daemon', decodeDaemonMessage],
  ] as const) {
    for (const { file, text } of read(side)) {
      it(`${side}/${file} decodes, and encodes back to the same JSON`, () => {
        const decoded = decode(text);
        expect(decoded.ok, JSON.stringify(decoded)).toBe(true);
        if (!decoded.ok) return;
        expect(JSON.parse(encode(decoded.message))).toEqual(JSON.parse(text));
      });
    }
  }

  it('has a fixture for every daemon message type', () => {
    const types = new Set(read('daemon').map(({ text }) => (JSON.parse(text) as { type: string }).type));
    const schemaTypes = DaemonMessage.def.options.map((option) => option.shape.type.def.values[0]);
    expect([...types].sort()).toEqual([...schemaTypes].sort());
  });

  it('has a fixture for hello and for every request method', () => {
    const messages = read('client').map(({ text }) => JSON.parse(text) as { type: string; method?: string });
    expect(messages.some((m) => m.type === 'hello')).toBe(true);
    const methods = messages.filter((m) => m.type === 'request').map((m) => m.method);
    expect(methods.sort()).toEqual(RequestBody.def.options.map((o) => o.shape.method.def.values[0]).sort());
  });
});

describe('decodeClientMessage on malformed input', () => {
  const cases: [string, unknown, string][] = [
    ['not JSON', '{"type":', 'malformed-frame'],
    ['a binary frame', Buffer.from('{}'), 'malformed-frame'],
    ['undefined', undefined, 'malformed-frame'],
    ['JSON null', 'null', 'invalid-message'],
    ['a number', '42', 'invalid-message'],
    ['an unknown type', '{"type":"rm -rf"}', 'invalid-message'],
    ['hello without version', '{"type":"hello","client":{"name":"x","version":"1"}}', 'invalid-message'],
    ['an unknown method', '{"type":"request","id":"r1","method":"nope","params":{}}', 'unknown-method'],
    ['a request without id', '{"type":"request","method":"ping","params":{}}', 'invalid-message'],
    ['extra params on ping', '{"type":"request","id":"r1","method":"ping","params":{"x":1}}', 'invalid-params'],
    ['__proto__ pollution', '{"type":"hello","protocolVersion":1,"client":{"name":"x","version":"1"},"__proto__":{"polluted":true}}', 'ok'],
  ];
  for (const [name, frame, code] of cases) {
    it(`${name} → ${code}`, () => {
      const decoded = decodeClientMessage(frame);
      if (code === 'ok') expect(decoded.ok).toBe(true);
      else expect(decoded).toMatchObject({ ok: false, code });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }

  it('names the unknown method (and the known ones), and the bad param of a known method', () => {
    const unknown = decodeClientMessage('{"type":"request","id":"r1","method":"run.trigga","params":{}}');
    expect(unknown).toMatchObject({ ok: false, code: 'unknown-method', id: 'r1' });
    expect(!unknown.ok && unknown.message).toMatch(/^no method "run\.trigga"; methods: ping, state\.get, .*run\.trigger/);
    expect(decodeClientMessage('{"type":"request","id":"r2","method":{"x":1}}')).toMatchObject({ code: 'unknown-method', message: expect.stringMatching(/^no method of type object;/) });
    expect(decodeClientMessage('{"type":"request","id":"r3","method":"__proto__","params":{}}')).toMatchObject({ code: 'unknown-method', id: 'r3' });
    const bad = decodeClientMessage('{"type":"request","id":"r4","method":"runs.list","params":{"limit":"ten"}}');
    expect(bad).toMatchObject({ ok: false, code: 'invalid-params', id: 'r4' });
    expect(!bad.ok && bad.message).toMatch(/params\.limit/);
  });

  it('keeps the id of a broken request so the client can match the error', () => {
    expect(decodeClientMessage('{"type":"request","id":"r5","method":"nope"}')).toMatchObject({ ok: false, id: 'r5' });
  });

  it('bounds the error message whatever the input', () => {
    const huge = JSON.stringify({ type: 'request', id: 'r1', method: 'x'.repeat(100_000) });
    const decoded = decodeClientMessage(huge);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.message.length).toBeLessThanOrEqual(500);
  });
});
