// Deploy, verify and monitor logs (`.axum/runs/deploy-*`) are kept with their revision's release:
// many deploys with a small `history.keepReleases` leave a bounded number of log folders.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, scratchRepos, waitFor } from './support/axum.js';
import { tinyModelConfig } from './support/tiny-model.js';

const CONFIG = tinyModelConfig('history: { keepRuns: 3, keepReleases: 2 }\n');

const newRepo = scratchRepos(afterEach);
const deployLogFolders = (dir: string) => readdirSync(join(dir, '.axum', 'runs')).filter((name) => name.startsWith('deploy-'));

describe('operation log retention', () => {
  it('eight deploys with keepReleases 2: at most three deploy log folders, and the live revision’s log still reads', async () => {
    const dir = newRepo({ config: CONFIG });
    commitFiles(dir, 'data', { 'data.txt': '0.85\n' });
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    const DEPLOYS = 8;
    for (let n = 1; n <= DEPLOYS; n++) {
      commitFiles(dir, `v${n}`, { 'data.txt': `0.${80 + n}\n` });
      await waitFor(async () => {
        const status = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { live: { revision: number } | null; operation: unknown }[] };
        return status.environments[0]?.live?.revision === n && status.environments[0].operation === null;
      }, 30_000, `#${n} live`);
    }
    // Retention runs after the operation: wait for it to have taken the older logs.
    await waitFor(() => deployLogFolders(dir).length <= 3, 10_000, `deploy log folders to be pruned (${deployLogFolders(dir).join(', ')})`);
    console.log(`FIGURE deploy log folders after ${DEPLOYS} deploys with keepReleases 2: ${deployLogFolders(dir).length}`);
    expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    const log = await axum(['logs', `staging#${DEPLOYS}`, '--step', 'eval', '--repo', dir]);
    expect(log.code, log.stderr).toBe(0);
    expect(deployLogFolders(dir).length).toBeLessThanOrEqual(3);
    // A revision whose release retention took says where its logs went, rather than printing nothing.
    const gone = await axum(['logs', 'staging#1', '--step', 'eval', '--repo', dir]);
    expect(gone).toMatchObject({ code: 1, stderr: "axum: staging#1's logs went with its release rel-1, pruned by history.keepReleases\n" });
  }, 180_000);
});
