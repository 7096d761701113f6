// The release store tells the truth about itself (RELIABILITY.md, "Release integrity"): ids never
// reused after a history is lost, a tampered or deleted release folder refuses the pointer move
// and raises an incident, partial copies are swept at start, and the release index can be rebuilt
// from the folders' manifests. Real daemons, real git, through bin/axum.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, historyText, scratchRepos, waitFor } from './support/axum.js';
import { settled, type Revision } from './support/history.js';
import { tinyModelConfig } from './support/tiny-model.js';

const CONFIG = tinyModelConfig();

interface Fsck {
  releases: number;
  repaired: { releaseId: string; repaired: string }[];
  problems: { releaseId: string; problem: string }[];
  environments: { env: string; problem: string }[];
  rebuilt: { added: string[]; kept: number; withoutManifest: string[] } | null;
}

const newRepo = scratchRepos(afterEach);

async function started(): Promise<string> {
  const dir = newRepo({ config: CONFIG });
  commitFiles(dir, 'data', { 'data.txt': '0.85\n' });
  await start(dir);
  await waitFor(() => historyText(dir).includes('"main"'), 10_000, 'the first reconciliation');
  return dir;
}
async function start(dir: string): Promise<void> {
  const result = await axum(['daemon', 'start', '--repo', dir]);
  expect(result.code, result.stderr).toBe(0);
}
async function stop(dir: string): Promise<void> {
  const result = await axum(['daemon', 'stop', '--repo', dir]);
  expect(result.code, result.stderr).toBe(0);
}
async function fsck(dir: string, ...extra: string[]): Promise<{ code: number; report: Fsck }> {
  const result = await axum(['fsck', '--json', ...extra, '--repo', dir]);
  return { code: result.code, report: JSON.parse(result.stdout) as Fsck };
}
async function incident(dir: string): Promise<string | null> {
  const status = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { name: string; incident: string | null }[] };
  return status.environments.find((e) => e.name === 'staging')?.incident ?? null;
}
const served = (dir: string) => readFileSync(join(dir, '.axum', 'envs', 'staging', 'current', 'model', 'weights.txt'), 'utf8').trim();
const model = (dir: string, value: string, message: string) => commitFiles(dir, message, { 'data.txt': `${value}\n` });
const releaseFile = (dir: string, id: string) => join(dir, '.axum', 'releases', id, 'files', 'model', 'weights.txt');
/** Rewrites a file of a release folder at the same size (the folder's files are read-only). */
function tamper(file: string, text: string): void {
  expect(readFileSync(file, 'utf8').length).toBe(text.length);
  chmodSync(file, 0o644);
  writeFileSync(file, text);
  chmodSync(file, 0o444);
}

describe('release ids after a lost history', () => {
  it('runs.json and releases.json moved aside: the next release gets a fresh id and serves the new model; fsck is clean', async () => {
    const dir = await started();
    model(dir, '0.86', 'v1');
    const [first] = await settled(dir, 1);
    await stop(dir);
    const historyDir = join(dir, '.axum', 'history');
    for (const name of readdirSync(historyDir)) if (name.startsWith('runs.json') || name === 'releases.json') renameSync(join(historyDir, name), join(historyDir, `${name}.aside`));
    await start(dir);
    await waitFor(() => historyText(dir).includes('"main"'), 10_000, 'the reconciliation after the restart');
    model(dir, '0.93', 'v2');
    const [second] = await settled(dir, 2);
    expect(second?.status).toBe('live');
    expect(served(dir)).toBe('0.93'); // not the old folder of a reused id
    expect(second?.releaseId).not.toBe(first?.releaseId);
    const check = await fsck(dir);
    expect(check.report.problems).toEqual([]);
    expect(check.report.environments).toEqual([]);
    expect(check.code).toBe(0);
  });
});

