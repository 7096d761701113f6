import type { RevisionView } from '@axum/protocol';
import { liveRevision } from '../domain/revisions.js';
import { secretValues, type OperationDeps } from './deploy-operation.js';
import type { DeployState } from './deploy-state.js';
import { startMonitor, type Monitor } from './monitor.js';

/** One monitor per environment, on its live revision, while no operation holds it. */
export interface EnvironmentMonitors {
  /** Starts, moves or stops the environment's monitor to match what is live now. */
  sync(env: string): Promise<void>;
  /** Stops every monitor for good (daemon stopping). */
  stop(): Promise<void>;
}

/** What the monitors report and ask. */
export interface MonitorHost {
  /** True while an operation holds the environment: nothing is monitored then. */
  held(env: string): boolean;
  /** A check changed the revision's steps in place: save it and tell clients. */
  onChange(env: string): void;
  /** Failed checks in a row: the caller marks the release bad and applies the rollback policy. */
  onIncident(env: string, revision: RevisionView, message: string): void;
  /** A check inconclusive more than its `inconclusive` times in a row: the caller pauses the environment. */
  onInconclusive(env: string, revision: RevisionView, message: string): void;
  /** The monitor of a revision still live stopped, or started again, because of the config in use: said where everyone sees it. */
  onDeclared(env: string, what: string): void;
}

/** The monitors of every environment. */
export function createEnvironmentMonitors(state: DeployState, operationDeps: OperationDeps, host: MonitorHost): EnvironmentMonitors {
  const monitors = new Map<string, Monitor>();
  const chains = new Map<string, Promise<void>>();
  /** Environments whose live revision's monitor the config in use turned off: said again when it turns it back on. */
  const declaredAgain = new Set<string>();
  let stopped = false;

  const syncNow = async (env: string): Promise<void> => {
    const doc = state.docs.get(env);
    const live = doc ? liveRevision(doc) : null;
    // The live release's own config decides how it is monitored (ARCHITECTURE.md, glossary: Release);
    // the config in use decides whether anything is, as it decides what the daemon watches and runs.
    const config = live ? state.configFor(state.release(live.releaseId)) : null;
    const inUse = state.config();
    const undeclared = inUse !== null && inUse.monitor === undefined;
    const spec = undeclared ? undefined : config?.monitor;
    const current = monitors.get(env);
    const wanted = !stopped && spec && live && !host.held(env) ? live : null;
    if (current && current.revision === wanted?.revision) return;
    const address = live ? `${env} #${live.revision}` : env;
    if (current) {
      monitors.delete(env);
      await current.stop();
      if (undeclared && !stopped && live?.revision === current.revision) host.onDeclared(env, `monitor of ${address} stopped: axum.yml declares no monitor now`);
    }
    if (wanted && !current && declaredAgain.delete(env)) host.onDeclared(env, `monitor of ${address} started again: axum.yml declares a monitor`);
    if (!wanted && undeclared && config?.monitor && live && !stopped) declaredAgain.add(env);
    const target = wanted ? state.release(wanted.releaseId) : undefined;
    if (!wanted || !spec || !target || !config) return;
    const secrets = [...new Set([...secretValues(config, state.deps.baseEnv), ...(inUse ? secretValues(inUse, state.deps.baseEnv) : [])])];
    const releaseDir = await state.deps.releases.materialize(target);
    monitors.set(
      env,
      startMonitor(env, state.envDir(env), releaseDir, target, wanted, spec, { values: secrets, declared: config.secrets }, operationDeps, {
        onChange: () => host.onChange(env),
        onIncident: (message) => host.onIncident(env, wanted, message),
        onInconclusive: (message) => host.onInconclusive(env, wanted, message),
      }),
    );
  };

  return {
    sync(env) {
      // One sync per environment at a time: two interleaved ones could both start a monitor.
      const next = (chains.get(env) ?? Promise.resolve()).then(() => syncNow(env));
      chains.set(env, next.catch(() => undefined));
      return next;
    },
    async stop() {
      stopped = true;
      await Promise.all([...monitors.values()].map((m) => m.stop()));
      monitors.clear();
    },
  };
}
