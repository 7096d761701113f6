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

/** Median, min, max, p95 of a list of numbers. */
export function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  return { n: sorted.length, median: at(0.5), p95: at(0.95), min: sorted[0], max: sorted.at(-1) };
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
