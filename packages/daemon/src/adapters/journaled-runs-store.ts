import { closeSync, copyFileSync, existsSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Low } from 'lowdb';
import { emptyRunsDocument, RunsDocument, type RunRecord } from '../domain/history.js';
import { noCrash, type CrashHook } from '../engine/crash-points.js';
import type { RunsStore } from '../engine/ports.js';
import { DurableJsonFile } from './lowdb-document-store.js';

// The runs history as a lowdb snapshot (`runs.json`, the whole document, compact) plus an
// append-only journal (`runs.journal`, one JSON line per save naming only the runs that changed).
// Why: every run transition is a save, and rewriting a 10,000-run document (~7 MB stringified and
// fsync'd) per transition took 55–85 ms (BENCHMARKS.md, history); a journal line is a kilobyte.
// A save is one line written and fsync'd, so it is atomic: a crash leaves the line whole (the save
// was acknowledged) or torn at the end (it was not, and it is dropped on load). When the journal
// outgrows the snapshot (capped at 1 MiB) the state is compacted into a new snapshot and the
// journal emptied. Lines are numbered (`seq`) and the snapshot records the last line it holds
// (`journalSeq`): a crash between the snapshot's rename and the journal's truncation leaves lines
// the snapshot already has — and may have moved past (the compacting save's own changes) — so
// they are skipped on load, never replayed over it.

/** One journal line: the document's small fields, the changed runs whole, the dropped runs' ids. */
interface JournalEntry {
  /** The line's number, counting on across compactions (absent in lines of the first version). */
  seq?: number;
  nextRunNumber: number;
  heads: Record<string, string> | null;
  upsert: unknown[];
  drop: string[];
}

interface RawDocument {
  /** The last journal line the snapshot holds (written by compactions). */
  journalSeq?: unknown;
  version?: unknown;
  nextRunNumber?: unknown;
  heads?: unknown;
  runs?: unknown;
}

/** The journal read back: the entries of its whole lines, and where a bad part starts. */
interface JournalRead {
  entries: JournalEntry[];
  /** Bytes of whole, readable lines. */
  goodBytes: number;
  totalBytes: number;
  /** 'torn': the last line is incomplete (a write cut short). 'corrupt': a complete line does not parse. */
  problem: 'torn' | 'corrupt' | null;
}

const MIN_COMPACT_BYTES = 64 * 1024;
const MAX_COMPACT_BYTES = 1024 * 1024;

/**
 * `AXUM_HISTORY_COMPACT_BYTES`: the journal size that triggers a compaction, when a whole number of
 * at least 1 (crash tests set it small so compactions happen often); else null, the default (the
 * snapshot's size, between 64 KiB and 1 MiB).
 */
export function compactBytesFromEnv(value: string | undefined, logger?: { warn(message: string): void }): number | null {
  if (value === undefined || value === '') return null;
  const bytes = Number(value);
  if (Number.isSafeInteger(bytes) && bytes >= 1) return bytes;
  logger?.warn(`AXUM_HISTORY_COMPACT_BYTES=${value} is not a whole number of at least 1; using the default`);
  return null;
}

export const journalFileOf = (snapshotFile: string): string => snapshotFile.replace(/\.json$/, '') + '.journal';

function readJournal(file: string): JournalRead {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], goodBytes: 0, totalBytes: 0, problem: null };
    throw err;
  }
  const entries: JournalEntry[] = [];
  let start = 0;
  while (start < bytes.length) {
    const end = bytes.indexOf(10, start);
    if (end < 0) return { entries, goodBytes: start, totalBytes: bytes.length, problem: 'torn' };
    let entry: JournalEntry;
    try {
      entry = JSON.parse(bytes.toString('utf8', start, end)) as JournalEntry;
      if (typeof entry !== 'object' || entry === null || !Array.isArray(entry.upsert) || !Array.isArray(entry.drop)) throw new Error('not a journal entry');
    } catch {
      return { entries, goodBytes: start, totalBytes: bytes.length, problem: 'corrupt' };
    }
    entries.push(entry);
    start = end + 1;
  }
  return { entries, goodBytes: start, totalBytes: bytes.length, problem: null };
}

