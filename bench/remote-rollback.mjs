// Scenario (issue #21): a rollback on a remote environment of three real sshd hosts, from typing
// `axum rollback production --to N --yes` to the CLI's answer. Nothing is copied (every host holds
// the target's folder already): per host one ssh session checks the folder and swaps `current` on the word, the hosts at once.
// Baseline in the same run, alternating with it: the same rollback of a local environment (same
// model, same daemon code) plus one ssh round trip (`ssh host true`) per host, one after another.
// Goal: the remote rollback ≤ 1.2 × that (medians).
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AXUM, axum, msSince, nowNs, scratchRepo, sleep, stats, until } from './lib.mjs';
import { sshdMissing, startSshLab } from './sshd-lab.mjs';

const CONFIG = (hosts) => `version: 1
environments:
  production:
    branch: main
    protected: false
${hosts.length > 0 ? `    hosts:\n${hosts.map((h) => `      - ${h.spec}`).join('\n')}\n` : ''}stages:
  - name: build
    steps:
      - { name: train, run: "mkdir -p model && head -c 1048576 /dev/urandom > model/weights.bin && cat v.txt >> model/weights.bin" }
artifacts: [model/**]
`;

const history = (dir) => JSON.parse(axum(['history', 'production', '--json'], dir));

/** A repository whose production has two live-once releases; its daemon running. */
async function twoReleases(hosts) {
  const repo = scratchRepo({ 'axum.yml': CONFIG(hosts), 'v.txt': '1\n' });
  axum(['daemon', 'start'], repo.dir);
  await sleep(300);
  axum(['run', '--wait'], repo.dir);
  await until(() => history(repo.dir)[0]?.status === 'live', 180_000, 'v1 live');
  execFileSync('sh', ['-c', 'echo 2 > v.txt && git commit -qam v2'], { cwd: repo.dir });
  await until(() => history(repo.dir).length >= 2 && history(repo.dir)[0].status === 'live', 180_000, 'v2 live');
  return repo;
}

/** One rollback to the release not live now, timed from the command's start to its exit. */
async function rollback(dir) {
  const revisions = history(dir);
  const live = revisions.find((r) => r.status === 'live');
  const target = revisions.find((r) => r.releaseId !== live.releaseId);
  const started = nowNs();
  const child = spawn(process.execPath, [AXUM, 'rollback', 'production', '--to', String(target.revision), '--force', '--yes'], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  const ms = msSince(started);
  if (code !== 0) throw new Error(`rollback exited ${code}: ${out}`);
  axum(['unpin', 'production'], dir);
  return ms;
}

export async function remoteRollback({ reps }) {
  const name = 'rollback on 3 sshd hosts vs a local rollback + 1 ssh round trip per host';
  const missing = sshdMissing();
  if (missing) return { name, unit: 'ms', rows: [], goal: 'remote ≤ 1.2 × (local + 3 round trips)', met: false, note: `not measured: ${missing}` };
  const labDir = mkdtempSync(join(tmpdir(), 'axum-bench-ssh-'));
  const lab = await startSshLab(labDir, ['alpha', 'beta', 'gamma']);
  process.env.AXUM_SSH_CONFIG = lab.config; // the daemons the bench starts inherit it
  const remote = [];
  const local = [];
  const trips = [];
  const baseline = [];
  let remoteRepo;
  let localRepo;
  try {
    remoteRepo = await twoReleases(lab.hosts);
    localRepo = await twoReleases([]);
    for (let i = 0; i < reps; i++) {
      // Side by side, alternating, each from a quiet daemon (the previous move's background re-hash done).
      await sleep(1000);
      remote.push(await rollback(remoteRepo.dir));
      await sleep(1000);
      const l = await rollback(localRepo.dir);
      local.push(l);
      let rtt = 0;
      for (const host of lab.hosts) {
        const t0 = nowNs();
        execFileSync('ssh', ['-F', lab.config, '-o', 'BatchMode=yes', host.name, 'true']);
        rtt += msSince(t0);
      }
      trips.push(rtt);
      baseline.push(l + rtt);
    }
  } finally {
    for (const repo of [remoteRepo, localRepo]) {
      if (!repo) continue;
      try {
        axum(['daemon', 'stop', '--yes'], repo.dir);
      } catch {
        // already stopped
      }
      repo.cleanup();
    }
    lab.stop();
    rmSync(labDir, { recursive: true, force: true });
    delete process.env.AXUM_SSH_CONFIG;
  }
  const [r, b] = [stats(remote), stats(baseline)];
  const ratio = r.median / b.median;
  return {
    name,
    unit: 'ms',
    rows: [
      { label: 'axum rollback, 3 sshd hosts: command → answer', ...r },
      { label: 'axum rollback, local: command → answer', ...stats(local) },
      { label: 'ssh host true × 3, one after another', ...stats(trips) },
      { label: 'baseline: local rollback + 3 ssh round trips (same round)', ...b },
    ],
    goal: 'remote ≤ 1.2 × (local rollback + 3 ssh round trips), medians',
    met: ratio <= 1.2,
    note: `remote/baseline ${ratio.toFixed(2)}`,
  };
}