describe('a release folder changed or lost', () => {
  it('a file rewritten at the same size refuses the rollback and the redeploy with its path; fsck reports it (exit 1) and status shows the incident', async () => {
    const dir = await started();
    model(dir, '0.86', 'v1');
    await settled(dir, 1);
    model(dir, '0.91', 'v2');
    const [live, old] = await settled(dir, 2);
    tamper(releaseFile(dir, old!.releaseId), '0.99\n');
    const rollback = await axum(['rollback', 'staging', '--to', String(old!.revision), '--yes', '--json', '--repo', dir]);
    expect(rollback.code).toBe(1);
    expect((JSON.parse(rollback.stdout) as Revision).message).toMatch(/model\/weights\.txt: changed since it was materialized/);
    expect(served(dir)).toBe('0.91');
    tamper(releaseFile(dir, live!.releaseId), '0.42\n');
    const redeploy = await axum(['deploy', 'staging', '--release', live!.releaseId, '--again', '--yes', '--json', '--repo', dir]);
    expect(redeploy.code).toBe(1);
    expect((JSON.parse(redeploy.stdout) as Revision).message).toMatch(/model\/weights\.txt: changed since it was materialized/);
    const check = await fsck(dir);
    expect(check.code).toBe(1);
    expect(check.report.environments).toEqual([{ env: 'staging', problem: expect.stringMatching(new RegExp(`current names ${live!.releaseId}: model/weights\\.txt`)) }]);
    expect(check.report.problems.map((p) => p.releaseId).sort()).toEqual([old!.releaseId, live!.releaseId].sort());
    expect(await incident(dir)).toMatch(/model\/weights\.txt/);
    // HEALTH says the incident is open, before whatever the monitor last said.
    const row = (await axum(['status', '--repo', dir], { env: { COLUMNS: '' } })).stdout.split('\n').find((line) => line.startsWith('staging '));
    expect(row).toMatch(new RegExp(`^staging +main +#\\d+ +${live!.releaseId} +\\S+ +#\\d+ +! `));
    // The stored files are whole: a changed folder marks nothing bad.
    const { releases } = JSON.parse(readFileSync(join(dir, '.axum', 'history', 'releases.json'), 'utf8')) as { releases: { id: string; bad: unknown }[] };
    expect(releases.length).toBe(2);
    for (const release of releases) expect(release.bad, release.id).toBeNull();
  });

  it('rm -rf of the folder current names: fsck reports it (exit 1) and status shows the incident; --repair makes it again from the store', async () => {
    const dir = await started();
    model(dir, '0.86', 'v1');
    const [live] = await settled(dir, 1);
    rmSync(join(dir, '.axum', 'releases', live!.releaseId), { recursive: true, force: true });
    const check = await fsck(dir);
    expect(check.code).toBe(1);
    expect(check.report.environments).toEqual([{ env: 'staging', problem: `current names ${live!.releaseId}, whose folder is missing or incomplete (axum fsck --repair materializes it again from the store when its stored files are whole)` }]);
    expect(await incident(dir)).toContain(`current names ${live!.releaseId}, whose folder is missing`);
    // The watcher's comparison (every 5 s) sees the folder gone too: its incident must close as well.
    await waitFor(async () => (await incident(dir))?.startsWith('current and history disagree') === true, 15_000, "the watcher's disagreement");
    // The store still holds every file: --repair makes the folder again, manifest included.
    const repaired = await fsck(dir, '--repair');
    expect(repaired.report.repaired).toEqual([{ releaseId: live!.releaseId, repaired: 'materialized model/weights.txt again from the store' }]);
    expect(repaired.code).toBe(0);
    expect(served(dir)).toBe('0.86');
    expect(existsSync(join(dir, '.axum', 'releases', live!.releaseId, 'manifest.json'))).toBe(true);
    expect(await incident(dir)).toBeNull();
  });
});

