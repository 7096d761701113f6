// Issue #9, "Logs under pressure": a step printing far more than the per-run cap is cut at the cap
// with a visible marker (log file, `axum logs`, the protocol), the run still ends and the daemon's
// memory stays flat; and a daemon killed with SIGKILL while a step prints leaves a log file that is
// a byte prefix of what the step printed (no torn middle, no duplicate).
// Short mode: 20 MiB against a 4 MiB cap (AXUM_LOG_CAP_BYTES) and one crash; LONG_MODE: the full
// 200 MB against the default 100 MiB cap and five crashes at random moments.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AXUM_BIN, LONG_MODE, axum, commitFiles, daemonPid, isAlive, openClient, processesMatching, scratchRepos, waitFor, type RunJson } from './support/axum.js';

const newRepo = scratchRepos(afterEach);

const MIB = 1024 * 1024;
const CAP = LONG_MODE ? 100 * MIB : 4 * MIB;
const PRINTED = LONG_MODE ? 200 * MIB : 20 * MIB;
const LINE = 'the quick brown fox jumps over the lazy dog 0123456789\n';
/** Registered, so the whole flood goes through the masker's search as well. */
const TOKEN = 'hf_pressureTOKEN0123456789abcdef';
const MARKER = `\n[axum] log cap of ${CAP} bytes per run reached: further output of this run is dropped\n`;

const config = (run: string) => `version: 1
environments:
  dev: { branch: develop }
secrets: [AXUM_E2E_TOKEN]
stages:
  - name: test
    steps:
      - { name: out, run: ${JSON.stringify(run)} }
`;

/** VmRSS / VmHWM of a process, in bytes. */
function memory(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return { rss: kb('VmRSS'), peak: kb('VmHWM') };
}

function sh(command: string): Promise<string> {
  return new Promise((resolve, reject) => execFile('sh', ['-c', command], { maxBuffer: 4 * MIB, timeout: 120_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))));
}

async function trigger(dir: string): Promise<string> {
  const client = await openClient(dir);
  client.ws.send(JSON.stringify({ type: 'request', id: 't', method: 'run.trigger', params: { branch: 'main' } }));
  const queued = (await client.next((m) => m.id === 't')) as { result: { id: string } };
  client.ws.close();
  return queued.result.id;
}

/** The run as `run.get` returns it (over the socket: each `axum` command costs seconds on a loaded machine). */
async function runJson(dir: string, id: string): Promise<RunJson | undefined> {
  const client = await openClient(dir);
  try {
    client.ws.send(JSON.stringify({ type: 'request', id: 'g', method: 'run.get', params: { runId: id } }));
    return ((await client.next((m) => m.id === 'g')) as { result?: RunJson }).result;
  } finally {
    client.ws.close();
  }
}

