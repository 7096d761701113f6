// Scenario: RSS of an idle daemon. Axum: `axum daemon start`, one finished run, then settled.
// Baseline in the same run: pm2's God daemon, idle (its own PM2_HOME in a temp folder), read from /proc.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { axum, scratchRepo, sleep, stats, until } from './lib.mjs';

const PM2 = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', 'pm2', 'bin', 'pm2');

/** Resident set size of a process in MiB, from /proc/<pid>/status. */
export function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
  return kb / 1024;
}

/** Samples RSS a few times once settled; returns the median of the samples. */
async function settledRss(pid, settleMs) {
  await sleep(settleMs);
  const samples = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssMiB(pid));
    await sleep(200);
  }
  return stats(samples).median;
}

async function axumIdle(settleMs) {
  const repo = scratchRepo({ 'axum.yml': 'version: 1\nenvironments:\n  dev: { branch: main }\nstages:\n  - name: test\n    steps:\n      - { name: unit, run: "echo hello" }\n' });
  try {
    axum(['daemon', 'start'], repo.dir);
    axum(['run', '--wait'], repo.dir);
    const { pid } = JSON.parse(axum(['daemon', 'status', '--json'], repo.dir));
    return await settledRss(pid, settleMs);
  } finally {
    try {
      axum(['daemon', 'stop'], repo.dir);
    } catch {
      // stopped
    }
    repo.cleanup();
  }
}

async function pm2Idle(settleMs) {
  const home = mkdtempSync(join(tmpdir(), 'axum-bench-pm2-'));
  const env = { ...process.env, PM2_HOME: home, PM2_DISCRETE_MODE: 'true' };
  const pm2 = (...args) => execFileSync(process.execPath, [PM2, ...args], { env, stdio: 'ignore' });
  try {
    pm2('ping'); // starts the God daemon
    const pidFile = join(home, 'pm2.pid');
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim(), 10_000, "pm2's pid file");
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return await settledRss(pid, settleMs);
  } finally {
    try {
      pm2('kill');
    } catch {
      // already gone
    }
    rmSync(home, { recursive: true, force: true });
  }
}

/**
 * `side by side`: both daemons start and settle at the same time (quick mode, to stay under a
 * minute: RSS of two idle processes does not depend on each other); otherwise one after the other.
 */
export async function idleMemory({ reps, settleMs, sideBySide = false }) {
  const axumRss = [];
  const pm2Rss = [];
  for (let i = 0; i < reps; i++) {
    if (sideBySide) {
      const [a, b] = await Promise.all([axumIdle(settleMs), pm2Idle(settleMs)]);
      axumRss.push(a);
      pm2Rss.push(b);
      continue;
    }
    axumRss.push(await axumIdle(settleMs));
    pm2Rss.push(await pm2Idle(settleMs));
  }
  const a = stats(axumRss);
  const b = stats(pm2Rss);
  return {
    name: 'idle daemon memory (RSS)',
    unit: 'MiB',
    rows: [
      { label: 'axum daemon: started, one run finished, settled', ...a },
      { label: "baseline: pm2's God daemon, idle", ...b },
    ],
    goal: "axum RSS ≤ pm2's (medians)",
    met: a.median <= b.median,
    note: `ratio ${(a.median / b.median).toFixed(2)}`,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await idleMemory({ reps: 1, settleMs: 2000 }), null, 2));
