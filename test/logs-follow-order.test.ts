// `axum logs RUN --follow` started in the middle of a run: what the step printed before (stored) and
// what it prints after (live) come out once each, in order, with nothing missing. A real run whose
// steps print numbered lines, a real daemon, bin/axum.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AXUM_BIN, axum, scratchRepos, waitFor, waitForRun } from './support/axum.js';

const newRepo = scratchRepos(afterEach);

describe('axum logs --follow mid-run', () => {
  it('prints the stored part then the live part of every step, in order, no duplicates, no gaps', async () => {
    const dir = newRepo({
      config: `version: 1
environments:
  dev: { branch: main }
stages:
  - name: first
    steps:
      - { name: before, run: "i=0; while [ $i -lt 3000 ]; do i=$((i+1)); echo a-$i; done" }
  - name: second
    steps:
      - { name: during, run: "i=0; while [ ! -f \\"$AXUM_E2E_GO\\" ]; do i=$((i+1)); echo b-$i; if [ $((i % 50)) -eq 0 ]; then sleep 0.01; fi; done; echo b-end" }
`,
    });
    const go = join(dir, '..', `${dir.split('/').pop()}-go`);
    expect((await axum(['daemon', 'start', '--repo', dir], { env: { AXUM_E2E_GO: go } })).code).toBe(0);
    const queued = await axum(['run', '--json', '--repo', dir]);
    const runId = (JSON.parse(queued.stdout) as { id: string }).id;
    // Mid-run: the second step has printed a good part already (stored) and goes on printing (live).
    await waitFor(async () => (await axum(['logs', runId, '--step', 'during', '--repo', dir])).stdout.includes('b-2000\n'), 60_000, 'the second step to print 2000 lines');
    const follower = spawn(process.execPath, [AXUM_BIN, 'logs', runId, '--follow', '--repo', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    follower.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    const exited = new Promise<number | null>((resolve) => follower.on('exit', resolve));
    // Let the step end only once the follower has printed some of its live part (past what was stored when it started).
    await waitFor(() => /^during \| b-4000$/m.test(out), 60_000, 'the follower to print live lines');
    writeFileSync(go, '');
    expect(await exited).toBe(0);
    await waitForRun(dir, (r) => r.id === runId && r.status === 'succeeded', 'the run to succeed');
    const lines = out.split('\n').filter(Boolean);
    const before = lines.filter((l) => l.startsWith('before | '));
    const during = lines.filter((l) => l.startsWith('during | '));
    expect(lines.length).toBe(before.length + during.length);
    expect(before).toEqual(Array.from({ length: 3000 }, (_, i) => `before | a-${i + 1}`));
    // Every line of the second step once, in order, then its end: compared as text for a readable diff.
    const count = during.length - 1;
    expect(during.join('\n')).toBe([...Array.from({ length: count }, (_, i) => `during | b-${i + 1}`), 'during | b-end'].join('\n'));
    // The steps in their order: the first step's lines all come before the second's.
    expect(lines.indexOf('before | a-3000')).toBeLessThan(lines.indexOf('during | b-1'));
    // And the follower printed what `axum logs` (not following) prints now.
    expect((await axum(['logs', runId, '--repo', dir])).stdout).toBe(out);
  }, 120_000);
});
