// A pin against rollback.auto, end to end: a monitor incident on a pinned environment marks the
// release bad but moves nothing; the incident says it is pinned and how to go back by hand. A pin
// set while a deploy is being verified holds too: it is read when the failure is recorded.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, scratchRepos, startDaemon, waitFor } from './support/axum.js';
import { settled } from './support/history.js';
import { tinyModel } from './support/tiny-model.js';

const repo = scratchRepos(afterEach);
const flags: string[] = [];
afterEach(() => {
  for (const dir of flags.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('a pinned environment with rollback.auto', () => {
  it('is not rolled back by a monitor incident: the incident says it is pinned and how to go back', async () => {
    const flagDir = mkdtempSync(join(tmpdir(), 'axum-pin-'));
    flags.push(flagDir);
    const flag = join(flagDir, 'fail');
    const dir = repo({
      config: tinyModel({ verify: null, monitor: `  run: 'test ! -e ${flag}'\n  every: 1s\n  failures: 1`, rollbackAuto: true }),
    });
    commitFiles(dir, 'data', { 'data.txt': '0\n' });
    await startDaemon(dir);
    for (const n of [1, 2, 3]) {
      commitFiles(dir, `v${n}`, { 'data.txt': `${n}\n` });
      await settled(dir, n);
    }
    expect((await axum(['rollback', 'staging', '--yes', '--repo', dir])).code).toBe(0); // #4 → #2's release, pinned
    await settled(dir, 4);
    writeFileSync(flag, '');
    const status = async () => JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { incident: string | null; pinned: boolean; live: { revision: number } | null }[] };
    await waitFor(async () => (await status()).environments[0]?.incident?.includes('monitor failed') === true && (await status()).environments[0]?.incident?.includes('is pinned') === true, 60_000, 'the monitor incident, pinned');
    const env = (await status()).environments[0]!;
    expect(env.incident).toContain('staging is pinned: not rolled back automatically (axum rollback staging goes back by hand and stays pinned; or axum unpin staging, then axum rollback staging)');
    expect(env).toMatchObject({ pinned: true, live: { revision: 4 } });
    const revisions = await settled(dir, 4);
    expect(revisions.map((r) => r.kind)).not.toContain('auto-rollback');
    expect(revisions).toHaveLength(4);
    expect(existsSync(flag)).toBe(true);
  }, 120_000);

  it('pinned while verify runs: the failing deploy is not rolled back, and the incident says the pin held it', async () => {
    const flagDir = mkdtempSync(join(tmpdir(), 'axum-pin-'));
    flags.push(flagDir);
    const waiting = join(flagDir, 'waiting');
    const go = join(flagDir, 'go');
    // A release whose data says "bad" waits in verify until the test lets it go, then fails.
    const dir = repo({
      config: tinyModel({
        verify: { name: 'smoke', run: `if grep -q bad $AXUM_CURRENT/model/weights.txt; then touch ${waiting}; while [ ! -e ${go} ]; do sleep 0.1; done; exit 1; fi` },
        gates: null,
        rollbackAuto: true,
      }),
    });
    commitFiles(dir, 'data', { 'data.txt': 'none\n' });
    await startDaemon(dir);
    commitFiles(dir, 'v1', { 'data.txt': 'good\n' });
    await settled(dir, 1);
    commitFiles(dir, 'v2', { 'data.txt': 'bad\n' });
    await waitFor(async () => existsSync(waiting), 60_000, 'verify of #2 to be running');
    const pin = await axum(['pin', 'staging', '--repo', dir]);
    expect(pin.code, pin.stderr).toBe(0);
    writeFileSync(go, '');
    const revisions = await settled(dir, 2);
    expect(revisions.map((r) => [r.revision, r.kind, r.status])).toEqual([
      [2, 'deploy', 'failed'],
      [1, 'deploy', expect.any(String)],
    ]);
    const env = (JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { incident: string | null; pinned: boolean; serving: { revision: number; failed: boolean } | null }[] }).environments[0]!;
    expect(env).toMatchObject({ pinned: true, serving: { revision: 2, failed: true } });
    expect(env.incident).toMatch(/^#2 failed verify: verify step smoke exited 1 /);
    expect(env.incident).toContain('staging is pinned: not rolled back automatically (axum rollback staging goes back by hand and stays pinned; or axum unpin staging, then axum rollback staging)');
  }, 120_000);
});
