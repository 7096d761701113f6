import { existsSync, readFileSync } from 'node:fs';
import { emptyRunsDocument, type RunRecord } from '../domain/history.js';

// The runs history's files and their format: a snapshot (`runs.json`, the whole document) and the
// journal (`runs.journal`, one JSON line per save naming only the runs that changed). While a
// compaction folds the journal into a new snapshot in the background, the journal being folded is
// `runs.journal.old` and new saves go to a fresh `runs.journal`. Lines are numbered (`seq`, counting
// on across segments and compactions) and the snapshot records the last line it holds
// (`journalSeq`): lines it already holds are skipped on load, never replayed over it.

/** One journal line: the document's small fields, the changed runs whole, the dropped runs' ids. */
export interface JournalEntry {
  /** The line's number, counting on across compactions (absent in lines of the first version). */
  seq?: number;
  nextRunNumber: number;
  heads: Record<string, string> | null;
  upsert: unknown[];
  drop: string[];
}

export interface RawDocument {
  /** The last journal line the snapshot holds (written by compactions). */
  journalSeq?: unknown;
  version?: unknown;
  nextRunNumber?: unknown;
  heads?: unknown;
  runs?: unknown;
}

/** A journal segment read back: the entries of its whole lines, and where a bad part starts. */
export interface JournalRead {
  entries: JournalEntry[];
  /** Bytes of whole, readable lines. */
  goodBytes: number;
  totalBytes: number;
  /** 'torn': the last line is incomplete (a write cut short). 'corrupt': a complete line does not parse. */
  problem: 'torn' | 'corrupt' | null;
}

const MIN_COMPACT_BYTES = 64 * 1024;
const MAX_COMPACT_BYTES = 1024 * 1024;

/** The journal size that triggers a compaction by default: the snapshot's, between 64 KiB and 1 MiB. */
export const defaultCompactBytes = (snapshotBytes: number): number => Math.min(MAX_COMPACT_BYTES, Math.max(MIN_COMPACT_BYTES, snapshotBytes));

/**
 * `AXUM_HISTORY_COMPACT_BYTES`: the journal size that triggers a compaction, when a whole number of
 * at least 1 (crash tests set it small so compactions happen often); else null, the default.
 */
export function compactBytesFromEnv(value: string | undefined, logger?: { warn(message: string): void }): number | null {
  if (value === undefined || value === '') return null;
  const bytes = Number(value);
  if (Number.isSafeInteger(bytes) && bytes >= 1) return bytes;
  logger?.warn(`AXUM_HISTORY_COMPACT_BYTES=${value} is not a whole number of at least 1; using the default`);
  return null;
}

export const journalFileOf = (snapshotFile: string): string => snapshotFile.replace(/\.json$/, '') + '.journal';
/** The journal segment a background compaction is folding (renamed aside from the journal). */
export const foldingJournalFileOf = (snapshotFile: string): string => `${journalFileOf(snapshotFile)}.old`;

// `parseJournal` and `replay` also run in the compaction's worker thread, which gets their source
// text (runs-fold.ts): they use only their arguments and JavaScript's globals.

/** Splits a segment's bytes into entries, stopping at a torn or unreadable line. */
export function parseJournal(bytes: Buffer): JournalRead {
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

/** Applies journal entries to a raw (not yet validated) snapshot, in order, skipping those it holds. */
export function replay(snapshot: RawDocument, all: readonly JournalEntry[]): RawDocument {
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

export function readJournal(file: string): JournalRead {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], goodBytes: 0, totalBytes: 0, problem: null };
    throw err;
  }
  return parseJournal(bytes);
}

/** The highest line number among a snapshot and journal entries (0 when none is numbered). */
export function lastSeqOf(snapshot: RawDocument | null, entries: readonly JournalEntry[]): number {
  let last = typeof snapshot?.journalSeq === 'number' ? snapshot.journalSeq : 0;
  for (const entry of entries) if (typeof entry.seq === 'number' && entry.seq > last) last = entry.seq;
  return last;
}

/**
 * The runs history as it is on disk right now (snapshot + the whole lines of both journal
 * segments), not validated. For tests and tools that read the history of a daemon that may have
 * been killed; throws when the snapshot does not parse.
 */
export function readRunsHistory(snapshotFile: string): RawDocument {
  const snapshot = existsSync(snapshotFile) ? (JSON.parse(readFileSync(snapshotFile, 'utf8')) as RawDocument) : (emptyRunsDocument() as RawDocument);
  const entries = [...readJournal(foldingJournalFileOf(snapshotFile)).entries, ...readJournal(journalFileOf(snapshotFile)).entries];
  const { journalSeq: _journalSeq, ...history } = replay(snapshot, entries);
  return history;
}

/**
 * What a journal line must hold: the runs new since the last write (`added`, also in `upsert`) or
 * changed in place (`changed`), and the ids on disk no longer in the document — looked for only when
 * the count says some are (`current`: every id now, null when not looked for).
 */
export function runChanges(runs: readonly RunRecord[], known: ReadonlySet<string>, changed: ReadonlySet<string>): { upsert: RunRecord[]; added: string[]; drop: string[]; current: Set<string> | null } {
  const upsert: RunRecord[] = [];
  const added: string[] = [];
  for (const run of runs) {
    if (!known.has(run.id)) {
      added.push(run.id);
      upsert.push(run);
    } else if (changed.has(run.id)) upsert.push(run);
  }
  if (known.size + added.length === runs.length) return { upsert, added, drop: [], current: null };
  const current = new Set(runs.map((r) => r.id));
  return { upsert, added, drop: [...known].filter((id) => !current.has(id)), current };
}
