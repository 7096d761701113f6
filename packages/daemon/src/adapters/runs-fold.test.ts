// The compaction's worker runs 10 nice levels below the daemon, and only it: on a 2-core machine a fold at
// normal priority took the core a request's answer was waiting for. The worker is held mid-fold by
// a FIFO as its journal segment (its read waits for a writer), so the test sees its thread alive,
// without a race against how long a fold takes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { getPriority, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { foldInWorker } from './runs-fold.js';

/** The nice value of each thread of this process, by thread id (field 19 of /proc/self/task/TID/stat). */
function threadNices(): Map<number, number> {
  const nices = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      nices.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return nices;
}

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => rmSync(dir, { recursive: true, force: true })));

// Under `nice -n 10` or more already, the worker's value would be capped at 19: the test wants room to see the step.
describe.skipIf(process.platform !== 'linux' || getPriority() >= 10)('the history fold worker', () => {
  it('runs 10 nice levels below the daemon while every other thread of the process keeps its priority', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axum-fold-nice-'));
    dirs.push(dir);
    const segment = join(dir, 'runs.journal.folding');
    execFileSync('mkfifo', [segment]);
    const before = threadNices();
    const mainNice = before.get(process.pid)!;
    expect(mainNice).toBeLessThan(10);

    const folding = foldInWorker(join(dir, 'runs.json'), segment, join(dir, 'runs.json.tmp'));
    let lowered: number[] = [];
    for (let i = 0; i < 3_000 && lowered.length === 0; i++) {
      lowered = [...threadNices()].filter(([, nice]) => nice === mainNice + 10).map(([tid]) => tid);
      if (lowered.length === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const during = threadNices();
    // Let the worker's read of its segment end (an empty journal), and the fold finish.
    await writeFile(segment, '');
    const { bytes } = await folding;

    expect(lowered).toHaveLength(1);
    expect(lowered[0]).not.toBe(process.pid);
    expect(during.get(process.pid)).toBe(mainNice);
    expect([...during].filter(([tid, nice]) => tid !== lowered[0] && nice !== mainNice)).toEqual([]);
    expect(JSON.parse(readFileSync(join(dir, 'runs.json.tmp'), 'utf8'))).toMatchObject({ runs: [], journalSeq: 0 });
    expect(bytes).toBeGreaterThan(0);
  });
});
