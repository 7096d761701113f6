// The rough edges a new user meets in the first hour with the command line: a mistyped folder,
// Ctrl-C on a waiting run, a run asked for twice, tables wider than the terminal.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AXUM_BIN, axum, scratchRepos, waitFor, waitForRun } from './support/axum.js';

const newRepo = scratchRepos(afterEach);

const SLOW_CONFIG = `version: 1
environments:
  dev: { branch: main }
stages:
  - name: test
    steps:
      - { name: slow, run: "sleep 60" }
`;

describe('the first hour', () => {
  it('restore --from a folder that does not exist says so first, even beside a running daemon', async () => {
    const dir = newRepo();
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
    const missing = join(dir, 'no-such-backup');
    expect(await axum(['restore', '--from', missing, '--repo', dir])).toEqual({ code: 2, stdout: '', stderr: `axum: --from ${missing}: no such folder\n` });
    const json = await axum(['restore', '--from', missing, '--repo', dir, '--json']);
    expect(json).toMatchObject({ code: 2, stderr: '' });
    expect(JSON.parse(json.stdout)).toEqual({ error: { message: `--from ${missing}: no such folder`, exitCode: 2 } });
  });

  it('the status that starts the daemon counts one client, itself: it connected once', async () => {
    const dir = newRepo();
    const first = await axum(['status', '--json', '--repo', dir]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/^started the daemon for /);
    expect((JSON.parse(first.stdout) as { clients: number }).clients).toBe(1);
    // One connection, not a probe hung up and a second one: the probe may still be closing as the second attaches.
    const attached = readFileSync(join(dir, '.axum', 'daemon.log'), 'utf8').split('\n').filter((line) => / attached: /.test(line));
    expect(attached).toEqual([expect.stringMatching(/client c1 attached: axum-status /)]);
    const plain = await axum(['status', '--repo', dir]);
    expect(plain.stdout).toMatch(/^daemon {7}pid \d+ · v[\d.]+ · 1 client attached\n/);
  });

  it('Ctrl-C on run --wait says the run goes on and how to follow it, exit 130', async () => {
    const dir = newRepo({ config: SLOW_CONFIG });
    const child = spawn(process.execPath, [AXUM_BIN, 'run', '--wait', '--repo', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor(() => /run-\d+ queued/.test(stderr), 30_000, 'the run to be queued');
    const runId = /(run-\d+) queued/.exec(stderr)![1]!;
    await waitForRun(dir, (r) => r.id === runId && r.status === 'running', 'the run to start');
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain(`axum: stopped waiting; ${runId} goes on in the daemon (follow it: axum logs ${runId} -f; stop it: axum cancel ${runId})\n`);
    // It does go on.
    await waitForRun(dir, (r) => r.id === runId && r.status === 'running', 'the run to be running still');
  }, 90_000);
});
