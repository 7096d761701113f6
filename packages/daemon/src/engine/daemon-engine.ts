import type { BackupTargetStatus, ConfigLoad, ConfigStatus, DaemonInfo, DaemonMessage, DaemonState, Delta, EnvironmentView, PipelineConfig, RunView } from '@axum/protocol';
import { applyDelta } from '@axum/protocol';
import { environmentsOf } from '../domain/environments.js';
import { movedText, resolvedText, runOutcomeText, whoOf } from './activity.js';
import { ClientSession, type SessionHost } from './client-session.js';
import type { Backups } from './backups.js';
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
  /** Backups of `.axum/`; absent in engines built without them (tests). */
  backups?: Backups;
  /** Called when a client asks the daemon to stop. */
  onShutdownRequested: (reason: string) => void;
  /**
   * Reloads the config when `axum.yml` changed since it was read and the watcher has not said so
   * yet (a `git checkout`, within its debounce): a promise settled once the new reading is applied,
   * or null when nothing changed. Absent: the config is taken as it is.
   */
  refreshConfig?: () => Promise<void> | null;
}

/** The last valid config, as the daemon recorded it, and when it was loaded from `axum.yml`. */
export interface LastValidConfig {
  config: PipelineConfig;
  loadedAt: string;
}

/** The daemon's control loop: one state, changed only here, every client a subscriber (as in Tilt). */
export interface DaemonEngine {
  state(): DaemonState;
  /**
   * Applies a new reading of `axum.yml`; an invalid one keeps the config in use. `lastValid` is the
   * last valid config the daemon recorded: used when the file is not valid and nothing is in use yet
   * (a start on a broken or missing file).
   */
  applyConfig(load: ConfigLoad, lastValid?: LastValidConfig | null): void;
  /** The environments changed (records loaded at start): lists them again, the undeclared ones included. */
  refreshEnvironments(): void;
  /** Starts the protocol on a new connection; the transport feeds it frames. */
  attach(connection: ClientConnection): ConnectionHandlers;
  /** Tells every client about a changed run. */
  publishRun(run: RunView): void;
  /** Tells every client an environment changed (live revision, LKG, pin, operation…). */
  publishEnvironment(name: string): void;
  /** Tells every client the backup targets' status changed. */
  publishBackups(backups: BackupTargetStatus[]): void;
  /** Records a problem the daemon recovered from; every client sees it in its snapshot. */
  warn(message: string): void;
  /** Tells every client the daemon is stopping. */
  announceStop(reason: string): void;
  /** A line of the shared activity for what the daemon did on its own (a monitor stopped). */
  say(what: string): void;
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
    backups: [],
  };

  const broadcast = (message: DaemonMessage, except?: ClientSession): void => {
    for (const session of sessions) if (session.ready && session !== except) session.send(message);
  };
  const publish = (delta: Delta, except?: ClientSession): void => {
    state = applyDelta(state, delta);
    broadcast(delta, except);
  };
  /** Environments that requests being handled may move, and how many such requests each has. */
  const acting = new Map<string, number>();
  /** One line of the shared activity; `clientId` is '' for what the daemon did on its own. */
  const said = (who: string, what: string, clientId: string): void => {
    const entry = { at: new Date(deps.clock.now()).toISOString(), who, what, clientId };
    deps.logger.info(`activity: ${who} ${what}`);
    publish({ type: 'activity.added', entry });
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
    activity: (session, what) => said(session.client ? whoOf(session.client) : session.id, what, session.id),
    acting: (envs) => {
      for (const env of envs) acting.set(env, (acting.get(env) ?? 0) + 1);
      return () => {
        for (const env of envs) {
          const left = (acting.get(env) ?? 1) - 1;
          if (left > 0) acting.set(env, left);
          else acting.delete(env);
        }
      };
    },
    pipeline: deps.pipeline,
    deployments: deps.deployments,
    backups: deps.backups ?? null,
    logSource: createLogSource(deps.pipeline, deps.deployments),
    environment: (name) => state.environments.find((e) => e.name === name),
    logger: deps.logger,
    clock: deps.clock,
    freshConfig: () => deps.refreshConfig?.()?.catch((err: Error) => deps.logger.warn(`reloading ${deps.configFile}: ${err.message}`)) ?? null,
  };

  /** The config the daemon runs on: the working tree's file, or the last valid one while it is not valid. */
  let inUse: PipelineConfig | null = null;
  /**
   * The environments the config in use declares, then those that only have records (another
   * branch's axum.yml): still listed, served from their records, marked not in axum.yml.
   */
  const environmentViews = (): EnvironmentView[] => {
    const declared = (inUse ? environmentsOf(inUse) : []).map((env) => ({
      ...{ name: env.name, branch: env.branch, path: deps.resolvePath(env.relativePath), protected: env.protected, approval: env.approval, inConfig: true },
      ...deps.deployments.state(env.name),
    }));
    const undeclared = deps.deployments.undeclared().map((env) => ({ ...env, inConfig: false, ...deps.deployments.state(env.name) }));
    return [...declared, ...undeclared];
  };
  const use = (config: PipelineConfig): void => {
    inUse = config;
    deps.pipeline.setConfig(config);
    deps.deployments.setConfig(config);
    deps.backups?.setConfig(config);
  };

  return {
    state: () => state,
    applyConfig(load, lastValid = null) {
      const loadedAt = new Date(deps.clock.now()).toISOString();
      let config: ConfigStatus;
      if (load.ok) {
        config = { file: deps.configFile, valid: true, errors: [], loadedAt };
        use(load.config);
        deps.logger.info(`config loaded: ${Object.keys(load.config.environments).length} environment(s)`);
      } else {
        for (const problem of load.errors) deps.logger.warn(`config invalid: ${problem.file}:${problem.line}:${problem.col}: ${problem.message}`);
        if (inUse === null && lastValid) {
          // The daemon always starts: on the last valid config when the file is not valid.
          use(lastValid.config);
          config = { file: deps.configFile, valid: false, errors: load.errors, loadedAt: lastValid.loadedAt };
          deps.logger.warn(`using the last valid config (loaded ${lastValid.loadedAt}) until ${deps.configFile} is valid again`);
        } else {
          config = { file: deps.configFile, valid: false, errors: load.errors, loadedAt: state.config.loadedAt };
          if (inUse) deps.logger.warn(`keeping the config in use (loaded ${state.config.loadedAt ?? '?'})`);
        }
      }
      publish({ type: 'config.changed', config, environments: environmentViews() });
    },
    refreshEnvironments() {
      publish({ type: 'config.changed', config: state.config, environments: environmentViews() });
    },
    publishEnvironment(name) {
      const current = state.environments.find((e) => e.name === name);
      if (!current) {
        // Records of an environment not listed yet (recovery loading it): list them all again.
        if (deps.deployments.undeclared().some((env) => env.name === name)) this.refreshEnvironments();
        return;
      }
      const next = { ...current, ...deps.deployments.state(name) };
      publish({ type: 'environment.updated', environment: next });
      // Every terminal's event log, and one attached later, sees the moves nobody asked for too.
      // A move a request is making is said once, by the request's activity line, with who asked.
      const moved = acting.has(name) ? null : movedText(current, next);
      if (moved) said('axum', moved, '');
      // Whoever made it go, an incident that went is said once, so the event log keeps it.
      const resolved = resolvedText(current, next);
      if (resolved) said('axum', resolved, '');
    },
    publishRun(run) {
      const before = state.runs.find((r) => r.id === run.id);
      publish({ type: 'run.updated', run });
      const waits = runOutcomeText(before, run);
      if (waits) said('axum', waits, '');
    },
    publishBackups(backups) {
      publish({ type: 'backups.changed', backups });
    },
    warn(message) {
      deps.logger.warn(message);
      // Every attached client is told at once (a full disk must not wait for the next snapshot).
      publish({ type: 'warning.added', message });
    },
    attach(connection) {
      const session = new ClientSession(connection, host);
      sessions.add(session);
      return session;
    },
    say(what) {
      said('axum', what, '');
    },
    announceStop(reason) {
      broadcast({ type: 'daemon.stopping', reason });
    },
  };
}
