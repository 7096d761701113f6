// Scenario: commit → first step process spawned. Baseline: a raw fs.watch on the refs that spawns
// the same command. Both write the wall clock (ns) when the command starts; we time from just
// before `git commit`.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { axum, scratchRepo, startDaemon, stats, until, sleep } from './lib.mjs';

async function measure(reps, marker, setup, gapMs = 300) {
  const { git, cleanup, stop, arm = () => undefined } = await setup();
  const samples = [];
  try {
    for (let i = 0; i < reps; i++) {
      rmSync(marker, { force: true });
      await sleep(gapMs);
      arm();
      const t0 = Date.now();
      git('commit', '-q', '--allow-empty', '-m', `bench ${i}`);
      const started = await until(() => (existsSync(marker) && readFileSync(marker, 'utf8').trim()) || null, 20_000, 'the step to spawn');
      samples.push(Number(BigInt(started) / 1_000_000n) - t0);
    }
  } finally {
    await stop();
    cleanup();
  }
  return stats(samples);
}

/**
 * `gapMs`: the wait before each of Axum's commits. A user's commits come minutes apart, when the
 * daemon's `git cat-file` reader (ended 10 s after its last read) is gone and the commit's run
 * starts it again; 300 ms after the last run it is still there. The full run waits 11 s, so each
 * commit pays what a user's does; the quick run (a smoke test, 3 commits) 300 ms. The baseline
 * keeps no state between commits: 300 ms for it.
 */
export async function commitToSpawn({ reps, gapMs = 11_000 }) {
  const markers = mkdtempSync(join(tmpdir(), 'axum-bench-marker-'));
  // Only the first spawn of a commit writes: the baseline's watcher may fire twice (lock, rename).
  const commandFor = (marker) => `[ -e ${marker} ] || date +%s%N > ${marker}`;
  const axumMarker = join(markers, 'axum');
  const baseMarker = join(markers, 'baseline');
  const command = commandFor(axumMarker);
  const axumResult = await measure(reps, axumMarker, async () => {
    const repo = scratchRepo({ 'axum.yml': `version: 1\nenvironments:\n  dev: { branch: main }\nstages:\n  - name: test\n    steps:\n      - { name: unit, run: "${command}" }\n` });
    await startDaemon(repo.dir); // with BENCH_DAEMON_FLAGS, if set
    await sleep(500);
    return { ...repo, stop: async () => axum(['daemon', 'stop', '--yes'], repo.dir) };
  }, gapMs);
  const baseline = await measure(reps, baseMarker, async () => {
    const repo = scratchRepo({ 'README.md': 'x\n' });
    // Armed right before each commit and fired by its ref update only (not by late events of the last one).
    let armed = false;
    const watcher = watch(join(repo.dir, '.git', 'refs', 'heads'), (_event, file) => {
      if (!armed || file !== 'main') return;
      armed = false;
      spawn('sh', ['-c', commandFor(baseMarker)], { cwd: repo.dir, stdio: 'ignore' });
    });
    return { ...repo, arm: () => (armed = true), stop: async () => watcher.close() };
  });
  rmSync(markers, { recursive: true, force: true });
  // Issue #19 moved the goal from +150 ms to +50 ms over a raw fs.watch that spawns at once.
  return { name: 'commit → first step spawned', unit: 'ms', axum: axumResult, baseline, goal: 'axum median ≤ baseline median + 50 ms', met: axumResult.median <= baseline.median + 50, note: `+${(axumResult.median - baseline.median).toFixed(0)} ms; Axum's commits ${gapMs >= 10_000 ? `${gapMs / 1000} s apart (the cat-file reader ended, as a user's commits minutes apart find it)` : `${gapMs} ms apart (the cat-file reader still running: a smoke test, not the goal's figure)`}` };
}
