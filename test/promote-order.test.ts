// `axum promote` from a later environment back to an earlier one: done, with a note on stderr that
// it goes against axum.yml's order (none under --json, none in order). Real repository, daemon, bin/axum.
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, scratchRepos, startDaemon, waitFor } from './support/axum.js';
import { tinyModelConfig } from './support/tiny-model.js';

const newRepo = scratchRepos(afterEach);
const liveIn = async (dir: string, env: string) => (JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { name: string; live: { releaseId: string } | null }[] }).environments.find((e) => e.name === env)?.live?.releaseId ?? null;

describe('axum promote against the order', () => {
  it('production → dev is done, with a note on stderr; dev → production says nothing; --json keeps stderr clean', async () => {
    const dir = newRepo({ config: tinyModelConfig('', '', '  dev: { branch: main }\n  staging: { branch: staging }\n  production: { branch: production }') });
    await startDaemon(dir);
    commitFiles(dir, 'v1', { 'data.txt': '0.91\n' });
    await waitFor(async () => (await liveIn(dir, 'dev')) === 'rel-1', 60_000, 'rel-1 live in dev');
    const forward = await axum(['promote', 'dev', 'production', '--yes', '--repo', dir]);
    expect(forward.code, forward.stderr).toBe(0);
    expect(forward.stderr).not.toContain('note');
    commitFiles(dir, 'v2', { 'data.txt': '0.92\n' });
    await waitFor(async () => (await liveIn(dir, 'dev')) === 'rel-2', 60_000, 'rel-2 live in dev');

    const back = await axum(['promote', 'production', 'dev', '--yes', '--repo', dir]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stderr).toContain('axum: note: production → dev goes against the order of axum.yml (dev → staging → production): promoting all the same\n');
    expect(back.stdout).toMatch(/^dev #\d+: .*rel-1/);
    expect(await liveIn(dir, 'dev')).toBe('rel-1');

    const json = await axum(['promote', 'production', 'dev', '--again', '--yes', '--json', '--repo', dir]);
    expect(json.code, json.stderr).toBe(0);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject({ releaseId: 'rel-1' });
  }, 120_000);
});
