// The rough edges of the command line a new user hits next: a bare number for a release, git's
// revision words for --commit, a rollback to a revision that does not exist, --limit on every
// listing, times as people read them, a releases table fitted whole. Real repositories, real
// daemons, bin/axum.
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { axum, AXUM_BIN, commitFiles, daemonPid, isAlive, runs, scratchRepos, startDaemon, waitFor, waitForRun } from './support/axum.js';
import { tinyModelConfig } from './support/tiny-model.js';
import { HAS_TMUX, tmuxServer } from './support/tmux.js';

const newRepo = scratchRepos(afterEach);
const server = tmuxServer('axum-cli-rough-edges');
afterAll(() => server.kill());

interface Listing {
  id: string;
  commit: string;
  bad: { why: string } | null;
}

/** staging from main with `count` releases, each deployed in turn (revisions #1..#count). */
async function deployed(count: number): Promise<{ dir: string; commits: string[] }> {
  const dir = newRepo({ config: tinyModelConfig() });
  await startDaemon(dir);
  const commits: string[] = [];
  for (let i = 1; i <= count; i++) {
    commits.push(commitFiles(dir, `model v${i}`, { 'data.txt': `0.9${i}\n` }));
    // The push run of each commit builds rel-i and deploys it as #i.
    await waitFor(async () => {
      const history = JSON.parse((await axum(['history', 'staging', '--json', '--repo', dir])).stdout) as { status: string }[];
      return history.length === i && history[0]!.status === 'live';
    }, 60_000, `revision #${i} live`);
  }
  return { dir, commits };
}

const widest = (text: string) => Math.max(...text.split('\n').map((line) => [...line].length));

