// A file-system error in a writer fails that write's operation with the reason, never the daemon
// (RELIABILITY.md, file-system errors). /dev/full answers every write with ENOSPC: a log file or a
// history temp file that is a symlink to it is a full disk for that one file.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod/mini';
import { describe, expect, it } from 'vitest';
import { createFsLogStore } from './fs-log-store.js';
import { createLowdbDocumentStore } from './lowdb-document-store.js';

const hasDevFull = existsSync('/dev/full');

describe.skipIf(!hasDevFull)('writers on a full disk', () => {
  it('a step log that cannot be written never throws: the sink says why, and the file stays a prefix', async () => {
    const root = mkdtempSync(join(tmpdir(), 'axum-logs-'));
    mkdirSync(join(root, 'run-1', 'logs'), { recursive: true });
    symlinkSync('/dev/full', join(root, 'run-1', 'logs', 'build.log'));
    const store = createFsLogStore(root);
    const sink = store.open('run-1', 'build', []);
    expect(() => sink.write(Buffer.from('hello\n'))).not.toThrow();
    expect(() => sink.write(Buffer.from('more\n'))).not.toThrow();
    expect(sink.failure()).toMatch(/^its log could not be written \(ENOSPC/);
    await expect(sink.close()).resolves.toBe(0);
    // Another step's log on a healthy file is untouched by the first one's failure.
    const other = store.open('run-1', 'test', []);
    other.write(Buffer.from('fine\n'));
    await other.close();
    expect(other.failure()).toBeNull();
    expect(readFileSync(join(root, 'run-1', 'logs', 'test.log'), 'utf8')).toBe('fine\n');
  });

  it('a history document whose save fails keeps the old file, and saves again once the disk has room (a save queued behind the failed one too)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axum-doc-'));
    const file = join(dir, 'doc.json');
    const store = createLowdbDocumentStore(file, z.object({ n: z.number() }), () => ({ n: 0 }));
    await store.load();
    await store.save({ n: 1 });
    symlinkSync('/dev/full', `${file}.tmp`); // the temp file of the next write is a full disk
    const failing = store.save({ n: 2 });
    const queued = store.save({ n: 3 }); // waits behind the failing write
    await expect(failing).rejects.toThrow(/ENOSPC/);
    rmSync(`${file}.tmp`, { force: true }); // room again, before the queued write starts
    await expect(queued).resolves.toBeUndefined();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ n: 3 });
    await store.save({ n: 4 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ n: 4 });
  });
});
