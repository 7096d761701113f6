import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { axum, cleanupRepo, makeRepo, openClient, waitFor } from './support/axum.js';

const repos: string[] = [];
async function started(unit: string): Promise<string> {
  const dir = makeRepo({
    config: `version: 1
environments:
  production: { branch: main }
stages:
  - name: test
    steps:
      - { name: unit, run: ${JSON.stringify(unit)} }
`,
  });
  repos.push(dir);
  expect((await axum(['daemon', 'start', '--repo', dir])).code).toBe(0);
  return dir;
}
afterEach(async () => {
  await Promise.all(repos.splice(0).map(cleanupRepo));
});

const COUNT = 300;
const ticker = `i=1; while [ $i -le ${COUNT} ]; do echo "line $i"; i=$((i+1)); [ $((i % 50)) -eq 0 ] && sleep 0.1; done; true`;
const expected = Array.from({ length: COUNT }, (_, i) => `line ${i + 1}`).join('\n') + '\n';

describe('logs', () => {
  it('`axum logs --follow` prints a running step line by line until it ends', async () => {
    const dir = await started(ticker);
    const queued = JSON.parse((await axum(['run', '--json', '--repo', dir])).stdout) as { id: string };
    const followed = await axum(['logs', queued.id, '--follow', '--step', 'unit', '--repo', dir]);
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stdout).toBe(expected);
  });

  it('a client that reconnects resumes from its offset with no gap and no duplicate', async () => {
    const dir = await started(ticker);
    const queued = JSON.parse((await axum(['run', '--json', '--repo', dir])).stdout) as { id: string };
    await waitFor(async () => JSON.parse((await axum(['runs', '--json', '--repo', dir])).stdout)[0].steps.length > 0, 10_000, 'steps to exist');

    const first = await openClient(dir);
    first.ws.send(JSON.stringify({ type: 'request', id: 'f1', method: 'logs.follow', params: { runId: queued.id, step: 'unit', offset: 0 } }));
    const chunk = (await first.next((m) => m.type === 'log.chunk' && (m.data as string).length > 0)) as { data: string; nextOffset: number };
    first.ws.terminate(); // gone mid-stream

    const second = await openClient(dir);
    second.ws.send(JSON.stringify({ type: 'request', id: 'f2', method: 'logs.follow', params: { runId: queued.id, step: 'unit', offset: chunk.nextOffset } }));
    let text = chunk.data;
    let offset = chunk.nextOffset;
    for (;;) {
      const next = (await second.next((m) => m.type === 'log.chunk')) as { data: string; offset: number; nextOffset: number; complete: boolean };
      expect(next.offset).toBe(offset);
      text += next.data;
      offset = next.nextOffset;
      if (next.complete) break;
    }
    expect(text).toBe(expected);
    second.ws.close();
  });

  it('a step whose writes end inside multi-byte characters is followed as the exact text (no U+FFFD)', async () => {
    // 2-, 3- and 4-byte characters written 997 bytes at a time, with pauses: the follower is at the
    // end of the log after each write, and most writes end inside a character. The step starts
    // writing once the test says it follows (a file it waits for).
    const go = join(mkdtempSync(join(tmpdir(), 'axum-go-')), 'go');
    const text = `${'é€😀'.repeat(33)}\n`.repeat(30);
    const dir = await started(
      `while [ ! -f ${go} ]; do sleep 0.05; done; node -e 'const b = Buffer.from(${JSON.stringify(text)}); let at = 0; const t = setInterval(() => { process.stdout.write(b.subarray(at, (at += 997))); if (at >= b.length) clearInterval(t); }, 20)'`,
    );
    const queued = JSON.parse((await axum(['run', '--json', '--repo', dir])).stdout) as { id: string };
    await waitFor(async () => JSON.parse((await axum(['runs', '--json', '--repo', dir])).stdout)[0].steps.length > 0, 10_000, 'steps to exist');
    const client = await openClient(dir);
    client.ws.send(JSON.stringify({ type: 'request', id: 'f', method: 'logs.follow', params: { runId: queued.id, step: 'unit', offset: 0 } }));
    await client.next((m) => m.id === 'f');
    writeFileSync(go, '');
    let received = '';
    for (;;) {
      const chunk = (await client.next((m) => m.type === 'log.chunk')) as { data: string; complete: boolean };
      received += chunk.data;
      if (chunk.complete) break;
    }
    client.ws.close();
    rmSync(join(go, '..'), { recursive: true, force: true });
    expect(received.includes('\uFFFD')).toBe(false);
    expect(received).toBe(text);
  });

  it('a cancelled step that prints while it shuts down is followed to its last byte before `complete`', async () => {
    // The step traps SIGTERM, takes a moment and prints a goodbye: all of it comes after the run
    // says cancelled, and a follower must get it before it is told the log is complete.
    const dir = await started(`trap 'sleep 0.4; echo "cleaned up after TERM"; exit 143' TERM; echo started; while true; do sleep 0.05; done`);
    const queued = JSON.parse((await axum(['run', '--json', '--repo', dir])).stdout) as { id: string };
    await waitFor(async () => JSON.parse((await axum(['runs', '--json', '--repo', dir])).stdout)[0].steps.some((s: { logBytes: number }) => s.logBytes > 0), 10_000, 'the step to print');
    const client = await openClient(dir);
    client.ws.send(JSON.stringify({ type: 'request', id: 'f', method: 'logs.follow', params: { runId: queued.id, step: 'unit', offset: 0 } }));
    await client.next((m) => m.id === 'f');
    expect((await axum(['cancel', queued.id, '--repo', dir])).code).toBe(0);
    await client.next((m) => m.type === 'log.chunk' && m.complete === true);
    client.ws.close();
    // Every chunk, also one sent before the answer to the follow request.
    const received = (client.messages as { type: string; data: string }[])
      .filter((m) => m.type === 'log.chunk')
      .map((m) => m.data)
      .join('');
    expect(received).toMatch(/^started\n/);
    expect(received).toContain('cleaned up after TERM\n');
    const whole = await axum(['logs', queued.id, '--step', 'unit', '--repo', dir]);
    expect(received).toBe(whole.stdout);
  });
});
