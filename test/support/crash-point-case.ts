// One crash-point case (RELIABILITY.md): arm `AXUM_CRASH_AT`, play the scenario until the daemon
// kills itself there, restart it, and check every invariant and the next operation.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { isAlive, waitFor } from './axum.js';
import { DaemonGone, Scenario, crashRepo, nextOperationWorks, runningOnDisk, startDaemon, violations } from './crash-scenario.js';

export async function crashAtPoint(point: string, track: (dir: string) => void): Promise<void> {
  const { dir, mark } = crashRepo();
  track(dir);
  let pid: number | null = null;
  const scenario = new Scenario(dir, () => pid);
  try {
    pid = await startDaemon(dir, mark, point);
    await scenario.connect();
    await scenario.play();
  } catch (err) {
    // Crashing at the armed point is the expected way out; any other failure is the test's.
    if (!(err instanceof DaemonGone) && !(pid === null || !isAlive(pid))) throw err;
  }
  scenario.disconnect();
  if (pid !== null) await waitFor(() => !isAlive(pid as number), 10_000, `the daemon to die at ${point}`);
  const log = readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8');
  expect(log, `the scenario never reached ${point}`).toContain(`AXUM_CRASH_AT: killing the daemon at ${point}`);
  const running = runningOnDisk(dir);
  pid = await startDaemon(dir, mark);
  expect(await violations(dir, mark, scenario.acknowledged, running)).toEqual([]);
  if (point.startsWith('release.stored')) {
    // The release's files were stored and never recorded: the restart sweeps them away.
    expect(readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8')).toMatch(/release store: removed [1-9]\d* stored file/);
  }
  await nextOperationWorks(scenario);
  scenario.disconnect();
}

/** Crash points of runs, releases and the history files (`@n`: the n-th pass, later in the story). */
export const RUN_POINTS = [
  'run.queued',
  'run.step-started',
  'run.step-spawned',
  'run.step-spawned@7',
  'run.step-finished',
  'run.released@2',
  'run.finished@2',
  'run.cancelled',
  'runs.pruned',
  'release.stored@2',
  'release.recorded@2',
  'store.appended@5',
  'store.appended@30',
  'store.compacted', // in place: the first start writes the empty snapshot
  'store.rotated', // the journal set aside for a background fold; the fold has not started
  'store.rotated@3',
  'store.fold-written', // the folded snapshot beside runs.json, not renamed; saves go on
  'store.fold-written@2',
  'store.fold-renamed', // the snapshot renamed over, the set-aside segment not deleted
  'store.fold-renamed@3',
  'store.temp-written@6',
  'store.temp-written@40',
  'store.renamed@12',
  'store.renamed@38',
];

/** Crash points of deploy, verify, rollback, pin and retention. */
export const DEPLOY_POINTS = [
  'deploy.recorded',
  'deploy.swapped',
  'deploy.swapped@2',
  'deploy.verifying@2',
  'deploy.verify-step@2',
  'deploy.finished@2',
  'deploy.finished@3',
  'rollback.recorded',
  'rollback.swapped',
  'rollback.marked',
  'rollback.verifying',
  'deploy.verify-step@3', // the rollback's own verify step
  'rollback.finished',
  'auto-rollback.recorded',
  'auto-rollback.swapped',
  'auto-rollback.verifying',
  'auto-rollback.finished',
  'pin.recorded',
  'pin.recorded@2',
  'retention.recorded',
  'retention.pruned',
];

/** The remote hosts' crash points (test/crash-remote-hosts.test.ts, on real sshd hosts): `hosts.host-swapped` passes once per host (three). */
export const REMOTE_ROLLBACK_POINT = 'hosts.host-swapped@7'; // a rollback's first host swapped
export const REMOTE_POINTS = ['hosts.staged@2', 'hosts.host-swapped@4', 'hosts.swapped@2', REMOTE_ROLLBACK_POINT];

/**
 * Crash points of `axum backup` (test/crash-backup.test.ts). Its second backup sends 8 objects in
 * this order: the history documents (4), the new release's manifest, its blob, two logs.
 */
export const BACKUP_POINTS = [
  'backup.object-written', // the first history document's copy, not renamed
  'backup.object-sent@3', // mid-history: two documents in, the others not
  'backup.object-written@6', // mid-blob: the new model's copy, not renamed
  'backup.object-sent@7', // a log sent, the last one not
  'backup.objects-sent',
  'backup.manifest-written',
  'backup.manifest-renamed',
];

/** Crash points of `axum restore` (test/crash-backup.test.ts); the store is restored first. */
export const RESTORE_POINTS = [
  'restore.marked',
  'restore.object-written', // mid-blob: the first stored file's copy, not renamed
  'restore.object-copied@2',
  'restore.object-written@9', // a log's copy
  'restore.store-copied',
  'restore.history-written', // the first history document in place, the others not
  'restore.history-written@3', // releases.json, the last one: `current` not pointed yet
  'restore.linked',
];
