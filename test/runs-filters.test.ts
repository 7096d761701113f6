// `axum runs --status S --branch B`: the runs a person looks for after a merge, not the superseded
// ones that flood the list; an unknown status is a usage error that lists the statuses. A real
// repository, a real daemon, bin/axum.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, scratchRepos, waitForRun, type RunJson } from './support/axum.js';
import { commitsBehindGate, gatedRepo } from './support/gated-runs.js';

const newRepo = scratchRepos(afterEach);
const listed = async (dir: string, ...filters: string[]) => (JSON.parse((await axum(['runs', ...filters, '--json', '--repo', dir])).stdout) as RunJson[]).map((r) => `${r.branch} ${r.status} ${r.commit}`);

describe('axum runs filters', () => {
  it('--status and --branch keep only those runs, before the limit, in the table and under --json; an unknown status exits 2 naming the valid ones', async () => {
    const { dir, open } = await gatedRepo(newRepo, '  staging: { branch: main }\n  dev: { branch: develop }');
    const [first, second, third] = await commitsBehindGate(dir, ['one', 'two', 'three']);
    const superseded = await waitForRun(dir, (r) => r.commit === second && r.status === 'superseded', 'the second run to be superseded');
    execFileSync('git', ['branch', 'develop'], { cwd: dir });
    expect((await axum(['run', '--branch', 'develop', '--repo', dir])).code).toBe(0);
    open();
    await waitForRun(dir, (r) => r.branch === 'develop' && r.status === 'succeeded', 'the develop run to succeed', 60_000);
    await waitForRun(dir, (r) => r.commit === third && r.branch === 'main' && r.status === 'succeeded', 'the third run to succeed', 60_000);

    expect(await listed(dir, '--status', 'superseded')).toEqual([`main superseded ${second}`]);
    expect(await listed(dir, '--branch', 'develop')).toEqual([`develop succeeded ${third}`]);
    expect(await listed(dir, '--status', 'succeeded', '--branch', 'main')).toEqual([`main succeeded ${third}`, `main succeeded ${first}`]);
    // Filtered first, then the newest N: the newest run (develop's) does not use up --limit 1.
    expect(await listed(dir, '--status', 'succeeded', '--branch', 'main', '--limit', '1')).toEqual([`main succeeded ${third}`]);

    const table = await axum(['runs', '--status', 'superseded', '--repo', dir]);
    expect(table.code).toBe(0);
    expect(table.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^RUN +STATUS/), expect.stringMatching(new RegExp(`^${superseded.id} +superseded `))]);
    expect(await axum(['runs', '--status', 'cancelled', '--branch', 'develop', '--repo', dir])).toEqual({ code: 0, stdout: 'no cancelled runs on develop\n', stderr: '' });

    const valid = 'queued, running, succeeded, failed, cancelled, superseded, interrupted';
    expect(await axum(['runs', '--status', 'done', '--repo', dir])).toEqual({ code: 2, stdout: '', stderr: `axum: --status done: not a run status (one of ${valid})\n` });
    expect(JSON.parse((await axum(['runs', '--status', 'done', '--json', '--repo', dir])).stdout)).toEqual({ error: { message: `--status done: not a run status (one of ${valid})`, exitCode: 2 } });
  }, 120_000);
});
