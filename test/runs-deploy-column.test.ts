// `axum runs`' DEPLOY column (docs/releases-and-rollback.md, "What became of a run's deploy"): every run says what
// became of the revision its deploy made or found live — runs that point at one revision agree.
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, scratchRepos, startDaemon, waitFor } from './support/axum.js';
import { tinyModelConfig } from './support/tiny-model.js';

const newRepo = scratchRepos(afterEach);

interface RunDeployJson {
  id: string;
  status: string;
  deploy: { env: string; revision: number | null; outcome: string } | null;
}
async function runsJson(dir: string): Promise<RunDeployJson[]> {
  const result = await axum(['runs', '--json', '--repo', dir]);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as RunDeployJson[];
}
const deployOf = async (dir: string, id: string) => (await runsJson(dir)).find((r) => r.id === id)?.deploy;

describe('the DEPLOY of runs that share a revision', () => {
  it('a run that found its release live already follows that revision: superseded, then rolled back, as the run that deployed it', async () => {
    const dir = newRepo({ config: tinyModelConfig() });
    commitFiles(dir, 'data', { 'data.txt': '0.85\n' });
    await startDaemon(dir);
    commitFiles(dir, 'v1', { 'data.txt': '0.9\n' });
    await waitFor(async () => (await deployOf(dir, 'run-1'))?.outcome === 'live', 60_000, 'run-1 live');
    // The same commit again: its release is reused, live in staging already, nothing deployed.
    const again = await axum(['run', '--again', '--wait', '--repo', dir], { timeoutMs: 90_000 });
    expect(again.code, again.stdout + again.stderr).toBe(0);
    expect(await deployOf(dir, 'run-2')).toEqual({ env: 'staging', revision: 1, outcome: 'live' });

    commitFiles(dir, 'v2', { 'data.txt': '0.95\n' });
    await waitFor(async () => (await deployOf(dir, 'run-3'))?.outcome === 'live', 60_000, 'run-3 live');
    // #1 was replaced by #2: both runs that pointed at #1 say so.
    expect(await deployOf(dir, 'run-1')).toEqual({ env: 'staging', revision: 1, outcome: 'superseded' });
    expect(await deployOf(dir, 'run-2')).toEqual({ env: 'staging', revision: 1, outcome: 'superseded' });

    const run4 = await axum(['run', '--again', '--wait', '--repo', dir], { timeoutMs: 90_000 });
    expect(run4.code, run4.stdout + run4.stderr).toBe(0);
    const back = await axum(['rollback', 'staging', '--yes', '--repo', dir], { timeoutMs: 90_000 });
    expect(back.code, back.stdout + back.stderr).toBe(0);
    // A rollback moved away from #2: its run and the run that found it live are both rolled back.
    expect(await deployOf(dir, 'run-3')).toEqual({ env: 'staging', revision: 2, outcome: 'rolled-back' });
    expect(await deployOf(dir, 'run-4')).toEqual({ env: 'staging', revision: 2, outcome: 'rolled-back' });
    const plain = await axum(['runs', '--repo', dir], { env: { COLUMNS: '200' } });
    expect(plain.stdout).toMatch(/^run-4 +succeeded +staging#2 rolled-back /m);
    expect(plain.stdout).toMatch(/^run-2 +succeeded +staging#1 superseded /m);
    // The history names the same revisions alike: superseded is their status, and a rollback's is said as the runs say it.
    const history = await axum(['history', 'staging', '--repo', dir], { env: { COLUMNS: '200' } });
    expect(history.stdout).toMatch(/^#2 +superseded, rolled back +deploy /m);
    expect(history.stdout).toMatch(/^#1 +superseded +deploy /m);
    const revisions = JSON.parse((await axum(['history', 'staging', '--json', '--repo', dir])).stdout) as { revision: number; status: string; supersededBy?: unknown }[];
    expect(revisions.map((r) => [r.revision, r.status, r.supersededBy ?? null])).toEqual([
      [3, 'live', null],
      [2, 'superseded', { revision: 3, kind: 'rollback' }],
      [1, 'superseded', { revision: 2, kind: 'deploy' }],
    ]);
  }, 240_000);
});
