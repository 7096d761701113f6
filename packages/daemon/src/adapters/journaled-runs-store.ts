import { closeSync, copyFileSync, existsSync, fsyncSync, ftruncateSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { assertNoStateLinks, assertStillOpenAt, mkdirNoFollow, openNoFollow } from '@axum/protocol';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { emptyRunsDocument, RunsDocument } from '../domain/history.js';
import { noCrash, type CrashHook } from '../engine/crash-points.js';
import type { RunsStore } from '../engine/ports.js';
import { fsyncDir, fsyncDirAsync } from './durable-file.js';
import { DurableJsonFile } from './lowdb-document-store.js';
import { foldInWorker } from './runs-fold.js';
import { defaultCompactBytes, foldingJournalFileOf, journalFileOf, lastSeqOf, readJournal, replay, runChanges, type JournalEntry, type RawDocument } from './runs-journal.js';

export { compactBytesFromEnv, foldingJournalFileOf, journalFileOf, readRunsHistory } from './runs-journal.js';

// The runs history as a lowdb snapshot (`runs.json`, the whole document, compact) plus an
// append-only journal (`runs.journal`, one JSON line per save naming only the runs that changed;
// the format is runs-journal.ts). Why: every run transition is a save, and rewriting a 10,000-run
// document (~7 MB stringified and fsync'd) per transition took 55–85 ms (BENCHMARKS.md, history); a
// journal line is a kilobyte. A save is one line written and fsync'd, so it is atomic: a crash
// leaves the line whole (the save was acknowledged) or torn at the end (it was not, and it is
// dropped on load).
//
// When the journal outgrows the snapshot (capped at 1 MiB) it is compacted without making a save
// wait for the whole-document rewrite: the journal is renamed aside (`runs.journal.old`) and a
// fresh one opened for the next lines, then a worker thread folds the set-aside segment into a new
// snapshot (temp file, fsync), which is renamed over `runs.json` before the segment is deleted.
// A crash at any step leaves snapshot + old segment + journal, whose replay is the acknowledged
// state: the snapshot records the last line it holds (`journalSeq`), so lines it already holds are
// skipped. The load folds a segment left behind before it appends anything.

const settled = (p: Promise<unknown> | null): Promise<unknown> => (p ?? Promise.resolve()).catch(() => undefined);

/**
 * The runs history store. Saves are coalesced like the other documents' (one write in flight; the
 * next covers every save made until it starts) and each resolves once a write including its state
 * is durable. `changed` names the runs whose records changed in place; new and dropped runs are
 * found by comparing ids with what is on disk.
 */
export function createJournaledRunsStore(
  file: string,
  options: { now?: () => Date; crash?: CrashHook; compactBytes?: number | null } = {},
): RunsStore {
  const now = options.now ?? (() => new Date());
  const crash = options.crash ?? noCrash;
  const journalFile = journalFileOf(file);
  const oldJournalFile = foldingJournalFileOf(file);
  const foldTempFile = `${file}.fold.tmp`;
  mkdirNoFollow(dirname(file));
  const db = new Low<RunsDocument>(new DurableJsonFile<RunsDocument>(file, crash), emptyRunsDocument());

  /** Ids of the runs on disk (snapshot + journal). */
  let known = new Set<string>();
  /** Runs changed in place since their last write. */
  let pending = new Set<string>();
  let written = { nextRunNumber: 0, heads: '' };
  let journalFd: number | null = null;
  /** The number of the last journal line written (or held by the snapshot). */
  let lastSeq = 0;
  /**
   * The next write compacts in place (the whole document, then both journal segments emptied):
   * an append failed (a full disk) and cutting its partial line off may have failed too, so a
   * later line would join it and read as damage; or a background fold failed, leaving its segment.
   */
  let compactInPlace = false;
  let journalBytes = 0;
  /** The last journal line without its number (null after a compaction or a failed append). */
  let lastBody: string | null = null;
  let snapshotBytes = 0;
  let writing: Promise<void> | null = null;
  let queued: Promise<void> | null = null;
  /** The background fold in flight (never rejects: a failure sets `compactInPlace`). */
  let folding: Promise<void> | null = null;

  const compactAt = (): number => options.compactBytes ?? defaultCompactBytes(snapshotBytes);
  const stamp = () => now().toISOString().replace(/[:.]/g, '-');

  const openJournal = (): number => {
    if (journalFd !== null) return assertStillOpenAt(journalFd, journalFile); // moved, or swapped for a link: refused
    const created = !existsSync(journalFile);
    assertNoStateLinks(dirname(journalFile));
    journalFd = openNoFollow(journalFile, 'a');
    if (created) fsyncDir(dirname(journalFile)); // the new file's name is durable too
    return journalFd;
  };

  /** Writes the whole state as the new snapshot, then empties the journal and drops a set-aside segment. */
  const compact = async (doc: RunsDocument): Promise<void> => {
    // Its folder moved or removed under the open journal: refused before the snapshot goes there.
    if (journalFd !== null) assertStillOpenAt(journalFd, journalFile);
    // The snapshot holds every journal line written so far (and maybe more: changes not yet saved).
    db.data = { ...doc, journalSeq: lastSeq } as RunsDocument;
    try {
      await db.write(); // temp file, fsync, rename, fsync of the folder (crash points store.*)
    } finally {
      db.data = doc;
    }
    snapshotBytes = statSync(file).size;
    crash('store.compacted');
    const fd = openJournal();
    ftruncateSync(fd, 0);
    fsyncSync(fd);
    rmSync(oldJournalFile, { force: true });
    journalBytes = 0;
    lastBody = null;
    compactInPlace = false;
  };

  /** The set-aside segment folded into a new snapshot by a worker, renamed over runs.json, deleted. */
  const fold = async (): Promise<void> => {
    assertNoStateLinks(dirname(file)); // the worker writes the new snapshot beside it
    const { bytes } = await foldInWorker(file, oldJournalFile, foldTempFile);
    crash('store.fold-written');
    await rename(foldTempFile, file);
    await fsyncDirAsync(dirname(file));
    crash('store.fold-renamed');
    await rm(oldJournalFile, { force: true });
    snapshotBytes = bytes;
  };

  /** Sets the journal aside for a background fold; the next lines go to a fresh journal. */
  const rotate = (): void => {
    if (journalFd !== null) closeSync(assertStillOpenAt(journalFd, journalFile)); // moved or removed: refused, as an append is
    journalFd = null;
    assertNoStateLinks(dirname(journalFile));
    renameSync(journalFile, oldJournalFile);
    openJournal(); // creates the fresh journal and fsyncs the folder: both names are durable
    journalBytes = 0;
    crash('store.rotated');
    folding = fold()
      .catch(() => {
        // The segment stays beside the journal (the load replays both); the next write compacts in place.
        compactInPlace = true;
      })
      .finally(() => (folding = null));
  };

  const append = (body: string): void => {
    // The entry's fields after its number, in the order JournalEntry gives them.
    const line = `{"seq":${lastSeq + 1},${body.slice(1)}\n`;
    const fd = openJournal();
    try {
      writeFileSync(fd, line);
      fsyncSync(fd);
    } catch (err) {
      // A full disk: cut the partial line off so the journal stays whole lines, and fail the save.
      compactInPlace = true;
      lastBody = null;
      try {
        ftruncateSync(fd, journalBytes);
      } catch {
        // the next load drops a torn tail anyway
      }
      throw err;
    }
    journalBytes += Buffer.byteLength(line);
    lastSeq += 1;
    lastBody = body;
    crash('store.appended');
  };

  const writeOnce = async (): Promise<void> => {
    const doc = db.data;
    const taken = pending;
    pending = new Set();
    const { upsert, added, drop, current } = runChanges(doc.runs, known, taken);
    const heads = JSON.stringify(doc.heads);
    // Taken now: the document may change while this write waits for a fold.
    const { nextRunNumber } = doc;
    if (upsert.length === 0 && drop.length === 0 && nextRunNumber === written.nextRunNumber && heads === written.heads) return;
    try {
      // A save waits for a fold only when the journal filled again before the fold ended, or when
      // it must compact in place (the fold would rename an older snapshot over the new one).
      if (folding && (compactInPlace || journalBytes >= compactAt())) await folding;
      // A segment still set aside (a rotation cut short) is never renamed over: compact in place.
      if (compactInPlace || (journalBytes >= compactAt() && existsSync(oldJournalFile))) {
        await compact(doc);
      } else {
        const entry: Omit<JournalEntry, 'seq'> = { nextRunNumber, heads: JSON.parse(heads) as JournalEntry['heads'], upsert, drop };
        const body = JSON.stringify(entry);
        // The same runs, as they are, as the line before: already durable. Two saves of one
        // transition (a run's first step: the run machine's and the step's own) cost one fsync.
        if (body !== lastBody || journalBytes >= compactAt()) {
          if (journalBytes >= compactAt()) rotate();
          append(body);
        }
      }
    } catch (err) {
      // Nothing of this write is on disk: its runs are written by the next save.
      for (const id of taken) pending.add(id);
      throw err;
    }
    if (current) known = current;
    else for (const id of added) known.add(id);
    written = { nextRunNumber, heads };
  };

  const moveAside = async (reason: 'corrupt' | 'invalid'): Promise<string> => {
    const suffix = `${reason}-${stamp()}`;
    const aside = `${file}.${suffix}`;
    if (existsSync(file)) await rename(file, aside);
    if (existsSync(journalFile)) await rename(journalFile, `${journalFile}.${suffix}`);
    if (existsSync(oldJournalFile)) await rename(oldJournalFile, `${oldJournalFile}.${suffix}`);
    return aside;
  };

  const startFresh = async (): Promise<RunsDocument> => {
    journalBytes = 0;
    known = new Set();
    db.data = emptyRunsDocument();
    await compact(db.data);
    return db.data;
  };

  return {
    async load() {
      let raw: RawDocument | null;
      try {
        const data = await new DurableJsonFile<unknown>(file, crash).read();
        raw = data === null ? null : (data as RawDocument);
      } catch (err) {
        const aside = await moveAside('corrupt');
        return { doc: await startFresh(), warning: `history file ${file} could not be read (${(err as Error).message}); moved aside to ${aside} (with its journal) and started a new one` };
      }
      rmSync(foldTempFile, { force: true }); // a fold cut short before its rename: the segment is still there
      // A segment set aside for a fold that did not finish comes before the journal's lines.
      const setAside = readJournal(oldJournalFile);
      const journal = readJournal(journalFile);
      const entries = [...setAside.entries, ...journal.entries];
      let warning: string | null = null;
      const parsed = RunsDocument.safeParse(replay(raw ?? (emptyRunsDocument() as RawDocument), entries));
      if (!parsed.success) {
        const aside = await moveAside('invalid');
        return { doc: await startFresh(), warning: `history file ${file} does not match the expected format; moved aside to ${aside} (with its journal) and started a new one` };
      }
      const doc = parsed.data;
      db.data = doc;
      lastSeq = lastSeqOf(raw, entries);
      snapshotBytes = existsSync(file) ? statSync(file).size : 0;
      journalBytes = journal.totalBytes;
      known = new Set(doc.runs.map((r) => r.id));
      written = { nextRunNumber: doc.nextRunNumber, heads: JSON.stringify(doc.heads) };
      const damaged = setAside.problem !== null ? { read: setAside, file: oldJournalFile } : journal.problem === 'corrupt' ? { read: journal, file: journalFile } : null;
      if (damaged) {
        // A whole line that does not parse is damage, not a cut-short write (and a set-aside segment
        // only ever holds whole lines): keep a copy, and start a clean journal from what was readable.
        const aside = `${damaged.file}.corrupt-${stamp()}`;
        copyFileSync(damaged.file, aside);
        warning = `history journal ${damaged.file} has an unreadable line after ${damaged.read.entries.length} good ones; kept a copy at ${aside} and continued from the readable part`;
        await compact(doc);
      } else if (setAside.totalBytes > 0 || existsSync(oldJournalFile)) {
        await compact(doc); // finish the fold the crash cut short, before anything is appended
      } else if (journal.problem === 'torn') {
        // A write cut short by a crash before its fsync returned: that save was never acknowledged.
        const fd = openJournal();
        ftruncateSync(fd, journal.goodBytes);
        fsyncSync(fd);
        journalBytes = journal.goodBytes;
      } else if (raw === null) {
        await compact(doc); // a first start: the snapshot exists from now on
      }
      return { doc, warning };
    },
    save(doc, changed) {
      db.data = doc;
      for (const id of changed) pending.add(id);
      if (queued) return queued;
      if (!writing) {
        writing = writeOnce().finally(() => (writing = null));
        return writing;
      }
      queued = writing
        .catch(() => undefined)
        .then(() => {
          queued = null;
          writing = writeOnce().finally(() => (writing = null));
          return writing;
        });
      return queued;
    },
    async close() {
      await settled(queued ?? writing);
      await settled(folding);
      if (journalBytes > 0 || pending.size > 0 || existsSync(oldJournalFile)) await compact(db.data);
      if (journalFd !== null) closeSync(journalFd);
      journalFd = null;
    },
  };
}
