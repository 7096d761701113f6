// What a release keeps of the run's worktree: artifacts patterns that match nothing, and symlinks.
import { lstatSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, cleanupRepo, commitFiles, makeRepo, startDaemon, waitFor, waitForRun } from './support/axum.js';

const repos: string[] = [];
afterEach(async () => {
  await Promise.all(repos.splice(0).map(cleanupRepo));
});

/** A repository whose `build` step runs `script` (in the run's worktree) and whose release keeps `artifacts`. */
async function started(script: string, artifacts: string): Promise<string> {
  const dir = makeRepo({
    config: `version: 1
environments:
  staging: { branch: main }
stages:
  - name: build
    steps:
      - { name: train, run: ${JSON.stringify(script)} }
artifacts: ${artifacts}
`,
  });
  repos.push(dir);
  await startDaemon(dir);
  return dir;
}

describe('artifacts', () => {
  it('a pattern that matches nothing is a warning on the run; when none matches, the release is refused and the run fails', async () => {
    // promote: rebuild, so that the manual run of the same commit builds (and warns) again instead of reusing its release.
    const dir = await started('mkdir -p model && echo w > model/w.bin', '[model/**, config/**]\npromote: rebuild');
    commitFiles(dir, 'train', { 'data.txt': '1\n' });
    const warned = await waitForRun(dir, (r) => r.status === 'succeeded' || r.status === 'failed', 'the first run');
    expect(warned.status).toBe('succeeded');
    expect((warned as { warnings?: string[] }).warnings).toEqual(['artifacts config/** matched no file']);
    const waited = await axum(['run', '--branch', 'main', '--wait', '--repo', dir]);
    expect(waited.code, waited.stderr).toBe(0);
    expect(waited.stdout).toContain('  warning: artifacts config/** matched no file');

    // A config whose patterns all miss: the run fails, naming them.
    commitFiles(dir, 'nothing to keep', {
      'axum.yml': readFileSync(join(dir, 'axum.yml'), 'utf8').replace('[model/**, config/**]', '[weights/**]'),
    });
    const failed = await waitForRun(dir, (r) => (r as { subject?: string }).subject === 'nothing to keep' && (r.status === 'failed' || r.status === 'succeeded'), 'the run with nothing to release');
    expect(failed.status).toBe('failed');
    expect((failed as { message?: string }).message).toContain('no file matches artifacts [weights/**] after the last stage');
    // Every step passed, so their output says nothing of it: `axum logs` says why on stderr.
    const logs = await axum(['logs', failed.id, '--repo', dir]);
    expect(logs.stderr).toMatch(new RegExp(`^${failed.id} failed[:,] `));
    expect(logs.stderr).toContain('no file matches artifacts [weights/**] after the last stage');
  });

  it('a symlink inside the release is kept as a symlink in the release folder; one that leaves the release is refused with its path', async () => {
    const dir = await started(
      'mkdir -p model/v2 && echo weights > model/weights.bin && ln -sf weights.bin model/latest.bin && ln -sf "$PWD/model/weights.bin" model/v2/abs.bin && if [ -f leak ]; then ln -sf /etc/hostname model/host; fi',
      '[model/**]',
    );
    commitFiles(dir, 'linked', { 'data.txt': '1\n' });
    await waitFor(async () => JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout).environments[0].live !== null, 30_000, 'the release to go live');
    const current = join(dir, '.axum', 'envs', 'staging', 'current');
    expect(readlinkSync(current)).toContain('rel-1');
    // A link, as in the worktree; an absolute link into the release is written relative to its folder.
    expect(lstatSync(join(current, 'model', 'latest.bin')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(current, 'model', 'latest.bin'))).toBe('weights.bin');
    expect(readlinkSync(join(current, 'model', 'v2', 'abs.bin'))).toBe('../weights.bin');
    expect(readFileSync(join(current, 'model', 'latest.bin'), 'utf8')).toBe('weights\n');
    // The served folder holds the release's files and nothing of Axum's (its completion is marked beside it).
    expect(readdirSync(current, { recursive: true }).map(String).sort()).toEqual(['model', 'model/latest.bin', 'model/v2', 'model/v2/abs.bin', 'model/weights.bin']);
    const { releases } = JSON.parse(readFileSync(join(dir, '.axum', 'history', 'releases.json'), 'utf8')) as { releases: { artifacts: { path: string; link?: string; size: number }[] }[] };
    expect(releases[0]!.artifacts.find((a) => a.path === 'model/latest.bin')).toMatchObject({ link: 'weights.bin', size: 'weights.bin'.length });
    const clean = await axum(['fsck', '--json', '--repo', dir]);
    expect(clean.code, clean.stdout).toBe(0);

    // Repointed by hand (at another file of the release, so every byte read through it is a release's):
    // the folder no longer holds the release, and fsck says which link.
    const link = join(dir, '.axum', 'releases', 'rel-1', 'files', 'model', 'latest.bin');
    rmSync(link);
    symlinkSync('v2/abs.bin', link);
    const tampered = await axum(['fsck', '--json', '--repo', dir]);
    expect(tampered.code).toBe(1);
    expect(tampered.stdout).toContain('model/latest.bin: the release folder');
    expect(tampered.stdout).toContain('points to v2/abs.bin, not weights.bin');
    const redeploy = await axum(['deploy', 'staging', '--release', 'rel-1', '--again', '--yes', '--json', '--repo', dir]);
    expect(redeploy.code).toBe(1);
    expect(JSON.parse(redeploy.stdout).message).toContain('model/latest.bin: the release folder\'s symlink points to v2/abs.bin, not weights.bin');
    rmSync(link);
    symlinkSync('weights.bin', link);

    commitFiles(dir, 'leaking link', { leak: 'yes\n' });
    const refused = await waitForRun(dir, (r) => (r as { subject?: string }).subject === 'leaking link' && (r.status === 'failed' || r.status === 'succeeded'), 'the leaking run');
    expect(refused.status).toBe('failed');
    expect((refused as { message?: string }).message).toContain('the artifact model/host is a symlink to /etc/hostname, outside the release');
  });
});
