// `git commit && axum run --wait`: the watcher's run of the new commit is the answer, whichever of
// the ref's hint and the request comes first; one run of that commit, never two.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, historyText, runs, scratchRepos, waitFor } from './support/axum.js';

const scratch = scratchRepos(afterEach);
const CONFIG = `version: 1
environments:
  dev: { branch: develop }
stages:
  - name: test
    steps:
      - { name: unit, run: 'while [ ! -f "$AXUM_E2E_GO" ]; do sleep 0.05; done; echo tested' }
`;

describe('git commit && axum run --wait', () => {
  it('waits for the push run of the commit instead of queueing a second one, and says so', async () => {
    const dir = scratch({ config: CONFIG });
    // The step waits for this file (the daemon hands its environment to steps): the push run is
    // still running when axum run asks, however fast the machine.
    const go = join(dir, '..', 'go');
    execFileSync('git', ['checkout', '-q', '-b', 'develop'], { cwd: dir });
    expect((await axum(['daemon', 'start', '--repo', dir], { env: { AXUM_E2E_GO: go } })).code).toBe(0);
    await waitFor(() => historyText(dir).includes('"develop"'), 10_000, 'the first reconciliation');

    const commit = commitFiles(dir, 'model v2', { 'model.txt': '2\n' });
    const waiting = axum(['run', '--wait', '--repo', dir], { timeoutMs: 60_000 });
    // The run ends only once the command has asked (the daemon's event line says what it was answered).
    await waitFor(() => /already (queued|started) by the push/.test(readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8')), 30_000, 'the ask');
    writeFileSync(go, '');
    const waited = await waiting;
    expect(waited.code, waited.stderr).toBe(0);
    const ofCommit = (await runs(dir)).filter((r) => r.commit === commit);
    expect(ofCommit).toHaveLength(1);
    const [run] = ofCommit;
    expect(run).toMatchObject({ trigger: 'push', status: 'succeeded' });
    expect(waited.stderr).toMatch(new RegExp(`^${run!.id} for ${commit.slice(0, 8)} already (queued|started) by the push; waiting for it\\n`));
    expect(waited.stdout).toContain(`${run!.id}  succeeded  deploy dev#1 live  push  develop → dev  ${commit.slice(0, 8)} model v2`);

    // Asked on purpose: --again queues a new run of the same commit.
    const again = await axum(['run', '--again', '--repo', dir]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^run-\d+ queued: develop /);
    expect((await runs(dir)).filter((r) => r.commit === commit)).toHaveLength(2);
  }, 60_000);
});
