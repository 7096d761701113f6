// What deployments do when the daemon starts: the records loaded, the release store tidied and
// swept, every environment recovered from a crash (then what waited in it), `current` compared
// with each history, and the remote hosts asked.
import { servingRevision } from '../domain/revisions.js';
import type { DeployState } from './deploy-state.js';
import { recoverEnvironment, resumeAutoRollback } from './deploy-recovery.js';
import type { EnvironmentCoordinator } from './environment-coordinator.js';
import { sweepOperationLogs } from './operation-log-retention.js';
import { reconcileEnvironments } from './reconciliation.js';
import { sweepReleaseStore, tidyFolders } from './release-store-sweep.js';

/** Starts deployments over records a previous daemon may have left mid-operation. */
export async function startDeployments(state: DeployState, environments: EnvironmentCoordinator): Promise<void> {
  const { deps, docOf, release } = state;
  const warning = await state.loadReleases();
  await tidyFolders(state, warning);
  // Every environment with records, whatever the working tree's axum.yml declares: its documents
  // are loaded first (where its `current` is, what retention must keep), then it is recovered.
  await state.loadRecorded();
  const loaded = await Promise.allSettled(state.environments().map((env) => docOf(env)));
  const unread = loaded.find((l) => l.status === 'rejected');
  await sweepReleaseStore(state, unread ? `an environment's history could not be read (${String((unread as PromiseRejectedResult).reason)})` : warning);
  for (const env of state.environments()) {
    try {
      await recover(state, environments, env);
    } catch (err) {
      // One broken environment must not keep the daemon (and every other environment) down.
      deps.warn(`${env}: could not recover its deployments: ${(err as Error).message}`);
    }
  }
  state.recordDeclarations();
  await reconcileEnvironments(state, environments.quiet);
  // Remote hosts are asked in the background: an unreachable one must not hold the start up.
  for (const env of state.environments()) {
    if (environments.hold(env)) continue; // an operation records its hosts itself
    const serving = state.docs.get(env) ? servingRevision(state.docs.get(env)!) : null;
    void state.fleet.check(env, serving ? (release(serving.revision.releaseId) ?? null) : null);
  }
  await sweepOperationLogs(state).catch((err: Error) => deps.logger.warn(`sweeping operation logs: ${err.message}`));
}

/** Crash recovery of one environment, then what was waiting in it. */
async function recover(state: DeployState, environments: EnvironmentCoordinator, env: string): Promise<void> {
  const { docOf, release } = state;
  await recoverEnvironment(state, env, environments);
  // A crash may have come between a revision's change and its run's: the revision is the truth.
  for (const revision of (await docOf(env)).revisions) if (revision.status !== 'superseded') state.tellRun(env, revision);
  await resumeAutoRollback(state, env, environments);
  await environments.syncMonitor(env);
  const doc = await docOf(env);
  const queued = doc.queuedReleaseId ? release(doc.queuedReleaseId) : undefined;
  // Commits deploy only to environments the config in use declares: it waits in the queue till then.
  if (queued && state.declares(env)) {
    doc.queuedReleaseId = null;
    await environments.save(env);
    await environments.handOn(env, queued, undefined, true); // queued before the restart: it still deploys, unless a newer release is live
  }
}
