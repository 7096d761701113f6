// Idle memory of several daemon builds or node flags at once, beside pm2's God daemon, with where
// the resident memory is (by mapping). A helper for work on idle memory, not a scenario of
// `bench/run.mjs`: comparing two idle daemons one after the other on these shared machines says
// little (the load moves between runs); side by side, every daemon meets the same load.
//
//   node bench/idle-side-by-side.mjs [--at=5,30,120] [--reps=N] LABEL=BUNDLE[=NODE FLAGS] ... [pm2]
//   e.g. main=/tmp/main/packages/daemon/dist/axum-daemon.mjs \
//        this=packages/daemon/dist/axum-daemon.mjs 'interp=packages/daemon/dist/axum-daemon.mjs=--max-opt=0'
//        'arena=packages/daemon/dist/axum-daemon.mjs=env:MALLOC_ARENA_MAX=2'   (env:NAME=VALUE sets the daemon's environment)
//
// Each daemon is spawned by hand as the CLI spawns it (the bundle, `--axum-daemon --repo`), with
// only the node flags given (not the CLI's DAEMON_NODE_FLAGS), then `axum run --wait` finishes one
// run; each sample is the median of 5 reads 200 ms apart, as in `idle-memory.mjs`. The clients run
// asynchronously: a synchronous `axum run` of one side would stall the others' sampling.
import { execFile, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { treeRssMiB } from './idle-memory.mjs';
import { AXUM, scratchRepo, sleep, stats, until } from './lib.mjs';

const PM2 = join(dirname(fileURLToPath(import.meta.url)), 'node_modules', 'pm2', 'bin', 'pm2');
const CONFIG = 'version: 1\nenvironments:\n  dev: { branch: main }\nstages:\n  - name: test\n    steps:\n      - { name: unit, run: "echo hello" }\n';
const run = promisify(execFile);
const axum = (args, cwd) => run(process.execPath, [AXUM, ...args], { cwd });

/**
 * The process's resident MiB by mapping, from /proc/PID/smaps: `node` (the binary's file pages,
 * shared and clean), `v8` (anonymous read-write: V8's heap, thread stacks), `malloc` ([heap]),
 * `exec` (anonymous executable: compiled code), `libs` (the rest).
 */
export function breakdown(pid) {
  const out = { node: 0, v8: 0, malloc: 0, exec: 0, libs: 0 };
  let bucket = 'libs';
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      const [, perms, name] = mapping;
      if (name === '[heap]') bucket = 'malloc';
      else if (name === '') bucket = perms.includes('x') ? 'exec' : 'v8';
      else if (name === process.execPath || name.endsWith('/node')) bucket = 'node';
      else bucket = 'libs';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) out[bucket] += Number(rss[1]) / 1024;
  }
  return out;
}

async function sample(pid, t0, atSeconds) {
  const out = [];
  for (const at of atSeconds) {
    await sleep(Math.max(0, t0 + at * 1000 - Date.now()));
    const tree = [];
    for (let i = 0; i < 5; i++) {
      tree.push(treeRssMiB(pid));
      await sleep(200);
    }
    out.push({ tree: stats(tree).median, ...breakdown(pid) });
  }
  return out;
}

async function axumSide({ bundle, flags: given }, atSeconds) {
  const flags = given.filter((flag) => !flag.startsWith('env:'));
  const env = { ...process.env, ...Object.fromEntries(given.filter((flag) => flag.startsWith('env:')).map((flag) => flag.slice(4).split(/=(.*)/s, 2))) };
  const repo = scratchRepo({ 'axum.yml': CONFIG });
  try {
    mkdirSync(join(repo.dir, '.axum'), { recursive: true });
    const log = openSync(join(repo.dir, '.axum', 'daemon.log'), 'a');
    const child = spawn(process.execPath, [...flags, bundle, '--axum-daemon', '--repo', repo.dir], { cwd: repo.dir, env, detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    child.unref();
    await until(() => existsSync(join(repo.dir, '.axum', 'daemon.json')), 30_000, 'the daemon');
    await axum(['run', '--wait'], repo.dir);
    return await sample(child.pid, Date.now(), atSeconds);
  } finally {
    await axum(['daemon', 'stop', '--yes'], repo.dir).catch(() => undefined);
    repo.cleanup();
  }
}

async function pm2Side(atSeconds) {
  const home = mkdtempSync(join(tmpdir(), 'axum-bench-pm2-'));
  const env = { ...process.env, PM2_HOME: home, PM2_DISCRETE_MODE: 'true' };
  const pm2 = (...args) => run(process.execPath, [PM2, ...args], { env });
  try {
    await pm2('ping');
    const t0 = Date.now();
    const pidFile = join(home, 'pm2.pid');
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim(), 10_000, "pm2's pid file");
    return await sample(Number(readFileSync(pidFile, 'utf8').trim()), t0, atSeconds);
  } finally {
    await pm2('kill').catch(() => undefined);
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const option = (name, fallback) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
  const atSeconds = option('at', '5,30,120').split(',').map(Number);
  const reps = Number(option('reps', '1'));
  const sides = args
    .filter((a) => !a.startsWith('--'))
    .map((a) => {
      if (a === 'pm2') return { label: 'pm2' };
      const [label, bundle, ...flags] = a.split('=');
      return { label, bundle: resolve(bundle), flags: flags.join('=').split(' ').filter(Boolean) };
    });
  const load = () => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const before = load();
  const results = sides.map(() => []);
  for (let r = 0; r < reps; r++) {
    const round = await Promise.all(sides.map((side) => (side.label === 'pm2' ? pm2Side(atSeconds) : axumSide(side, atSeconds))));
    round.forEach((samples, i) => results[i].push(samples));
  }
  console.log(`load average ${before} → ${load()}; medians of ${reps} round(s), MiB`);
  sides.forEach((side, i) =>
    atSeconds.forEach((at, k) => {
      const median = (key) => stats(results[i].map((samples) => samples[k][key])).median.toFixed(1);
      console.log(`${side.label.padEnd(14)} ${String(at).padStart(4)} s  tree ${median('tree')}  node ${median('node')}  v8 ${median('v8')}  malloc ${median('malloc')}  exec ${median('exec')}  libs ${median('libs')}`);
    }),
  );
}
