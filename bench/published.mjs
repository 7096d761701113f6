// `node bench/published.mjs`: every full run kept in bench/history/, and per goal how many of them
// met it — the latest run's verdict beside the count, so one lucky run cannot stand for the rest.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

const dir = join(ROOT, 'bench', 'history');
let files = [];
try {
  files = readdirSync(dir).filter((f) => f.endsWith('.json')).sort();
} catch {
  // no run kept yet
}
if (files.length === 0) {
  console.log('no full run kept yet: `pnpm bench` keeps each one in bench/history/');
  process.exit(0);
}
const runs = files.map((f) => ({ file: f, ...JSON.parse(readFileSync(join(dir, f), 'utf8')) }));
console.log('runs kept:');
for (const r of runs) {
  const load = r.load ? `load ${r.load.start[0]} → ${r.load.end[0]}` : 'load not recorded';
  console.log(`  ${r.at ?? r.file}  ${r.commit ?? '?'}  ${load}  ${r.results.filter((x) => x.met).length}/${r.results.length} goals met`);
}
const latest = runs[runs.length - 1];
const names = [...new Set(runs.flatMap((r) => r.results.map((x) => x.name)))];
console.log('\ngoal                                                          latest   met in');
for (const name of names) {
  const seen = runs.map((r) => r.results.find((x) => x.name === name)).filter(Boolean);
  const last = latest.results.find((x) => x.name === name);
  const verdict = last ? (last.met ? 'MET' : 'MISSED') : '—';
  console.log(`  ${name.slice(0, 58).padEnd(60)}${verdict.padEnd(9)}${seen.filter((x) => x.met).length} of ${seen.length}`);
}
