// `--wait` after a deploy that failed with rollback.auto: it returns once the automatic rollback has
// ended too, and says how, so a CI script reading the history next finds where the environment ended.
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { AXUM_BIN, axum, commitFiles, scratchRepos, startDaemon, waitFor } from './support/axum.js';
import { history, settled } from './support/history.js';
import { tinyModel, EVAL_ACCURACY } from './support/tiny-model.js';

const repo = scratchRepos(afterEach);

describe('--wait and the automatic rollback a failed deploy starts', () => {
  it('run --wait and deploy return once the rollback has ended, and say how it ended (exit 1 still)', async () => {
    // Each verification takes a while (the rollback's too): the one waited for is never over by chance.
    // Training too: `axum run` right after the commit finds the push's run still running and waits for it.
    const dir = repo({ config: tinyModel({ train: ' && sleep 3', verify: { run: `sleep 2 && ${EVAL_ACCURACY}` }, rollbackAuto: true }) });
    commitFiles(dir, 'data', { 'data.txt': '0.5\n' });
    await startDaemon(dir);
    commitFiles(dir, 'good model', { 'data.txt': '0.9\n' });
    await settled(dir, 1);
    commitFiles(dir, 'bad model', { 'data.txt': '0.1\n' });
    const run = await axum(['run', '--wait', '--repo', dir]);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stderr).toContain('already started by the push; waiting for it');
    expect(run.stderr).toContain('axum: staging#2 failed verification; rolled back automatically to #1 (staging#3, live, verified)');
    const after = await history(dir);
    expect(after.map((r) => `#${r.revision} ${r.status} ${r.kind}`)).toEqual(['#3 live auto-rollback', '#2 failed deploy', '#1 superseded deploy']);

    const bad = after[1]!.releaseId;
    const deploy = await axum(['deploy', 'staging', '--release', bad, '--force', '--yes', '--repo', dir]);
    expect(deploy.code, deploy.stderr).toBe(1);
    expect(deploy.stderr).toContain('axum: staging#4 failed verification; rolled back automatically to #3 (staging#5, live, verified)');
    expect((await history(dir)).map((r) => `#${r.revision} ${r.status} ${r.kind}`).slice(0, 2)).toEqual(['#5 live auto-rollback', '#4 failed deploy']);
  });

  it('Ctrl-C while the automatic rollback verifies stops the waiting, not the rollback: said, exit 130, the error document under --json', async () => {
    const dir = repo({ config: tinyModel({ verify: { run: `sleep 3 && ${EVAL_ACCURACY}` }, rollbackAuto: true }) });
    commitFiles(dir, 'data', { 'data.txt': '0.5\n' });
    await startDaemon(dir);
    commitFiles(dir, 'good model', { 'data.txt': '0.9\n' });
    await settled(dir, 1);
    commitFiles(dir, 'bad model', { 'data.txt': '0.1\n' });
    await settled(dir, 3);
    const bad = (await history(dir))[1]!.releaseId;
    const child = spawn(process.execPath, [AXUM_BIN, 'deploy', 'staging', '--release', bad, '--force', '--yes', '--json', '--repo', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let [stdout, stderr] = ['', ''];
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      // #4 failed its verification; its automatic rollback (#5) is verifying now.
      await waitFor(async () => (await history(dir)).some((r) => r.revision === 5 && r.status === 'verifying'), 30_000, 'the automatic rollback to verify');
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      const message = 'stopped waiting for the automatic rollback after staging#4; it goes on in the daemon (see how it ends: axum history staging)';
      expect(JSON.parse(stdout)).toEqual({ error: { message, exitCode: 130 } });
      expect(stderr).toContain(`axum: ${message}`);
      // The rollback went on without the command.
      await waitFor(async () => (await history(dir))[0]?.status === 'live', 30_000, 'the rollback to end');
      expect((await history(dir))[0]).toMatchObject({ revision: 5, kind: 'auto-rollback', status: 'live' });
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('rollback returns once the automatic rollback its failed verification started has ended, and says how', async () => {
    // The manual rollback (#4) fails its verification; the ones before and after it pass.
    const dir = repo({ config: tinyModel({ verify: { run: `sleep 2 && if [ $AXUM_REVISION = 4 ]; then exit 1; fi && ${EVAL_ACCURACY}` }, rollbackAuto: true }) });
    commitFiles(dir, 'data', { 'data.txt': '0.5\n' });
    await startDaemon(dir);
    for (const [n, value] of ['0.86', '0.88', '0.9'].entries()) {
      commitFiles(dir, `v${n + 1}`, { 'data.txt': `${value}\n` });
      await settled(dir, n + 1);
    }
    const back = await axum(['rollback', 'staging', '--to', '2', '--yes', '--repo', dir]);
    expect(back.code, back.stderr).toBe(1);
    // #4 left rel-3 (marked bad by the rollback) and failed on rel-2 (marked bad): #1 is the last known good.
    expect(back.stderr).toContain('axum: staging#4 failed verification; rolled back automatically to #1 (staging#5, live, verified)');
    expect((await history(dir)).map((r) => `#${r.revision} ${r.status} ${r.kind}`).slice(0, 2)).toEqual(['#5 live auto-rollback', '#4 failed rollback']);
  });
});
