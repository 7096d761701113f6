// Crash points of runs, releases and the history files: kill -9 at each, restart, check (RELIABILITY.md).
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupRepo } from './support/axum.js';
import { CRASH_POINTS } from '../packages/daemon/dist/engine/crash-points.js';
import { BACKUP_POINTS, DEPLOY_POINTS, REMOTE_POINTS, RESTORE_POINTS, RUN_POINTS, crashAtPoint } from './support/crash-point-case.js';

const repos: string[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map(cleanupRepo));
});


describe('crash points: runs, releases, history files', () => {
  it('every crash point the daemon knows is tested (here, in crash-points-deploys, crash-backup or crash-remote-hosts)', () => {
    const tested = new Set([...RUN_POINTS, ...DEPLOY_POINTS, ...BACKUP_POINTS, ...RESTORE_POINTS, ...REMOTE_POINTS].map((p) => p.split('@')[0]));
    expect(Object.keys(CRASH_POINTS).filter((p) => !tested.has(p))).toEqual([]);
  });

  it.each(RUN_POINTS)('killed at %s: nothing acknowledged is lost, nothing is left running, the next commit deploys', async (point) => {
    await crashAtPoint(point, (dir) => repos.push(dir));
  }, 120_000);
});
