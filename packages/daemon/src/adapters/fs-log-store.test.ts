import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFsLogStore } from './fs-log-store.js';

describe('createFsLogStore', () => {
  it('cuts a run at its cap with a visible marker, across steps', async () => {
    const root = mkdtempSync(join(tmpdir(), 'axum-logs-'));
    const store = createFsLogStore(root, 100);
    const a = store.open('run-1', 'a', []);
    a.write(Buffer.alloc(60, 'a'));
    await a.close();
    const b = store.open('run-1', 'b', []);
    b.write(Buffer.alloc(60, 'b'));
    b.write(Buffer.from('never written'));
    await b.close();
    const text = readFileSync(join(root, 'run-1', 'logs', 'b.log'), 'utf8');
    expect(text.startsWith('b'.repeat(40))).toBe(true);
    expect(text).toContain('[axum] log cap of 100 bytes per run reached');
    expect(text).not.toContain('never written');
  });

  it('reads from any offset, and a retry appends to the same file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'axum-logs-'));
    const store = createFsLogStore(root);
    const first = store.open('run-2', 's', ['s3cr3t!']);
    first.write(Buffer.from('one s3c'));
    first.write(Buffer.from('r3t! two\n'));
    expect(await first.close()).toBe(12);
    const retry = store.open('run-2', 's', []);
    expect(retry.size()).toBe(12);
    retry.write(Buffer.from('three\n'));
    await retry.close();
    expect((await store.read('run-2', 's', 0, 1000)).data.toString()).toBe('one *** two\nthree\n');
    expect((await store.read('run-2', 's', 12, 3)).data.toString()).toBe('thr');
    expect(await store.read('run-9', 's', 0, 10)).toEqual({ data: Buffer.alloc(0), size: 0, times: [] });
    // The side index dates the output without touching the log's bytes.
    expect((await store.read('run-2', 's', 0, 1000)).times.length).toBeGreaterThan(0);
  });
});
