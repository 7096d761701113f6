import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LIVE_TAIL_BYTES, createFsLogStore } from './fs-log-store.js';

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
    expect(await store.read('run-9', 's', 0, 10)).toEqual({ data: Buffer.alloc(0), size: 0, times: [], open: false });
    // The side index dates the output without touching the log's bytes.
    expect((await store.read('run-2', 's', 0, 1000)).times.length).toBeGreaterThan(0);
  });
});

describe('createFsLogStore, reads of an open log', () => {
  it('serves the newest bytes from memory exactly as the file holds them, older ones from the file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'axum-logs-'));
    let clock = 1_000;
    const store = createFsLogStore(root, undefined, () => clock);
    const sink = store.open('run-3', 's', ['hunter2']);
    // More than the in-memory tail, in writes of odd sizes, with a secret cut across two writes.
    const line = (i: number) => `${String(i).padStart(6, '0')} hunter2 ${'x'.repeat(200 + (i % 500))}\n`;
    let printed = '';
    for (let i = 0; printed.length < LIVE_TAIL_BYTES * 1.5; i++) {
      const text = line(i);
      printed += text;
      const cut = text.indexOf('hunt') + 2;
      sink.write(Buffer.from(text.slice(0, cut)));
      sink.write(Buffer.from(text.slice(cut)));
      clock += 7;
    }
    const path = join(root, 'run-3', 'logs', 's.log');
    const file = () => readFileSync(path);
    const size = sink.size();
    expect(size).toBe(file().length);
    expect(file().toString()).toBe(printed.replaceAll('hunter2', '***'));
    // Every range, inside the tail, across its start, and before it, reads as the file does.
    for (const offset of [0, 1, size - LIVE_TAIL_BYTES - 10, size - LIVE_TAIL_BYTES + 3, size - 100_000, size - 5, size, size + 10]) {
      const got = await store.read('run-3', 's', offset, 64 * 1024);
      expect(got.size).toBe(size);
      expect(got.data.equals(file().subarray(offset, Math.min(size, offset + 64 * 1024)))).toBe(true);
      // The index entry in force at the offset, then every entry inside the range.
      expect(got.times[0]![0]).toBeLessThanOrEqual(offset);
      for (const [o] of got.times.slice(1)) expect(o > offset && o < offset + got.data.length).toBe(true);
    }
    await sink.close();
    const after = await store.read('run-3', 's', size - 100_000, 64 * 1024);
    expect(after.data.equals(file().subarray(size - 100_000, size - 100_000 + 64 * 1024))).toBe(true);
  });

  it('indexes times the same way before and after close, and across a retry', async () => {
    const root = mkdtempSync(join(tmpdir(), 'axum-logs-'));
    let clock = 0;
    const store = createFsLogStore(root, undefined, () => clock);
    const first = store.open('run-4', 's', []);
    for (let i = 0; i < 20; i++) {
      first.write(Buffer.from(`line ${i}\n`));
      clock += 60;
    }
    const live = await store.read('run-4', 's', 0, 1000);
    await first.close();
    const closed = await store.read('run-4', 's', 0, 1000);
    expect(live.open).toBe(true);
    expect(closed).toEqual({ ...live, data: closed.data, open: false });
    expect(closed.data.equals(live.data)).toBe(true);
    const fromFile = await createFsLogStore(root).read('run-4', 's', 0, 1000);
    expect(fromFile.times).toEqual(closed.times);

    const retry = store.open('run-4', 's', []);
    clock += 1000;
    retry.write(Buffer.from('again\n'));
    const all = await store.read('run-4', 's', 0, 1000);
    expect(all.data.toString()).toBe(`${Array.from({ length: 20 }, (_, i) => `line ${i}\n`).join('')}again\n`);
    expect(all.times.slice(0, closed.times.length)).toEqual(closed.times);
    expect(all.times.at(-1)).toEqual([closed.size, clock]);
    await retry.close();
    expect((await createFsLogStore(root).read('run-4', 's', 0, 1000)).times).toEqual(all.times);
  });

  it('reads an open log up to its last whole UTF-8 character, a finished one to its end', async () => {
    const root = mkdtempSync(join(tmpdir(), 'axum-logs-'));
    const store = createFsLogStore(root);
    const text = Buffer.from('é€😀\n');
    const sink = store.open('run-5', 's', []);
    sink.write(text.subarray(0, 4)); // é and the first 2 bytes of €
    expect((await store.read('run-5', 's', 0, 100)).data.toString()).toBe('é');
    expect((await store.read('run-5', 's', 2, 100)).data).toEqual(Buffer.alloc(0)); // the rest is on its way
    expect((await store.read('run-5', 's', 2, 1)).data).toEqual(text.subarray(2, 3)); // a 1-byte read still moves on
    sink.write(text.subarray(4, 7)); // the rest of €, then 😀 cut after 1 byte
    expect((await store.read('run-5', 's', 0, 100)).data.toString()).toBe('é€');
    expect((await store.read('run-5', 's', 0, 4)).data.toString()).toBe('é'); // a range cut inside €
    sink.write(text.subarray(7));
    expect((await store.read('run-5', 's', 0, 100)).data.toString()).toBe('é€😀\n');
    sink.write(Buffer.from([0x41, 0xf0, 0x9f])); // a step that ends inside a character
    expect((await store.read('run-5', 's', text.length, 100)).data.toString()).toBe('A');
    await sink.close();
    expect((await store.read('run-5', 's', text.length, 100)).data).toEqual(Buffer.from([0x41, 0xf0, 0x9f]));
    expect((await store.read('run-5', 's', 0, 4)).data.toString()).toBe('é');
  });
});
