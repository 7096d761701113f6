// `--wait` after a deploy that failed with rollback.auto: it returns once the automatic rollback has
// ended too, and says how, so a CI script reading the history next finds where the environment ended.
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, scratchRepos, startDaemon } from './support/axum.js';
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
});
