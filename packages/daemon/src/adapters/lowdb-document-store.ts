
import { writeFileDurably } from './durable-file.js';
import { readFile, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { mkdirNoFollow } from '@axum/protocol';
import { Low, type Adapter } from 'lowdb';
import type { z } from 'zod/mini';
import { noCrash, type CrashHook } from '../engine/crash-points.js';
import type { DocumentStore } from '../engine/ports.js';

/**
 * A lowdb adapter that writes compact JSON to a temp file, fsyncs it, renames it over the old one
 * and fsyncs the folder: atomic against kill -9 and durable against power loss. lowdb's own
 * `JSONFile` pretty-prints (+50%) and renames without fsync. (Not `JSONFilePreset`: it silently
 * goes in-memory when NODE_ENV=test.)
 */
export class DurableJsonFile<T> implements Adapter<T> {
  constructor(
    private readonly file: string,
    private readonly crash: CrashHook,
  ) {}

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    return JSON.parse(text) as T; // throws on an empty or truncated file: the store moves it aside
  }

  async write(data: T): Promise<void> {
    writeFileDurably(this.file, JSON.stringify(data), { crash: this.crash });
  }
}

/**
 * One JSON document in lowdb 7, validated by `schema` on load. Writes are coalesced: while one is
 * in flight, later saves wait and are written together; each `save` resolves once a write that
 * includes its state is durable. Keep documents small: lowdb rewrites the whole file each time.
 */
export function createLowdbDocumentStore<T>(
  file: string,
  schema: z.ZodMiniType<T>,
  empty: () => T,
  options: { now?: () => Date; crash?: CrashHook } = {},
): DocumentStore<T> {
  const now = options.now ?? (() => new Date());
  mkdirNoFollow(dirname(file));
  const db = new Low<T>(new DurableJsonFile<T>(file, options.crash ?? noCrash), empty());
  let writing: Promise<void> | null = null;
  let queued: Promise<void> | null = null;

  const writeLoop = (): Promise<void> => db.write();

  return {
    async load() {
      let raw: unknown;
      try {
        await db.read();
        raw = db.data;
      } catch (err) {
        const aside = `${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`;
        await rename(file, aside);
        db.data = empty();
        await db.write();
        return { doc: db.data, warning: `history file ${file} could not be read (${(err as Error).message}); moved aside to ${aside} and started a new one` };
      }
      if (raw === null || raw === undefined) return { doc: db.data, warning: null };
      const parsed = schema.safeParse(raw);
      if (parsed.success) {
        db.data = parsed.data;
        return { doc: db.data, warning: null };
      }
      const aside = `${file}.invalid-${now().toISOString().replace(/[:.]/g, '-')}`;
      await rename(file, aside);
      db.data = empty();
      await db.write();
      return { doc: db.data, warning: `history file ${file} does not match the expected format; moved aside to ${aside} and started a new one` };
    },
    save(doc) {
      db.data = doc;
      if (queued) return queued;
      if (!writing) {
        writing = writeLoop().finally(() => (writing = null));
        return writing;
      }
      // One write in flight: the next one covers every save made until it starts.
      // After a failed write too: a save that failed (a full disk) must not fail every later one.
      queued = writing.catch(() => undefined).then(() => {
        queued = null;
        writing = writeLoop().finally(() => (writing = null));
        return writing;
      });
      return queued;
    },
  };
}
