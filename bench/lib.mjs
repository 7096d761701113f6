// Shared helpers for the benchmarks: scratch repositories, the real daemon, statistics.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const AXUM = join(ROOT, 'bin', 'axum');

/** Runs `bin/axum` and returns stdout; throws on a non-zero exit. */
export function axum(args, cwd) {
  return execFileSync(process.execPath, [AXUM, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A scratch git repository with the given files committed on `main`. */
export function scratchRepo(files) {
  const base = mkdtempSync(join(tmpdir(), 'axum-bench-'));
  const dir = join(base, 'repo');
  mkdirSync(dir);
  const git = (...args) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'bench@axum.local');
  git('config', 'user.name', 'bench');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  git('add', '-A');
  git('commit', '-q', '-m', 'initial');
  return { dir, git, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

/** Median, min, max, p95, p99 of a list of numbers. */
export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: sorted.length, median: at(0.5), p95: at(0.95), p99: at(0.99), min: sorted[0], max: sorted.at(-1) };
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `check()` returns a truthy value. */
export async function until(check, timeoutMs = 30_000, what = 'a condition') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

export const nowNs = () => process.hrtime.bigint();
export const msSince = (startNs) => Number(process.hrtime.bigint() - startNs) / 1e6;

/**
 * `axum daemon start`. With BENCH_DAEMON_FLAGS (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p", which
 * NODE_OPTIONS refuses), the daemon is first spawned by hand with those node flags, as the CLI would.
 */
export async function startDaemon(dir) {
  const flags = process.env.BENCH_DAEMON_FLAGS?.split(' ').filter(Boolean) ?? [];
  if (flags.length > 0) {
    const { spawn } = await import('node:child_process');
    const { existsSync: exists } = await import('node:fs');
    mkdirSync(join(dir, '.axum'), { recursive: true });
    const { openSync, closeSync } = await import('node:fs');
    const log = openSync(join(dir, '.axum', 'daemon.log'), 'a');
    // The same script and node flags as the CLI's launcher, then the extra ones.
    const { DAEMON_NODE_FLAGS } = await import('../packages/protocol/dist/index.js');
    const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, ...flags, join(ROOT, 'packages', 'daemon', 'dist', 'axum-daemon.mjs'), '--axum-daemon', '--repo', dir], { cwd: dir, detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    child.unref();
    await until(() => exists(join(dir, '.axum', 'daemon.json')), 10_000, 'the daemon');
  }
  return axum(['daemon', 'start'], dir);
}
