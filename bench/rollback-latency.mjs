// Scenario: rollback as the user feels it — from typing `axum rollback ENV --to N --yes` to (a) the
// environment's `current` moved and (b) the CLI's answer, printed once the rollback's verify step
// passed — for a small and a large model. A real verify step runs (it reads the model through
// `current`), so "verified" means something.
// Baselines in the same run, as a user would write them instead: `node -e 0` (what any Node CLI
// costs to start), and a shell script that repoints the link at a release folder already on disk
// (`ln -s` + `mv -T`, atomic), then runs the same verify command.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { AXUM, axum, msSince, nowNs, scratchRepo, sleep, stats, until } from './lib.mjs';

const VERIFY = 'test -s "$AXUM_CURRENT/model/weights.bin"';
const CONFIG = (bytes) => `version: 1
environments:
  staging: { branch: main }
stages:
  - name: build
    steps:
      - { name: train, run: "mkdir -p model && head -c ${bytes} /dev/urandom > model/weights.bin && cat v.txt >> model/weights.bin" }
artifacts: [model/**]
verify:
  steps:
    - { name: smoke, run: '${VERIFY}' }
`;

/** Wall time of `node -e 0`, the floor of any Node CLI. */
function nodeStart() {
  const t0 = nowNs();
  execFileSync(process.execPath, ['-e', '0']);
  return msSince(t0);
}

async function one(bytes, reps) {
  const repo = scratchRepo({ 'axum.yml': CONFIG(bytes), 'v.txt': '1\n' });
  const current = join(repo.dir, '.axum', 'envs', 'staging', 'current');
  const moved = [];
  const answered = [];
  const node = [];
  const script = [];
  try {
    axum(['daemon', 'start'], repo.dir);
    await sleep(300);
    axum(['run', '--wait'], repo.dir);
    await until(() => JSON.parse(axum(['history', 'staging', '--json'], repo.dir))[0]?.status === 'live', 120_000, 'v1 live');
    execFileSync('sh', ['-c', 'echo 2 > v.txt && git commit -qam v2'], { cwd: repo.dir });
    await until(() => JSON.parse(axum(['history', 'staging', '--json'], repo.dir)).length >= 2 && JSON.parse(axum(['history', 'staging', '--json'], repo.dir))[0].status === 'live', 120_000, 'v2 live');
    // The two releases were written a moment ago (2 × the model, stored and materialized); a user's
    // rollback goes to a release deployed earlier, long written back. Without this the first
    // repetitions of the large model queue their small fsyncs behind gigabytes of write-back.
    execFileSync('sync');
    // The baseline's own environment: two release folders already on disk, a link swapped between them.
    const scratch = join(repo.dir, '..', 'by-hand');
    mkdirSync(scratch, { recursive: true });
    for (let i = 0; i < reps; i++) {
      // Each rollback starts from a quiet daemon: the previous move's background re-hash (about 1 s
      // per 100 MB here) would otherwise compete with it for the CPU.
      await sleep(1000 + Math.ceil(((2 * bytes) / (100 * 1024 * 1024)) * 1000));
      const before = readlinkSync(current);
      const target = JSON.parse(axum(['history', 'staging', '--json'], repo.dir)).find((r) => r.status === 'superseded' && r.releaseId !== before.split('/').at(-2));
      // The command as a user types it: the real CLI (node startup included).
      const started = nowNs();
      const child = spawn(process.execPath, [AXUM, 'rollback', 'staging', '--to', String(target.revision), '--force', '--yes'], { cwd: repo.dir, stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      child.stdout.on('data', (d) => (out += d));
      const exited = new Promise((resolve) => child.on('exit', (code) => resolve({ code, at: msSince(started) })));
      await until(() => readlinkSync(current) !== before, 60_000, 'the pointer to move');
      moved.push(msSince(started));
      const { code, at } = await exited;
      if (code !== 0 || !/verified/.test(out)) throw new Error(`rollback did not answer verified (exit ${code}): ${out}`);
      answered.push(at);
      axum(['unpin', 'staging'], repo.dir);
      node.push(nodeStart());
      // Baseline: what a script with the releases already on disk does, then the same verify.
      const link = join(scratch, 'current');
      const b0 = nowNs();
      execFileSync('sh', ['-c', `ln -sfn ${before} ${link}.new && mv -T ${link}.new ${link} && AXUM_CURRENT=${link} sh -c '${VERIFY}'`]);
      script.push(msSince(b0));
    }
    return { moved, answered, node, script };
  } finally {
    try {
      axum(['daemon', 'stop', '--yes'], repo.dir);
    } catch {
      // already stopped
    }
    repo.cleanup(); // the baseline's folder too: it is inside the scratch folder
  }
}

export async function rollbackLatency({ reps, largeBytes }) {
  const small = await one(1024 * 1024, reps);
  const large = await one(largeBytes, reps);
  const mb = `${Math.round(largeBytes / 1024 / 1024)} MB`;
  const [smallMoved, smallAnswered, largeMoved, largeAnswered] = [small.moved, small.answered, large.moved, large.answered].map(stats);
  const node = stats([...small.node, ...large.node]);
  const ratio = largeAnswered.median / smallAnswered.median;
  const movedVsNode = smallMoved.median / node.median;
  return {
    name: `rollback, 1 MB vs ${mb} model, to the answer "verified"`,
    unit: 'ms',
    rows: [
      { label: 'axum rollback, 1 MB: command → current moved', ...smallMoved },
      { label: 'axum rollback, 1 MB: command → answer (verified)', ...smallAnswered },
      { label: `axum rollback, ${mb}: command → current moved`, ...largeMoved },
      { label: `axum rollback, ${mb}: command → answer (verified)`, ...largeAnswered },
      { label: 'baseline: node -e 0', ...node },
      { label: 'baseline: sh script, ln -s + mv -T onto a release folder on disk, then the same verify', ...stats([...small.script, ...large.script]) },
    ],
    goal: `to the answer: ${mb} ≤ 1.2 × 1 MB; 1 MB current moved ≤ 1.5 × node -e 0 (medians)`,
    met: ratio <= 1.2 && movedVsNode <= 1.5,
    note: `large/small ${ratio.toFixed(2)}; moved/node ${movedVsNode.toFixed(2)}`,
  };
}
