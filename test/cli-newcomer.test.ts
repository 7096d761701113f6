// Rough edges a newcomer met with a model project of their own: a bad mark of what serves a
// protected environment asked first, unknown environment names as usage errors. Real repositories,
// real daemons, bin/axum, and a real terminal (tmux) for the typed confirmation.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { axum, AXUM_BIN, commitFiles, scratchRepos, startDaemon, waitFor } from './support/axum.js';
import { tinyModel, tinyModelConfig } from './support/tiny-model.js';
import { HAS_TMUX, tmuxServer } from './support/tmux.js';

const repo = scratchRepos(afterEach);
const server = tmuxServer('axum-cli-newcomer');
afterAll(() => server.kill());

/** dev from develop, staging from main, production (protected by its name) from prod. */
async function started(): Promise<string> {
  const dir = repo({ config: tinyModelConfig('', '', '  dev: { branch: develop }\n  staging: { branch: main }\n  production: { branch: prod }') });
  commitFiles(dir, 'v1', { 'data.txt': '0.9\n' });
  execFileSync('git', ['branch', 'prod'], { cwd: dir });
  await startDaemon(dir, { branch: 'prod' });
  return dir;
}

interface Listing {
  id: string;
  bad: { why: string } | null;
}

async function releases(dir: string): Promise<Listing[]> {
  return JSON.parse((await axum(['releases', '--json', '--repo', dir])).stdout) as Listing[];
}

/** Runs `axum ARGS` in a real 80-column terminal; returns the screen once `until` shows. */
async function inTerminal(dir: string, session: string, args: string, until: (screen: string) => boolean): Promise<string> {
  server.tmux('new-session', '-d', '-s', session, '-x', '80', '-y', '30', `${process.execPath} ${AXUM_BIN} ${args} --repo ${dir}; echo "exit $?"; sleep 60`);
  return screenOnce(session, until);
}

async function screenOnce(session: string, until: (screen: string) => boolean): Promise<string> {
  let screen = '';
  await waitFor(() => until((screen = server.screen(session))), 20_000, `the terminal ${session} to show what it waits for`).catch((err: Error) => {
    throw new Error(`${err.message}\n${screen}`);
  });
  return screen;
}

describe('axum mark REL bad of a release live in a protected environment', () => {
  it('is refused without a terminal unless --yes, asks for the typed name on one, and a release live elsewhere only is not asked', async () => {
    const dir = await started();
    expect((await axum(['run', '--branch', 'prod', '--wait', '--repo', dir])).code).toBe(0);
    const [release] = await releases(dir);
    const id = release!.id;
    // No terminal: refused as a rollback there is, naming --yes; nothing marked.
    const piped = await axum(['mark', id, 'bad', '--reason', 'drifts', '--repo', dir]);
    expect(piped).toEqual({ code: 2, stdout: '', stderr: `axum: production is protected and there is no terminal to ask: add --yes to mark ${id} bad while it is live in production (protected)\n` });
    const json = await axum(['mark', id, 'bad', '--json', '--repo', dir]);
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { exitCode: 2, message: expect.stringContaining('add --yes') } });
    expect((await releases(dir))[0]!.bad).toBeNull();

    if (HAS_TMUX) {
      // A terminal: the name is typed; a wrong one changes nothing.
      const asked = await inTerminal(dir, 'wrong', `mark ${id} bad --reason drifts`, (s) => s.includes('to confirm:'));
      expect(asked).toContain(`mark ${id} bad while it is live in production (protected)?`);
      expect(asked).toContain('it keeps serving');
      expect(asked).toContain('type production to confirm:');
      server.tmux('send-keys', '-t', 'wrong', 'staging', 'Enter');
      expect(await screenOnce('wrong', (s) => /exit \d/.test(s))).toContain('not confirmed; nothing changed');
      expect((await releases(dir))[0]!.bad).toBeNull();
      await inTerminal(dir, 'typed', `mark ${id} bad --reason drifts`, (s) => s.includes('to confirm:'));
      server.tmux('send-keys', '-t', 'typed', 'production', 'Enter');
      expect(await screenOnce('typed', (s) => /exit \d/.test(s))).toContain('exit 0');
      expect((await releases(dir))[0]!.bad).toMatchObject({ why: 'drifts' });
      expect((await axum(['mark', id, 'good', '--repo', dir])).code).toBe(0);
    }

    // --yes without a terminal marks it.
    const yes = await axum(['mark', id, 'bad', '--reason', 'drifts', '--yes', '--repo', dir]);
    expect(yes).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^${id} marked bad: drifts`)) });

    // Live in staging only (not protected): no question.
    commitFiles(dir, 'v2', { 'data.txt': '0.95\n' });
    expect((await axum(['run', '--branch', 'main', '--wait', '--repo', dir])).code).toBe(0);
    const newest = (await releases(dir))[0]!.id;
    expect(newest).not.toBe(id);
    expect(await axum(['mark', newest, 'bad', '--reason', 'meh', '--repo', dir])).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^${newest} marked bad: meh`)) });
  });
});