describe('axum fsck --repair', () => {
  it('the live folder with a file changed and a file deleted: fsck says it can repair it; --repair makes it whole from the store, closes the incident, and deploy --again works', async () => {
    const dir = await started();
    model(dir, '0.86', 'v1');
    const [live] = await settled(dir, 1);
    const id = live!.releaseId;
    const folder = join(dir, '.axum', 'releases', id, 'files');
    writeFileSync(join(folder, 'model', 'extra-was-not-there'), 'x'); // not an artifact: left as it is
    tamper(releaseFile(dir, id), '0.66\n');
    const refused = await axum(['deploy', 'staging', '--release', id, '--again', '--yes', '--json', '--repo', dir]);
    expect(refused.code).toBe(1);
    expect((JSON.parse(refused.stdout) as Revision).message).toMatch(/model\/weights\.txt: changed since it was materialized.*axum fsck --repair/);
    const said = await fsck(dir);
    expect(said.code).toBe(1);
    expect(said.report.problems).toEqual([{ releaseId: id, problem: expect.stringMatching(/model\/weights\.txt: .*\(axum fsck --repair materializes it again from the store\)$/) }]);
    expect(said.report.repaired).toEqual([]);
    expect(served(dir)).toBe('0.66'); // nothing repaired without asking
    const repaired = await fsck(dir, '--repair');
    expect(repaired.report.repaired).toEqual([{ releaseId: id, repaired: 'materialized model/weights.txt again from the store' }]);
    expect(repaired.report.problems).toEqual([]);
    expect(repaired.report.environments).toEqual([]);
    expect(repaired.code).toBe(0);
    expect(served(dir)).toBe('0.86');
    expect(statSync(releaseFile(dir, id)).mode & 0o777).toBe(0o400);
    expect(await incident(dir)).toBeNull();
    // A file deleted: the plain output says what was repaired.
    unlinkSync(releaseFile(dir, id));
    const plain = await axum(['fsck', '--repair', '--repo', dir]);
    expect(plain.code, plain.stdout).toBe(0);
    expect(plain.stdout).toContain(`repaired 1:\n  ${id}: materialized model/weights.txt again from the store\n`);
    expect(served(dir)).toBe('0.86');
    const again = await axum(['deploy', 'staging', '--release', id, '--again', '--yes', '--json', '--repo', dir]);
    expect(again.code, again.stdout).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ status: 'live', verified: true, releaseId: id });
    expect((await fsck(dir)).code).toBe(0);
  });

  it('a stored file lost while a release folder holds it whole: fsck says --repair restores it; --repair puts it back read-only and by its sha256', async () => {
    const dir = await started();
    model(dir, '0.86', 'v1');
    const [live] = await settled(dir, 1);
    const { releases } = JSON.parse(readFileSync(join(dir, '.axum', 'history', 'releases.json'), 'utf8')) as { releases: { id: string; artifacts: { path: string; sha256: string }[] }[] };
    const sha = releases.find((r) => r.id === live!.releaseId)!.artifacts.find((a) => a.path === 'model/weights.txt')!.sha256;
    const blob = join(dir, '.axum', 'store', 'sha256', sha);
    unlinkSync(blob);
    const said = await fsck(dir);
    expect(said.code).toBe(1);
    expect(said.report.problems).toEqual([{ releaseId: live!.releaseId, problem: expect.stringMatching(new RegExp(`missing from the store.*\\(axum fsck --repair restores it from the release folder of ${live!.releaseId}\\)$`)) }]);
    expect(existsSync(blob)).toBe(false);
    const repaired = await fsck(dir, '--repair');
    expect(repaired.report.repaired).toEqual([{ releaseId: live!.releaseId, repaired: expect.stringMatching(new RegExp(`^restored model/weights\\.txt to the store from the release folder of ${live!.releaseId}`)) }]);
    expect(repaired.report.problems).toEqual([]);
    expect(repaired.code).toBe(0);
    expect(createHash('sha256').update(readFileSync(blob)).digest('hex')).toBe(sha);
    expect(statSync(blob).mode & 0o777).toBe(0o400);
  });

  it('a stored file corrupt and its only folder copy changed too: nothing to restore it from, said so, nothing written', async () => {
    const dir = await started();
    model(dir, '0.86', 'v1');
    const [live] = await settled(dir, 1);
    const { releases } = JSON.parse(readFileSync(join(dir, '.axum', 'history', 'releases.json'), 'utf8')) as { releases: { id: string; artifacts: { sha256: string }[] }[] };
    const blob = join(dir, '.axum', 'store', 'sha256', releases[0]!.artifacts[0]!.sha256);
    tamper(blob, '0.11\n');
    tamper(releaseFile(dir, live!.releaseId), '0.22\n');
    const repaired = await fsck(dir, '--repair');
    expect(repaired.code).toBe(1);
    expect(repaired.report.repaired).toEqual([]);
    expect(repaired.report.problems.map((p) => p.problem).join('\n')).not.toContain('--repair');
    expect(readFileSync(blob, 'utf8')).toBe('0.11\n');
    expect(served(dir)).toBe('0.22');
  });
});

describe('the release store at start', () => {
  it('a files.partial-* folder left by a kill mid-copy is removed at the next start, also when releases.json was not read whole', async () => {
    const dir = await started();
    model(dir, '0.86', 'v1');
    const [live] = await settled(dir, 1);
    await stop(dir);
    const partial = join(dir, '.axum', 'releases', live!.releaseId, 'files.partial-4242-1700000000000');
    mkdirSync(join(partial, 'model'), { recursive: true });
    writeFileSync(join(partial, 'model', 'weights.txt'), '0.8');
    writeFileSync(join(dir, '.axum', 'history', 'releases.json'), '{ torn');
    await start(dir);
    await waitFor(() => !existsSync(partial), 10_000, 'the partial copy to be swept');
    expect(existsSync(join(dir, '.axum', 'releases', live!.releaseId, 'files'))).toBe(true);
    expect(served(dir)).toBe('0.86');
  });

  it('axum fsck --rebuild gives a lost releases.json back from the folders: deploy --release works again', async () => {
    const dir = await started();
    model(dir, '0.86', 'v1');
    await settled(dir, 1);
    model(dir, '0.91', 'v2');
    const [, old] = await settled(dir, 2);
    await stop(dir);
    unlinkSync(join(dir, '.axum', 'history', 'releases.json'));
    await start(dir);
    const lost = await axum(['deploy', 'staging', '--release', old!.releaseId, '--yes', '--repo', dir]);
    expect(lost.code).toBe(1);
    expect(lost.stderr).toContain(`no release ${old!.releaseId}`);
    const rebuilt = await axum(['fsck', '--rebuild', '--repo', dir]);
    expect(rebuilt.stdout).toContain('release index rebuilt: 2 releases added');
    expect(rebuilt.code, rebuilt.stdout).toBe(0);
    const deploy = await axum(['deploy', 'staging', '--release', old!.releaseId, '--yes', '--json', '--repo', dir]);
    expect(deploy.code, deploy.stdout).toBe(0);
    expect((JSON.parse(deploy.stdout) as Revision).status).toBe('live');
    expect(served(dir)).toBe('0.86');
  });
});
