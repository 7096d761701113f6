// What the command line answers when asked again, and what it says when nothing moved: a repeated
// mark, a deploy of what is live already, an approve that keeps what serves, a backup's counts, a
// starter pipeline with no training command. Real repositories, real daemons, bin/axum.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, commitFiles, scratchRepos, startDaemon, waitForRun } from './support/axum.js';
import { settled, type Revision } from './support/history.js';
import { tinyModel, tinyModelConfig } from './support/tiny-model.js';

const newRepo = scratchRepos(afterEach);
const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

/** A repository whose daemon runs and has seen its first heads; `data` commits the first model. */
async function started(config: string, data = '0.9'): Promise<string> {
  const dir = newRepo({ config });
  commitFiles(dir, 'data', { 'data.txt': '0\n' });
  await startDaemon(dir);
  commitFiles(dir, 'model v1', { 'data.txt': `${data}\n` });
  return dir;
}

describe('asked again', () => {
  it('mark of what stands already is exit 0 saying so; a new reason replaces a bad mark\'s; an unknown release stays a refusal', async () => {
    const dir = await started(tinyModelConfig());
    const [live] = await settled(dir, 1);
    const id = live!.releaseId;
    const good = await axum(['mark', id, 'good', '--repo', dir]);
    expect(good).toMatchObject({ code: 0, stdout: `${id} is not marked bad: nothing to clear\n` });
    expect((await axum(['mark', id, 'bad', '--reason', 'wrong labels', '--repo', dir])).code).toBe(0);
    const again = await axum(['mark', id, 'bad', '--repo', dir]);
    expect(again).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^${id} is marked bad already \\(by .+ via axum mark, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d: wrong labels\\): nothing changed \\(--reason TEXT gives it a new reason\\)\\n$`)) });
    const renamed = await axum(['mark', id, 'bad', '--reason', 'leaks the test set', '--repo', dir]);
    expect(renamed).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^${id} was marked bad already; reason updated: leaks the test set \\(by .+; was: wrong labels — by .+, \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d\\)\\n$`)) });
    const json = JSON.parse((await axum(['mark', id, 'bad', '--reason', 'leaks the test set', '--json', '--repo', dir])).stdout) as { bad: { why: string }; unchanged: boolean; marks: unknown[] };
    expect(json).toMatchObject({ bad: { why: 'leaks the test set' }, unchanged: true });
    expect(json.marks).toHaveLength(2);
    expect(await axum(['mark', 'rel-999', 'good', '--repo', dir])).toMatchObject({ code: 1, stderr: 'axum: no release rel-999 (axum releases lists them)\n' });
    // Cancel of a finished run stays a refusal (gh's too), in words that say why.
    expect(await axum(['cancel', live!.runId!, '--repo', dir])).toMatchObject({ code: 1, stderr: `axum: ${live!.runId} has finished already (succeeded): nothing to cancel\n` });
  });

  it('deploy of the release live there already is nothing to do (exit 0, no question, no revision); --again makes one', async () => {
    const dir = await started(tinyModelConfig('', '', '  staging: { branch: main }\n  production: { branch: prod, protected: true }'));
    const [live] = await settled(dir, 1);
    const id = live!.releaseId;
    expect(await axum(['deploy', 'staging', '--release', id, '--repo', dir])).toEqual({ code: 0, stdout: `${id} is live in staging already (#1): nothing to do (--again deploys it anew, as a new revision)\n`, stderr: '' });
    const byCommit = await axum(['deploy', 'staging', '--commit', live!.commit.slice(0, 8), '--json', '--repo', dir]);
    expect(byCommit.code, byCommit.stderr).toBe(0);
    expect(JSON.parse(byCommit.stdout)).toMatchObject({ revision: 1, releaseId: id, unchanged: true });
    expect(await settled(dir, 1)).toHaveLength(1);
    // Protected: a first deploy asks (no terminal: exit 2); once live there, the same release asks nothing.
    expect((await axum(['deploy', 'production', '--release', id, '--repo', dir])).code).toBe(2);
    expect((await axum(['deploy', 'production', '--release', id, '--yes', '--repo', dir])).code).toBe(0);
    expect(await axum(['deploy', 'production', '--release', id, '--repo', dir])).toMatchObject({ code: 0, stdout: expect.stringContaining('is live in production already (#1): nothing to do') });
    const anew = await axum(['deploy', 'staging', '--release', id, '--again', '--repo', dir]);
    expect(anew).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^staging #2: deployed ${id} \\(\\w{8}\\), live and verified`)) });
    expect((await settled(dir, 2)).map((r) => r.releaseId)).toEqual([id, id]);
  });
});

