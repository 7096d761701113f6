// Build once, promote: `axum run` of a head its branch has built already (the push run finished,
// its release waiting for approval) is answered with that run; nothing is trained again and the
// approval it waits for stays. A run that failed is no answer: asking again runs it again.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, historyText, runs, scratchRepos, waitFor, waitForRun } from './support/axum.js';
import { tinyModel } from './support/tiny-model.js';

const scratch = scratchRepos(afterEach);
// Each training appends a line to $AXUM_E2E_TRAINED; data that says `fail` fails it.
const CONFIG = tinyModel({ environments: '  production: { branch: main, approval: manual }', train: ' && echo trained >> "$AXUM_E2E_TRAINED" && ! grep -q fail data.txt' });

describe('axum run of a head already built', () => {
  it('answers with the run that built it (--wait waits on it), and runs a head whose run failed again', async () => {
    const dir = scratch({ config: CONFIG });
    const trained = join(dir, '..', 'trained');
    expect((await axum(['daemon', 'start', '--repo', dir], { env: { AXUM_E2E_TRAINED: trained } })).code).toBe(0);
    await waitFor(() => historyText(dir).includes('"main"'), 10_000, 'the first reconciliation');

    const commit = commitFiles(dir, 'model v1', { 'data.txt': '0.9\n' });
    const short = commit.slice(0, 8);
    const built = await waitForRun(dir, (r) => r.commit === commit && r.status === 'succeeded', 'the push run of the commit');
    await waitFor(async () => JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout).environments[0].awaitingApproval === true, 20_000, 'the release to await approval');

    const waited = await axum(['run', '--wait', '--repo', dir]);
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stderr).toMatch(new RegExp(`^${built.id} already built ${short} on main \\(succeeded\\); axum run --again runs it again \\(its release reused; axum run --rebuild builds it anew\\)\\n`));
    expect(waited.stdout).toMatch(new RegExp(`^${built.id}  succeeded  .*push  main → production  ${short} model v1\\n`));
    const asJson = await axum(['run', '--commit', 'HEAD', '--json', '--repo', dir]);
    expect(asJson.code, asJson.stderr).toBe(0);
    expect(JSON.parse(asJson.stdout)).toMatchObject({ id: built.id, existing: true, status: 'succeeded', trigger: 'push' });
    const plain = await axum(['run', '--repo', dir]);
    expect(plain).toMatchObject({ code: 0, stdout: `${built.id} already built ${short} on main (succeeded): nothing new queued; axum run --again runs it again (its release reused; axum run --rebuild builds it anew)\n` });
    expect(readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8')).toContain(`asked for a run of main ${short}: ${built.id} already built it (succeeded), nothing new queued`);
    // One run of the commit, one training, and the approval it waits for still waits.
    expect((await runs(dir)).filter((r) => r.commit === commit).map((r) => r.id)).toEqual([built.id]);
    expect(readFileSync(trained, 'utf8')).toBe('trained\n');
    expect(JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout).environments[0].awaitingApproval).toBe(true);

    // A head whose run failed is run again, as before.
    const broken = commitFiles(dir, 'model v2', { 'data.txt': 'fail\n' });
    const failed = await waitForRun(dir, (r) => r.commit === broken && r.status === 'failed', 'the failed push run');
    const retried = await axum(['run', '--json', '--repo', dir]);
    expect(retried.code, retried.stderr).toBe(0);
    const retry = JSON.parse(retried.stdout) as { id: string; existing: boolean; trigger: string };
    expect(retry).toMatchObject({ existing: false, trigger: 'manual' });
    expect(retry.id).not.toBe(failed.id);
    await waitForRun(dir, (r) => r.id === retry.id && r.status === 'failed', 'the run again');
  }, 90_000);
});
