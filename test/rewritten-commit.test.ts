// A run whose commit is rewritten away while it builds (`git reset --hard HEAD~1`, an amend, a
// force push): its release is made, never deployed; the head the branch moved to gets its own run.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AXUM_BIN, axum, commitFiles, openClient, scratchRepos, startDaemon, type RunJson, waitFor, waitForRun } from './support/axum.js';

const scratch = scratchRepos(afterEach);
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

/** A build step that waits until the test opens its commit's gate (a file named after the commit). */
const config = (gates: string) => `version: 1
environments:
  dev: { branch: develop }
stages:
  - name: build
    steps:
      - { name: train, run: 'until [ -f "${gates}/$AXUM_COMMIT" ]; do sleep 0.05; done; mkdir -p model; echo "$AXUM_COMMIT" > model/weights.txt' }
artifacts: [model/**]
`;

/** The shared event log, as a client that attaches now gets it. */
async function activity(dir: string): Promise<string[]> {
  const client = await openClient(dir);
  client.ws.close();
  const snapshot = client.messages.find((m) => (m as { type: string }).type === 'snapshot') as { state: { activity: { what: string }[] } };
  return snapshot.state.activity.map((a) => a.what);
}

describe('a commit rewritten away while its run builds', () => {
  it('is not deployed: its deploy is superseded, said in axum runs and the event log; the new head deploys', async () => {
    const dir = scratch({ config: null });
    const gates = join(dir, '..', 'gates');
    mkdirSync(gates);
    git(dir, 'checkout', '-q', '-b', 'develop');
    const base = commitFiles(dir, 'pipeline', { 'axum.yml': config(gates) });
    await startDaemon(dir, { branch: 'develop' });

    const gone = commitFiles(dir, 'model v2', { 'data.txt': '2\n' });
    const run = await waitForRun(dir, (r) => r.commit === gone && r.steps.some((s) => s.status === 'running'), 'the run of v2 in its build');
    git(dir, 'reset', '-q', '--hard', 'HEAD~1');
    const next = await waitForRun(dir, (r) => r.commit === base && r.branch === 'develop', 'the run of the head the branch moved back to');
    writeFileSync(join(gates, gone), '');
    const built = (await waitForRun(dir, (r) => r.id === run.id && r.status === 'succeeded', 'the run of v2 to end')) as RunJson & { releaseId: string | null };
    const said = `${gone.slice(0, 8)} is no longer on develop, whose head ${base.slice(0, 8)} does not contain it (reset, amended or force-pushed away)`;
    expect(built).toMatchObject({ deploy: { env: 'dev', revision: null, outcome: 'superseded' } });
    expect(built.message).toContain(`; not deployed: ${said}`);

    writeFileSync(join(gates, base), '');
    await waitForRun(dir, (r) => r.id === next.id && r.status === 'succeeded' && (r as { deploy?: { outcome: string } }).deploy?.outcome === 'live', 'the head deployed');
    const history = JSON.parse((await axum(['history', 'dev', '--json', '--repo', dir])).stdout) as { commit: string }[];
    expect(history.map((r) => r.commit)).toEqual([base]);

    const plain = await axum(['runs', '--repo', dir]);
    expect(plain.stdout).toMatch(new RegExp(`${run.id} +succeeded +dev superseded .*${gone.slice(0, 8)}`));
    expect(built.releaseId).not.toBeNull();
    expect(await activity(dir)).toContain(`${run.id}: ${built.releaseId} not deployed to dev: ${said}`);
  }, 90_000);

  it('axum run --wait on it exits 1, and its last line says the release was not deployed and why', async () => {
    const dir = scratch({ config: null });
    const gates = join(dir, '..', 'gates');
    mkdirSync(gates);
    git(dir, 'checkout', '-q', '-b', 'develop');
    const base = commitFiles(dir, 'pipeline', { 'axum.yml': config(gates) });
    await startDaemon(dir, { branch: 'develop' });
    writeFileSync(join(gates, base), '');

    const gone = commitFiles(dir, 'model v2', { 'data.txt': '2\n' });
    await waitForRun(dir, (r) => r.commit === gone && r.steps.some((s) => s.status === 'running'), 'the run of v2 in its build');
    // A person waits on the run of their commit; it is rewritten away once the wait has begun.
    const waiting = spawn(process.execPath, [AXUM_BIN, 'run', '--wait', '--repo', dir], { cwd: dir });
    let stderr = '';
    waiting.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const exited = new Promise<number | null>((resolve) => waiting.on('close', resolve));
    await waitFor(() => stderr.includes('waiting for it'), 30_000, 'axum run --wait to follow the run of v2');
    git(dir, 'reset', '-q', '--hard', 'HEAD~1');
    writeFileSync(join(gates, gone), '');
    expect(await exited).toBe(1);
    const last = stderr.trim().split('\n').at(-1);
    expect(last).toMatch(new RegExp(`^axum: run-\\d+ succeeded, but its release rel-\\d+ was not deployed to dev \\(superseded\\): ${gone.slice(0, 8)} is no longer on develop, whose head ${base.slice(0, 8)} does not contain it \\(reset, amended or force-pushed away\\)$`));
  }, 90_000);
});
