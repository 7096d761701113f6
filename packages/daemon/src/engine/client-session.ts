import {
  PROTOCOL_VERSION,
  SUPPORTED_PROTOCOL_VERSIONS,
  decodeClientMessage,
  encode,
  missingRevisionText,
  type DaemonMessage,
  type DaemonState,
  type EnvironmentView,
  type ErrorCode,
  type Request,
  type ResultOf,
  type AttachedClient,
} from '@axum/protocol';
import { activityText, environmentsMovedBy } from './activity.js';
import type { Deployments } from './deployments.js';
import { LogFollower } from './log-follower.js';
import type { LogSource } from './log-source.js';
import { RequestFailure, type Pipeline } from './pipeline.js';
import type { Backups } from './backups.js';
import type { Clock, ClientConnection, ConnectionHandlers, Logger } from './ports.js';

/** What a session needs from the engine. */
export interface SessionHost {
  state(): DaemonState;
  /** Called once the handshake succeeded, and again when the connection ends. */
  onReady(session: ClientSession): void;
  onGone(session: ClientSession): void;
  requestShutdown(reason: string): void;
  /** A request changed the shared state (or was refused): every client is told who did what. */
  activity(session: ClientSession, what: string): void;
  /** A request that may move these environments is being handled (its activity says the moves); call the answer when it is done. */
  acting(envs: readonly string[]): () => void;
  pipeline: Pipeline;
  deployments: Deployments;
  /** Backups (docs/backups.md); null in engines built without them (tests). */
  backups: Backups | null;
  /** Runs' and operations' logs (`run-12`, `production#7`). */
  logSource: LogSource;
  /** The current view of one environment. */
  environment(name: string): EnvironmentView | undefined;
  logger: Logger;
  clock: Clock;
  /**
   * Brings the config up to date with the working tree before a client is shown it (the welcome's
   * snapshot, `state.get`): a promise while it reloads, null when it is current already.
   */
  freshConfig(): Promise<void> | null;
}

/** A client may send this many messages per second on average, in bursts of `BURST`. */
export const RATE_PER_SECOND = 200;
const BURST = 400;
/**
 * The id of a request frame that starts `{"type":"request","id":"…"` (as clients encode them; ids
 * are 1–64 plain characters). Anchored: an `"id"` inside params is not the request's.
 */
const REQUEST_ID = /^\s*\{\s*"type"\s*:\s*"request"\s*,\s*"id"\s*:\s*"([^"\\]{1,64})"/;
/** WebSocket close code for a protocol-level handshake failure (4000–4999 are the application's). */
export const CLOSE_PROTOCOL_MISMATCH = 4001;

/** What a handler of method `M` gives back, now or through a promise: the result its protocol schema describes, or a typed failure. */
type Answer<M extends Request['method']> = ResultOf<M> | RequestFailure;
type HandlerFor<M extends Request['method']> = (request: Extract<Request, { method: M }>, session: ClientSession) => Answer<M> | Promise<Answer<M>>;

