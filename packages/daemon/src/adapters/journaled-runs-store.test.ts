import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
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
  trigger: 'push', reused: false,
  createdAt: '2026-11-29T00:00:00.000Z',
  startedAt: null,
  finishedAt: null,
  steps: [],
  subject: `commit ${number}`,
  releaseId: null,
  message: null, warnings: [],
  deploy: null,
  pgids: [],
  worktree: null,
  stages: null,
});

const clone = (doc: RunsDocument): RunsDocument => JSON.parse(JSON.stringify(doc)) as RunsDocument;
const lines = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

function setup(compactBytes: number | null = null) {
  const dir = mkdtempSync(join(tmpdir(), 'axum-runs-store-'));
  const file = join(dir, 'history', 'runs.json');
  return { dir, file, journal: journalFileOf(file), open: (crash?: (p: CrashPoint) => void) => createJournaledRunsStore(file, { compactBytes, crash }) };
}

describe('createJournaledRunsStore', () => {
  it('a save of runs exactly as the line before holds them writes nothing more; a change after it is written, and reloads', async () => {
    const { journal, open } = setup();
    const store = open();
    const { doc } = await store.load();
    doc.runs.push(run(1, 'running'));
    doc.nextRunNumber = 2;
    await store.save(doc, []);
    expect(lines(journal)).toHaveLength(1);
    // Two saves of one transition (the run machine's and the step's own), one after the other.
    doc.runs[0]!.steps = [{ stage: 's', name: 'a', status: 'running', exitCode: null, durationMs: null, startedAt: null, attempts: 1, logBytes: 0 }];
    await Promise.all([store.save(doc, ['run-1']), store.save(doc, ['run-1'])]);
    await store.save(doc, ['run-1']);
    expect(lines(journal)).toHaveLength(2);
    doc.runs[0]!.status = 'succeeded';
    await store.save(doc, ['run-1']);
    expect(lines(journal)).toHaveLength(3);
    const again = await open().load();
    expect(again.doc.runs).toEqual(clone(doc).runs);
    expect(lines(journal).map((line) => (JSON.parse(line) as { seq: number }).seq)).toEqual([1, 2, 3]);
  });

  it('writes a save as one journal line naming only the changed runs, and loads the same document back', async () => {
    const { file, journal, open } = setup();
    const store = open();
    const { doc, warning } = await store.load();
    expect(warning).toBeNull();
    expect(existsSync(file)).toBe(true); // a first start writes the (empty) snapshot
    doc.heads = { main: 'b'.repeat(40) };
    for (let n = 1; n <= 50; n++) {
      doc.runs.push(run(n, 'succeeded'));
      doc.nextRunNumber = n + 1;
    }
    await store.save(doc, []); // new runs are found without being named
    const snapshotSize = statSync(file).size;
    doc.runs[49]!.status = 'failed';
    doc.runs[49]!.message = 'exit 1';
    await store.save(doc, ['run-50']);
    const written = lines(journal);
    expect(written).toHaveLength(2);
    const last = JSON.parse(written[1]!) as { upsert: RunRecord[]; drop: string[] };
    expect(last.upsert.map((r) => r.id)).toEqual(['run-50']);
    expect(last.drop).toEqual([]);
    expect(statSync(file).size).toBe(snapshotSize); // the snapshot is not rewritten per save

    const reloaded = await open().load();
    expect(reloaded.warning).toBeNull();
    expect(reloaded.doc).toEqual(doc);
    expect(readRunsHistory(file)).toEqual(doc);
  });

  it('a save with nothing changed writes nothing; dropped runs are gone after a reload', async () => {
    const { journal, open } = setup();
    const store = open();
    const { doc } = await store.load();
    doc.runs.push(run(1, 'succeeded'), run(2, 'succeeded'), run(3));
    doc.nextRunNumber = 4;
    await store.save(doc, []);
    await store.save(doc, []);
    expect(lines(journal)).toHaveLength(1);
    doc.runs = doc.runs.filter((r) => r.id !== 'run-1');
    await store.save(doc, []);
    expect(JSON.parse(lines(journal)[1]!)).toMatchObject({ upsert: [], drop: ['run-1'] });
    expect((await open().load()).doc.runs.map((r) => r.id)).toEqual(['run-2', 'run-3']);
  });

  it('compacts into the snapshot when the journal outgrows its limit, and loses nothing', async () => {
    const { file, journal, open } = setup(2_000);
    const store = open();
    const { doc } = await store.load();
    for (let n = 1; n <= 40; n++) {
      doc.runs.push(run(n));
      doc.nextRunNumber = n + 1;
      await store.save(doc, []);
      doc.runs[n - 1]!.status = 'succeeded';
      await store.save(doc, [`run-${n}`]);
    }
    expect(statSync(journal).size).toBeLessThan(4_000); // emptied along the way
    const snapshot = JSON.parse(readFileSync(file, 'utf8')) as RunsDocument;
    expect(snapshot.runs.length).toBeGreaterThan(20);
    expect((await open().load()).doc).toEqual(doc);
  });

  it('replays a journal left behind by a crash after compaction without changing the state', async () => {
    const { file, open } = setup();
    const store = open();
    const { doc } = await store.load();
    doc.runs.push(run(1), run(2));
    doc.nextRunNumber = 3;
    await store.save(doc, []);
    doc.runs[0]!.status = 'succeeded';
    doc.runs = doc.runs.slice(0); // same records
    await store.save(doc, ['run-1']);
    doc.runs = doc.runs.filter((r) => r.id !== 'run-2');
    await store.save(doc, []);
    // The compaction's snapshot reached its place, the journal was not emptied yet.
    writeFileSync(file, JSON.stringify(doc));
    expect((await open().load()).doc).toEqual(doc);
  });

  it('a crash between an in-place compaction and emptying the journal replays nothing over the newer snapshot', async () => {
    // Compaction in place (the whole document) follows a failed background fold; its snapshot may
    // hold changes no journal line has yet (the compacting save's own).
    const { file, journal, open } = setup(900);
    let crashAt: CrashPoint | null = null;
    let foldFails = true;
    const store = open((point) => {
      if (point === 'store.fold-written' && foldFails) {
        foldFails = false;
        throw new Error('ENOSPC: no space left on device');
      }
      if (point === crashAt) throw new Error(`crashed at ${point}`);
    });
    const { doc } = await store.load();
    let n = 1;
    const queue = async () => {
      doc.runs.push(run(n));
      doc.nextRunNumber = ++n;
      await store.save(doc, []);
    };
    for (let i = 0; i < 3; i++) await queue();
    doc.runs[0]!.status = 'running';
    await store.save(doc, ['run-1']);
    // The compacting save: run-1 finished, run-2 dropped by retention, run-4 queued.
    crashAt = 'store.compacted';
    doc.runs[0]!.status = 'succeeded';
    doc.runs = doc.runs.filter((r) => r.id !== 'run-2');
    let crashed = false;
    for (let i = 0; i < 40 && !crashed; i++) {
      doc.runs.push(run(n));
      doc.nextRunNumber = ++n;
      crashed = await store.save(doc, ['run-1']).then(() => false, () => true);
      if (!foldFails) await new Promise((resolve) => setTimeout(resolve, 20)); // the fold has failed: let its handler run
    }
    expect(crashed).toBe(true);
    expect(lines(journal).length + lines(foldingJournalFileOf(file)).length).toBeGreaterThan(0); // not emptied
    const reloaded = (await open().load()).doc;
    expect(reloaded.nextRunNumber).toBe(doc.nextRunNumber);
    expect(reloaded.runs.map((r) => [r.id, r.status])).toEqual(doc.runs.map((r) => [r.id, r.status]));
  });

  it('drops a torn last line (a write cut short, never acknowledged) and goes on appending after it', async () => {
    const { journal, open } = setup();
    const store = open();
    const { doc } = await store.load();
    doc.runs.push(run(1));
    doc.nextRunNumber = 2;
    await store.save(doc, []);
    const acknowledged = clone(doc);
    appendFileSync(journal, '{"nextRunNumber":3,"heads":null,"upsert":[{"id":"run-2"');
    const second = open();
    const reloaded = await second.load();
    expect(reloaded.warning).toBeNull();
    expect(reloaded.doc).toEqual(acknowledged);
    reloaded.doc.runs.push(run(2));
    reloaded.doc.nextRunNumber = 3;
    await second.save(reloaded.doc, []);
    expect(lines(journal).map((l) => JSON.parse(l) as unknown)).toHaveLength(2);
    expect((await open().load()).doc.runs.map((r) => r.id)).toEqual(['run-1', 'run-2']);
  });

  it('keeps a copy of a journal with a damaged line, warns, and continues from the readable part', async () => {
    const { dir, journal, open } = setup();
    const store = open();
    const { doc } = await store.load();
    doc.runs.push(run(1));
    doc.nextRunNumber = 2;
    await store.save(doc, []);
    appendFileSync(journal, 'this is not json\n{"nextRunNumber":9,"heads":null,"upsert":[],"drop":[]}\n');
    const { doc: reloaded, warning } = await open().load();
    expect(warning).toMatch(/unreadable line after 1 good ones; kept a copy at .*runs\.journal\.corrupt-/);
    expect(reloaded.runs.map((r) => r.id)).toEqual(['run-1']);
    expect(readdirSync(join(dir, 'history')).some((f) => f.startsWith('runs.journal.corrupt-'))).toBe(true);
    expect(lines(journal)).toHaveLength(0); // compacted: a clean journal from here on
  });

  it('reads a history written before the journal (one whole runs.json)', async () => {
    const { file, open } = setup();
    const legacy: RunsDocument = { version: 1, nextRunNumber: 3, heads: { main: 'c'.repeat(40) }, runs: [run(1, 'succeeded'), run(2, 'failed')] };
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, JSON.stringify(legacy));
    expect((await open().load()).doc).toEqual(legacy);
  });

  it('moves an unreadable snapshot aside with its journal and starts a new history', async () => {
    const { dir, file, journal, open } = setup();
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, '{"version":1,"runs":[');
    writeFileSync(journal, '{"nextRunNumber":2,"heads":null,"upsert":[],"drop":[]}\n');
    const { doc, warning } = await open().load();
    expect(warning).toMatch(/could not be read .* moved aside to .*runs\.json\.corrupt-.* \(with its journal\)/);
    expect(doc.runs).toEqual([]);
    const names = readdirSync(join(dir, 'history'));
    expect(names.some((f) => f.startsWith('runs.json.corrupt-'))).toBe(true);
    expect(names.some((f) => f.startsWith('runs.journal.corrupt-'))).toBe(true);
  });

  it('a failed write loses nothing: the changed runs are written by the next save', async () => {
    // compactBytes 1: the first save appends, the second sets the journal aside for a fold, which
    // fails (a full disk); every later save then compacts in place until one succeeds.
    const { file, open } = setup(1);
    let failNext: CrashPoint | null = 'store.fold-written';
    const store = open((point) => {
      if (point === failNext) {
        failNext = null;
        throw new Error('ENOSPC: no space left on device');
      }
    });
    const { doc } = await store.load();
    doc.runs.push(run(1));
    doc.nextRunNumber = 2;
    await store.save(doc, []);
    doc.runs[0]!.status = 'queued';
    doc.runs[0]!.message = 'waiting';
    await store.save(doc, ['run-1']); // acknowledged from the fresh journal; the fold fails behind it
    await new Promise((resolve) => setTimeout(resolve, 10));
    for (let i = 0; i < 500 && failNext !== null; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(failNext).toBeNull();
    await new Promise((resolve) => setTimeout(resolve, 10));
    doc.runs[0]!.status = 'running';
    failNext = 'store.temp-written';
    await expect(store.save(doc, ['run-1'])).rejects.toThrow(/ENOSPC/);
    doc.runs[0]!.message = 'still going';
    await store.save(doc, []); // names nothing; run-1 is still owed from the failed write
    expect(readRunsHistory(file)).toEqual(doc);
    expect(existsSync(foldingJournalFileOf(file))).toBe(false); // the compaction in place dropped the set-aside segment
    expect((await open().load()).doc.runs[0]).toMatchObject({ status: 'running', message: 'still going' });
  });
});
