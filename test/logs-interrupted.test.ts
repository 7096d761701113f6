// `axum logs ENV#N` of a verify step a kill -9 cut short: what it says depends on whether the step
// printed anything before the daemon died (a real daemon, killed for real, and started again).
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, isAlive, readDaemonJson, scratchRepos, startDaemon, waitFor } from './support/axum.js';
import { history, settled } from './support/history.js';
import { EVAL_ACCURACY, tinyModel } from './support/tiny-model.js';

const repo = scratchRepos(afterEach);

/** Revision 2's eval runs `before`, then waits until the daemon is killed; revision 1's is the plain eval. */
async function cutShort(before: string): Promise<string> {
  const dir = repo({ config: tinyModel({ verify: { run: `if [ $AXUM_REVISION = 2 ]; then ${before} sleep 60; fi; ${EVAL_ACCURACY}` } }) });
  commitFiles(dir, 'data', { 'data.txt': '0.85\n' });
  await startDaemon(dir);
  commitFiles(dir, 'v1', { 'data.txt': '0.9\n' });
  await settled(dir, 1);
  commitFiles(dir, 'v2', { 'data.txt': '0.95\n' });
  await waitFor(async () => (await history(dir))[0]?.revision === 2 && (await history(dir))[0]?.status === 'verifying', 30_000, '#2 to verify');
  // The step's first line is on disk before the kill, when it prints one.
  if (before) await waitFor(async () => (await axum(['logs', 'staging#2', '--repo', dir])).stdout.includes('warming up'), 20_000, 'eval to print');
  const daemon = readDaemonJson(dir).pid;
  process.kill(daemon, 'SIGKILL');
  await waitFor(() => !isAlive(daemon), 10_000, 'the daemon to die');
  expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
  expect((await history(dir))[0]).toMatchObject({ revision: 2, status: 'failed' });
  return dir;
}

describe('axum logs ENV#N of a step cut short by kill -9', () => {
  it('that printed nothing: says so, and speaks of no output above', async () => {
    const dir = await cutShort('');
    const logs = await axum(['logs', 'staging#2', '--repo', dir]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toBe('');
    expect(logs.stderr).toContain('staging#2: no step output (eval interrupted)');
    expect(logs.stderr).not.toContain('the output above');
  });

  it('that printed a line: the line, then that it is what the step printed until then', async () => {
    const dir = await cutShort('echo warming up;');
    const logs = await axum(['logs', 'staging#2', '--repo', dir]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toBe('eval | warming up\n');
    expect(logs.stderr).toContain('eval: interrupted by a daemon restart (the output above is what it printed until then)');
  });
});
