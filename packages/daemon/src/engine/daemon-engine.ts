import type { ConfigLoad, ConfigStatus, DaemonInfo, DaemonMessage, DaemonState, Delta, EnvironmentView, RunView } from '@axum/protocol';
import { applyDelta } from '@axum/protocol';
import { environmentsOf } from '../domain/environments.js';
import { whoOf } from './activity.js';
import { ClientSession, type SessionHost } from './client-session.js';
import type { Deployments } from './deployments.js';
import { createLogSource } from './log-source.js';
import type { Pipeline } from './pipeline.js';
import type { Clock, ClientConnection, ConnectionHandlers, Logger } from './ports.js';

/** What the composition root hands the engine. */
export interface EngineDeps {
  info: DaemonInfo;
  /** File name shown in config problems and status (`axum.yml`). */
  configFile: string;
  /** Makes an environment's `path` absolute (relative to the repository root). */
  resolvePath: (relative: string) => string;
  logger: Logger;
  clock: Clock;
  /** The runs side; requests about runs and logs go there. */
  pipeline: Pipeline;
  /** Releases and revisions; requests about environments go there. */
  deployments: Deployments;
  /** Called when a client asks the daemon to stop. */
  onShutdownRequested: (reason: string) => void;
}

/** The daemon's control loop: one state, changed only here, every client a subscriber (as in Tilt). */
export interface DaemonEngine {
  state(): DaemonState;
  /** Applies a new reading of `axum.yml`; an invalid one keeps the last valid environments. */
  applyConfig(load: ConfigLoad): void;
  /** Starts the protocol on a new connection; the transport feeds it frames. */
  attach(connection: ClientConnection): ConnectionHandlers;
  /** Tells every client about a changed run. */
  publishRun(run: RunView): void;
  /** Tells every client an environment changed (live revision, LKG, pin, operation…). */
  publishEnvironment(name: string): void;
  /** Records a problem the daemon recovered from; every client sees it in its snapshot. */
  warn(message: string): void;
  /** Tells every client the daemon is stopping. */
  announceStop(reason: string): void;
}

/** Builds the engine; nothing here touches the network or the disk. */
export function createDaemonEngine(deps: EngineDeps): DaemonEngine {
  const sessions = new Set<ClientSession>();
  let state: DaemonState = {
    daemon: deps.info,
    config: { file: deps.configFile, valid: false, errors: [], loadedAt: null },
    environments: [],
    runs: [],
    warnings: [],
    clients: 0,
    attached: [],
    activity: [],
  };

  const broadcast = (message: DaemonMessage, except?: ClientSession): void => {
    for (const session of sessions) if (session.ready && session !== except) session.send(message);
  };
  const publish = (delta: Delta, except?: ClientSession): void => {
    state = applyDelta(state, delta);
    broadcast(delta, except);
  };
  /** The attached clients (presence): the count and who, as one delta. */
  const clientsChanged = (): Delta => {
    const attached = [...sessions].flatMap((s) => (s.ready && s.client ? [s.client] : []));
    return { type: 'clients.changed', clients: attached.length, attached };
  };

  const host: SessionHost = {
    state: () => state,
    onReady: (session) => {
      // The new client gets the full view (with itself counted) first; the others get the delta.
      publish(clientsChanged(), session);
      session.send({ type: 'snapshot', state });
    },
    onGone: (session) => {
      const wasReady = session.ready;
      sessions.delete(session);
      if (wasReady) publish(clientsChanged());
    },
    requestShutdown: deps.onShutdownRequested,
    activity: (session, what) => {
      const entry = { at: new Date(deps.clock.now()).toISOString(), who: session.client ? whoOf(session.client) : session.id, what, clientId: session.id };
      deps.logger.info(`activity: ${entry.who} ${what}`);
      publish({ type: 'activity.added', entry });
    },
    pipeline: deps.pipeline,
    deployments: deps.deployments,
    logSource: createLogSource(deps.pipeline, deps.deployments),
    environment: (name) => state.environments.find((e) => e.name === name),
    logger: deps.logger,
    clock: deps.clock,
  };

  return {
    state: () => state,
    applyConfig(load) {
      const loadedAt = new Date(deps.clock.now()).toISOString();
      let config: ConfigStatus;
      let environments: EnvironmentView[];
      if (load.ok) {
        config = { file: deps.configFile, valid: true, errors: [], loadedAt };
        deps.pipeline.setConfig(load.config);
        deps.deployments.setConfig(load.config);
        environments = environmentsOf(load.config).map((env) => ({
          name: env.name,
          branch: env.branch,
          path: deps.resolvePath(env.relativePath),
          protected: env.protected,
          approval: env.approval,
          ...deps.deployments.state(env.name),
        }));
        deps.logger.info(`config loaded: ${environments.length} environment(s)`);
      } else {
        config = { file: deps.configFile, valid: false, errors: load.errors, loadedAt: state.config.loadedAt };
        environments = state.environments;
        for (const problem of load.errors) {
          deps.logger.warn(`config invalid, keeping the last valid one: ${problem.file}:${problem.line}:${problem.col}: ${problem.message}`);
        }
      }
      publish({ type: 'config.changed', config, environments });
    },
    publishEnvironment(name) {
      const current = state.environments.find((e) => e.name === name);
      if (!current) return;
      publish({ type: 'environment.updated', environment: { ...current, ...deps.deployments.state(name) } });
    },
    publishRun(run) {
      publish({ type: 'run.updated', run });
    },
    warn(message) {
      deps.logger.warn(message);
      state = { ...state, warnings: [...state.warnings, message] };
    },
    attach(connection) {
      const session = new ClientSession(connection, host);
      sessions.add(session);
      return session;
    },
    announceStop(reason) {
      broadcast({ type: 'daemon.stopping', reason });
    },
  };
}
