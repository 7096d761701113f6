// kill -9 at random moments (RELIABILITY.md): one repository lives through many crashes while a
// driver commits good and bad models, rolls back, pins and cancels; after each restart every
// invariant is checked against everything acknowledged so far. Short mode in CI; 200 kills in
// `pnpm test:long`. Replay a failure with AXUM_CRASH_SEED=<seed> (printed when it fails).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LONG_MODE, cleanupRepo, isAlive, waitFor } from './support/axum.js';
import { DaemonGone, Scenario, commitModel, crashRepo, nextOperationWorks, runningOnDisk, startDaemon, violations } from './support/crash-scenario.js';

const KILLS = Number(process.env.AXUM_CRASH_KILLS ?? (LONG_MODE ? 200 : 6));
const SEED = Number(process.env.AXUM_CRASH_SEED ?? Date.now() % 2 ** 31);

/** mulberry32: a small seeded generator, so a failing sequence of kills can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const repos: string[] = [];
afterAll(async () => {
  await Promise.all(repos.map(cleanupRepo));
});

/** One action of the driver, picked at random; refusals (busy, nothing to roll back to) are fine. */
async function act(scenario: Scenario, next: () => number): Promise<void> {
  const pick = next();
  try {
    if (pick < 0.45) await scenario.commitAndSettle(next() < 0.75 ? (0.8 + next() * 0.19).toFixed(3) : '0.41');
    else if (pick < 0.6) await scenario.rollback();
    else if (pick < 0.75) await scenario.pin(next() < 0.5);
    else if (pick < 0.85) await scenario.cancelSlowRun();
    else commitModel(scenario.dir, (0.8 + next() * 0.19).toFixed(3)); // a commit nobody waits for
  } catch (err) {
    if (err instanceof DaemonGone) throw err;
    if (!/refused|conflict|busy/.test((err as Error).message)) throw err;
  }
}

describe('kill -9 at random moments', () => {
  it(`survives ${KILLS} kills (seed ${SEED})`, async () => {
    const next = random(SEED);
    const { dir, mark } = crashRepo();
    repos.push(dir);
    let pid: number | null = await startDaemon(dir, mark);
    const scenario = new Scenario(dir, () => pid);
    const started = Date.now();
    const failures: string[] = [];
    let actions = 0;
    for (let kill = 1; kill <= KILLS; kill++) {
      await scenario.connect();
      let stop = false;
      const driver = (async () => {
        while (!stop) {
          await act(scenario, next);
          actions++;
        }
      })().catch((err: unknown) => (err instanceof DaemonGone ? undefined : err));
      await new Promise((r) => setTimeout(r, 50 + Math.floor(next() * 3000)));
      const victim = pid as number;
      process.kill(victim, 'SIGKILL');
      stop = true;
      await waitFor(() => !isAlive(victim), 10_000, `daemon ${victim} to die`);
      const driverError = await driver;
      scenario.disconnect();
      if (driverError) failures.push(`kill ${kill}: the driver failed before the kill: ${(driverError as Error).message}`);
      const running = runningOnDisk(dir);
      pid = await startDaemon(dir, mark);
      const broken = await violations(dir, mark, scenario.acknowledged, running);
      failures.push(...broken.map((b) => `kill ${kill}: ${b}`));
      if (failures.length > 0) {
        // The environment's history and the daemon log, to see what the invariant saw.
        console.log(dir, readFileSync(join(dir, '.axum', 'history', 'envs', 'staging.json'), 'utf8'), readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8'));
        break;
      }
      // What the check just confirmed is the new baseline for the pin.
      scenario.acknowledged.pinned = null;
      scenario.acknowledged.rollbackInFlight = null;
    }
    await nextOperationWorks(scenario);
    scenario.disconnect();
    const minutes = (Date.now() - started) / 60_000;
    console.log(`FIGURE random kills survived: ${failures.length === 0 ? KILLS : 'failed'} of ${KILLS} (seed ${SEED}, ${actions} driver actions, ${minutes.toFixed(1)} min)`);
    expect(failures, `replay with AXUM_CRASH_SEED=${SEED} AXUM_CRASH_KILLS=${KILLS}`).toEqual([]);
  }, Math.max(180_000, KILLS * 30_000));
});
