// The command line as a new user meets it: mistyped commands, habits from other tools, closed
// pipes, and messages that name what the user typed.
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AXUM_BIN, axum, commitFiles, scratchRepos, waitForRun } from './support/axum.js';

const newRepo = scratchRepos(afterEach);

/** `axum ARGS | head -1` in bash: axum's own exit code and stderr. */
function intoHead(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${AXUM_BIN}" ${args.join(' ')} | head -1`], { timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('usage errors', () => {
  it('a checkout that was never built says so, exit 2, not a stack trace', async () => {
    const checkout = mkdtempSync(join(tmpdir(), 'axum-unbuilt-'));
    try {
      mkdirSync(join(checkout, 'bin'));
      for (const file of ['axum', 'package.json']) copyFileSync(join(dirname(AXUM_BIN), file), join(checkout, 'bin', file));
      const result = await new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(process.execPath, [join(checkout, 'bin', 'axum'), '--version'], (error, _stdout, stderr) => resolve({ code: typeof error?.code === 'number' ? error.code : 0, stderr }));
      });
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(`axum: not built yet (${join(checkout, 'packages', 'tui', 'dist', 'bundle', 'axum.cjs')} is missing): run \`pnpm install && pnpm build\` in the Axum checkout\n`);
    } finally {
      rmSync(checkout, { recursive: true, force: true });
    }
  });

  it('a --branch git could never have is a usage error naming --branch, refused before any git', async () => {
    const dir = newRepo();
    for (const branch of ['../x', '-x', 'main\u001b[2J']) {
      const result = await axum(['run', `--branch=${branch}`, '--repo', dir]);
      expect(result, JSON.stringify(branch)).toMatchObject({ code: 2, stdout: '' });
      expect(result.stderr).toContain('axum: --branch: not a branch name git allows\n');
    }
  });

  it('a mistyped command or a habit gets a suggestion and exit 2, as JSON under --json', async () => {
    const typo = await axum(['rollbak', 'production']);
    expect(typo).toMatchObject({ code: 2, stdout: '' });
    expect(typo.stderr).toBe("axum: unknown command 'rollbak' (did you mean rollback?); axum --help lists the commands\n");
    expect((await axum(['list'])).stderr).toContain("unknown command 'list' (did you mean runs?)");
    expect((await axum(['rerun', 'run-5'])).stderr).toContain("unknown command 'rerun' (did you mean run?)");
    const json = await axum(['list', '--json']);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toEqual({ error: { message: "unknown command 'list' (did you mean runs?); axum --help lists the commands", exitCode: 2 } });
    // Under --json a usage error is the document on stdout alone: nothing on stderr.
    expect(json.stderr).toBe('');
    const option = await axum(['runs', '--bogus', '--json']);
    expect(option.code).toBe(2);
    expect(JSON.parse(option.stdout)).toEqual({ error: { message: "unknown option '--bogus'", exitCode: 2 } });
    expect(option.stderr).toBe('');
    // Helm's `rollback ENV N` is `--to N`; two different targets are refused before anything moves.
    expect((await axum(['rollback', 'staging', '5', '--to', '4'])).stderr).toBe('axum: two targets: 5 and --to 4; name one\n');
    expect(await axum(['rollback', 'staging', '5', '--to', '4', '--json'])).toEqual({ code: 2, stdout: `${JSON.stringify({ error: { message: 'two targets: 5 and --to 4; name one', exitCode: 2 } })}\n`, stderr: '' });
    // git's and helm's habits: `help CMD`, `version`, `-v`.
    const help = await axum(['help', 'rollback']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: axum rollback \[options\] <env> \[revision\]/);
    for (const words of [['version'], ['-v']]) expect(await axum(words)).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/) });
    // One line each, pointing at the command's own help; no parser internals (`(outputHelp)`).
    expect((await axum(['--jsn', 'status'])).stderr).toBe("axum: unknown option '--jsn' (did you mean --json?) (axum status --help for usage)\n");
    // A missing argument says what it takes, as the command's help describes it.
    expect((await axum(['promote', 'dev'])).stderr).toBe("axum: missing required argument 'to' (the environment to deploy it to) (axum promote --help for usage)\n");
    expect(await axum(['mark', 'rel-4'])).toMatchObject({ code: 2, stderr: "axum: missing required argument 'mark' (good or bad) (axum mark --help for usage)\n" });
    const bare = await axum(['daemon']);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toMatch(/^Usage: axum daemon/);
    expect(bare.stderr).not.toContain('outputHelp');
    expect(await axum(['help', 'nonsense'])).toEqual({ code: 2, stdout: '', stderr: "axum: unknown command 'nonsense'; axum --help lists the commands\n" });
  });

  it('the terminal UI\'s half of the bundle fails like any command: `axum` outside a repository is a usage error', async () => {
    // Without a terminal `axum` prints the status from the TUI's module (the bundle's ES-module
    // half); its error must reach the parser's handler as the user's mistake, not as a crash.
    const outside = mkdtempSync(join(tmpdir(), 'axum-outside-'));
    try {
      expect(await axum([], { cwd: outside })).toEqual({ code: 2, stdout: '', stderr: `axum: not a git repository: ${outside} (run \`git init\` first, or pass --repo DIR)\n` });
      const json = await axum(['--json'], { cwd: outside });
      expect(json.code).toBe(2);
      expect(JSON.parse(json.stdout)).toEqual({ error: { message: `not a git repository: ${outside} (run \`git init\` first, or pass --repo DIR)`, exitCode: 2 } });
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });

  it('keeps its compiled code in a private folder of the user\'s, never in the repository', async () => {
    const home = mkdtempSync(join(tmpdir(), 'axum-cache-home-'));
    try {
      const env = { XDG_CACHE_HOME: home, AXUM_COMPILE_CACHE: '' };
      expect(await axum(['--version'], { env })).toMatchObject({ code: 0, stderr: '' });
      const dir = join(home, 'axum', 'compile-cache');
      expect(statSync(dir).mode & 0o777).toBe(0o700);
      const entries = readdirSync(dir);
      expect(entries).toContainEqual(expect.stringMatching(/-axum-start\.cjs$/));
      for (const entry of entries) expect(statSync(join(dir, entry)).mode & 0o777).toBe(0o600);
      // The next run reads them and writes nothing new; what it prints is the same.
      expect(await axum(['--version'], { env })).toMatchObject({ code: 0, stdout: expect.stringMatching(/^\d+\.\d+\.\d+\n$/), stderr: '' });
      expect(readdirSync(dir).sort()).toEqual(entries.sort());
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it('ends quietly on a closed pipe; -f follows; a followed failed run exits 1; a bad --commit names what was typed', async () => {
    const dir = newRepo({
      config: `version: 1
environments:
  dev: { branch: develop }
stages:
  - name: test
    steps:
      - { name: chatty, run: "seq 1 200000" }
  # A stage of its own: in one stage the steps run at once, and broken's failure cancelled chatty
  # before it had printed (its log then began with the cancel note, not 1).
  - name: check
    steps:
      - { name: broken, run: 'echo "about to fail\${AXUM_E2E_NEVER_SET- (and the declared secret is not even empty: unset)}"; exit 4' }
secrets: [AXUM_E2E_NEVER_SET]
`,
    });
    commitFiles(dir, 'a chatty step', { 'a.txt': '1\n' });
    const queued = await axum(['run', '--branch', 'main', '--json', '--repo', dir]);
    expect(queued.code, queued.stderr).toBe(0);
    const runId = (JSON.parse(queued.stdout) as { id: string }).id;
    await waitForRun(dir, (r) => r.id === runId && r.status === 'failed', 'the run to fail');

    const piped = await intoHead(['logs', runId, '--step', 'chatty', '--repo', dir]);
    expect(piped).toEqual({ code: 0, stdout: '1\n', stderr: '' });
    const history = await intoHead(['runs', '--repo', dir]);
    expect(history.code).toBe(0);
    expect(history.stderr).toBe('');

    const followed = await axum(['logs', runId, '-f', '--step', 'broken', '--repo', dir]);
    expect(followed).toMatchObject({ code: 1, stdout: 'about to fail\n' });
    expect(followed.stderr).toContain(`axum: ${runId} failed`);
    // A declared secret the daemon does not have: steps get it empty (the step's echo above), said in `axum status` (step logs stay the bytes as printed).
    const status = await axum(['status', '--repo', dir]);
    expect(status.stdout).toContain("warning      secret AXUM_E2E_NEVER_SET is declared in axum.yml but not set in the daemon's environment");
    // …and on the run that declares it, which `axum logs RUN` says with why it failed.
    const whole = await axum(['logs', runId, '--repo', dir]);
    expect(whole.stderr).toContain(`${runId} failed: step broken failed (exit 4)`);
    expect(whole.stderr).toContain(`${runId} warning: secret AXUM_E2E_NEVER_SET declared in axum.yml but not set in the daemon's environment: its steps get it empty`);

    const bad = await axum(['run', '--commit', 'zzz', '--repo', dir]);
    const names = '(a sha, a branch, a tag or HEAD~1, as git reads them)';
    expect(bad).toMatchObject({ code: 2, stderr: `axum: --commit zzz: names no commit in this repository ${names}\n` });
    expect(await axum(['deploy', 'staging', '--commit', 'zz', '--repo', dir])).toMatchObject({ code: 2, stderr: `axum: --commit zz: names no commit in this repository ${names}\n` });
  });
});

describe('the daemon behind a command', () => {
  it('a read-only command that starts the daemon says so; a daemon that stops answering ends a waiting command with exit 3', async () => {
    const dir = newRepo({
      config: `version: 1
environments:
  dev: { branch: main }
stages:
  - name: test
    steps:
      - { name: slow, run: "sleep 60" }
`,
    });
    const first = await axum(['runs', '--repo', dir]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(new RegExp(`^started the daemon for ${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(pid \\d+\\)\\n$`));
    const pid = Number(/\(pid (\d+)\)/.exec(first.stderr)?.[1]);
    expect((await axum(['runs', '--repo', dir])).stderr).toBe('');

    // SIGSTOP: the socket stays open and nothing answers. The waiting command must not wait out its
    // own timeout (an hour for a rollback): the heartbeat ends it, saying what may have happened.
    const waiting = axum(['run', '--branch', 'main', '--wait', '--repo', dir], { timeoutMs: 90_000 });
    await waitForRun(dir, (r) => r.status === 'running', 'the slow run to start');
    process.kill(pid, 'SIGSTOP');
    try {
      const stalled = await waiting;
      expect(stalled.code, stalled.stderr).toBe(3);
      expect(stalled.stderr).toContain('the daemon stopped answering');
    } finally {
      process.kill(pid, 'SIGCONT');
    }
  }, 120_000);
});
