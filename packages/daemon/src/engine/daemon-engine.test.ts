import { describe, expect, it } from 'vitest';
import { decodeDaemonMessage, decodeResult, parseConfigText, type DaemonMessage, type RequestMethod } from '@axum/protocol';
import { RATE_PER_SECOND } from './client-session.js';
import { createDaemonEngine } from './daemon-engine.js';
import type { ClientConnection } from './ports.js';
import { RequestFailure, type Pipeline } from './pipeline.js';
import type { Deployments } from './deployments.js';

/** A linked fake connection: records what the engine sends. */
function fakeConnection(id: string) {
  const sent: DaemonMessage[] = [];
  const closed: { code: number; reason: string }[] = [];
  const connection: ClientConnection = {
    id,
    bufferedAmount: () => 0,
    send(frame) {
      const decoded = decodeDaemonMessage(typeof frame === 'string' ? frame : frame.toString('utf8'));
      if (!decoded.ok) throw new Error(`engine sent an invalid message: ${decoded.message}`);
      sent.push(decoded.message);
    },
    close: (code, reason) => closed.push({ code, reason }),
  };
  return { connection, sent, closed };
}

/** The session only routes run requests to the pipeline; these tests cover the routing, not runs. */
const fakePipeline: Pipeline = {
  start: async () => undefined,
  setConfig: () => undefined,
  reconcile: async () => undefined,
  trigger: async () => new RequestFailure('not-found', 'no branch main'),
  triggerWatch: async () => null,
  cancel: async (runId) => new RequestFailure('not-found', `no run ${runId}`),
  get: (runId) => new RequestFailure('not-found', `no run ${runId}`),
  list: () => [],
  readLog: async () => new RequestFailure('not-found', 'no run'),
  onLogActivity: () => () => undefined,
  setDeploy: () => undefined,
  stop: async () => undefined,
};

/** No releases here: environments show nothing live. */
const fakeDeployments = {
  start: async () => undefined,
  setConfig: () => undefined,
  undeclared: () => [],
  state: () => ({ pinned: false, awaitingApproval: false, pendingReleaseId: null, queuedReleaseId: null, live: null, serving: null, lastKnownGood: null, rollbackTarget: null, heldReleaseId: null, paused: null, operation: null, incident: null, liveMetric: null, lastCheck: null }),
  releaseRun: async () => ({ releaseId: 'rel-1', message: '', warnings: [] }),
  reuseRun: async () => ({ reused: null, warnings: [] }),
  history: () => [],
  readLog: async () => new RequestFailure('not-found', 'no revision'),
  onLogActivity: () => () => undefined,
  releases: () => [],
  listReleases: () => [],
  diff: async () => new RequestFailure('not-found', 'no release'),
  fsck: async () => ({ releases: 0, problems: [], environments: [], repaired: [], rebuilt: null }),
  currentDirs: () => [],
  reconcileCurrent: async () => undefined,
  deploy: async () => new RequestFailure('not-found', 'no release'),
  rollback: async () => new RequestFailure('refused', 'no last known good revision'),
  approve: async () => new RequestFailure('refused', 'nothing is waiting'),
  pin: async () => new RequestFailure('not-found', 'no environment'),
  promote: async () => new RequestFailure('not-found', 'no environment'),
  mark: async () => new RequestFailure('not-found', 'no release'),
  idle: async () => undefined,
  ended: async () => undefined,
  stop: async () => undefined,
} satisfies Deployments;

function setup(deployments: Deployments = fakeDeployments) {
  let now = 1_000_000;
  const shutdowns: string[] = [];
  const engine = createDaemonEngine({
    info: { pid: 1, version: '0.1.0', protocolVersion: 1, repo: '/r', socket: '/s', tokenFile: '/t', listen: null, startedAt: 'x' },
    configFile: 'axum.yml',
    resolvePath: (p) => `/r/${p}`,
    logger: { info: () => undefined, warn: () => undefined, error: () => undefined },
    clock: { now: () => now },
    onShutdownRequested: (reason) => shutdowns.push(reason),
    pipeline: fakePipeline,
    deployments,
  });
  return { engine, shutdowns, advance: (ms: number) => (now += ms) };
}

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
