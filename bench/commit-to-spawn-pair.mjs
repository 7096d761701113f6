// Commit → first step spawned, two builds side by side under the same load: BENCH_AXUM_MAIN names
// another tree (a checkout of main, installed and built), this tree is the other, and the raw
// fs.watch baseline is the third; one commit each in turn (the order rotates), so a load spike
// hits all three. On a busy machine the separate calls of bench/commit-to-spawn.mjs drift apart
// by more than the difference between two builds; paired samples do not.
// usage: BENCH_AXUM_MAIN=/tmp/main-tree node bench/commit-to-spawn-pair.mjs [reps]
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, watch } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { ROOT, scratchRepo, stats, until, sleep } from './lib.mjs';

const reps = Number(process.argv[2] ?? 20);
const markers = mkdtempSync(join(tmpdir(), 'axum-inter-'));
const cmd = (m) => `[ -e ${m} ] || date +%s%N > ${m}`;
const yml = (m) => `version: 1\nenvironments:\n  dev: { branch: main }\nstages:\n  - name: test\n    steps:\n      - { name: unit, run: "${cmd(m)}" }\n`;
const other = process.env.BENCH_AXUM_MAIN;
if (!other) throw new Error('BENCH_AXUM_MAIN: the root of the other tree to compare with (installed and built)');
const roots = { main: other, branch: ROOT };
const sides = {};
for (const [name, root] of Object.entries(roots)) {
  const marker = join(markers, name);
  const repo = scratchRepo({ 'axum.yml': yml(marker) });
  execFileSync(process.execPath, [join(root, 'bin', 'axum'), 'daemon', 'start'], { cwd: repo.dir, stdio: 'ignore' });
  sides[name] = { marker, repo, root, samples: [] };
}
{
  const marker = join(markers, 'baseline');
  const repo = scratchRepo({ 'README.md': 'x\n' });
  let armed = false;
  const w = watch(join(repo.dir, '.git', 'refs', 'heads'), (_e, file) => {
    if (!armed || file !== 'main') return;
    armed = false;
    spawn('sh', ['-c', cmd(marker)], { cwd: repo.dir, stdio: 'ignore' });
  });
  sides.baseline = { marker, repo, samples: [], arm: () => (armed = true), close: () => w.close() };
}
await sleep(1000);
const l0 = loadavg()[0];
const names = Object.keys(sides);
for (let i = 0; i < reps; i++) {
  const order = [...names.slice(i % 3), ...names.slice(0, i % 3)];
  for (const name of order) {
    const s = sides[name];
    rmSync(s.marker, { force: true });
    await sleep(300);
    s.arm?.();
    const t0 = Date.now();
    s.repo.git('commit', '-q', '--allow-empty', '-m', `bench ${i}`);
    const started = await until(() => (existsSync(s.marker) && readFileSync(s.marker, 'utf8').trim()) || null, 20_000, name);
    s.samples.push(Number(BigInt(started) / 1_000_000n) - t0);
  }
}
const l1 = loadavg()[0];
for (const s of Object.values(sides)) {
  if (s.root) execFileSync(process.execPath, [join(s.root, 'bin', 'axum'), 'daemon', 'stop'], { cwd: s.repo.dir, stdio: 'ignore' });
  s.close?.();
  s.repo.cleanup();
}
rmSync(markers, { recursive: true, force: true });
const out = Object.fromEntries(Object.entries(sides).map(([n, s]) => { const st = stats(s.samples); return [n, { median: st.median, p95: st.p95, min: st.min, max: st.max }]; }));
console.log(JSON.stringify({ at: new Date().toISOString().slice(11, 19), load: [l0.toFixed(1), l1.toFixed(1)], reps, ...out, deltaMain: out.main.median - out.baseline.median, deltaBranch: out.branch.median - out.baseline.median }));
