// A file-system error in a writer fails that write's operation with the reason, never the daemon
// (RELIABILITY.md, file-system errors). A full disk for real: /dev/full (every write ENOSPC)
// bind-mounted over one log file, or a small tmpfs filled to its last byte. Axum opens no file
// through a link, so a link to /dev/full would be refused (ELOOP), not a full disk. Root only.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod/mini';
import { afterEach, describe, expect, it } from 'vitest';
import { createFsLogStore } from './fs-log-store.js';
import { createLowdbDocumentStore } from './lowdb-document-store.js';

const canMount = existsSync('/dev/full') && process.getuid?.() === 0;
const mounted: string[] = [];
afterEach(() => {
  for (const at of mounted.splice(0)) execFileSync('umount', ['-l', at]);
});
function mount(args: string[], at: string): void {
  execFileSync('mount', [...args, at]);
  mounted.push(at);
}

describe.skipIf(!canMount)('writers on a full disk', () => {
  it('a step log that cannot be written never throws: the sink says why, and the file stays a prefix', async () => {
    const root = mkdtempSync(join(tmpdir(), 'axum-logs-'));
    mkdirSync(join(root, 'run-1', 'logs'), { recursive: true });
    writeFileSync(join(root, 'run-1', 'logs', 'build.log'), '');
    mount(['--bind', '/dev/full'], join(root, 'run-1', 'logs', 'build.log'));
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

  it('a history document whose save fails keeps the old file, and saves again once the disk has room (a save queued behind the failed one is tried, not dropped)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'axum-doc-'));
    mount(['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs'], dir);
    const file = join(dir, 'doc.json');
    const store = createLowdbDocumentStore(file, z.object({ n: z.number() }), () => ({ n: 0 }));
    await store.load();
    await store.save({ n: 1 });
    const filler = join(dir, 'filler');
    try {
      execFileSync('sh', ['-c', `cat /dev/zero > '${filler}'`], { stdio: 'ignore' });
    } catch {
      // ENOSPC: full to the last byte, as meant
    }
    const failing = store.save({ n: 2 });
    const queued = store.save({ n: 3 }); // waits behind the failing write
    await expect(failing).rejects.toThrow(/ENOSPC/);
    // Still full when the queued write runs: it fails on its own, and the old file stands.
    await expect(queued).rejects.toThrow(/ENOSPC/);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ n: 1 });
    rmSync(filler, { force: true }); // room again: the failed saves do not fail the next one
    await expect(store.save({ n: 3 })).resolves.toBeUndefined();
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ n: 3 });
    await store.save({ n: 4 });
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ n: 4 });
  });
});
