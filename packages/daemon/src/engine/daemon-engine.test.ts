import { describe, expect, it } from 'vitest';
import { decodeResult, parseConfigText, type RequestMethod, type RevisionView } from '@axum/protocol';
import { RATE_PER_SECOND } from './client-session.js';
import { fakeConnection, fakeDeployments, setupEngine as setup } from './testing/fake-engine.js';

/** Requests are answered asynchronously (handlers may do I/O). */
const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

const hello = JSON.stringify({ type: 'hello', protocolVersion: 1, client: { name: 't', version: '0' } });
const config = `version: 1
environments:
  production: { branch: main }
  dev: { branch: develop, path: deploy/dev }
stages:
  - name: test
    steps: [{ name: unit, run: "true" }]
`;

describe('the daemon engine', () => {
  it('sends welcome then a snapshot that already counts the new client', () => {
    const { engine } = setup();
    const a = fakeConnection('c1');
    engine.attach(a.connection).onFrame(hello);
    expect(a.sent.map((m) => m.type)).toEqual(['welcome', 'snapshot']);
    const snapshot = a.sent[1];
    expect(snapshot?.type === 'snapshot' && snapshot.state.clients).toBe(1);
  });

  it('derives environments from config, protects production, resolves paths, keeps them on an invalid reload', () => {
    const { engine } = setup();
    engine.applyConfig(parseConfigText(config, 'axum.yml'));
    expect(engine.state().environments.map((e) => [e.name, e.protected, e.path])).toEqual([
      ['production', true, '/r/.axum/envs/production'],
      ['dev', false, '/r/deploy/dev'],
    ]);
    engine.applyConfig(parseConfigText('version: 2', 'axum.yml'));
    expect(engine.state().config.valid).toBe(false);
    expect(engine.state().environments).toHaveLength(2);
  });

  it('starts on the last valid config when the file is not valid, and says so', () => {
    const { engine } = setup();
    const last = parseConfigText(config, 'axum.yml');
    if (!last.ok) throw new Error('fixture config is invalid');
    engine.applyConfig(parseConfigText('version: 2', 'axum.yml'), { config: last.config, loadedAt: '2026-11-29T10:00:00.000Z' });
    expect(engine.state().config).toMatchObject({ valid: false, loadedAt: '2026-11-29T10:00:00.000Z' });
    expect(engine.state().environments.map((e) => e.name)).toEqual(['production', 'dev']);
  });

  it('lists environments with records that the config in use does not declare, marked not in axum.yml', () => {
    const undeclared = [{ name: 'staging', branch: 'staging', path: '/r/.axum/envs/staging', protected: false, approval: 'auto' as const }];
    const { engine } = setup({ ...fakeDeployments, undeclared: () => undeclared });
    engine.applyConfig(parseConfigText(config, 'axum.yml'));
    expect(engine.state().environments.map((e) => [e.name, e.inConfig])).toEqual([
      ['production', true],
      ['dev', true],
      ['staging', false],
    ]);
  });

  it('broadcasts deltas only to clients past the handshake', () => {
    const { engine } = setup();
    const ready = fakeConnection('c1');
    const waiting = fakeConnection('c2');
    engine.attach(ready.connection).onFrame(hello);
    engine.attach(waiting.connection);
    engine.applyConfig(parseConfigText(config, 'axum.yml'));
    expect(ready.sent.at(-1)?.type).toBe('config.changed');
    expect(waiting.sent).toEqual([]);
  });

  it('tells every attached client of a warning at once, and keeps only the newest in the state', () => {
    const { engine } = setup();
    const a = fakeConnection('c1');
    engine.attach(a.connection).onFrame(hello);
    engine.warn('the runs history could not be saved (ENOSPC)');
    expect(a.sent.at(-1)).toEqual({ type: 'warning.added', message: 'the runs history could not be saved (ENOSPC)' });
    for (let i = 0; i < 50; i++) engine.warn(`warning ${i}`);
    expect(engine.state().warnings).toHaveLength(20);
    expect(engine.state().warnings.at(-1)).toBe('warning 49');
  });

  it('answers requests before hello with handshake-required, and dispatches after', async () => {
    const { engine, shutdowns } = setup();
    const a = fakeConnection('c1');
    const handlers = engine.attach(a.connection);
    handlers.onFrame(JSON.stringify({ type: 'request', id: 'r1', method: 'ping', params: {} }));
    expect(a.sent).toEqual([{ type: 'error', id: 'r1', code: 'handshake-required', message: 'send hello before any request' }]);
    handlers.onFrame(hello);
    handlers.onFrame(JSON.stringify({ type: 'request', id: 'r2', method: 'daemon.shutdown', params: {} }));
    await tick();
    expect(a.sent).toContainEqual({ type: 'result', id: 'r2', result: { stopping: true } });
    // Every client is told who did it (the TUI's event log).
    expect(a.sent.at(-1)).toMatchObject({ type: 'activity.added', entry: { what: 'stopped the daemon', clientId: 'c1' } });
    expect(shutdowns).toEqual(['requested by client c1']);
  });

  it('drops a flood beyond the burst, answering each dropped request rate-limited with its id, then recovers', async () => {
    const { engine, advance } = setup();
    const a = fakeConnection('c1');
    const handlers = engine.attach(a.connection);
    handlers.onFrame(hello);
    const ping = (i: number) => JSON.stringify({ type: 'request', id: `p${i}`, method: 'ping', params: {} });
    for (let i = 0; i < 1000; i++) handlers.onFrame(ping(i));
    for (let i = 0; i < 50; i++) handlers.onFrame('{"junk":true}'); // no id to answer
    await tick();
    const results = a.sent.filter((m) => m.type === 'result').length;
    const limited = a.sent.filter((m) => m.type === 'error' && m.code === 'rate-limited');
    expect(results).toBe(399); // burst of 400 tokens, one spent on hello
    expect(limited.filter((m) => m.type === 'error' && m.id !== null).map((m) => m.type === 'error' && m.id)).toEqual(Array.from({ length: 601 }, (_, i) => `p${399 + i}`));
    expect(limited.filter((m) => m.type === 'error' && m.id === null)).toHaveLength(1); // id-less frames: one notice a second
    advance(1000);
    handlers.onFrame(ping(1001));
    await tick();
    expect(a.sent.at(-1)).toMatchObject({ type: 'result', id: 'p1001' });
    // A second refills RATE_PER_SECOND tokens: p1001 took one, so of RATE_PER_SECOND more, the last is dropped.
    const before = a.sent.length;
    for (let i = 0; i < RATE_PER_SECOND; i++) handlers.onFrame(ping(2000 + i));
    await tick();
    const after = a.sent.slice(before);
    expect(after.filter((m) => m.type === 'result')).toHaveLength(RATE_PER_SECOND - 1);
    expect(after.filter((m) => m.type === 'error' && m.code === 'rate-limited').map((m) => m.type === 'error' && m.id)).toEqual([`p${2000 + RATE_PER_SECOND - 1}`]);
  });

  it('turns a pipeline refusal into a typed error with the request id', async () => {
    const { engine } = setup();
    const a = fakeConnection('c1');
    const handlers = engine.attach(a.connection);
    handlers.onFrame(hello);
    handlers.onFrame(JSON.stringify({ type: 'request', id: 'r9', method: 'run.cancel', params: { runId: 'run-4' } }));
    await tick();
    expect(a.sent.at(-1)).toEqual({ type: 'error', id: 'r9', code: 'not-found', message: 'no run run-4' });
  });

  it("answers each method with a result that passes that method's result schema", async () => {
    const { engine } = setup();
    engine.applyConfig(parseConfigText(config, 'axum.yml'));
    const a = fakeConnection('c1');
    const handlers = engine.attach(a.connection);
    handlers.onFrame(hello);
    const calls: [RequestMethod, object][] = [
      ['ping', {}],
      ['state.get', {}],
      ['git.reconcile', {}],
      ['runs.list', {}],
      ['logs.unfollow', { runId: 'run-1', step: 'unit' }],
      ['history.get', { env: 'dev' }],
      ['releases.list', {}],
      ['releases.fsck', {}],
      ['daemon.shutdown', {}],
    ];
    for (const [method, params] of calls) handlers.onFrame(JSON.stringify({ type: 'request', id: method, method, params }));
    await tick();
    for (const [method] of calls) {
      const answer = a.sent.find((m) => m.type === 'result' && m.id === method);
      expect(answer, method).toBeDefined();
      if (answer?.type === 'result') expect(decodeResult(method, answer.result), method).toMatchObject({ ok: true });
    }
  });

  it('answers env.pin with not-found, not an empty result, when the environment is gone once pinned', async () => {
    const { engine } = setup({ ...fakeDeployments, pin: async () => ({ ...fakeDeployments.state(), deployed: null, note: null }) });
    const a = fakeConnection('c1');
    const handlers = engine.attach(a.connection);
    handlers.onFrame(hello);
    handlers.onFrame(JSON.stringify({ type: 'request', id: 'p1', method: 'env.pin', params: { env: 'gone', pinned: true } }));
    await tick();
    expect(a.sent.at(-1)).toEqual({ type: 'error', id: 'p1', code: 'not-found', message: 'no environment gone' });
  });

  it('answers env.settled for a revision beyond the history with not-found, not the history', async () => {
    const revision = { revision: 1 } as RevisionView;
    const { engine } = setup({ ...fakeDeployments, history: () => [revision] });
    const a = fakeConnection('c1');
    const handlers = engine.attach(a.connection);
    handlers.onFrame(hello);
    handlers.onFrame(JSON.stringify({ type: 'request', id: 's1', method: 'env.settled', params: { env: 'dev', revision: Number.MAX_SAFE_INTEGER } }));
    handlers.onFrame(JSON.stringify({ type: 'request', id: 's2', method: 'env.settled', params: { env: 'dev', revision: 1 } }));
    await tick();
    expect(a.sent.find((m) => 'id' in m && m.id === 's1')).toEqual({ type: 'error', id: 's1', code: 'not-found', message: `dev: no revision #${Number.MAX_SAFE_INTEGER} (revisions: #1)` });
    expect(a.sent.find((m) => 'id' in m && m.id === 's2')).toMatchObject({ type: 'result', id: 's2', result: [revision] });
  });

  it('counts clients down when one leaves', () => {
    const { engine } = setup();
    const a = fakeConnection('c1');
    const b = fakeConnection('c2');
    engine.attach(a.connection).onFrame(hello);
    const hb = engine.attach(b.connection);
    hb.onFrame(hello);
    hb.onClose();
    expect(a.sent.filter((m) => m.type === 'clients.changed').map((m) => m.type === 'clients.changed' && m.clients)).toEqual([2, 1]);
  });
});
