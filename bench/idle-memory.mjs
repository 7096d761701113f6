// Scenario: RSS of an idle daemon. Axum: `axum daemon start`, one finished run, then settled.
// Baseline in the same run: pm2's God daemon, idle (its own PM2_HOME in a temp folder), read from /proc.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
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

/** The process and every descendant it has now (from each /proc/<pid>/stat's parent pid). */
function processTree(root) {
  const children = new Map();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${name}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!children.has(ppid)) children.set(ppid, []);
    children.get(ppid).push(Number(name));
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]) ?? []));
  return tree;
}

/**
 * RSS of a daemon with its children (the daemon's `git cat-file --batch`, pm2's none when idle):
 * what the machine gives it. Summed RSS counts the pages a child shares with others (git's
 * libraries) once per process: an upper bound, the same for both sides.
 */
export function treeRssMiB(pid) {
  let total = 0;
  for (const member of processTree(pid)) {
    try {
      total += rssMiB(member);
    } catch {
      // ended between the listing and the read
    }
  }
  return total;
}

/** RSS of the process tree at each of `atSeconds` after `t0` (the median of 5 samples 200 ms apart at each). */
async function rssAt(pid, t0, atSeconds) {
  const out = [];
  for (const at of atSeconds) {
    await sleep(Math.max(0, t0 + at * 1000 - Date.now()));
    const samples = [];
    for (let i = 0; i < 5; i++) {
      samples.push(treeRssMiB(pid));
      await sleep(200);
    }
    out.push(stats(samples).median);
  }
  return out;
}

async function axumIdle(atSeconds) {
  const repo = scratchRepo({ 'axum.yml': 'version: 1\nenvironments:\n  dev: { branch: main }\nstages:\n  - name: test\n    steps:\n      - { name: unit, run: "echo hello" }\n' });
  try {
    axum(['daemon', 'start'], repo.dir);
    axum(['run', '--wait'], repo.dir);
    const t0 = Date.now(); // the run finished, the CLI has left: idle from here
    const { pid } = JSON.parse(axum(['daemon', 'status', '--json'], repo.dir));
    return await rssAt(pid, t0, atSeconds);
  } finally {
    try {
      axum(['daemon', 'stop', '--yes'], repo.dir);
    } catch {
      // stopped
    }
    repo.cleanup();
  }
}

async function pm2Idle(atSeconds) {
  const home = mkdtempSync(join(tmpdir(), 'axum-bench-pm2-'));
  const env = { ...process.env, PM2_HOME: home, PM2_DISCRETE_MODE: 'true' };
  const pm2 = (...args) => execFileSync(process.execPath, [PM2, ...args], { env, stdio: 'ignore' });
  try {
    pm2('ping'); // starts the God daemon
    const t0 = Date.now();
    const pidFile = join(home, 'pm2.pid');
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim(), 10_000, "pm2's pid file");
    const pid = Number(readFileSync(pidFile, 'utf8').trim());
    return await rssAt(pid, t0, atSeconds);
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
 * Both daemons start at the same time and are sampled at the same moments after they went idle
 * (`atSeconds`, e.g. 5, 30 and 120 s): a figure taken only at one moment could be shaped to it
 * (an earlier daemon forced collections on a schedule that ended just before 5 s). The goal is
 * judged at the last moment, the steady state; every moment is reported. No GC is forced, no
 * V8 flag is set: the daemon runs as users run it. Each side is its daemon and every process under
 * it at the sample (Axum's `git cat-file --batch` reader lives until 10 s after its last read).
 */
export async function idleMemory({ reps, atSeconds = [5, 30, 120] }) {
  const axumRss = atSeconds.map(() => []);
  const pm2Rss = atSeconds.map(() => []);
  for (let i = 0; i < reps; i++) {
    const [a, b] = await Promise.all([axumIdle(atSeconds), pm2Idle(atSeconds)]);
    a.forEach((v, k) => axumRss[k].push(v));
    b.forEach((v, k) => pm2Rss[k].push(v));
  }
  const rows = atSeconds.flatMap((at, k) => [
    { label: `axum daemon and its children: one run finished, idle ${at} s`, ...stats(axumRss[k]) },
    { label: `baseline: pm2's God daemon and its children, idle ${at} s`, ...stats(pm2Rss[k]) },
  ]);
  const last = atSeconds.length - 1;
  const a = stats(axumRss[last]);
  const b = stats(pm2Rss[last]);
  return {
    name: 'idle daemon memory (RSS, the daemon and its children)',
    unit: 'MiB',
    rows,
    goal: `axum RSS ≤ pm2's (medians) at ${atSeconds[last]} s idle`,
    met: a.median <= b.median,
    note: `ratio at ${atSeconds.map((at, k) => `${at} s ${(stats(axumRss[k]).median / stats(pm2Rss[k]).median).toFixed(2)}`).join(', ')}`,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(JSON.stringify(await idleMemory({ reps: 1 }), null, 2));
