// The CLI's confirmations and approvals, as a person meets them: refusals said before anything is
// asked, the typed prompt in a real 80-column terminal (tmux), and runs that tell the truth after.
import { execFileSync } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { axum, AXUM_BIN, commitFiles, openClient, scratchRepos, startDaemon, waitFor, waitForRun } from './support/axum.js';
import { tinyModelConfig } from './support/tiny-model.js';
import { HAS_TMUX, tmuxServer } from './support/tmux.js';

const repo = scratchRepos(afterEach);
const server = tmuxServer('axum-cli-confirm');
afterAll(() => server.kill());

/** staging from main; production from prod, waiting for approval. */
async function started(): Promise<string> {
  const dir = repo({ config: tinyModelConfig('', '', '  staging: { branch: main }\n  production: { branch: prod, approval: manual }') });
  commitFiles(dir, 'v1', { 'data.txt': '0.9\n' });
  execFileSync('git', ['branch', 'prod'], { cwd: dir });
  await startDaemon(dir, { branch: 'prod' });
  return dir;
}

/** Runs `axum ARGS` in a real terminal of `width` columns; returns the screen once `until` shows. */
async function inTerminal(dir: string, session: string, args: string, until: (screen: string) => boolean, width = 80): Promise<string> {
  server.tmux('new-session', '-d', '-s', session, '-x', String(width), '-y', '30', `${process.execPath} ${AXUM_BIN} ${args} --repo ${dir}; echo "exit $?"; sleep 60`);
  let screen = '';
  await waitFor(() => until((screen = server.screen(session))), 20_000, `the terminal to show what ${args} says`).catch((err: Error) => {
    throw new Error(`${err.message}\n${screen}`);
  });
  return screen;
}

async function awaitingApproval(dir: string, branch = 'prod'): Promise<string> {
  const run = await waitForRun(dir, (r) => r.branch === branch && (r as { deploy?: { outcome: string } }).deploy?.outcome === 'awaiting-approval', 'a release awaiting approval');
  return (run as unknown as { releaseId: string }).releaseId;
}

