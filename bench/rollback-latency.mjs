// Scenario: rollback latency (command sent → `current` moved) for a small and a large model.
// Baseline in the same run: `cp -r` of the release folder + `ln -sfn` (what a hand-rolled rollback does).
import { execFileSync, spawn } from 'node:child_process';
import { readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AXUM, axum, msSince, nowNs, scratchRepo, sleep, stats, until } from './lib.mjs';

const CONFIG = (bytes) => `version: 1
environments:
  staging: { branch: main }
stages:
  - name: build
    steps:
      - { name: train, run: "mkdir -p model && head -c ${bytes} /dev/urandom > model/weights.bin && cat v.txt >> model/weights.bin" }
artifacts: [model/**]
`;

async function one(bytes, reps) {
  const repo = scratchRepo({ 'axum.yml': CONFIG(bytes), 'v.txt': '1\n' });
  const current = join(repo.dir, '.axum', 'envs', 'staging', 'current');
  try {
    axum(['daemon', 'start'], repo.dir);
    await sleep(300);
    axum(['run', '--wait'], repo.dir);
    await until(() => JSON.parse(axum(['history', 'staging', '--json'], repo.dir))[0]?.status === 'live', 120_000, 'v1 live');
    execFileSync('sh', ['-c', 'echo 2 > v.txt && git commit -qam v2'], { cwd: repo.dir });
    await until(() => JSON.parse(axum(['history', 'staging', '--json'], repo.dir)).length >= 2 && JSON.parse(axum(['history', 'staging', '--json'], repo.dir))[0].status === 'live', 120_000, 'v2 live');
    const samples = [];
    const baseline = [];
    for (let i = 0; i < reps; i++) {
      const before = readlinkSync(current);
      const target = JSON.parse(axum(['history', 'staging', '--json'], repo.dir)).find((r) => r.status === 'superseded' && r.releaseId !== before.split('/').at(-2));
      // The command as a user types it: the real CLI (node startup included), until `current` moves.
      const started = nowNs();
      const child = spawn(process.execPath, [AXUM, 'rollback', 'staging', '--to', String(target.revision), '--force', '--yes'], { cwd: repo.dir, stdio: 'ignore' });
      const exited = new Promise((resolve) => child.on('exit', resolve));
      await until(() => readlinkSync(current) !== before, 60_000, 'the pointer to move');
      samples.push(msSince(started));
      await exited;
      axum(['unpin', 'staging'], repo.dir);
      // Baseline: copy the release folder and repoint a link, as a script would.
      const scratch = join(repo.dir, '..', `copy-${i}`);
      const b0 = nowNs();
      execFileSync('sh', ['-c', `cp -r ${before} ${scratch} && ln -sfn ${scratch} ${join(repo.dir, '..', 'link')}`]);
      baseline.push(msSince(b0));
      rmSync(scratch, { recursive: true, force: true });
    }
    return { axum: stats(samples), baseline: stats(baseline) };
  } finally {
    try {
      axum(['daemon', 'stop'], repo.dir);
    } catch {
      // already stopped
    }
    repo.cleanup();
  }
}

export async function rollbackLatency({ reps, largeBytes }) {
  const small = await one(1024 * 1024, reps);
  const large = await one(largeBytes, reps);
  const ratio = large.axum.median / small.axum.median;
  return {
    name: `rollback latency, 1 MB vs ${Math.round(largeBytes / 1024 / 1024)} MB model`,
    unit: 'ms',
    rows: [
      { label: 'axum rollback, 1 MB (CLI → pointer moved)', ...small.axum },
      { label: `axum rollback, ${Math.round(largeBytes / 1024 / 1024)} MB`, ...large.axum },
      { label: 'baseline cp -r + ln -sfn, 1 MB', ...small.baseline },
      { label: `baseline cp -r + ln -sfn, ${Math.round(largeBytes / 1024 / 1024)} MB`, ...large.baseline },
    ],
    goal: 'large ≤ 1.2 × small (axum medians)',
    met: ratio <= 1.2,
    note: `ratio ${ratio.toFixed(2)}`,
  };
}
