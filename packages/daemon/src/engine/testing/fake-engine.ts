// A daemon engine over fakes that answer nothing much: for tests of the protocol's routing and state.
import { decodeDaemonMessage, type DaemonMessage } from '@axum/protocol';
import { createDaemonEngine, type EngineDeps } from '../daemon-engine.js';
import type { Deployments } from '../deployments.js';
import { RequestFailure, type Pipeline } from '../pipeline.js';
import type { ClientConnection } from '../ports.js';

/** A linked fake connection: records what the engine sends. */
export function fakeConnection(id: string) {
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
export const fakePipeline: Pipeline = {
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
export const fakeDeployments = {
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

export function setupEngine(deployments: Deployments = fakeDeployments, more: Pick<EngineDeps, 'refreshConfig'> = {}) {
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
    ...more,
  });
  return { engine, shutdowns, advance: (ms: number) => (now += ms) };
}