describe('logs under pressure', () => {
  it(`a step printing ${PRINTED / MIB} MiB is cut at the ${CAP / MIB} MiB cap with a visible marker; the run ends, the daemon stays small`, async () => {
    const dir = newRepo({ config: config(`echo "$AXUM_E2E_TOKEN"; yes '${LINE.trimEnd()}' | head -c ${PRINTED}; echo after-the-flood`) });
    const env = { AXUM_E2E_TOKEN: TOKEN, ...(LONG_MODE ? {} : { AXUM_LOG_CAP_BYTES: String(CAP) }) };
    expect((await axum(['daemon', 'start', '--repo', dir], { env })).code).toBe(0);
    const pid = daemonPid(dir) as number;
    const before = memory(pid);
    let peakRss = before.rss;
    const sampler = setInterval(() => {
      if (isAlive(pid)) peakRss = Math.max(peakRss, memory(pid).rss);
    }, 100);

    const started = Date.now();
    const id = await trigger(dir);
    const file = join(dir, '.axum', 'runs', id, 'logs', 'out.log');
    let run: RunJson | undefined;
    await waitFor(async () => (run = await runJson(dir, id))?.finishedAt != null, 180_000, 'the flooding run to end');
    const seconds = (Date.now() - started) / 1000;
    clearInterval(sampler);
    expect(run?.status, run?.message ?? '').toBe('succeeded');

    // On disk: exactly the first CAP bytes as printed, then the marker, then nothing.
    const log = readFileSync(file);
    expect(log.length).toBe(CAP + Buffer.byteLength(MARKER));
    const printed = Buffer.from(`***\n${LINE.repeat(Math.ceil(CAP / LINE.length))}`).subarray(0, CAP);
    expect(log.subarray(0, CAP).equals(printed)).toBe(true);
    expect(log.subarray(CAP).toString()).toBe(MARKER);

    // Through the CLI (its last bytes) and the protocol: the marker is what a reader sees last.
    const tail = await sh(`node ${JSON.stringify(AXUM_BIN)} logs ${id} --step out --repo ${JSON.stringify(dir)} | tail -c 300`);
    expect(tail.endsWith(MARKER)).toBe(true);
    const client = await openClient(dir);
    client.ws.send(JSON.stringify({ type: 'request', id: 'r', method: 'logs.read', params: { runId: id, step: 'out', offset: log.length - 300, limit: 1000 } }));
    const read = (await client.next((m) => m.id === 'r')) as { result: { data: string; complete: boolean; nextOffset: number } };
    client.ws.close();
    expect(read.result.data.endsWith(MARKER)).toBe(true);
    expect(read.result).toMatchObject({ complete: true, nextOffset: log.length });
    expect(log.includes('after-the-flood')).toBe(false);

    const after = memory(pid);
    // Generous: the daemon holds no log in memory; 200 MB streamed through it must not show up.
    expect(after.peak - before.rss).toBeLessThan(150 * MIB);
    console.log(`FIGURE log flood printed bytes: ${PRINTED}`);
    console.log(`FIGURE log bytes at cap: ${log.length} (cap ${CAP} + marker ${Buffer.byteLength(MARKER)})`);
    console.log(`FIGURE log flood run seconds: ${seconds.toFixed(1)}`);
    console.log(`FIGURE daemon RSS before/peak sampled/VmHWM (MiB): ${(before.rss / MIB).toFixed(0)}/${(peakRss / MIB).toFixed(0)}/${(after.peak / MIB).toFixed(0)}`);
  }, 240_000);

  it('after kill -9 of the daemon mid-output, the step log is a byte prefix of what the step printed', async () => {
    // Numbered lines of varying length, written 37 lines per write, so chunks end mid-line.
    const numbers = `const { writeSync } = require('node:fs');
const sleep = (ms) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
const line = (i) => 'line ' + i + ' ' + 'x'.repeat(i % 61) + '\\n';
for (let i = 0; ; ) {
  let s = '';
  for (let k = 0; k < 37; k++, i++) s += line(i);
  writeSync(1, s);
  sleep(1);
}
`;
    const line = (i: number) => `line ${i} ${'x'.repeat(i % 61)}\n`;
    const dir = newRepo({ config: config('node numbers.js') });
    commitFiles(dir, 'numbers', { 'numbers.js': numbers });
    expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);

    const rounds = LONG_MODE ? 5 : 1;
    let checkedBytes = 0;
    for (let round = 0; round < rounds; round++) {
      const id = await trigger(dir);
      const file = join(dir, '.axum', 'runs', id, 'logs', 'out.log');
      const atLeast = 64 * 1024 + Math.floor(Math.random() * 512 * 1024);
      await waitFor(() => existsSync(file) && statSync(file).size >= atLeast, 60_000, `the step to print ${atLeast} bytes`);
      const pid = daemonPid(dir) as number;
      process.kill(pid, 'SIGKILL');
      await waitFor(() => !isAlive(pid), 10_000, 'the daemon to die');
      // The step loses its reader (EPIPE) or is reaped by the next daemon; either way, restart.
      expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
      await waitFor(async () => (await runJson(dir, id))?.status === 'interrupted', 30_000, 'the run to be interrupted');
      await waitFor(() => processesMatching('numbers.js').length === 0, 10_000, 'the step process to be gone');

      const log = readFileSync(file);
      let expected = '';
      for (let i = 0; expected.length < log.length; i++) expected += line(i);
      const want = Buffer.from(expected).subarray(0, log.length);
      if (!log.equals(want)) {
        let at = 0;
        while (at < log.length && log[at] === want[at]) at++;
        throw new Error(`round ${round}: log of ${log.length} bytes differs from the printed stream at byte ${at}: ${JSON.stringify(log.subarray(Math.max(0, at - 40), at + 40).toString())}`);
      }
      expect(log.length).toBeGreaterThanOrEqual(atLeast);
      // What a client reads after the restart is the same bytes.
      const client = await openClient(dir);
      let text = '';
      for (let n = 0; text.length < log.length; n++) {
        client.ws.send(JSON.stringify({ type: 'request', id: `r${n}`, method: 'logs.read', params: { runId: id, step: 'out', offset: text.length, limit: 512 * 1024 } }));
        const read = (await client.next((m) => m.id === `r${n}`)) as { result: { data: string; complete: boolean } };
        text += read.result.data;
        if (read.result.data === '') break;
      }
      client.ws.close();
      expect(text).toBe(log.toString());
      checkedBytes += log.length;
    }
    console.log(`FIGURE crash rounds (kill -9 mid-output): ${rounds}`);
    console.log(`FIGURE crash prefix check bytes: ${checkedBytes}`);
  }, 240_000);
});
