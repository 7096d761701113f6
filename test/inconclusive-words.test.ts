// An inconclusive verification is not a failure: nothing was marked bad or rolled back, and a person
// decides. `axum unpin` that deploys such a release, `axum history` and `axum promote` from where it
// serves say inconclusive, never failed. A real daemon; the verify check asks a Prometheus on a port
// fetch refuses, which is an inconclusive measurement.
import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, scratchRepos, startDaemon, waitFor } from './support/axum.js';
import { settled } from './support/history.js';
import { tinyModel } from './support/tiny-model.js';

const environments = '  staging: { branch: main }\n  prod: { branch: release }';
const base = tinyModel({ environments, verify: null });
/** `base` with a verify check that asks a Prometheus on a port fetch refuses. */
const unmeasurable = tinyModel({ environments, verify: null, checks: '    - { name: err, prometheus: { url: "http://127.0.0.1:1", query: "up" }, fail: "> 1", every: 1s }' });

const repo = scratchRepos(afterEach);

describe('an inconclusive verification in the words of unpin, history and promote', () => {
  it('is called inconclusive, never failed', async () => {
    const dir = repo({ config: base });
    execFileSync('git', ['branch', 'release'], { cwd: dir });
    await startDaemon(dir);
    commitFiles(dir, 'v1', { 'data.txt': '1\n' });
    await settled(dir, 1);
    commitFiles(dir, 'v2', { 'data.txt': '2\n' });
    await settled(dir, 2);
    expect((await axum(['rollback', 'staging', '--yes', '--repo', dir])).code).toBe(0);
    await settled(dir, 3);
    // Held by the pin; its own config's verify asks a Prometheus it cannot reach.
    commitFiles(dir, 'v3', { 'data.txt': '3\n', 'axum.yml': unmeasurable });
    await waitFor(async () => JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout).environments[0].heldReleaseId !== null, 60_000, 'the release held by the pin');

    const unpin = await axum(['unpin', 'staging', '--repo', dir], { timeoutMs: 60_000 });
    expect(unpin.stdout).toMatch(/staging unpinned; deployed rel-\d+ as #4 \(inconclusive\)/);
    expect(unpin.stderr).toContain('axum: #4 inconclusive: ');
    expect(unpin.stdout + unpin.stderr).not.toMatch(/FAILED|\(failed\)/);

    const history = await axum(['history', 'staging', '--repo', dir]);
    expect(history.stdout).toMatch(/^#4 +inconclusive, serving, paused /m);
    expect(history.stdout).not.toMatch(/^#4 +failed/m);

    const promote = await axum(['promote', 'staging', 'prod', '--yes', '--repo', dir]);
    expect(promote.code).toBe(1);
    expect(promote.stderr).toContain('serves there but its verification was inconclusive: staging is paused, axum approve staging keeps it');
    expect(promote.stderr).not.toContain('failed');
  }, 120_000);
});
