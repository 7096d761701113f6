import type { RunStatus } from '@axum/protocol';

/** The fields of a run the queue decides on. */
export interface QueuedRun {
  id: string;
  branch: string;
  status: RunStatus;
  trigger: string;
}

/**
 * Queues a new run: an older *queued* run of the same branch triggered by a push is superseded
 * (visible, never silent); a running one is never touched. Returns the ids superseded.
 */
export function supersededBy(runs: readonly QueuedRun[], incoming: QueuedRun): string[] {
  if (incoming.trigger !== 'push') return [];
  return runs.filter((r) => r.branch === incoming.branch && r.status === 'queued' && r.trigger === 'push' && r.id !== incoming.id).map((r) => r.id);
}

/** Queued runs that may start now: at most one running run per branch, oldest first. */
export function runnable<R extends QueuedRun>(runsOldestFirst: readonly R[]): R[] {
  const busy = new Set(runsOldestFirst.filter((r) => r.status === 'running').map((r) => r.branch));
  const picked: R[] = [];
  for (const run of runsOldestFirst) {
    if (run.status !== 'queued' || busy.has(run.branch)) continue;
    busy.add(run.branch);
    picked.push(run);
  }
  return picked;
}

/** Terminal statuses: the run will never change again. */
export const FINISHED: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'superseded', 'interrupted'];
