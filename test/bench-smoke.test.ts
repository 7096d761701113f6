// The benchmark harness runs on a fresh clone (issue #8: "a smoke test may check that bench:quick
// runs"). No timing is asserted here: the figures live in BENCHMARKS.md, measured on a quiet machine.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './support/axum.js';

interface Row {
  label: string;
  median: number;
  n: number;
}

describe('bench', () => {
  it('the quick benchmarks run end to end against their baselines and write their JSON (broadcast, idle memory with pm2)', async () => {
    const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, ['bench/run.mjs', '--quick', '--only=broadcast,idle-memory'], { cwd: ROOT, timeout: 120_000 }, (err, out, errOut) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: out, stderr: errOut }),
      );
    });
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/30 clients attached/);
    const report = JSON.parse(readFileSync(join(ROOT, 'bench', 'results-only.json'), 'utf8')) as { quick: boolean; results: { name: string; met: boolean; rows: Row[] }[] };
    expect(report.quick).toBe(true);
    expect(report.results.map((r) => r.name)).toEqual([expect.stringMatching(/^30 clients attached/), 'idle daemon memory (RSS, the daemon and its children)']);
    for (const result of report.results) {
      expect(typeof result.met).toBe('boolean');
      for (const row of result.rows) {
        expect(row.n, row.label).toBeGreaterThan(0);
        expect(Number.isFinite(row.median), row.label).toBe(true);
      }
    }
    // Both sides of the memory comparison were measured: Axum's daemon and pm2's.
    const memory = report.results[1]!.rows;
    // Sampled at the same moments (5 and 20 s idle), each moment a pair: no single sampling window.
    expect(memory.map((r) => r.label)).toEqual([expect.stringMatching(/^axum daemon.*idle 5 s/), expect.stringMatching(/pm2.*idle 5 s/), expect.stringMatching(/^axum daemon.*idle 20 s/), expect.stringMatching(/pm2.*idle 20 s/)]);
    expect(memory.every((r) => r.median > 10 && r.median < 1024)).toBe(true);
  }, 150_000);
});
