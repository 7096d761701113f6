// Crash points of deploy, verify, rollback, pin and retention: kill -9 at each, restart, check (RELIABILITY.md).
import { afterEach, describe, it } from 'vitest';
import { cleanupRepo } from './support/axum.js';
import { DEPLOY_POINTS, crashAtPoint } from './support/crash-point-case.js';

const repos: string[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map(cleanupRepo));
});

describe('crash points: deploy, verify, rollback, pin, retention', () => {
  it.each(DEPLOY_POINTS)('killed at %s: nothing acknowledged is lost, current is a verified release, the next commit deploys', async (point) => {
    await crashAtPoint(point, (dir) => repos.push(dir));
  }, 120_000);
});
