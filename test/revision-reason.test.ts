// Every revision a command prints under --json carries `reason` (why it failed, or what it did: the
// text of `message`), as scripts written against the documented minimum of a revision read it.
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, scratchRepos, startDaemon } from './support/axum.js';
import { history, settled } from './support/history.js';
import { tinyModel } from './support/tiny-model.js';

const repo = scratchRepos(afterEach);
const json = async (args: string[]) => {
  const result = await axum([...args, '--json']);
  return { code: result.code, stderr: result.stderr, value: JSON.parse(result.stdout) as Record<string, unknown> };
};

describe('reason in the JSON of a revision', () => {
  it('history, history --at, rollback and deploy --json: reason is the failure text, or what the revision did', async () => {
    const dir = repo({ config: tinyModel() });
    await startDaemon(dir);
    commitFiles(dir, 'a good model', { 'data.txt': '0.9\n' });
    await settled(dir, 1);
    commitFiles(dir, 'a bad model', { 'data.txt': '0.1\n' });
    const [failed, good] = await settled(dir, 2);
    expect(failed).toMatchObject({ revision: 2, status: 'failed', message: 'gates failed: accuracy = 0.1, gate >= 0.8 (LKG 0.9)', reason: 'gates failed: accuracy = 0.1, gate >= 0.8 (LKG 0.9)' });
    // Nothing to say: null, not left out.
    expect(good).toMatchObject({ revision: 1, verified: true });
    expect(good).toHaveProperty('reason', good!.message ?? null);

    const at = await json(['history', 'staging', '--at', new Date().toISOString(), '--repo', dir]);
    expect(at.value).toMatchObject({ revision: 1 });
    expect(at.value).toHaveProperty('reason', good!.message ?? null);

    const rollback = await json(['rollback', 'staging', '--to', '1', '--yes', '--repo', dir]);
    expect(rollback.code, rollback.stderr).toBe(0);
    expect(rollback.value).toMatchObject({ revision: 3, kind: 'rollback', message: 'rolled back to #1', reason: 'rolled back to #1' });
    expect((await history(dir))[0]).toMatchObject({ revision: 3, reason: 'rolled back to #1' });

    // The release live already: the deploy answers with the live revision, unchanged, in the same shape.
    const deploy = await json(['deploy', 'staging', '--release', good!.releaseId, '--yes', '--repo', dir]);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.value).toMatchObject({ revision: 3, unchanged: true, reason: 'rolled back to #1' });
  });
});
