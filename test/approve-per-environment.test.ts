// An approval of an inconclusive gate is one environment's, end to end (docs/gates-and-checks.md,
// "Gates"): approving dev does not carry to staging, whose own gate judges the promoted release —
// and `axum approve` says so, in words and in its JSON. While paused, the pause says the
// inconclusive revision: no incident repeats it.
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, scratchRepos, startDaemon } from './support/axum.js';
import { settled } from './support/history.js';
import { tinyModel } from './support/tiny-model.js';

/** A relative gate with no fallback: each environment's first deploy has no last known good value, so it is inconclusive. */
const config = tinyModel({ environments: '  dev: { branch: main }\n  staging: { branch: release }', gates: { accuracy: '>= lkg - 0.05' } });

type Env = { name: string; paused: { revision: number; reason: string } | null; incident: string | null };
const envOf = async (dir: string, name: string) => (JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: Env[] }).environments.find((e) => e.name === name)!;
const SCOPE = (env: string) => `the approval holds for ${env} only: the next environment's gate is judged on its own`;

const repo = scratchRepos(afterEach);

describe('approving an inconclusive gate', () => {
  it('holds for that environment only, and says so; the next environment pauses on its own gate', async () => {
    const dir = repo({ config });
    commitFiles(dir, 'data', { 'data.txt': '0\n' });
    await startDaemon(dir);
    commitFiles(dir, 'v1', { 'data.txt': '0.9\n' });
    const [first] = await settled(dir, 1, { env: 'dev' });
    expect(first?.message).toMatch(/^inconclusive: /);

    // The pause says it; no incident repeats it (status text and JSON alike).
    const dev = await envOf(dir, 'dev');
    expect(dev.paused).toMatchObject({ revision: 1, reason: expect.stringMatching(/^inconclusive: accuracy = 0\.9/) });
    expect(dev.incident).toBeNull();
    const status = await axum(['status', '--repo', dir]);
    expect(status.stdout).toMatch(/^paused +dev paused since .* over #1: inconclusive: accuracy = 0\.9/m);
    expect(status.stdout).not.toMatch(/^incident/m);

    const approved = await axum(['approve', 'dev', '--yes', '--json', '--repo', dir]);
    expect(approved.code, approved.stderr).toBe(0);
    const accepted = JSON.parse(approved.stdout) as { revision: number; status: string; message: string };
    expect(accepted).toMatchObject({ revision: 2, status: 'live' });
    expect(accepted.message).toMatch(new RegExp(`^accepted #1 as live and verified \\(approved by .*\\); ${SCOPE('dev')}$`));

    // The same bytes on to staging: verified there again, its own gate inconclusive, paused there.
    const promoted = await axum(['promote', 'dev', 'staging', '--yes', '--repo', dir]);
    expect(promoted.code, promoted.stderr).toBe(1);
    const [there] = await settled(dir, 1, { env: 'staging' });
    expect(there).toMatchObject({ revision: 1, status: 'failed', releaseId: first!.releaseId, message: expect.stringMatching(/^inconclusive: /) });
    expect((await envOf(dir, 'staging')).paused).toMatchObject({ revision: 1 });

    const words = await axum(['approve', 'staging', '--yes', '--repo', dir]);
    expect(words.code, words.stderr).toBe(0);
    expect(words.stdout).toContain(`staging: ${SCOPE('staging')}`);
  }, 90_000);
});