/** One row per method: adding a method is one line here, and its params and result schemas in the protocol. */
const HANDLERS: { [M in Request['method']]: HandlerFor<M> } = {
  ping: () => ({ pong: true }),
  'state.get': (_request, session) => session.host.freshConfig()?.then(() => session.host.state()) ?? session.host.state(),
  'git.reconcile': async (_request, session) => {
    await session.host.pipeline.reconcile();
    return { reconciled: true };
  },
  'runs.list': (request, session) => session.host.pipeline.list(request.params.limit, request.params),
  'run.get': (request, session) => session.host.pipeline.get(request.params.runId),
  'run.trigger': (request, session) => session.host.pipeline.trigger(request.params),
  'run.cancel': (request, session) => session.host.pipeline.cancel(request.params.runId),
  'logs.read': (request, session) => session.host.logSource.readLog(request.params),
  'logs.follow': (request, session) => session.logs.follow(request.params.runId, request.params.step, request.params.offset),
  'logs.unfollow': (request, session) => session.logs.unfollow(request.params.runId, request.params.step),
  'history.get': (request, session) => session.host.deployments.history(request.params.env),
  'env.settled': async (request, session) => {
    const { env, revision } = request.params;
    await session.host.deployments.ended(env, revision);
    const history = session.host.deployments.history(env);
    // A revision the history lacks has nothing to wait on: a not-found, as a rollback --to it is.
    if (history instanceof RequestFailure || history.some((r) => r.revision === revision)) return history;
    return new RequestFailure('not-found', `${env}: ${missingRevisionText(revision, history.map((r) => r.revision))}`);
  },
  'releases.list': (request, session) => session.host.deployments.listReleases(request.params.env),
  'releases.diff': (request, session) => session.host.deployments.diff(request.params.from, request.params.to, request.params.env),
  'releases.fsck': (request, session) => session.host.deployments.fsck(request.params.rebuild, request.params.repair),
  'backup.run': (request, session) => {
    const backups = session.host.backups;
    if (!backups || backups.status().length === 0) return new RequestFailure('not-configured', 'no backup target: add backup: { to: [/path/to/folder], every: 1h } to axum.yml');
    return backups.run(request.params.takeOver === true);
  },
  'env.deploy': async (request, session) => {
    const { env, releaseId, commit, force, by, again } = request.params;
    const releases = session.host.deployments.releases();
    const target = releaseId ? releases.find((r) => r.id === releaseId) : commit ? releases.find((r) => r.commit.startsWith(commit)) : undefined;
    if (!target) return new RequestFailure('not-found', releaseId ? `no release ${releaseId} (axum releases lists them)` : commit ? `no release of commit ${commit} (a succeeded run on an environment branch makes one)` : 'name --release ID or --commit SHA');
    const result = await session.host.deployments.deploy(env, target.id, by, force, again);
    return result instanceof RequestFailure ? result : { unchanged: false, ...result };
  },
  'env.rollback': (request, session) => session.host.deployments.rollback(request.params.env, request.params.to, request.params.force, request.params.by),
  'release.mark': (request, session) => session.host.deployments.mark(request.params.releaseId, request.params.mark, request.params.reason, request.params.by),
  'env.promote': async (request, session) => {
    const { from, to, force, by, releaseId, again } = request.params;
    const result = await session.host.deployments.promote(from, to, force, by, releaseId, again);
    return result instanceof RequestFailure ? result : { unchanged: false, ...result };
  },
  'env.approve': (request, session) => session.host.deployments.approve(request.params.env, request.params.by, request.params.force, request.params.releaseId),
  'env.pin': async (request, session) => {
    const result = await session.host.deployments.pin(request.params.env, request.params.pinned, request.params.by);
    if (result instanceof RequestFailure) return result;
    // pin succeeded, so the environment exists in the config the pin read; a reload in between can drop it.
    const view = session.host.environment(request.params.env);
    return view ? { ...view, deployed: result.deployed, note: result.note, unchanged: result.unchanged ?? false } : new RequestFailure('not-found', `no environment ${request.params.env}`);
  },
  'daemon.shutdown': (_request, session) => {
    session.host.requestShutdown(`requested by client ${session.id}`);
    return { stopping: true };
  },
};

/** The protocol state of one connection: handshake gate, request dispatch, rate limit. */
export class ClientSession implements ConnectionHandlers {
  readonly id: string;
  readonly logs: LogFollower;
  ready = false;
  /** Who this client is, from its hello (for the other clients: presence and activity). */
  client: AttachedClient | null = null;
  private tokens = BURST;
  private lastRefill: number;
  private lastRateError = 0;
  /** Set while the config reloads before the welcome: requests sent meanwhile are handled after it. */
  private greeting: Promise<void> | null = null;
  private closed = false;

  constructor(
    readonly connection: ClientConnection,
    readonly host: SessionHost,
  ) {
    this.id = connection.id;
    this.lastRefill = host.clock.now();
    this.logs = new LogFollower(host.logSource, (frame) => connection.send(frame), () => connection.bufferedAmount());
  }

  /** Sends one message to this client. */
  send(message: DaemonMessage): void {
    this.connection.send(encode(message));
  }