describe('saying what happened', () => {
  it('approve of a paused environment says it kept what serves and deployed nothing, and what the pause held deploys next', async () => {
    // A gate relative to the last known good, with none yet: the first deploy is inconclusive and pauses staging.
    const dir = await started(tinyModel({ gates: { accuracy: '>= lkg - 0.05' } }));
    const [first] = await settled(dir, 1);
    expect(first).toMatchObject({ status: 'failed', paused: true });
    commitFiles(dir, 'model v2', { 'data.txt': '0.92\n' });
    const held = await waitForRun(dir, (r) => (r as { deploy?: { outcome: string } | null }).deploy?.outcome === 'held-by-pause', 'the run held by the pause', 45_000);
    const releaseOfHeld = (held as { releaseId?: string | null }).releaseId;
    const approved = await axum(['approve', 'staging', '--repo', dir]);
    expect(approved.code, approved.stderr).toBe(0);
    expect(approved.stdout).toBe(
      `staging #2: kept ${first!.releaseId} (${first!.commit.slice(0, 8)}), which serves, as live and verified — nothing was deployed\n` + `staging: pause lifted; ${releaseOfHeld}, held back by the pause, deploys next\n` + "staging: the approval holds for staging only: the next environment's gate is judged on its own\n",
    );
    expect(approved.stdout).not.toMatch(/deployed rel-/);
    const revisions: Revision[] = await settled(dir, 3);
    expect(revisions[0]).toMatchObject({ revision: 3, releaseId: releaseOfHeld });
  });

  it('backup counts what it sent and what was already there in one unit, objects', async () => {
    const target = mkdtempSync(join(tmpdir(), 'axum-backup-'));
    folders.push(target);
    const dir = await started(tinyModelConfig(`backup: { to: [${target}], every: 24h }\n`));
    await settled(dir, 1);
    const line = new RegExp(`^backed up to ${target}: (\\d+) files, stored as (\\d+) objects: (\\d+) sent \\([\\d.]+ k?B\\), (\\d+) already there \\([\\d.]+ k?B\\); verified\\n$`);
    for (const pass of ['first', 'second']) {
      const result = await axum(['backup', '--repo', dir]);
      expect(result.code, result.stderr).toBe(0);
      const [, files, objects, sent, present] = (line.exec(result.stdout) ?? []).map(Number);
      expect(objects, result.stdout).toBeGreaterThan(0);
      expect(sent! + present!).toBe(objects);
      const manifest = (JSON.parse(readFileSync(join(target, 'axum-backup.json'), 'utf8')) as { manifest: { files: { sha256: string }[] } }).manifest.files;
      expect(files).toBe(manifest.length);
      expect(objects).toBe(new Set(manifest.map((f) => f.sha256)).size);
      if (pass === 'first') expect(present).toBe(0);
    }
  });

  it('init with no training entry point says what to edit, and the starter run fails at its train step saying so', async () => {
    const dir = newRepo({ config: null });
    const init = await axum(['init', '--repo', dir]);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toBe(
      'axum: no training entry point found (an npm script "train", train.py, src/train.py, a Makefile target "train", train.js): edit the run: of the train step in axum.yml to the command that trains your model and writes model/**; until then every run fails at that step, saying so\n',
    );
    expect(readFileSync(join(dir, 'axum.yml'), 'utf8')).toContain('# No training entry point was found: replace this run: with the command that trains your model.\n      - { name: train, run: "echo');
    expect((await axum(['validate', '--repo', dir])).code).toBe(0);
    execFileSync('git', ['add', '-A'], { cwd: dir });
    execFileSync('git', ['commit', '-qm', 'axum'], { cwd: dir });
    const run = await axum(['run', '--wait', '--repo', dir], { timeoutMs: 60_000 });
    expect(run.code).toBe(1);
    // The failed step's last lines where the person looks, and where the rest is.
    expect(run.stderr).toContain(
      'axum: run-1 failed: step train failed (exit 1); the last lines of step train:\n  axum.yml: no training command yet: set the run: of the train step to the command that trains your model (it writes model/**)\n  (all of it: axum logs run-1 --step train)\n',
    );
    expect(run.stdout + run.stderr).not.toContain('artifacts');
    const log = await axum(['logs', 'run-1', '--step', 'train', '--repo', dir]);
    expect(log.stdout).toBe('axum.yml: no training command yet: set the run: of the train step to the command that trains your model (it writes model/**)\n');
  });
});

