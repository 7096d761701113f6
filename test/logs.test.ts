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
const ticker = `i=1; while [ $i -le ${COUNT} ]; do echo "line $i"; i=$((i+1)); [ $((i % 50)) -eq 0 ] && sleep 0.1; done`;
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
});