  onFrame(frame: unknown): void {
    if (!this.takeToken()) {
      // A dropped request is still answered, with its id, so no caller waits forever for it. The
      // id is read off the frame's start, not parsed: the point of dropping is not to decode it.
      const id = typeof frame === 'string' ? REQUEST_ID.exec(frame.slice(0, 256))?.[1] : undefined;
      const now = this.host.clock.now();
      if (id !== undefined) this.sendError(id, 'rate-limited', `over ${RATE_PER_SECOND} messages per second: this request was dropped; send it again later`);
      else if (now - this.lastRateError >= 1000) {
        this.lastRateError = now;
        this.sendError(null, 'rate-limited', `over ${RATE_PER_SECOND} messages per second: messages are being dropped`);
      }
      return;
    }
    const decoded = decodeClientMessage(frame);
    if (!decoded.ok) {
      this.sendError(decoded.id, decoded.code, decoded.message);
      return;
    }
    const message = decoded.message;
    if (message.type === 'hello') {
      if (!SUPPORTED_PROTOCOL_VERSIONS.includes(message.protocolVersion)) {
        this.sendError(
          null,
          'protocol-mismatch',
          `this daemon speaks protocol ${PROTOCOL_VERSION}, the client ${message.protocolVersion}: restart the daemon (axum daemon stop) or update the client`,
        );
        this.connection.close(CLOSE_PROTOCOL_MISMATCH, 'protocol mismatch');
        return;
      }
      if (this.ready || this.greeting) {
        this.sendError(null, 'invalid-message', 'hello was already received on this connection');
        return;
      }
      const { name, user, pid, terminal } = message.client;
      this.client = { id: this.id, name, user: user ?? null, pid: pid ?? null, terminal: terminal ?? null, since: new Date(this.host.clock.now()).toISOString() };
      this.host.logger.info(`client ${this.id} attached: ${message.client.name} ${message.client.version}`);
      // The snapshot shows the config of the checked-out axum.yml, not one the watcher has yet to replace.
      const reloading = this.host.freshConfig();
      if (reloading === null) this.welcome();
      else this.greeting = reloading.then(() => this.welcome());
      return;
    }
    if (!this.ready && !this.greeting) {
      this.sendError(message.id, 'handshake-required', 'send hello before any request');
      return;
    }
    this.dispatch(message);
  }

  onClose(): void {
    this.closed = true;
    this.logs.close();
    if (this.ready) this.host.logger.info(`client ${this.id} detached`);
    this.host.onGone(this);
  }

  /** The handshake's answer: the welcome, then the snapshot (onReady); not to a client gone meanwhile. */
  private welcome(): void {
    if (this.closed) return;
    this.ready = true;
    this.send({ type: 'welcome', protocolVersion: PROTOCOL_VERSION, clientId: this.id, daemon: this.host.state().daemon });
    this.host.onReady(this);
  }

  private dispatch(request: Request): void {
    const handler = HANDLERS[request.method] as HandlerFor<Request['method']>;
    const done = this.host.acting(environmentsMovedBy(request));
    (this.greeting ?? Promise.resolve())
      .then(() => handler(request, this))
      .finally(done)
      .then(
        (result) => {
          if (result instanceof RequestFailure) this.sendError(request.id, result.code, result.message);
          else this.send({ type: 'result', id: request.id, result });
          // A refusal is said too (not a not-found: a typo changed nothing anyone needs to know).
          if (result instanceof RequestFailure && result.code !== 'refused' && result.code !== 'conflict') return;
          const what = activityText(request, result instanceof RequestFailure ? { refusal: result.message } : { result });
          if (what !== null) this.host.activity(this, what);
        },
        (err: unknown) => {
          this.host.logger.error(`request ${request.method} from ${this.id} failed: ${(err as Error)?.stack ?? String(err)}`);
          this.sendError(request.id, 'internal', 'the daemon failed to handle this request; see .axum/daemon.log');
        },
      );
  }

  private sendError(id: string | null, code: ErrorCode, message: string): void {
    this.send({ type: 'error', id, code, message });
  }

  /**
   * Token bucket: a flooding client's excess is dropped. Each dropped request is answered with a
   * `rate-limited` error carrying its id (above); frames without one get one `rate-limited` error
   * (id null) per second.
   */
  private takeToken(): boolean {
    const now = this.host.clock.now();
    this.tokens = Math.min(BURST, this.tokens + ((now - this.lastRefill) / 1000) * RATE_PER_SECOND);
    this.lastRefill = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
