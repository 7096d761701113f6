// The config in use decides whether the live revision is monitored (docs/where-state-lives.md):
// `monitor:` removed from the working tree's axum.yml stops the live monitor, with an event every
// terminal sees; put back, it starts again.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, openClient, scratchRepos, startDaemon, waitFor } from './support/axum.js';
import { tinyModelConfig } from './support/tiny-model.js';

const MONITOR = 'monitor:\n  run: "true"\n  every: 1s\n';

const newRepo = scratchRepos(afterEach);

/** The shared activity (every terminal's event log), as a client that attaches now gets it. */
async function activity(dir: string): Promise<string[]> {
  const client = await openClient(dir);
  const snapshot = client.messages.find((m) => (m as { type: string }).type === 'snapshot') as { state: { activity: { what: string }[] } };
  client.ws.close();
  return snapshot.state.activity.map((a) => a.what);
}
async function checks(dir: string): Promise<number> {
  const result = await axum(['history', 'staging', '--json', '--repo', dir]);
  const [live] = JSON.parse(result.stdout) as { checks?: { total: number } }[];
  return live?.checks?.total ?? 0;
}

describe('monitor: in the config in use', () => {
  it('removed by an edit of axum.yml: the live monitor stops and an event says so; put back, it starts again', async () => {
    const dir = newRepo({ config: tinyModelConfig(MONITOR) });
    commitFiles(dir, 'data', { 'data.txt': '0.85\n' });
    await startDaemon(dir);
    commitFiles(dir, 'v1', { 'data.txt': '0.9\n' });
    await waitFor(async () => (await checks(dir)) > 0, 60_000, 'a monitor check of #1');

    writeFileSync(join(dir, 'axum.yml'), tinyModelConfig());
    const stopped = 'monitor of staging #1 stopped: axum.yml declares no monitor now';
    await waitFor(async () => (await activity(dir)).includes(stopped), 30_000, 'the event that the monitor stopped');
    // HEALTH no longer shows the last check as if it were still watched: not monitored, and why.
    const status = await axum(['status', '--repo', dir]);
    const row = status.stdout.split('\n').find((line) => line.startsWith('staging '));
    expect(row).toContain('not monitored');
    expect(row).not.toMatch(/[✓✗?]/);
    expect(status.stdout).toContain('monitor      staging: not monitored: axum.yml declares no monitor now: the monitor of #1 stopped');
    const json = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { monitorOff: string | null }[] };
    expect(json.environments[0]?.monitorOff).toBe('axum.yml declares no monitor now: the monitor of #1 stopped');

    writeFileSync(join(dir, 'axum.yml'), tinyModelConfig(MONITOR));
    await waitFor(async () => (await activity(dir)).includes('monitor of staging #1 started again: axum.yml declares a monitor'), 30_000, 'the event that it started again');
    const before = await checks(dir);
    await waitFor(async () => (await checks(dir)) > before, 30_000, 'a new check');
    const again = await axum(['status', '--repo', dir]);
    expect(again.stdout.split('\n').find((line) => line.startsWith('staging '))).toContain('✓');
    expect(again.stdout).not.toContain('not monitored');
  }, 150_000);
});