/** Applies journal entries to a raw (not yet validated) snapshot, in order. */
function replay(snapshot: RawDocument, all: readonly JournalEntry[]): RawDocument {
  const covered = typeof snapshot.journalSeq === 'number' ? snapshot.journalSeq : 0;
  const entries = all.filter((entry) => typeof entry.seq !== 'number' || entry.seq > covered);
  if (entries.length === 0) return snapshot;
  const runs: unknown[] = Array.isArray(snapshot.runs) ? [...(snapshot.runs as unknown[])] : [];
  const position = new Map<string, number>();
  const idOf = (run: unknown): string | undefined => (typeof run === 'object' && run !== null ? ((run as { id?: unknown }).id as string | undefined) : undefined);
  runs.forEach((run, i) => {
    const id = idOf(run);
    if (id !== undefined) position.set(id, i);
  });
  let { nextRunNumber, heads } = snapshot;
  for (const entry of entries) {
    // Never backwards: a run number is an id, and an id is never given twice.
    nextRunNumber = typeof nextRunNumber === 'number' ? Math.max(nextRunNumber, entry.nextRunNumber) : entry.nextRunNumber;
    heads = entry.heads;
    for (const run of entry.upsert) {
      const id = idOf(run);
      const at = id === undefined ? undefined : position.get(id);
      if (at === undefined) {
        if (id !== undefined) position.set(id, runs.length);
        runs.push(run);
      } else runs[at] = run;
    }
    if (entry.drop.length > 0) {
      const dropped = new Set(entry.drop);
      const kept = runs.filter((run) => !dropped.has(idOf(run) ?? ''));
      runs.length = 0;
      runs.push(...kept);
      position.clear();
      runs.forEach((run, i) => position.set(idOf(run) ?? '', i));
    }
  }
  return { ...snapshot, nextRunNumber, heads, runs };
}

/**
 * The runs history as it is on disk right now (snapshot + whole journal lines), not validated.
 * For tests and tools that read the history of a daemon that may have been killed; throws when the
 * snapshot does not parse.
 */
export function readRunsHistory(snapshotFile: string): RawDocument {
  const snapshot = existsSync(snapshotFile) ? (JSON.parse(readFileSync(snapshotFile, 'utf8')) as RawDocument) : (emptyRunsDocument() as RawDocument);
  const { journalSeq: _journalSeq, ...history } = replay(snapshot, readJournal(journalFileOf(snapshotFile)).entries);
  return history;
}

