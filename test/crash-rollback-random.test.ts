// kill -9 at random moments after a manual rollback moved `current` (ARCHITECTURE.md, "Crash
// safety": an operation cut short is finished or undone whole). Each round: a new good model goes
// live, a rollback starts, the daemon is killed 0–1.5 s after `current` names the rollback's target
// (its verify step takes ~1 s), restarted, and marks, pin and pointer must agree. Seeded for replay.
import { readlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LONG_MODE, cleanupRepo, commitFiles, isAlive, makeRepo, waitFor } from './support/axum.js';
import { Client, startDaemon } from './support/crash-scenario.js';
import { tinyModelConfig } from './support/tiny-model.js';

const KILLS = Number(process.env.AXUM_ROLLBACK_KILLS ?? (LONG_MODE ? 30 : 4));
const SEED = Number(process.env.AXUM_CRASH_SEED ?? Date.now() % 2 ** 31);
const CONFIG = tinyModelConfig('rollback: { auto: true }\n', 'sleep 1; ');

interface Revision {
  revision: number;
  status: string;
  kind: string;
  releaseId: string;
}
interface Env {
  name: string;
  pinned: boolean;
  operation: unknown;
  live: { revision: number; releaseId: string; commit: string } | null;
}

const repos: string[] = [];
afterAll(async () => {
  await Promise.all(repos.map(cleanupRepo));
});

/** A small seeded generator (mulberry32), so a failing sequence can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function settled(client: Client): Promise<Env> {
  let env: Env | undefined;
  await waitFor(async () => {
    env = (await client.request<{ environments: Env[] }>('state.get', {})).environments.find((e) => e.name === 'staging');
    const runs = await client.request<{ status: string }[]>('runs.list', { limit: 5 });
    return env?.operation === null && runs.every((r) => r.status !== 'queued' && r.status !== 'running');
  }, 60_000, 'staging to settle');
  return env!;
}

describe('kill -9 at random moments after a manual rollback moved current', () => {
  it(`finishes or undoes it whole, ${KILLS} times (seed ${SEED})`, async () => {
    const next = random(SEED);
    const dir = makeRepo({ config: CONFIG });
    repos.push(dir);
    const mark = `rollback-random-${SEED}`;
    let pid = await startDaemon(dir, mark);
    const link = join(dir, '.axum', 'envs', 'staging', 'current');
    const failures: string[] = [];
    let finished = 0;
    for (let round = 1; round <= KILLS; round++) {
      let client = await Client.open(dir);
      await client.request('env.pin', { env: 'staging', pinned: false, by: 'test' });
      // A new good model goes live (two in the first round: a rollback needs somewhere to go).
      for (const value of round === 1 ? ['0.9', '0.91'] : [`0.${85 + (round % 10)}`]) {
        const sha = commitFiles(dir, `v${round} ${value}`, { 'data.txt': `${value}\n` });
        await waitFor(async () => (await settled(client)).live?.commit === sha, 60_000, `${sha} live`);
      }
      const before = await settled(client);
      const leaving = before.live!.releaseId;
      // The rollback answers once it settled; the kill comes first.
      void client.request('env.rollback', { env: 'staging', to: null, force: false, by: 'test' }).catch(() => undefined);
      await waitFor(() => {
        try {
          return basename(dirname(readlinkSync(link))) !== leaving;
        } catch {
          return false;
        }
      }, 30_000, 'current to move');
      await new Promise((r) => setTimeout(r, Math.floor(next() * 1500)));
      process.kill(pid, 'SIGKILL');
      await waitFor(() => !isAlive(pid), 10_000, 'the daemon to die');
      client.close();
      pid = await startDaemon(dir, mark);
      client = await Client.open(dir);
      const env = await settled(client);
      const history = await client.request<Revision[]>('history.get', { env: 'staging' });
      const releases = await client.request<{ id: string; bad: { why: string } | null }[]>('releases.list', {});
      const bad = (id: string) => releases.find((r) => r.id === id)?.bad ?? null;
      const current = basename(dirname(readlinkSync(link)));
      const rolledBack = history.some((r) => r.kind === 'rollback' && r.revision > before.live!.revision && (r.status === 'live' || r.status === 'superseded'));
      if (rolledBack) finished++;
      const problems = [
        current !== env.live?.releaseId && `current names ${current}, live is ${JSON.stringify(env.live)}`,
        env.live && bad(env.live.releaseId) && `the live ${env.live.releaseId} is marked bad: ${bad(env.live.releaseId)!.why}`,
        rolledBack && !env.pinned && 'the rollback went live but the environment is not pinned',
        rolledBack && !bad(leaving) && `the rollback went live but ${leaving} it left is not marked bad`,
        !rolledBack && env.pinned && 'the rollback was undone but the environment is still pinned',
        !rolledBack && bad(leaving) && `the rollback was undone but ${leaving} is still marked bad`,
      ].filter((p): p is string => typeof p === 'string');
      failures.push(...problems.map((p) => `round ${round}: ${p}`));
      client.close();
    }
    console.log(`FIGURE kills after a manual rollback moved current: ${KILLS - new Set(failures.map((f) => f.split(':')[0])).size} of ${KILLS} left marks, pin and pointer agreeing (${finished} finished, ${KILLS - finished} undone; seed ${SEED})`);
    expect(failures, `replay with AXUM_CRASH_SEED=${SEED} AXUM_ROLLBACK_KILLS=${KILLS}`).toEqual([]);
  }, Math.max(180_000, KILLS * 40_000));
});
