import type { RunStatus } from '@axum/protocol';

/** The fields of a run the queue decides on. */
export interface QueuedRun {
  id: string;
  branch: string;
  status: RunStatus;
  trigger: string;
  commit: string;
}

/** Runs of one lane run one at a time: a branch's push and manual runs share one; `watch` runs have their own. */
export function laneOf(run: QueuedRun): string {
  return run.trigger === 'watch' ? `watch:${run.branch}` : run.branch;
}

/**
 * Queues a new run: an older *queued* run of the same lane and trigger (push or watch) is superseded
 * (visible, never silent); a running one is never touched. Returns the ids superseded.
 */
export function supersededBy(runs: readonly QueuedRun[], incoming: QueuedRun): string[] {
  if (incoming.trigger !== 'push' && incoming.trigger !== 'watch') return [];
  return runs
    .filter((r) => laneOf(r) === laneOf(incoming) && r.status === 'queued' && r.trigger === incoming.trigger && r.id !== incoming.id)
    .map((r) => r.id);
}

/**
 * The queued or running run of `commit` for `branch` that a manual run of it would repeat, or null:
 * asking twice answers with that run instead of queueing a duplicate. A watch run tests the work
 * tree, not the commit, so it is none; nor is a run without `force` when `force` is asked (it would
 * refuse a release marked bad that the new one may deploy).
 */
export function activeRunOf<R extends QueuedRun & { commit: string; force?: boolean }>(runs: readonly R[], wanted: { branch: string; commit: string; force: boolean }): R | null {
  return (
    runs.find(
      (r) => r.trigger !== 'watch' && (r.status === 'queued' || r.status === 'running') && r.branch === wanted.branch && r.commit === wanted.commit && (!wanted.force || r.force === true),
    ) ?? null
  );
}

/**
 * The run a manual run of `commit` for `branch` is answered with instead of a new one (build once,
 * promote): the queued or running one (`activeRunOf`), else the newest that succeeded (its deploy
 * may still wait for an approval). A run that failed, was cancelled or interrupted is none: asking
 * again runs it again. The same `force` rule holds: an unforced run refused a release marked bad.
 */
export function answeringRunOf<R extends QueuedRun & { commit: string; force?: boolean }>(runs: readonly R[], wanted: { branch: string; commit: string; force: boolean }): R | null {
  return (
    activeRunOf(runs, wanted) ??
    runs.findLast((r) => r.trigger !== 'watch' && r.status === 'succeeded' && r.branch === wanted.branch && r.commit === wanted.commit && (!wanted.force || r.force === true)) ??
    null
  );
}

/**
 * Queued runs that may start now: at most one running run per lane, oldest first. A commit is built
 * once (docs/releases-and-rollback.md, "Build once, promote"): a run of a commit another lane is building waits for it,
 * then hands its release on instead of training the same commit twice at once (a commit pushed to
 * develop, staging and main together). Watch runs test the work tree, not a commit: never held.
 */
export function runnable<R extends QueuedRun>(runsOldestFirst: readonly R[]): R[] {
  const running = runsOldestFirst.filter((r) => r.status === 'running');
  const busy = new Set(running.map(laneOf));
  const building = new Set(running.filter((r) => r.trigger !== 'watch').map((r) => r.commit));
  const picked: R[] = [];
  for (const run of runsOldestFirst) {
    if (run.status !== 'queued' || busy.has(laneOf(run))) continue;
    if (run.trigger !== 'watch' && building.has(run.commit)) continue;
    busy.add(laneOf(run));
    if (run.trigger !== 'watch') building.add(run.commit);
    picked.push(run);
  }
  return picked;
}

/** Terminal statuses: the run will never change again. */
export const FINISHED: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled', 'superseded', 'interrupted'];
