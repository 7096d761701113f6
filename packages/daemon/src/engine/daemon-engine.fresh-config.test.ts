// A client is shown the config of the working tree's axum.yml as it is when it asks (a `git
// checkout` just changed it), not the reading the watcher has yet to replace.
import { describe, expect, it } from 'vitest';
import { decodeResult, parseConfigText, type DaemonState } from '@axum/protocol';
import { fakeConnection, fakeDeployments, setupEngine } from './testing/fake-engine.js';

const hello = JSON.stringify({ type: 'hello', protocolVersion: 1, client: { name: 't', version: '0' } });
const VALID = `version: 1
environments:
  production: { branch: main }
stages:
  - name: test
    steps: [{ name: unit, run: "true" }]
`;

/** An engine on VALID whose refresh finds axum.yml gone (a checkout of a branch without it) while `changed` holds. */
function checkedOutWithoutConfig() {
  let changed = false;
  let reads = 0;
  const box: { engine?: ReturnType<typeof setupEngine>['engine'] } = {};
  const { engine } = setupEngine(fakeDeployments, {
    refreshConfig: () => {
      if (!changed) return null;
      changed = false;
      reads++;
      return Promise.resolve().then(() => box.engine!.applyConfig({ ok: false, errors: [{ file: 'axum.yml', line: 1, col: 1, message: 'file not found in the work tree' }] }));
    },
  });
  box.engine = engine;
  engine.applyConfig(parseConfigText(VALID, 'axum.yml'));
  return { engine, checkout: () => (changed = true), reads: () => reads };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('the config shown to a client', () => {
  it("is the checked-out file's in the snapshot a new client gets, and requests sent meanwhile are answered after it", async () => {
    const { engine, checkout, reads } = checkedOutWithoutConfig();
    checkout();
    const a = fakeConnection('c1');
    const handlers = engine.attach(a.connection);
    handlers.onFrame(hello);
    handlers.onFrame(JSON.stringify({ type: 'request', id: 'r1', method: 'ping', params: {} }));
    await tick();
    expect(a.sent.map((m) => m.type)).toEqual(['welcome', 'snapshot', 'result']);
    const snapshot = a.sent[1];
    expect(snapshot?.type === 'snapshot' && snapshot.state.config).toMatchObject({ valid: false, errors: [{ message: 'file not found in the work tree' }] });
    expect(reads()).toBe(1);
  });

  it("is the checked-out file's in the answer to state.get", async () => {
    const { engine, checkout, reads } = checkedOutWithoutConfig();
    const a = fakeConnection('c1');
    const handlers = engine.attach(a.connection);
    handlers.onFrame(hello);
    checkout();
    handlers.onFrame(JSON.stringify({ type: 'request', id: 'r1', method: 'state.get', params: {} }));
    await tick();
    const answer = a.sent.find((m) => m.type === 'result' && m.id === 'r1');
    const decoded = decodeResult('state.get', answer?.type === 'result' ? answer.result : null);
    expect(decoded.ok && (decoded.result as DaemonState).config.valid).toBe(false);
    expect(reads()).toBe(1);
  });

  it('is not read again when the file did not change: the welcome comes at once', () => {
    const { engine, reads } = checkedOutWithoutConfig();
    const a = fakeConnection('c1');
    engine.attach(a.connection).onFrame(hello);
    expect(a.sent.map((m) => m.type)).toEqual(['welcome', 'snapshot']);
    expect(reads()).toBe(0);
  });

  it('is not sent to a client gone while it was read', async () => {
    const { engine, checkout } = checkedOutWithoutConfig();
    checkout();
    const a = fakeConnection('c1');
    const handlers = engine.attach(a.connection);
    handlers.onFrame(hello);
    handlers.onClose();
    await tick();
    expect(a.sent).toEqual([]);
    expect(engine.state().clients).toBe(0);
  });
});
