// `pnpm bench` (every scenario, full size) and `pnpm bench:quick` (a subset, small sizes, < 1 min).
// Prints a table and writes bench/results.json. Each scenario runs Axum and its baseline in the same run.
// A full run is also kept in bench/history/ (machine, load, commit): `node bench/published.mjs`
// says, per goal, how many of the kept runs met it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { cliStart } from './cli-start.mjs';
import { codecFrames } from './codec-frames.mjs';
import { commitToSpawn } from './commit-to-spawn.mjs';
import { ROOT } from './lib.mjs';
import { rollbackLatency } from './rollback-latency.mjs';
import { remoteRollback } from './remote-rollback.mjs';
import { broadcast } from './broadcast.mjs';
import { logFanout } from './log-fanout.mjs';
import { tuiFirehose } from './tui-firehose.mjs';
import { history } from './history.mjs';
import { idleMemory } from './idle-memory.mjs';

const quick = process.argv.includes('--quick');
// Quick: the three original scenarios at small sizes, idle memory once, a 1-second log fan-out,
// five rounds of CLI start and one of the codec's pathological frames.
// The TUI firehose (tmux, ~40 s) and the 10,000-run history (800 triggers with compactions:
// 6 min measured on a loaded machine, less when quiet) run in the full bench only.
const all = quick
  ? [
      ['commit-to-spawn', () => commitToSpawn({ reps: 3, gapMs: 300 })],
      ['rollback', () => rollbackLatency({ reps: 1, largeBytes: 16 * 1024 * 1024 })],
      ['broadcast', () => broadcast({ clients: 30, reps: 3 })],
      ['idle-memory', () => idleMemory({ reps: 1, atSeconds: [5, 20] })], // the steady state (120 s) is the full run's
      ['log-fanout', () => logFanout({ clients: 10, seconds: 1 })],
      ['cli-start', () => cliStart({ reps: 5 })],
      ['codec-frames', () => codecFrames({ reps: 1 })],
    ]
  : [
      ['commit-to-spawn', () => commitToSpawn({ reps: 15 })],
      ['rollback', () => rollbackLatency({ reps: 5, largeBytes: 1024 * 1024 * 1024 })],
      ['remote-rollback', () => remoteRollback({ reps: 7 })],
      ['broadcast', () => broadcast({ clients: 30, reps: 20 })],
      ['log-fanout', () => logFanout({ clients: 10, seconds: 5 })],
      ['tui-firehose', () => tuiFirehose({ seconds: 20, window: 8, keys: 20 })],
      ['history', () => history({ runs: 10_000, startReps: 5, writes: 4000, triggers: 800 })],
      ['idle-memory', () => idleMemory({ reps: 3, atSeconds: [5, 30, 120] })],
      ['cli-start', () => cliStart({ reps: 21 })],
      ['codec-frames', () => codecFrames({ reps: 5 })],
    ];

// `--only a,b` runs some scenarios (ids above); the JSON then goes to results-only.json.
const onlyArg = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length);
const only = onlyArg ? onlyArg.split(',') : null;
const scenarios = all.filter(([id]) => !only || only.includes(id)).map(([, run]) => run);
const results = [];
const startedAt = Date.now();
const loadAtStart = loadavg();
const fmt = (n) => (n === undefined ? '—' : n.toFixed(1));
for (const scenario of scenarios) {
  const result = await scenario();
  results.push(result);
  const rows = result.rows ?? [
    { label: 'axum', ...result.axum },
    { label: 'baseline', ...result.baseline },
  ];
  console.log(`\n${result.name} (${result.unit}) — goal: ${result.goal}: ${result.met ? 'MET' : 'MISSED'}${result.note ? ` (${result.note})` : ''}`);
  console.log(`  ${'what'.padEnd(52)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'p99'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)}  n`);
  for (const row of rows) console.log(`  ${row.label.padEnd(52)} ${fmt(row.median).padStart(8)} ${fmt(row.p95).padStart(8)} ${fmt(row.p99).padStart(8)} ${fmt(row.min).padStart(8)} ${fmt(row.max).padStart(8)}  ${row.n}`);
}
const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
})();
// Load average (1, 5, 15 min) at the start and the end: a figure from a busy machine says so.
const load = { start: loadAtStart.map((n) => Number(n.toFixed(2))), end: loadavg().map((n) => Number(n.toFixed(2))) };
const at = new Date().toISOString();
const report = `${JSON.stringify({ quick, machine, load, commit, at, seconds: Math.round((Date.now() - startedAt) / 1000), results }, null, 2)}\n`;
writeFileSync(join(ROOT, 'bench', only ? 'results-only.json' : quick ? 'results-quick.json' : 'results.json'), report);
if (!only && !quick) {
  // Every full run is published, met or missed (committed with the code it measured).
  mkdirSync(join(ROOT, 'bench', 'history'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'history', `${at.replace(/[:.]/g, '-')}.json`), report);
}
console.log(`\nmachine: ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, node ${machine.node}; ${((Date.now() - startedAt) / 1000).toFixed(0)} s`);
// Every scenario has stopped its daemons and peers; a client socket still in ws's 30 s closing
// handshake with a daemon that already exited must not keep the benchmark from ending.
process.exit(0);
