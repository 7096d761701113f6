// The runs history's background compaction: the journal set aside, folded by a worker into a new
// snapshot while saves go on to a fresh journal; crashes at each of its steps; a load that finds
// two journal segments.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunRecord, RunsDocument } from '../domain/history.js';
import type { CrashPoint } from '../engine/crash-points.js';
import { createJournaledRunsStore, foldingJournalFileOf, journalFileOf, readRunsHistory } from './journaled-runs-store.js';

const run = (number: number, status: RunRecord['status'] = 'queued'): RunRecord => ({
  id: `run-${number}`,
  number,
  status,
  commit: 'a'.repeat(40),
  branch: 'main',
  env: 'production',
  trigger: 'push',
  reused: false,
  createdAt: '2026-11-29T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  steps: [],
  subject: `commit ${number}`,
  releaseId: null,
  message: null,
  warnings: [],
  deploy: null,
  pgids: [],
  worktree: null,
  stages: null,
});

const clone = (doc: RunsDocument): RunsDocument => JSON.parse(JSON.stringify(doc)) as RunsDocument;
const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);
const seqs = (file: string): number[] => lines(file).map((l) => (JSON.parse(l) as { seq: number }).seq);
const snapshotSeq = (file: string): number => (JSON.parse(readFileSync(file, 'utf8')) as { journalSeq: number }).journalSeq;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1_000; i++) {
    if (check()) return;
    await sleep(10);
  }
  throw new Error(`timed out waiting for ${what}`);
}

function setup(compactBytes: number | null, crash?: (point: CrashPoint) => void) {
  const dir = mkdtempSync(join(tmpdir(), 'axum-runs-fold-'));
  const file = join(dir, 'history', 'runs.json');
  return { file, journal: journalFileOf(file), old: foldingJournalFileOf(file), store: createJournaledRunsStore(file, { compactBytes, crash }), reopen: () => createJournaledRunsStore(file, { compactBytes }) };
}

/** A run's life as saves: a run queued, then the one before it finished. */
function lifeOf(doc: RunsDocument) {
  let n = doc.nextRunNumber;
  return (): string[] => {
    doc.runs.push(run(n));
    doc.nextRunNumber = ++n;
    const before = doc.runs.at(-2);
    if (!before) return [];
    before.status = 'succeeded';
    return [before.id];
  };
}

describe('createJournaledRunsStore: background compaction', () => {
  it('a save during a background compaction is acknowledged from the fresh journal, and the fold loses nothing', async () => {
    let rotations = 0;
    const { file, journal, old, store, reopen } = setup(6_000, (point) => {
      if (point === 'store.rotated') rotations += 1;
    });
    const { doc } = await store.load();
    const next = lifeOf(doc);
    while (rotations === 0) await store.save(doc, next());
    // The save that set the journal aside was answered before the fold could end (the fold's
    // rename and delete need the event loop to turn; nothing has yielded to it since the answer).
    expect(existsSync(old)).toBe(true);
    expect(lines(journal)).toHaveLength(1);
    const foldedUpTo = Math.max(...seqs(old));
    // More saves (fewer than fill the fresh journal again) while the worker folds.
    for (let i = 0; i < 3; i++) await store.save(doc, next());
    expect(Math.min(...seqs(journal))).toBe(foldedUpTo + 1); // the fresh journal goes on numbering
    await until(() => !existsSync(old), 'the fold to finish');
    expect(snapshotSeq(file)).toBe(foldedUpTo); // the snapshot holds the set-aside lines, not the fresh ones
    expect(readRunsHistory(file)).toEqual(doc);
    expect((await reopen().load()).doc).toEqual(doc);
  });

  it.each<CrashPoint>(['store.rotated', 'store.fold-written', 'store.fold-renamed'])(
    'a crash at %s (between the rotation and the end of the fold) recovers every acknowledged save',
    async (point) => {
      let rotated = false;
      let dead = false;
      // The crash: the step throws, and the "dead" store makes no durable change after it, other than
      // journal lines it acknowledges (a compaction in place fails before its rename).
      const { file, journal, old, store, reopen } = setup(1_500, (p) => {
        if (p === 'store.rotated') rotated = true;
        if (p === point) dead = true;
        if (dead && p !== 'store.appended') throw new Error(`crashed at ${p}`);
      });
      const { doc } = await store.load();
      const next = lifeOf(doc);
      let acknowledged = clone(doc);
      const save = () =>
        store.save(doc, next()).then(
          () => void (acknowledged = clone(doc)),
          () => undefined,
        );
      while (!rotated) await save();
      for (let i = 0; i < 3; i++) await save(); // saves during the fold
      await until(() => dead, `the fold to reach ${point}`);
      await sleep(20);
      await save();
      expect(existsSync(old)).toBe(true); // the set-aside segment is still there
      expect(existsSync(`${file}.fold.tmp`)).toBe(point === 'store.fold-written');
      if (point === 'store.fold-renamed') expect(snapshotSeq(file)).toBe(Math.max(...seqs(old))); // its lines are held: skipped
      expect(lines(journal).length + lines(old).length).toBeGreaterThan(0);

      const reloaded = await reopen().load();
      expect(reloaded.warning).toBeNull();
      expect(reloaded.doc).toEqual(acknowledged);
      // The load finished the fold: one snapshot, no segment, no temp file; saving goes on.
      expect(existsSync(old)).toBe(false);
      expect(existsSync(`${file}.fold.tmp`)).toBe(false);
      expect(readRunsHistory(file)).toEqual(acknowledged);
    },
  );

  it('loads a snapshot with two journal segments: the set-aside one, then the fresh one, skipping lines the snapshot holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axum-runs-fold-'));
    const file = join(dir, 'history', 'runs.json');
    mkdirSync(join(dir, 'history'));
    const heads = { main: 'c'.repeat(40) };
    // The snapshot holds lines up to 2 (run-2 was dropped by then); the set-aside segment still has
    // line 2 (a crash after the fold's rename) and line 3; the fresh journal has 4 and a torn 5.
    writeFileSync(file, JSON.stringify({ version: 1, nextRunNumber: 3, heads, runs: [run(1, 'running')], journalSeq: 2 }));
    const line = (seq: number, nextRunNumber: number, upsert: RunRecord[], drop: string[] = []) => `${JSON.stringify({ seq, nextRunNumber, heads, upsert, drop })}\n`;
    writeFileSync(foldingJournalFileOf(file), line(2, 3, [run(2)]) + line(3, 4, [run(1, 'succeeded'), run(3)]));
    writeFileSync(journalFileOf(file), line(4, 5, [run(4)], ['run-3']) + line(5, 6, [run(5)]).slice(0, 30));
    const expected = { version: 1, nextRunNumber: 5, heads, runs: [run(1, 'succeeded'), run(4)] };
    expect(readRunsHistory(file)).toEqual(expected);

    const store = createJournaledRunsStore(file);
    const { doc, warning } = await store.load();
    expect(warning).toBeNull();
    expect(doc).toEqual(expected); // run-2 not replayed over the snapshot; the torn line dropped
    expect(existsSync(foldingJournalFileOf(file))).toBe(false); // folded at load
    expect(lines(journalFileOf(file))).toEqual([]);
    doc.runs.push(run(5));
    doc.nextRunNumber = 6;
    await store.save(doc, []);
    expect(seqs(journalFileOf(file))).toEqual([5]); // numbering goes on after the highest line seen
    expect((await createJournaledRunsStore(file).load()).doc).toEqual(doc);
  });
});
