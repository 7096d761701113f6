import { parseJournal, replay } from './runs-journal.js';

// A compaction's heavy part, off the daemon's main thread: read the snapshot (~7 MB at 10,000
// runs), replay the journal segment set aside for it, stringify the result and write it, fsynced,
// to a temp file beside the snapshot. Parsing and stringifying that much JSON takes tens of
// milliseconds of CPU; on the main thread every request arriving meanwhile (a `run.trigger`)
// waited for it. The worker touches only the snapshot and the set-aside segment, which nothing
// else writes while it runs; the rename over the snapshot is the caller's (its crash points).
//
// The worker is given its code as text (`eval`): the daemon ships as one bundled file, so there is
// no module path to start a worker from. `parseJournal` and `replay` are the very functions the
// load uses, passed by their source text (they refer to nothing outside themselves).
const WORKER_SOURCE = `'use strict';
const { parentPort, workerData } = require('node:worker_threads');
// The fold gives way to the main thread: on Linux a nice value is per thread, and priority of
// "process 0" is the calling thread's alone, so this lowers the worker and nothing else. On a
// 2-core machine a fold at normal priority took the core a request's answer was waiting for.
// 10 lower, not down to 19: a save waits for the fold when the journal fills again before it ends, and under a
// CPU-bound training step a fold at 19 would get almost no CPU at all. Elsewhere (macOS, BSD) the
// value is the whole process's, and a lowered daemon could not raise it back: left as it is.
if (process.platform === 'linux') try { const os = require('node:os'); os.setPriority(Math.min(19, os.getPriority() + 10)); } catch {}
const { closeSync, constants, existsSync, fsyncSync, openSync, readFileSync, rmSync, writeSync } = require('node:fs');
const parseJournal = ${parseJournal.toString()};
const replay = ${replay.toString()};
const { snapshotFile, segmentFile, tempFile } = workerData;
const snapshot = existsSync(snapshotFile) ? JSON.parse(readFileSync(snapshotFile, 'utf8')) : { version: 1, nextRunNumber: 1, heads: null, runs: [] };
const segment = parseJournal(readFileSync(segmentFile));
if (segment.problem !== null) throw new Error(segmentFile + ': ' + segment.problem + ' line after ' + segment.entries.length + ' good ones');
let journalSeq = typeof snapshot.journalSeq === 'number' ? snapshot.journalSeq : 0;
for (const entry of segment.entries) if (typeof entry.seq === 'number' && entry.seq > journalSeq) journalSeq = entry.seq;
const text = Buffer.from(JSON.stringify({ ...replay(snapshot, segment.entries), journalSeq }));
const fd = openSync(tempFile, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o600);
try {
  let at = 0;
  while (at < text.length) at += writeSync(fd, text, at, text.length - at);
  fsyncSync(fd);
} catch (err) {
  closeSync(fd);
  rmSync(tempFile, { force: true });
  throw err;
}
closeSync(fd);
parentPort.postMessage({ bytes: text.length });
`;

/**
 * Folds `segmentFile` into the snapshot `snapshotFile` and writes the result, fsynced, to
 * `tempFile`; resolves with its size. Rejects (leaving the snapshot as it was) when the worker fails.
 */
export async function foldInWorker(snapshotFile: string, segmentFile: string, tempFile: string): Promise<{ bytes: number }> {
  // Loaded at the first compaction, not at start: an idle daemon that never folds does not carry
  // node's worker_threads module (its code and objects stay resident for the process's life).
  const { Worker } = await import('node:worker_threads');
  return new Promise((resolve, reject) => {
    let result: { bytes: number } | null = null;
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { snapshotFile, segmentFile, tempFile } });
    worker.once('message', (message: { bytes: number }) => (result = message));
    worker.once('error', reject);
    worker.once('exit', (code) => {
      if (result) resolve(result);
      else reject(new Error(`the history compaction's worker exited (code ${code}) without writing a snapshot`));
    });
  });
}
