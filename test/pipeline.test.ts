import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, cleanupRepo, commitFiles, isAlive, makeRepo, processesMatching, readDaemonJson, runs, waitFor, waitForRun, historyText } from './support/axum.js';

const repos: string[] = [];
async function repoWith(config: string, env: NodeJS.ProcessEnv = {}): Promise<string> {
  const dir = makeRepo({ config });
  repos.push(dir);
  const start = await axum(['daemon', 'start', '--repo', dir], { env });
  expect(start.code, start.stderr).toBe(0);
  // The first start takes the current heads as seen; wait until it has.
  await waitFor(() => historyText(dir).includes('"main"'), 10_000, 'the first reconciliation').catch((err: Error) => {
    throw new Error(`${err.message}\n${readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8')}`);
  });
  return dir;
}
afterEach(async () => {
  await Promise.all(repos.splice(0).map(cleanupRepo));
});

const pipeline = (testStep: string, extra = '') => `version: 1
environments:
  production: { branch: main }
stages:
  - name: test
    steps:
      - { name: unit, run: ${JSON.stringify(testStep)} }
      - { name: lint, run: "echo linting" }
  - name: build
    steps:
      - { name: train, run: "echo training; echo accuracy=0.9 >> $AXUM_METRICS" }
${extra}`;