describe('what a new user types', () => {
  it('a bare number names release rel-N (mark, deploy --release); a rollback to no revision names the nearest, exit 1 (refused); --limit lists the newest N', async () => {
    const { dir } = await deployed(6);
    const releases = JSON.parse((await axum(['releases', '--json', '--repo', dir])).stdout) as Listing[];
    expect(releases.map((r) => r.id)).toEqual(['rel-6', 'rel-5', 'rel-4', 'rel-3', 'rel-2', 'rel-1']);

    // 1. `mark 3 bad` marks rel-3 and says so by its id; a number no release has is named as rel-N.
    expect(await axum(['mark', '3', 'bad', '--reason', 'drifts', '--repo', dir])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^rel-3 marked bad: drifts/) });
    // `#3` is a revision's number (revision #5 may hold rel-3): a usage error, not rel-3.
    expect(await axum(['mark', '#3', 'good', '--repo', dir])).toMatchObject({ code: 2, stderr: expect.stringContaining('#3 is a revision (ENV#3, as axum history lists them), not a release: a release is rel-N') });
    expect(await axum(['mark', '3', 'good', '--repo', dir])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^rel-3: bad mark cleared/) });
    expect(await axum(['mark', '99', 'bad', '--repo', dir])).toMatchObject({ code: 1, stderr: 'axum: no release rel-99 (axum releases lists them)\n' });
    // …and deploy --release 2 deploys rel-2.
    const deploy = await axum(['deploy', 'staging', '--release', '2', '--yes', '--repo', dir]);
    expect(deploy, deploy.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(/^staging #7: deployed rel-2 /) });

    // 3. A revision that does not exist: one line naming the range and the nearest, exit 1, nothing done; also with --yes and under --json.
    const missing = 'staging: no revision #999 (revisions: #1 to #7; the nearest: #7, #6, #5)';
    // Refused, as every rollback the daemon would refuse: exit 1.
    expect(await axum(['rollback', 'staging', '--to', '999', '--repo', dir])).toEqual({ code: 1, stdout: '', stderr: `axum: ${missing}\n` });
    expect(await axum(['rollback', 'staging', '999', '--yes', '--repo', dir])).toEqual({ code: 1, stdout: '', stderr: `axum: ${missing}\n` });
    expect(JSON.parse((await axum(['rollback', 'staging', '--to', '999', '--json', '--repo', dir])).stdout)).toEqual({ error: { message: missing, exitCode: 1 } });
    const history = JSON.parse((await axum(['history', 'staging', '--json', '--repo', dir])).stdout) as { revision: number; status: string }[];
    expect(history.map((r) => r.revision)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(history[0]!.status).toBe('live');

    // 4. --limit on history and releases as on runs; without it, as before (history and releases whole, runs 20).
    expect((JSON.parse((await axum(['history', 'staging', '--limit', '2', '--json', '--repo', dir])).stdout) as { revision: number }[]).map((r) => r.revision)).toEqual([7, 6]);
    const limited = (await axum(['history', 'staging', '--limit', '2', '--repo', dir])).stdout;
    expect(limited).toMatch(/^#7 /m);
    expect(limited).not.toMatch(/^#5 /m);
    expect((JSON.parse((await axum(['releases', '--limit', '3', '--json', '--repo', dir])).stdout) as Listing[]).map((r) => r.id)).toEqual(['rel-6', 'rel-5', 'rel-4']);
    expect((await axum(['releases', '--limit', '1', '--repo', dir])).stdout.trim().split('\n')).toHaveLength(2);
    expect((JSON.parse((await axum(['runs', '--limit', '2', '--json', '--repo', dir])).stdout) as unknown[]).length).toBe(2);
    expect((JSON.parse((await axum(['runs', '--json', '--repo', dir])).stdout) as unknown[]).length).toBe(6);
    // 5. --at answers with the time as the tables print it (UTC, said so), not an ISO stamp.
    expect(await axum(['history', 'staging', '--at', '2000-01-01T00:00:00Z', '--repo', dir])).toEqual({ code: 0, stdout: 'nothing was live in staging at 2000-01-01 00:00:00 UTC\n', stderr: '' });
    for (const command of [['history', 'staging'], ['releases'], ['runs']]) {
      expect(await axum([...command, '--limit', '0', '--repo', dir]), command[0]).toEqual({ code: 2, stdout: '', stderr: 'axum: --limit 0: expected a positive whole number\n' });
      expect(await axum([...command, '--limit', '2x', '--repo', dir]), command[0]).toEqual({ code: 2, stdout: '', stderr: 'axum: --limit 2x: expected a positive whole number\n' });
    }
  }, 180_000);

  it('--commit takes what git takes (HEAD~1, HEAD^, a short sha, a branch, a tag), resolved in the worktree the command runs in; a name of no commit is exit 2', async () => {
    const { dir, commits } = await deployed(2);
    const [first, second] = commits as [string, string];
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
    git('tag', 'v1', first);
    git('branch', 'side', first);
    for (const [rev, sha] of [['HEAD~1', first], ['HEAD^', first], [second.slice(0, 7), second], ['side', first], ['v1', first], ['main', second]] as const) {
      const queued = await axum(['run', '--commit', rev, '--json', '--repo', dir]);
      expect(queued.code, `${rev}: ${queued.stderr}`).toBe(0);
      const run = JSON.parse(queued.stdout) as { id: string; commit: string };
      expect(run.commit, rev).toBe(sha);
      await waitForRun(dir, (r) => r.id === run.id && r.status === 'succeeded', `the run of ${rev}`);
    }
    // A linked worktree's HEAD is its own, not the daemon's: HEAD there names the commit checked out there.
    const linked = `${dir}-linked`;
    git('worktree', 'add', '--detach', linked, first);
    try {
      const there = await axum(['run', '--commit', 'HEAD', '--branch', 'main', '--json'], { cwd: linked });
      expect(there.code, there.stderr).toBe(0);
      expect((JSON.parse(there.stdout) as { commit: string }).commit).toBe(first);
    } finally {
      git('worktree', 'remove', '--force', linked);
    }
    // Names of no commit: said, exit 2, nothing queued — the tree of a commit is no commit either.
    const before = (JSON.parse((await axum(['runs', '--json', '--repo', dir])).stdout) as unknown[]).length;
    for (const rev of ['HEAD~9', 'nope', 'deadbeef', `${second}^{tree}`, '--output=x']) {
      expect(await axum(['run', `--commit=${rev}`, '--repo', dir]), rev).toEqual({ code: 2, stdout: '', stderr: `axum: --commit ${rev}: names no commit in this repository (a sha, a branch, a tag or HEAD~1, as git reads them)\n` });
    }
    expect((JSON.parse((await axum(['runs', '--json', '--repo', dir])).stdout) as unknown[]).length).toBe(before);
    // deploy --commit reads the same words: the release of HEAD~1 is rel-1.
    const deploy = await axum(['deploy', 'staging', '--commit', 'HEAD~1', '--again', '--yes', '--repo', dir]);
    expect(deploy, deploy.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^staging #\\d+: deployed rel-1 \\(${first.slice(0, 8)}\\)`)) });
    // Both --release and --commit: which one was meant is not guessed, exit 2, nothing deployed.
    const revisions = (JSON.parse((await axum(['history', 'staging', '--json', '--repo', dir])).stdout) as unknown[]).length;
    expect(await axum(['deploy', 'staging', '--release', 'rel-2', '--commit', 'HEAD~1', '--yes', '--repo', dir])).toEqual({ code: 2, stdout: '', stderr: 'axum: two things to deploy: --release rel-2 and --commit HEAD~1; name one\n' });
    expect((JSON.parse((await axum(['history', 'staging', '--json', '--repo', dir])).stdout) as unknown[]).length).toBe(revisions);
    // --again alone deploys the live release once more, as a new revision.
    const again = await axum(['deploy', 'staging', '--again', '--yes', '--repo', dir]);
    expect(again, again.stderr).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^staging #${revisions + 1}: deployed rel-1 \\(${first.slice(0, 8)}\\)`)) });
  }, 180_000);

  it('axum run says when tracked files changed in the work tree are not in the run (a run builds its commit); not for another commit, nor under --json', async () => {
    const dir = newRepo({ config: tinyModelConfig() });
    await startDaemon(dir);
    commitFiles(dir, 'model v1', { 'data.txt': '0.91\n', 'params.json': '{}\n' });
    await waitForRun(dir, (r) => r.status === 'succeeded', 'the push run of v1');
    execFileSync('sh', ['-c', 'echo 0.99 > data.txt && echo "{\\"lr\\": 1}" > params.json && echo new > untracked.txt'], { cwd: dir });
    const run = await axum(['run', '--again', '--repo', dir]);
    expect(run.code, run.stderr).toBe(0);
    const id = /^(run-\d+) queued/.exec(run.stdout)?.[1];
    expect(run.stderr).toBe(`note: 2 files changed in the work tree and not committed (data.txt, params.json) are not in ${id}: a run builds its commit; commit and run again to build them\n`);
    expect((await axum(['run', '--commit', 'HEAD~1', '--repo', dir])).stderr).toBe('');
    expect((await axum(['run', '--again', '--json', '--repo', dir])).stderr).toBe('');
  }, 120_000);

  it('validate on a branch with no axum.yml, in a repository with records, says there is nothing to check (exit 2, JSON under --json); pin takes --yes as every changing command does', async () => {
    const dir = newRepo({ config: tinyModelConfig() });
    await startDaemon(dir);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
    git('checkout', '-q', '--orphan', 'docs');
    git('rm', '-q', '-rf', '--cached', '.');
    execFileSync('rm', ['-f', 'axum.yml'], { cwd: dir });
    const said = `no axum.yml in ${dir} (the branch checked out has none): nothing to validate; the daemon keeps serving the last valid one`;
    expect(await axum(['validate', '--repo', dir])).toEqual({ code: 2, stdout: '', stderr: `axum: ${said}\n` });
    const json = await axum(['validate', '--json', '--repo', dir]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ error: { message: said, exitCode: 2 } });
    const pin = await axum(['pin', 'staging', '--yes', '--repo', dir]);
    expect(pin.code, pin.stderr).toBe(0);
  }, 120_000);

  it('the releases table fits the terminal, cutting where each is live and was verified like any other free text', async () => {
    const long = ['production-eu-west-with-a-long-name', 'production-us-east-with-a-long-name'];
    const dir = newRepo({ config: tinyModelConfig('', '', `  staging: { branch: main }\n  ${long[0]}: { branch: eu }\n  ${long[1]}: { branch: us }`) });
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    commitFiles(dir, 'v1', { 'data.txt': '0.9\n' });
    expect((await axum(['run', '--wait', '--repo', dir])).code).toBe(0);
    for (const env of long) expect((await axum(['promote', 'staging', env, '--yes', '--repo', dir])).code).toBe(0);
    await waitFor(async () => ((JSON.parse((await axum(['releases', '--json', '--repo', dir])).stdout) as { verifiedIn: string[] }[])[0]?.verifiedIn.length ?? 0) === 3, 60_000, 'verified in three environments');
    const narrow = await axum(['releases', '--repo', dir], { env: { COLUMNS: '60' } });
    expect(narrow.code).toBe(0);
    expect(widest(narrow.stdout), narrow.stdout).toBeLessThanOrEqual(60);
    expect(narrow.stdout).toMatch(/^rel-1 +\S+ v1 +staging,[^…]*… +staging#1,[^…]*… /m);
    expect((await axum(['releases', '--repo', dir], { env: { COLUMNS: '' } })).stdout).toContain('production-us-east-with-a-long-name#1');
  }, 120_000);

  it('status says how long ago a run started, not an ISO time (--json keeps ISO); daemon stop asks on a terminal before it interrupts a run, stops off one (as a script asks), and says what it interrupted', async () => {
    const dir = newRepo({ config: `version: 1\nenvironments:\n  dev: { branch: main }\nstages:\n  - name: test\n    steps:\n      - { name: slow, run: "sleep 600" }\n` });
    const queued = await axum(['run', '--json', '--repo', dir]);
    const run = JSON.parse(queued.stdout) as { id: string; commit: string };
    await waitForRun(dir, (r) => r.id === run.id && r.status === 'running', 'the run to start');

    const status = await axum(['status', '--repo', dir]);
    expect(status.stdout).toMatch(new RegExp(`^  ${run.id} running main ${run.commit.slice(0, 8)} · started \\d+s ago$`, 'm'));
    expect(status.stdout).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/);
    expect((JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { runs: { startedAt: string }[] }).runs[0]!.startedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);

    const pid = daemonPid(dir)!;
    const what = `${run.id} (main ${run.commit.slice(0, 8)}, step slow)`;
    if (HAS_TMUX) {
      // On a terminal: asked; anything but y keeps it running.
      server.tmux('new-session', '-d', '-s', 'no', '-x', '120', '-y', '20', `${process.execPath} ${AXUM_BIN} daemon stop --repo ${dir}; echo "exit $?"; sleep 60`);
      await waitFor(() => server.screen('no').includes('[y/N]'), 20_000, 'the question');
      expect(server.screen('no')).toContain(`the daemon is running ${what}: stop it and interrupt it? [y/N]`);
      server.tmux('send-keys', '-t', 'no', 'n', 'Enter');
      await waitFor(() => /exit \d/.test(server.screen('no')), 20_000, 'the answer');
      expect(server.screen('no')).toContain('not confirmed; nothing changed');
      expect(server.screen('no')).toContain('exit 1');
      expect(isAlive(pid)).toBe(true);
      server.tmux('new-session', '-d', '-s', 'yes', '-x', '120', '-y', '20', `${process.execPath} ${AXUM_BIN} daemon stop --repo ${dir}; echo "exit $?"; sleep 60`);
      await waitFor(() => server.screen('yes').includes('[y/N]'), 20_000, 'the question');
      server.tmux('send-keys', '-t', 'yes', 'y', 'Enter');
      await waitFor(() => /exit \d/.test(server.screen('yes')), 20_000, 'the answer');
      expect(server.screen('yes')).toContain(`daemon stopped (pid ${pid}); interrupted: ${what}`);
      expect(server.screen('yes')).toContain('exit 0');
    } else {
      expect(await axum(['daemon', 'stop', '--yes', '--repo', dir])).toEqual({ code: 0, stdout: `daemon stopped (pid ${pid}); interrupted: ${what}\n`, stderr: '' });
    }
    expect(isAlive(pid)).toBe(false);
    const stoppedRun = (await runs(dir)).find((r) => r.id === run.id) as unknown as { status: string; steps: { name: string; status: string }[] };
    // The run is interrupted; its step is `cancelled` on the wire (the step statuses clients know), and its log says why.
    expect(stoppedRun.status).toBe('interrupted');
    expect(stoppedRun.steps.find((s) => s.name === 'slow')?.status).toBe('cancelled');
    expect((await axum(['logs', run.id, '--step', 'slow', '--repo', dir])).stdout).toContain("[axum] interrupted: the daemon is stopping: stopped the step's process group");
    // Off a terminal it stops, as a script asks, and says what it interrupted (in JSON too).
    const again = JSON.parse((await axum(['run', '--json', '--repo', dir])).stdout) as { id: string };
    await waitForRun(dir, (r) => r.id === again.id && r.status === 'running', 'the second run to start');
    const second = daemonPid(dir)!;
    expect(JSON.parse((await axum(['daemon', 'stop', '--json', '--repo', dir])).stdout)).toEqual({ stopped: true, pid: second, forced: false, interrupted: [again.id] });
    expect(isAlive(second)).toBe(false);
    expect((await axum(['status', '--repo', dir])).code).toBe(0);
    expect(await axum(['daemon', 'stop', '--repo', dir])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^daemon stopped \(pid \d+\)\n$/) });
  }, 120_000);
});
