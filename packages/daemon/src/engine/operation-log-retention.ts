// Retention of operation logs (ARCHITECTURE.md, glossary: Operation): a revision's deploy, verify
// and monitor logs (`runs/deploy-<key>/`, `runs/monitor-<key>-<n>/`) are kept as long as its release
// is. Release retention drops a release from the history first and then its files; its revisions'
// logs go after both, so a crash leaves logs no kept revision names — swept at the next start.
import type { RevisionView } from '@axum/protocol';
import { operationKey, operationLogId } from './deploy-operation.js';
import type { DeployState } from './deploy-state.js';
import { monitorCheckLogId } from './monitor.js';

/**
 * The log folders of one revision: its deploy hook and verify steps' (with their metrics file), its
 * monitor's metrics file (`metricsFile('monitor-<key>')`, a `deploy-` folder too), and each monitor
 * check's log it still lists.
 */
export function revisionLogIds(env: string, revision: RevisionView): string[] {
  const checks = revision.steps.filter((s) => s.stage === 'monitor').map((s) => monitorCheckLogId(env, revision, Number(s.name.slice('check-'.length))));
  return [operationLogId(env, revision), `deploy-monitor-${operationKey(env, revision)}`, ...checks];
}

/** Removes the logs of every revision whose release is in `dropped` (release retention just pruned them). */
export async function pruneOperationLogs(state: DeployState, dropped: ReadonlySet<string>): Promise<number> {
  let removed = 0;
  for (const [env, doc] of state.docs) {
    for (const revision of doc.revisions) {
      if (!dropped.has(revision.releaseId)) continue;
      for (const id of revisionLogIds(env, revision)) await state.deps.logs.removeRun(id);
      removed++;
    }
  }
  return removed;
}

/** `deploy-[monitor-]<env>-<revision>-<ms>` and `monitor-<env>-<revision>-<ms>-<check>`: the environment an operation log folder belongs to. */
function envOfLogId(id: string): string | null {
  return (/^deploy-monitor-(.+)-\d+-\d+$/.exec(id) ?? /^deploy-(.+)-\d+-\d+$/.exec(id) ?? /^monitor-(.+)-\d+-\d+-\d+$/.exec(id))?.[1] ?? null;
}

/**
 * At start: removes operation log folders of loaded environments that no revision with a kept
 * release names (a crash between retention and the logs' removal; logs from before retention
 * covered them). Only against a releases history that names every live release: one lost or moved
 * aside would make every revision's logs look unnamed.
 */
export async function sweepOperationLogs(state: DeployState): Promise<string[]> {
  const { deps, docs } = state;
  const recorded = state.releasesDoc().releases;
  const kept = new Set<string>();
  for (const [env, doc] of docs) {
    for (const revision of doc.revisions) {
      if (revision.status === 'live' && !state.release(revision.releaseId)) return []; // history not whole: keep everything
      if (state.release(revision.releaseId)) for (const id of revisionLogIds(env, revision)) kept.add(id);
    }
  }
  if (recorded.length === 0) return [];
  const swept: string[] = [];
  for (const id of await deps.logs.runIds()) {
    const env = envOfLogId(id);
    // Another environment's logs (one whose records are not loaded) are not this sweep's to judge.
    if (env === null || !docs.has(env) || kept.has(id)) continue;
    await deps.logs.removeRun(id);
    swept.push(id);
  }
  if (swept.length > 0) deps.logger.info(`operation logs: removed ${swept.length} folder(s) no kept revision names`);
  return swept;
}
