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
const config = (gates: string, dev = '{ branch: develop }') => `version: 1
environments:
  dev: ${dev}
stages:
  - name: build
    steps:
      - { name: train, run: 'until [ -f "${gates}/$AXUM_COMMIT" ]; do sleep 0.05; done; mkdir -p model; echo "$AXUM_COMMIT" > model/weights.txt' }
artifacts: [model/**]
`;

/** A repository on develop whose pipeline is {@link config}, its daemon started: `base` is the pipeline's commit. */
async function developWithGates(dev?: string): Promise<{ dir: string; gates: string; base: string }> {
  const dir = scratch({ config: null });
  const gates = join(dir, '..', 'gates');
  mkdirSync(gates);
  git(dir, 'checkout', '-q', '-b', 'develop');
  const base = commitFiles(dir, 'pipeline', { 'axum.yml': config(gates, dev) });
  await startDaemon(dir, { branch: 'develop' });
  return { dir, gates, base };
}

/** The shared event log, as a client that attaches now gets it. */
async function activity(dir: string): Promise<string[]> {
  const client = await openClient(dir);
  client.ws.close();
  const snapshot = client.messages.find((m) => (m as { type: string }).type === 'snapshot') as { state: { activity: { what: string }[] } };
  return snapshot.state.activity.map((a) => a.what);
}

describe('a commit rewritten away while its run builds', () => {
  it('is not deployed: its deploy is superseded, said in axum runs and the event log; the new head deploys', async () => {
    const { dir, gates, base } = await developWithGates();

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
    const { dir, gates, base } = await developWithGates();
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

/**
 * A release of develop's new commit that waits in dev (held by a pin, or for approval), then
 * develop reset back: what is said when the waiting release is taken. The head's own run is kept
 * in its build (its gate stays closed), so nothing else waits in dev meanwhile.
 */
async function waitingThenReset(dev: string, wait: (dir: string) => Promise<void>, outcome: string) {
  const { dir, gates, base } = await developWithGates(dev);
  await wait(dir);
  const gone = commitFiles(dir, 'model v2', { 'data.txt': '2\n' });
  writeFileSync(join(gates, gone), '');
  const run = await waitForRun(dir, (r) => r.commit === gone && (r as { deploy?: { outcome: string } }).deploy?.outcome === outcome, `the release of v2 waiting (${outcome})`);
  git(dir, 'reset', '-q', '--hard', 'HEAD~1');
  await waitForRun(dir, (r) => r.commit === base && r.branch === 'develop', 'the run of the head the branch moved back to');
  const said = `${gone.slice(0, 8)} is no longer on develop, whose head ${base.slice(0, 8)} does not contain it (reset, amended or force-pushed away)`;
  return { dir, run, said };
}

describe('a waiting release whose commit is rewritten away', () => {
  it('held by a pin: axum unpin does not deploy it, says why, and its run is superseded', async () => {
    const { dir, run, said } = await waitingThenReset('{ branch: develop }', async (d) => void expect((await axum(['pin', 'dev', '--repo', d])).code).toBe(0), 'held-by-pin');
    const unpinned = await axum(['unpin', 'dev', '--yes', '--repo', dir]);
    expect(unpinned.code, unpinned.stderr).toBe(0);
    expect(unpinned.stdout).toContain(`dev unpinned; ${(run as { releaseId?: string }).releaseId} not deployed: ${said}`);
    const history = JSON.parse((await axum(['history', 'dev', '--json', '--repo', dir])).stdout) as unknown[];
    expect(history).toEqual([]);
    const told = await waitForRun(dir, (r) => r.id === run.id && (r as { deploy?: { outcome: string } }).deploy?.outcome === 'superseded', 'the held run told');
    expect(told.message).toContain(`; not deployed: ${said}`);
  }, 90_000);

  it('waiting for approval: axum approve refuses it (exit 1), says why, nothing waits after; its run is superseded', async () => {
    const { dir, run, said } = await waitingThenReset('{ branch: develop, approval: manual }', async () => undefined, 'awaiting-approval');
    const approved = await axum(['approve', 'dev', '--yes', '--repo', dir]);
    expect(approved.code, approved.stdout).toBe(1);
    expect(approved.stderr).toContain(`not deployed: ${said}`);
    const history = JSON.parse((await axum(['history', 'dev', '--json', '--repo', dir])).stdout) as unknown[];
    expect(history).toEqual([]);
    const told = await waitForRun(dir, (r) => r.id === run.id && (r as { deploy?: { outcome: string } }).deploy?.outcome === 'superseded', 'the waiting run told');
    expect(told.message).toContain(`; not deployed: ${said}`);
    const again = await axum(['approve', 'dev', '--yes', '--repo', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('nothing');
  }, 90_000);
});