function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

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
  mkdirSync(dirname(file), { recursive: true });
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
   * An append failed (a full disk): if cutting its partial line off failed too, a later line would
   * join it and read as damage, so the next write compacts instead (and empties the journal).
   */
  let appendFailed = false;
  let journalBytes = 0;
  let snapshotBytes = 0;
  let writing: Promise<void> | null = null;
  let queued: Promise<void> | null = null;

  const compactAt = (): number => options.compactBytes ?? Math.min(MAX_COMPACT_BYTES, Math.max(MIN_COMPACT_BYTES, snapshotBytes));
  const stamp = () => now().toISOString().replace(/[:.]/g, '-');

  const openJournal = (): number => {
    if (journalFd !== null) return journalFd;
    const created = !existsSync(journalFile);
    journalFd = openSync(journalFile, 'a', 0o600);
    if (created) fsyncDir(dirname(journalFile)); // the new file's name is durable too
    return journalFd;
  };

  /** Writes the whole state as the new snapshot, then empties the journal. */
  const compact = async (doc: RunsDocument): Promise<void> => {
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
    journalBytes = 0;
    appendFailed = false;
  };

  const writeOnce = async (): Promise<void> => {
    const doc = db.data;
    const taken = pending;
    pending = new Set();
    const upsert: RunRecord[] = [];
    const added: string[] = [];
    for (const run of doc.runs) {
      if (!known.has(run.id)) {
        added.push(run.id);
        upsert.push(run);
      } else if (taken.has(run.id)) upsert.push(run);
    }
    // Runs on disk that are no longer in the document: only looked for when the count says some are.
    let drop: string[] = [];
    let current: Set<string> | null = null;
    if (known.size + added.length !== doc.runs.length) {
      current = new Set(doc.runs.map((r) => r.id));
      drop = [...known].filter((id) => !current?.has(id));
    }
    const heads = JSON.stringify(doc.heads);
    if (upsert.length === 0 && drop.length === 0 && doc.nextRunNumber === written.nextRunNumber && heads === written.heads) return;
    try {
      if (appendFailed || journalBytes >= compactAt()) {
        await compact(doc);
      } else {
        const entry: JournalEntry = { seq: lastSeq + 1, nextRunNumber: doc.nextRunNumber, heads: doc.heads, upsert, drop };
        const line = `${JSON.stringify(entry)}\n`;
        const fd = openJournal();
        try {
          writeFileSync(fd, line);
          fsyncSync(fd);
        } catch (err) {
          // A full disk: cut the partial line off so the journal stays whole lines, and fail the save.
          appendFailed = true;
          try {
            ftruncateSync(fd, journalBytes);
          } catch {
            // the next load drops a torn tail anyway
          }
          throw err;
        }
        journalBytes += Buffer.byteLength(line);
        lastSeq += 1;
        crash('store.appended');
      }
    } catch (err) {
      // Nothing of this write is on disk: its runs are written by the next save.
      for (const id of taken) pending.add(id);
      throw err;
    }
    if (current) known = current;
    else for (const id of added) known.add(id);
    written = { nextRunNumber: doc.nextRunNumber, heads };
  };

  const moveAside = async (reason: 'corrupt' | 'invalid'): Promise<string> => {
    const suffix = `${reason}-${stamp()}`;
    const aside = `${file}.${suffix}`;
    if (existsSync(file)) await rename(file, aside);
    if (existsSync(journalFile)) await rename(journalFile, `${journalFile}.${suffix}`);
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
      const journal = readJournal(journalFile);
      let warning: string | null = null;
      const parsed = RunsDocument.safeParse(replay(raw ?? (emptyRunsDocument() as RawDocument), journal.entries));
      if (!parsed.success) {
        const aside = await moveAside('invalid');
        return { doc: await startFresh(), warning: `history file ${file} does not match the expected format; moved aside to ${aside} (with its journal) and started a new one` };
      }
      const doc = parsed.data;
      db.data = doc;
      lastSeq = Math.max(typeof raw?.journalSeq === 'number' ? raw.journalSeq : 0, ...journal.entries.map((e) => (typeof e.seq === 'number' ? e.seq : 0)));
      snapshotBytes = existsSync(file) ? statSync(file).size : 0;
      journalBytes = journal.totalBytes;
      known = new Set(doc.runs.map((r) => r.id));
      written = { nextRunNumber: doc.nextRunNumber, heads: JSON.stringify(doc.heads) };
      if (journal.problem === 'corrupt') {
        // A whole line that does not parse is damage, not a cut-short write: keep a copy, and
        // start a clean journal from what was readable.
        const aside = `${journalFile}.corrupt-${stamp()}`;
        copyFileSync(journalFile, aside);
        warning = `history journal ${journalFile} has an unreadable line after ${journal.entries.length} good ones; kept a copy at ${aside} and continued from the readable part`;
        await compact(doc);
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
      await (queued ?? writing)?.catch(() => undefined);
      if (journalBytes > 0 || pending.size > 0) await compact(db.data);
      if (journalFd !== null) closeSync(journalFd);
      journalFd = null;
    },
  };
}