describe('runs from commits', () => {
  it('a commit on main → a succeeded run whose steps are listed, with the step environment', async () => {
    const dir = await repoWith(pipeline('echo "$AXUM_RUN_ID $AXUM_BRANCH $AXUM_ENV $AXUM_STAGE $AXUM_STEP $AXUM_COMMIT"; pwd; test -z "$GIT_DIR"'));
    const sha = commitFiles(dir, 'model v2', { 'model/weights.json': '[1,2]' });
    const run = await waitForRun(dir, (r) => r.commit === sha && r.status === 'succeeded', 'the run to succeed');
    expect(run).toMatchObject({ branch: 'main', env: 'production', trigger: 'push', commit: sha });
    expect(run.steps.map((s) => `${s.stage}/${s.name}:${s.status}:${s.exitCode}`)).toEqual(['test/unit:succeeded:0', 'test/lint:succeeded:0', 'build/train:succeeded:0']);
    for (const field of ['id', 'status', 'commit', 'branch', 'env', 'trigger', 'createdAt', 'startedAt', 'finishedAt', 'steps']) expect(run).toHaveProperty(field);
    for (const step of run.steps) expect(Object.keys(step)).toEqual(expect.arrayContaining(['stage', 'name', 'status', 'exitCode', 'durationMs']));

    const log = await axum(['logs', run.id, '--step', 'unit', '--repo', dir]);
    expect(log.code).toBe(0);
    const [envLine, cwd] = log.stdout.trim().split('\n');
    expect(envLine).toBe(`${run.id} main production test unit ${sha}`);
    // A clean worktree outside the repository, removed when the run is over (nothing kept by default).
    expect(cwd?.startsWith(dir)).toBe(false);
    await waitFor(() => !existsSync(cwd ?? '/nonexistent'), 10_000, 'the worktree to be removed');
    expect(readFileSync(join(dir, '.axum', 'runs', run.id, 'metrics.env'), 'utf8')).toBe('accuracy=0.9\n');
  });

  it("a branch's next run sees nothing its last run left: untracked, ignored, modified and deleted files, in the same worktree", async () => {
    // The step fails on anything the last run left, then leaves all of it behind.
    const step = [
      'pwd',
      '{ test ! -e untracked.txt && test ! -e model.bin && test ! -e out && test ! -e clone && test "$(cat tracked.txt)" = original && test -e kept.txt; } || { ls -a; exit 1; }',
      'echo u > untracked.txt; echo w > model.bin; mkdir -p out clone; echo o > out/x; git -C clone init -q; echo dirty > tracked.txt; rm kept.txt',
    ].join('; ');
    const dir = await repoWith(
      `version: 1
environments:
  production: { branch: main }
stages:
  - name: test
    steps:
      - { name: unit, run: ${JSON.stringify(step)} }
`,
      { AXUM_KEEP_WORKTREES: '3' },
    );
    const first = commitFiles(dir, 'first', { '.gitignore': '*.bin\nout/\n', 'tracked.txt': 'original\n', 'kept.txt': 'k\n' });
    const run1 = await waitForRun(dir, (r) => r.commit === first && ['succeeded', 'failed'].includes(r.status), 'the first run');
    expect(run1.status).toBe('succeeded');
    const second = commitFiles(dir, 'second', { 'other.txt': 'o\n' });
    const run2 = await waitForRun(dir, (r) => r.commit === second && ['succeeded', 'failed'].includes(r.status), 'the second run');
    const log = async (id: string) => (await axum(['logs', id, '--step', 'unit', '--repo', dir])).stdout.trim();
    expect(run2.status, await log(run2.id)).toBe('succeeded');
    // The same folder: the kept worktree was reset, not a fresh checkout that would pass anyway.
    expect(await log(run2.id)).toBe(await log(run1.id));
  });

  it('a failing test step → run failed, the build stage skipped, `run --wait` exits 1', async () => {
    // unit fails after lint is done (fail-fast would cancel a lint still running: see the unit tests).
    const dir = await repoWith(pipeline('echo checking; sleep 1; exit 3'));
    const result = await axum(['run', '--wait', '--json', '--repo', dir]);
    expect(result.code).toBe(1);
    const run = JSON.parse(result.stdout) as { status: string; trigger: string; steps: { name: string; status: string; exitCode: number | null }[] };
    expect(run.status).toBe('failed');
    expect(run.trigger).toBe('manual');
    expect(run.steps.map((s) => `${s.name}:${s.status}`)).toEqual(['unit:failed', 'lint:succeeded', 'train:skipped']);
    expect(run.steps[0]?.exitCode).toBe(3);
  });

  it('a command that does not exist fails its step with the shell message in the log', async () => {
    const dir = await repoWith(pipeline('no-such-command-axum --flag'));
    const result = await axum(['run', '--wait', '--json', '--repo', dir]);
    expect(result.code).toBe(1);
    const run = JSON.parse(result.stdout) as { id: string; steps: { exitCode: number | null }[] };
    expect(run.steps[0]?.exitCode).toBe(127);
    const log = await axum(['logs', run.id, '--step', 'unit', '--repo', dir]);
    expect(log.stdout).toMatch(/no-such-command-axum: (command )?not found/);
  });

  it('a step over its timeout is timed-out and its whole process group is killed', async () => {
    const marker = `sleep 3${process.pid % 1000}1`;
    const dir = await repoWith(pipeline(`(${marker}) & ${marker}`).replace('run: "echo linting" }', 'run: "echo linting" }').replace(/unit, run: (".*?") }/, 'unit, run: $1, timeout: 1s }'));
    const result = await axum(['run', '--wait', '--json', '--repo', dir]);
    expect(result.code).toBe(1);
    const run = JSON.parse(result.stdout) as { id: string; steps: { name: string; status: string }[] };
    expect(run.steps.map((s) => `${s.name}:${s.status}`)).toEqual(['unit:timed-out', 'lint:succeeded', 'train:skipped']);
    await waitFor(() => processesMatching(marker).length === 0, 10_000, 'the timed-out step processes to die');
    expect((await axum(['logs', run.id, '--step', 'unit', '--repo', dir])).stdout).toContain('[axum] timed out after 1000 ms');
  });

  it('cancel kills the step process group, grandchildren included, and marks the run cancelled', async () => {
    const marker = `sleep 4${process.pid % 1000}2`;
    const dir = await repoWith(pipeline(`(${marker}) & ${marker}`));
    const queued = await axum(['run', '--json', '--repo', dir]);
    const id = (JSON.parse(queued.stdout) as { id: string }).id;
    await waitFor(() => processesMatching(marker).length >= 2, 15_000, 'the step and its grandchild to run');
    const cancelled = await axum(['cancel', id, '--json', '--repo', dir]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    const run = JSON.parse(cancelled.stdout) as { status: string; steps: { name: string; status: string }[] };
    expect(run.status).toBe('cancelled');
    expect(run.steps.map((s) => `${s.name}:${s.status}`)).toEqual(['unit:cancelled', 'lint:succeeded', 'train:skipped']);
    // `cancel` returns once the processes are gone.
    expect(processesMatching(marker)).toEqual([]);
    expect((await axum(['cancel', id, '--repo', dir])).code).toBe(1);
    expect((await axum(['cancel', 'run-999', '--repo', dir])).code).toBe(1);
  });

  it('masks registered secrets in logs and never writes them to the history', async () => {
    const secret = 'hf_Sup3rS3cretValue';
    const dir = await repoWith(pipeline('echo "token is $HF_TOKEN"; printf %s "$HF_TOKEN" | cut -c1-5', 'secrets: [HF_TOKEN]\n'), { HF_TOKEN: secret });
    const result = await axum(['run', '--wait', '--json', '--repo', dir]);
    expect(result.code, result.stdout).toBe(0);
    const id = (JSON.parse(result.stdout) as { id: string }).id;
    const log = await axum(['logs', id, '--step', 'unit', '--repo', dir]);
    expect(log.stdout).toBe('token is ***\nhf_Su\n');
    const files = [join(dir, '.axum', 'runs', id, 'logs', 'unit.log'), join(dir, '.axum', 'history', 'runs.json'), join(dir, '.axum', 'history', 'runs.journal'), join(dir, '.axum', 'daemon.log')];
    for (const file of files) expect(readFileSync(file, 'utf8')).not.toContain(secret);
  });

  it('a newer commit supersedes an older queued run of the same branch, visibly', async () => {
    // The step waits on a gate the test opens, so "running" and "queued" last as long as needed.
    const gate = join(mkdtempSync(join(tmpdir(), 'axum-gate-')), 'open');
    const dir = await repoWith(pipeline(`while [ ! -e ${gate} ]; do sleep 0.1; done`));
    const first = commitFiles(dir, 'one', { a: '1' });
    await waitForRun(dir, (r) => r.commit === first && r.status === 'running', 'the first run to start');
    const second = commitFiles(dir, 'two', { a: '2' });
    await waitForRun(dir, (r) => r.commit === second && r.status === 'queued', 'the second run to queue');
    const third = commitFiles(dir, 'three', { a: '3' });
    const superseded = await waitForRun(dir, (r) => r.commit === second && r.status === 'superseded', 'the second run to be superseded');
    expect(superseded.message).toMatch(/^superseded by run-\d+ \(/);
    writeFileSync(gate, '');
    await waitForRun(dir, (r) => r.commit === third && r.status === 'succeeded', 'the third run to succeed', 60_000);
    expect((await runs(dir)).find((r) => r.commit === first)?.status).toBe('succeeded');
  });
});

describe('crash recovery', () => {
  it('kill -9 during a step → interrupted after restart, no orphan process, history intact', async () => {
    const marker = `sleep 5${process.pid % 1000}3`;
    const dir = await repoWith(pipeline(`(${marker}) & ${marker}`));
    const cancelledFirst = await axum(['run', '--json', '--repo', dir]);
    const firstId = (JSON.parse(cancelledFirst.stdout) as { id: string }).id;
    await waitFor(() => processesMatching(marker).length >= 2, 15_000, 'the first run to start');
    expect((await axum(['cancel', firstId, '--repo', dir])).code).toBe(0);
    const queued = await axum(['run', '--json', '--repo', dir]);
    const id = (JSON.parse(queued.stdout) as { id: string }).id;
    await waitFor(() => processesMatching(marker).length >= 2, 15_000, 'the step to run');
    const before = await runs(dir);
    const daemon = readDaemonJson(dir).pid;
    process.kill(daemon, 'SIGKILL');
    await waitFor(() => !isAlive(daemon), 10_000, 'the daemon to die');

    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    const after = await runs(dir);
    const run = after.find((r) => r.id === id);
    expect(run?.status).toBe('interrupted');
    // The step says what its run says: no person cancelled it.
    expect(run?.steps.find((s) => s.name === 'unit')?.status).toBe('cancelled'); // on the wire; the TUI shows it interrupted
    // Every run acknowledged before the crash is still there.
    for (const old of before.filter((r) => r.id !== id)) expect(after.find((r) => r.id === old.id)?.status).toBe(old.status);
    expect(before.find((r) => r.id === id)?.status).toBe('running');
    await waitFor(() => processesMatching(marker).length === 0, 5000, 'the orphaned step processes to be reaped');
    expect(after.filter((r) => r.status === 'running')).toEqual([]);
    // Not run again by itself, so the head of main is unbuilt: status says so, and how to run it.
    const status = await axum(['status', '--repo', dir]);
    expect(status.stdout).toContain(`runs         none active\n  ${id} interrupted main ${run!.commit.slice(0, 8)} · not run again by itself: axum run --branch main runs it\n`);
  });

  it('a save appends to the journal; a clean stop folds it into one whole runs.json', async () => {
    const dir = await repoWith(pipeline('true'));
    const history = join(dir, '.axum', 'history');
    const snapshotBefore = readFileSync(join(history, 'runs.json'), 'utf8');
    for (let i = 0; i < 3; i++) expect((await axum(['run', '--again', '--wait', '--repo', dir])).code).toBe(0);
    const listed = await runs(dir);
    expect(listed).toHaveLength(3);
    // While the daemon runs, the runs are journal lines and the snapshot is as it was.
    expect(readFileSync(join(history, 'runs.json'), 'utf8')).toBe(snapshotBefore);
    const journal = readFileSync(join(history, 'runs.journal'), 'utf8').split('\n').filter(Boolean);
    expect(journal.length).toBeGreaterThanOrEqual(3 * 3); // queued, running, each step, finished
    expect(journal.every((line) => (JSON.parse(line) as { upsert: unknown[] }).upsert.length <= 1)).toBe(true);
    expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);
    expect(readFileSync(join(history, 'runs.journal'), 'utf8')).toBe('');
    const whole = JSON.parse(readFileSync(join(history, 'runs.json'), 'utf8')) as { runs: { id: string; status: string }[] };
    expect(whole.runs.map((r) => [r.id, r.status]).reverse()).toEqual(listed.map((r) => [r.id, r.status]));
    // And the next start reads it back.
    expect((await runs(dir)).map((r) => [r.id, r.status])).toEqual(listed.map((r) => [r.id, r.status]));
  });

  it('moves a corrupted history file aside, says so, and keeps working', async () => {
    const dir = await repoWith(pipeline('true'));
    expect((await axum(['run', '--wait', '--repo', dir])).code).toBe(0);
    expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);
    const file = join(dir, '.axum', 'history', 'runs.json');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.slice(0, Math.floor(text.length / 2)));
    const status = await axum(['status', '--json', '--repo', dir]);
    expect(status.code, status.stderr).toBe(0);
    const warnings = (JSON.parse(status.stdout) as { warnings: string[] }).warnings;
    expect(warnings[0]).toMatch(/could not be read .* moved aside to .*runs\.json\.corrupt-/);
    const aside = readdirSync(join(dir, '.axum', 'history')).filter((f) => f.startsWith('runs.json.corrupt-'));
    expect(aside).toHaveLength(1);
    expect(readFileSync(join(dir, '.axum', 'history', aside[0] ?? ''), 'utf8')).toBe(text.slice(0, Math.floor(text.length / 2)));
    expect((await axum(['run', '--wait', '--repo', dir])).code).toBe(0);
  });

  it('queues one run per head that moved while the daemon was down', async () => {
    const dir = await repoWith(pipeline('true'));
    expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);
    const sha = commitFiles(dir, 'while down', { b: '1' });
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    const run = await waitForRun(dir, (r) => r.commit === sha, 'a run of the commit made while down');
    expect(run.trigger).toBe('push');
  });
});