describe('proofread', () => {
  it('a usage error points to its own command\'s help; a command group without a command, or with a mistyped one, says so in one line', async () => {
    expect(await axum(['deploy', 'staging', '--bogus'])).toMatchObject({ code: 2, stderr: "axum: unknown option '--bogus' (axum deploy --help for usage)\n" });
    expect(await axum(['mark', 'rel-1'])).toMatchObject({ code: 2, stderr: "axum: missing required argument 'mark' (good or bad) (axum mark --help for usage)\n" });
    expect(await axum(['daemon', 'sttus'])).toEqual({ code: 2, stdout: '', stderr: "axum: unknown command 'daemon sttus' (did you mean daemon status?); axum daemon --help lists the commands\n" });
    const bare = await axum(['daemon']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^Usage: axum daemon /);
    expect(bare.stderr).toMatch(/\naxum: daemon needs a command: start, stop, restart, logs, status\n$/);
    expect(bare.stderr).not.toContain('outputHelp');
    expect(JSON.parse((await axum(['daemon', '--json'])).stdout)).toEqual({ error: { message: 'daemon needs a command: start, stop, restart, logs, status', exitCode: 2 } });
  });

  it('a second rollback says truthfully why there is no target, and the way on; pin names its unpin', async () => {
    const dir = await started(tinyModelConfig());
    await settled(dir, 1);
    commitFiles(dir, 'model v2', { 'data.txt': '0.95\n' });
    const [v2] = await settled(dir, 2);
    expect((await axum(['rollback', 'staging', '--repo', dir])).code).toBe(0);
    expect(await axum(['rollback', 'staging', '--repo', dir])).toMatchObject({
      code: 1,
      stderr: `axum: no last known good revision to roll back to: the earlier verified releases are marked bad (the newest: #2, ${v2!.releaseId}; --to 2 --force goes back to it anyway)\n`,
    });
    expect((await axum(['unpin', 'staging', '--repo', dir])).code).toBe(0);
    expect(await axum(['pin', 'staging', '--repo', dir])).toMatchObject({ code: 0, stdout: 'staging pinned: new commits build and test but do not deploy (axum unpin staging lets them deploy again)\n' });
    expect(await axum(['deploy', 'staging', '--release', 'rel-99', '--repo', dir])).toMatchObject({ code: 1, stderr: 'axum: no release rel-99 (axum releases lists them)\n' });
  });

  it('status of a repository whose axum.yml never was valid says why it has no environments, and the problem in words', async () => {
    const dir = newRepo({ config: 'version: 1\nenvironments:\n  dev: { branch: develop }\nstages:\n  - name: t\n    steps:\n      - { name: u, run: true }\n' });
    const status = await axum(['status', '--repo', dir]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('  axum.yml:7:25: stage "t", step "u", run: expected text, got true (a boolean); quote it if it is text: "true"\n');
    expect(status.stdout).toContain('no environments yet: axum.yml is invalid (above; axum validate checks it as you fix it)\n');
    expect(status.stdout).not.toContain('add some under');
  });
});
