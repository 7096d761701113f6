// Operations under bad input: a verify step that prints 50 MB, a monitor check that never ends and
// prints binary. Each gets a clear outcome and loses nothing.
import { execFile } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, AXUM_BIN, commitFiles, processesMatching, scratchRepos, startDaemon, waitFor } from './support/axum.js';
import { history } from './support/history.js';


const newRepo = scratchRepos(afterEach);
async function started(config: string): Promise<string> {
  const dir = newRepo({ config });
  await startDaemon(dir);
  return dir;
}
/** `axum logs …` through a pipe, counted: 50 MB does not fit a child_process buffer. */
function bytesOf(args: string[]): Promise<{ bytes: number; lines: number; code: number }> {
  return new Promise((resolve) => {
    // pipefail: the exit code is axum's, not wc's.
    execFile('bash', ['-o', 'pipefail', '-c', `"${process.execPath}" "${AXUM_BIN}" ${args.join(' ')} | wc -l -c`], { timeout: 120_000 }, (error, stdout) => {
      const [lines, bytes] = stdout.trim().split(/\s+/).map(Number);
      resolve({ bytes: bytes ?? -1, lines: lines ?? -1, code: error ? 1 : 0 });
    });
  });
}

const base = (verify: string, extra = '') => `version: 1
environments:
  staging: { branch: main }
stages:
  - name: build
    steps:
      - { name: train, run: "mkdir -p model && echo 0.9 > model/w.txt" }
artifacts: [model/**]
verify:
  steps:
    - { name: eval, run: "${verify}" }
${extra}`;

describe('operations under bad input', () => {
  it('a verify step that prints 50 MB: every byte is in its log, read back whole with axum logs ENV#N', async () => {
    // 51 bytes a line: 1,028,100 lines is 52,433,100 bytes.
    const dir = await started(base('yes 01234567890123456789012345678901234567890123456789 | head -n 1028100'));
    commitFiles(dir, 'v1', { 'data.txt': '1\n' });
    await waitFor(async () => (await history(dir))[0]?.status === 'live', 90_000, 'the deploy to verify');
    const [revision] = await history(dir);
    expect(revision?.steps).toMatchObject([{ name: 'eval', status: 'succeeded', logBytes: 52_433_100 }]);
    const read = await bytesOf(['logs', 'staging#1', '--step', 'eval', '--repo', dir]);
    expect(read).toEqual({ bytes: 52_433_100, lines: 1_028_100, code: 0 });
  });

  it('a monitor check that never ends times out (its processes killed), prints binary, and the incident names it', async () => {
    const marker = `sleep 6${Math.floor(Math.random() * 90 + 10)}`;
    const dir = await started(base('true', `monitor: { run: "head -c 3000 /dev/urandom; ${marker}", every: 400ms, failures: 2 }\nrollback: { auto: false }\n`));
    commitFiles(dir, 'v1', { 'data.txt': '1\n' });
    await waitFor(async () => (await axum(['status', '--json', '--repo', dir])).stdout.includes('monitor failed 2 times'), 30_000, 'the monitor incident');
    const status = JSON.parse((await axum(['status', '--json', '--repo', dir])).stdout) as { environments: { incident: string }[] };
    const incident = status.environments[0]?.incident ?? '';
    expect(incident).toMatch(/monitor failed 2 times in a row on #1 \(checks \d+–\d+; the last timed out: axum logs staging#1 --step (check-\d+)\)/);
    const check = /--step (check-\d+)/.exec(incident)?.[1] ?? '';
    const [revision] = await history(dir);
    expect(revision?.steps.find((s) => s.name === check)).toMatchObject({ stage: 'monitor', status: 'timed-out' });
    // Binary output: its bytes are in the log; reading it ends normally.
    const marker400 = "\n[axum] timed out after 400 ms: stopped the step's process group\n";
    expect(revision?.steps.find((s) => s.name === check)?.logBytes).toBe(3000 + Buffer.byteLength(marker400));
    const read = await bytesOf(['logs', 'staging#1', '--step', check, '--repo', dir]);
    expect(read.code).toBe(0);
    expect(read.bytes).toBeGreaterThan(1000);
    // A timed-out check leaves nothing running (its whole process group is killed).
    await axum(['daemon', 'stop', '--repo', dir]);
    await waitFor(() => processesMatching(marker).length === 0, 5000, 'the hung checks to be killed');
  });
});
