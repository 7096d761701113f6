// `axum approve` of an environment the monitor paused (docs/gates-and-checks.md): the monitor is
// still failing, so the accepted revision is paused again by its next checks — the answer says so
// before, never a silent re-pause.
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, scratchRepos, startDaemon, waitFor } from './support/axum.js';
import { freePort } from './support/prometheus-lab.js';
import { tinyModel } from './support/tiny-model.js';

const newRepo = scratchRepos(afterEach);

/** Every monitor check asks a Prometheus that is not there: inconclusive each time, paused at the first. */
const config = (url: string) =>
  tinyModel({
    verify: null,
    monitor: `  every: 1s
  checks:
    - name: error_rate
      prometheus: { url: "${url}", query: 'model_error_ratio' }
      fail: "> 0.02"
      inconclusive: 0`,
  });

type Env = { name: string; paused: { revision: number; reason: string } | null };
const staging = async (dir: string) => (JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: Env[] }).environments.find((e) => e.name === 'staging')!;

describe('approve of an environment whose monitor is failing', () => {
  it('says before the answer that the monitor is failing now and will pause it again', async () => {
    const dir = newRepo({ config: config(`http://127.0.0.1:${await freePort()}`) });
    commitFiles(dir, 'data', { 'data.txt': '0\n' });
    await startDaemon(dir);
    commitFiles(dir, 'v1', { 'data.txt': '1\n' });
    await waitFor(async () => (await staging(dir)).paused !== null, 60_000, 'the monitor to pause staging');
    const before = await staging(dir);
    expect(before.paused?.reason).toMatch(/^monitor check error_rate inconclusive/);

    const approve = await axum(['approve', 'staging', '--yes', '--repo', dir]);
    expect(approve.code, approve.stderr).toBe(0);
    expect(approve.stdout).toMatch(/^staging #2: kept rel-\d+ .*nothing was deployed$/m);
    expect(approve.stdout).toMatch(
      /^warning: the monitor is failing now: its last check of #1 \(check-\d+\) was inconclusive; if the next checks are so too, staging pauses again \(axum logs staging#1 --step check-\d+\)$/m,
    );
    // And so it does: the warning was true.
    await waitFor(async () => (await staging(dir)).paused?.revision === 2, 60_000, 'the monitor to pause staging again');
  }, 150_000);
});