describe('an environment the repository does not have', () => {
  it('is a usage error (exit 2) naming the environments there are, and the one meant when close, also under --json', async () => {
    const dir = await started();
    const names = 'environments: dev, staging, production';
    for (const args of [['status', 'nope'], ['history', 'nope'], ['rollback', 'nope'], ['rollback', 'nope', '--yes'], ['deploy', 'nope', '--release', 'rel-1'], ['approve', 'nope'], ['pin', 'nope'], ['logs', 'nope#1'], ['promote', 'nope', 'staging'], ['releases', '--env', 'nope']]) {
      expect(await axum([...args, '--repo', dir]), args.join(' ')).toEqual({ code: 2, stdout: '', stderr: `axum: unknown environment 'nope' (${names})\n` });
    }
    expect(await axum(['history', 'prodution', '--repo', dir])).toMatchObject({ code: 2, stderr: `axum: unknown environment 'prodution' (did you mean production?; ${names})\n` });
    expect(await axum(['rollback', 'stagin', '--json', '--repo', dir])).toEqual({ code: 2, stdout: `${JSON.stringify({ error: { message: `unknown environment 'stagin' (did you mean staging?; ${names})`, exitCode: 2 } })}\n`, stderr: '' });
    // A value too long for the request is named as typed, not as the request's field (params.releaseId).
    expect(await axum(['mark', 'r'.repeat(70), 'bad', '--repo', dir])).toEqual({ code: 2, stdout: '', stderr: 'axum: the release id: at most 64 characters\n' });
    expect(await axum(['mark', 'rel-1', 'good', '--reason', 'x'.repeat(501), '--repo', dir])).toEqual({ code: 2, stdout: '', stderr: 'axum: --reason: at most 500 characters\n' });
    // A known one: status of that environment alone.
    const one = await axum(['status', 'production', '--repo', dir]);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^production +prod /m);
    expect(one.stdout).not.toMatch(/^staging /m);
  });
});

describe('a secret declared in axum.yml that the daemon was started without', () => {
  it('status, the daemon log and the run say to export it and restart the daemon; doing so gets it to the steps', async () => {
    const name = 'AXUM_E2E_NEWCOMER_TOKEN';
    delete process.env[name];
    const dir = repo({ config: `version: 1\nenvironments:\n  staging: { branch: main }\nsecrets: [${name}]\nstages:\n  - name: build\n    steps:\n      - { name: fit, run: "test -n \\"$${name}\\" && echo has-token || echo no-token" }\n` });
    const hint = `a running daemon keeps the environment it started with: export ${name}=… in your shell, then axum daemon stop; the next axum command from that shell starts it again with it`;
    const status = await axum(['status', '--repo', dir]);
    expect(status.stdout).toContain(`warning      secret ${name} is declared in axum.yml but not set in the daemon's environment: steps get it empty (${hint})`);
    expect(readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8')).toContain(`(${hint})`);
    const run = await axum(['run', '--wait', '--repo', dir]);
    expect(run.stdout).toContain(`warning: secret ${name} declared in axum.yml but not set in the daemon's environment: its steps get it empty (${hint})`);
    expect((await axum(['logs', 'run-1', '--repo', dir])).stdout).toContain('no-token');
    // The run succeeded: its warning is the one line `axum runs` has to say it got the secret empty.
    expect((await axum(['runs', '--repo', dir])).stdout).toMatch(new RegExp(`\\nrun-1 +succeeded .*\\n  warning: secret ${name} declared in axum\\.yml but not set`));
    // The hint, followed: exported in the shell (the command's environment), the daemon stopped, the next command starts it.
    expect((await axum(['daemon', 'stop', '--repo', dir])).code).toBe(0);
    const withToken = { env: { [name]: 'hf_secret_value' } };
    expect((await axum(['status', '--repo', dir], withToken)).stdout).not.toContain(`secret ${name}`);
    // A new commit: the same one would reuse its release and run no step.
    commitFiles(dir, 'v2', { 'notes.txt': 'v2\n' });
    const again = await axum(['run', '--wait', '--repo', dir], withToken);
    expect(again.stdout).not.toContain('warning: secret');
    expect((await axum(['logs', 'run-2', '--repo', dir])).stdout).toContain('has-token');
  });
});

describe('a Prometheus check on a port fetch refuses', () => {
  it('makes verification inconclusive with the refusal explained, not undici\'s bare "bad port"', async () => {
    const dir = repo({ config: tinyModel({ checks: '    - { name: errors, prometheus: { url: "http://127.0.0.1:6000", query: up }, fail: "> 0" }' }) });
    expect(await axum(['validate', '--repo', dir])).toMatchObject({ code: 0 });
    commitFiles(dir, 'v1', { 'data.txt': '0.9\n' });
    expect((await axum(['run', '--wait', '--repo', dir])).code).toBe(1);
    const [revision] = JSON.parse((await axum(['history', 'staging', '--json', '--repo', dir])).stdout) as { status: string; message: string }[];
    expect(revision).toMatchObject({ status: 'failed', message: expect.stringContaining('fetch refuses port 6000: it is one of the ports fetch considers unsafe (kept for other protocols), whatever listens there; serve Prometheus on another port, such as its own 9090') });
    expect(revision!.message).not.toMatch(/: bad port/);
    const log = await axum(['logs', 'staging#1', '--step', 'errors', '--repo', dir]);
    expect(log.stdout).toContain('fetch refuses port 6000');
  });
});