describe('refused before anything is asked', () => {
  it('approve of a release marked bad refuses at once, on a terminal and without one', async () => {
    const dir = await started();
    expect((await axum(['run', '--branch', 'prod', '--repo', dir])).code).toBe(0);
    const releaseId = await awaitingApproval(dir);
    expect((await axum(['mark', releaseId, 'bad', '--reason', 'tokenizer mismatch', '--repo', dir])).code).toBe(0);
    // Without a terminal: the mark, not "add --yes" (adding it would only be refused next).
    const piped = await axum(['approve', 'production', '--repo', dir]);
    expect(piped.code).toBe(1);
    expect(piped.stderr).toContain(`${releaseId} is marked bad by`);
    expect(piped.stderr).toContain('tokenizer mismatch');
    expect(piped.stderr).toContain('axum approve production --force');
    expect(piped.stderr).not.toContain('--yes');
    if (!HAS_TMUX) return;
    const screen = await inTerminal(dir, 'bad-approve', 'approve production', (s) => /exit \d/.test(s));
    expect(screen).toContain('exit 1');
    expect(screen).toContain('is marked bad by');
    expect(screen).not.toContain('to confirm');
    expect(JSON.parse((await axum(['history', 'production', '--json', '--repo', dir])).stdout)).toEqual([]);
  });

  it('approve when a pin holds the release names the unpin', async () => {
    const dir = await started();
    expect((await axum(['pin', 'production', '--repo', dir])).code).toBe(0);
    expect((await axum(['run', '--branch', 'prod', '--wait', '--repo', dir])).code).toBe(0);
    const approve = await axum(['approve', 'production', '--yes', '--repo', dir]);
    expect(approve.code).toBe(1);
    expect(approve.stderr).toMatch(/^axum: nothing is waiting for approval in production: rel-\d+ is held by the pin \(axum unpin production deploys it\)\n$/);
    // `axum logs ENV`: the address that works, not "no run production".
    const logs = await axum(['logs', 'production', '--repo', dir]);
    expect(logs.code).toBe(2);
    expect(logs.stderr).toMatch(/^axum: production is an environment, not a run: a revision's logs are ENV#N — axum logs production#N once it has a revision \(axum history production lists them\); its newest run: axum logs run-\d+ \(prod, succeeded\)\n$/);
  });
});

describe('a run after approve', () => {
  it('a second run of the waiting release takes the first one\'s place: neither says awaiting approval once approved', async () => {
    const dir = await started();
    expect((await axum(['run', '--branch', 'prod', '--wait', '--repo', dir])).code).toBe(0);
    const releaseId = await awaitingApproval(dir);
    const again = await axum(['run', '--branch', 'prod', '--again', '--wait', '--json', '--repo', dir]);
    expect(again.code, again.stderr).toBe(0);
    expect((await axum(['approve', 'production', '--yes', '--repo', dir])).code).toBe(0);
    const runs = JSON.parse((await axum(['runs', '--json', '--repo', dir])).stdout) as { id: string; deploy: { outcome: string } | null; message: string }[];
    const prod = runs.filter((r) => r.deploy !== null && r.id !== undefined && r.message.includes(releaseId));
    expect(prod.map((r) => r.deploy!.outcome)).toEqual(['live', 'superseded']);
    expect(prod[1]!.message).toBe(`${releaseId}: a newer run of it (${prod[0]!.id}) follows its deploy to production instead`);
    const plain = await axum(['runs', '--repo', dir]);
    expect(plain.stdout).not.toContain('awaiting-approval');
  });
});

describe.runIf(HAS_TMUX)('the typed confirmation at 80 columns', () => {
  it('rollback: the question wrapped by words, the diff the TUI shows, the name to type on its own line', async () => {
    const dir = repo({ config: tinyModelConfig('', '', '  production: { branch: main }') });
    await startDaemon(dir);
    for (const [i, value] of ['0.85', '0.9'].entries()) {
      commitFiles(dir, `model ${value}`, { 'data.txt': `${value}\n` });
      await waitFor(async () => JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout).environments[0].live?.revision === i + 1, 30_000, `#${i + 1} live`);
    }
    // Ctrl-C at the question is a "no": one line, exit 1, nothing moved (no stack trace).
    await inTerminal(dir, 'interrupted', 'rollback production', (s) => s.includes('to confirm:'));
    server.tmux('send-keys', '-t', 'interrupted', 'C-c');
    const interrupted = await inTerminalScreen('interrupted', (s) => /exit \d/.test(s));
    expect(interrupted).toContain('axum: not confirmed (interrupted); nothing changed');
    expect(interrupted).toContain('exit 1');
    expect(interrupted).not.toMatch(/^\s+at /m);
    expect(JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout).environments[0].live?.revision).toBe(2);
    const asked = await inTerminal(dir, 'rollback', 'rollback production', (s) => s.includes('to confirm:'));
    const rows = asked.split('\n').map((r) => r.trimEnd());
    expect(rows).toContain('type production to confirm:');
    expect(asked).toMatch(/^roll back production to #1 \(rel-\d+\), marking rel-\d+ \(live now, #2\) bad\?$/m);
    expect(asked).toMatch(/^ {2}code: takes back 1 commit: [0-9a-f]{7} model 0\.9$/m);
    expect(asked).toMatch(/^ {2}artifacts: model\/weights\.txt 4 B → 5 B$/m);
    expect(asked).toMatch(/^ {2}axum.yml: unchanged$/m);
    server.tmux('send-keys', '-t', 'rollback', 'production', 'Enter');
    const done = await inTerminalScreen('rollback', (s) => /exit \d/.test(s));
    expect(done).toContain('exit 0');
    expect(done).toMatch(/production #3: rolled back to #1 — rel-\d+ \([0-9a-f]{8}\), live and verified\n/);
    expect(done.replace(/\s+/g, ' ')).toContain('production is pinned now: new commits do not deploy to it (axum unpin production lets them)');
  });
});

async function inTerminalScreen(session: string, until: (screen: string) => boolean): Promise<string> {
  let screen = '';
  await waitFor(() => until((screen = server.screen(session))), 30_000, 'the terminal').catch((err: Error) => {
    throw new Error(`${err.message}\n${screen}`);
  });
  return screen;
}

describe('the event log', () => {
  it('a manual rollback and approve are one entry each, with who; a push deploy is said by axum', async () => {
    const dir = await started();
    for (const [i, value] of ['0.95', '0.96'].entries()) {
      commitFiles(dir, `v${i + 2}`, { 'data.txt': `${value}\n` });
      await waitFor(async () => JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout).environments[0].live?.revision === i + 1, 30_000, `staging #${i + 1} live`);
    }
    expect((await axum(['rollback', 'staging', '--yes', '--repo', dir])).code).toBe(0);
    expect((await axum(['run', '--branch', 'prod', '--wait', '--repo', dir])).code).toBe(0);
    expect((await axum(['approve', 'production', '--yes', '--repo', dir])).code).toBe(0);
    const client = await openClient(dir);
    const snapshot = client.messages.find((m) => (m as { type: string }).type === 'snapshot') as { state: { activity: { who: string; what: string }[] } };
    client.ws.close();
    const entries = snapshot.state.activity.map((e) => `${e.who} ${e.what}`);
    const about = (pattern: RegExp) => entries.filter((e) => pattern.test(e));
    expect(about(/staging.*#3|#3.*staging/), entries.join('\n')).toEqual([expect.stringMatching(/^\S+ \(axum-rollback\b.*\) rolled back staging to #1 \(#3, live\)$/)]);
    expect(about(/production/).filter((e) => !e.includes('waits for approval')), entries.join('\n')).toEqual([expect.stringMatching(/^\S+ \(axum-approve\b.*\) approved production \(#1, live/)]);
    // A move nobody asked for still is said, by axum.
    expect(about(/^axum staging: deploy #2 is live/), entries.join('\n')).toHaveLength(1);
  });
});
