// `pnpm bench` (every scenario, full size) and `pnpm bench:quick` (a subset, small sizes, < 1 min).
// Prints a table and writes bench/results.json. Each scenario runs Axum and its baseline in the same run.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { commitToSpawn } from './commit-to-spawn.mjs';
import { ROOT } from './lib.mjs';
import { rollbackLatency } from './rollback-latency.mjs';
import { broadcast } from './broadcast.mjs';

const quick = process.argv.includes('--quick');
const scenarios = quick
  ? [() => commitToSpawn({ reps: 5 }), () => rollbackLatency({ reps: 2, largeBytes: 64 * 1024 * 1024 }), () => broadcast({ clients: 30, reps: 5 })]
  : [() => commitToSpawn({ reps: 15 }), () => rollbackLatency({ reps: 5, largeBytes: 1024 * 1024 * 1024 }), () => broadcast({ clients: 30, reps: 20 })];

const results = [];
const fmt = (n) => (n === undefined ? '—' : n.toFixed(1));
for (const scenario of scenarios) {
  const result = await scenario();
  results.push(result);
  const rows = result.rows ?? [
    { label: 'axum', ...result.axum },
    { label: 'baseline', ...result.baseline },
  ];
  console.log(`\n${result.name} (${result.unit}) — goal: ${result.goal}: ${result.met ? 'MET' : 'MISSED'}${result.note ? ` (${result.note})` : ''}`);
  console.log(`  ${'what'.padEnd(48)} ${'median'.padStart(8)} ${'p95'.padStart(8)} ${'min'.padStart(8)} ${'max'.padStart(8)}  n`);
  for (const row of rows) console.log(`  ${row.label.padEnd(48)} ${fmt(row.median).padStart(8)} ${fmt(row.p95).padStart(8)} ${fmt(row.min).padStart(8)} ${fmt(row.max).padStart(8)}  ${row.n}`);
}
const machine = { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
writeFileSync(join(ROOT, 'bench', quick ? 'results-quick.json' : 'results.json'), `${JSON.stringify({ quick, machine, at: new Date().toISOString(), results }, null, 2)}\n`);
console.log(`\nmachine: ${machine.cpus} × ${machine.cpu}, ${machine.memoryGiB} GiB, node ${machine.node}`);
