import { describe, expect, it } from 'vitest';
import { decodeDaemonMessage, type LogChunk } from '@axum/protocol';
import { LogFollower, STREAM_PAUSE_BYTES } from './log-follower.js';
import type { LogSource } from './log-source.js';

/** A pipeline with one run whose step's log grows as the test writes; readLog cuts at newlines like the real one. */
function fakeLog(runId: string) {
  let log = Buffer.alloc(0);
  let done = false;
  let reads = 0;
  const listeners = new Set<(runId: string, step: string) => void>();
  const pipeline = {
    resolve: async (id: string) => id,
    async readLog({ offset, limit }: { offset: number; limit: number }): Promise<LogChunk> {
      reads++;
      await Promise.resolve();
      const data = log.subarray(offset, offset + limit);
      const lastNewline = data.lastIndexOf(10);
      const bytes = offset + data.length < log.length && lastNewline >= 0 ? data.subarray(0, lastNewline + 1) : data;
      const nextOffset = offset + bytes.length;
      return { runId, step: 's', offset, nextOffset, data: bytes.toString('utf8'), complete: done && nextOffset >= log.length, times: [] };
    },
    onLogActivity(listener: (runId: string, step: string) => void) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  } satisfies LogSource;
  const activity = () => {
    for (const listener of listeners) listener(runId, 's');
  };
  return {
    pipeline,
    write(text: string) {
      log = Buffer.concat([log, Buffer.from(text)]);
      activity();
    },
    end() {
      done = true;
      activity();
    },
    reads: () => reads,
    bytes: () => log,
  };
}

/** A client of the follower: the chunks it was sent, decoded; `unsent` is what its socket still holds. */
function client(pipeline: LogSource) {
  const chunks: LogChunk[] = [];
  const state = { unsent: 0 };
  const follower = new LogFollower(
    pipeline,
    (frame) => {
      const decoded = decodeDaemonMessage(frame.toString('utf8'));
      if (!decoded.ok || decoded.message.type !== 'log.chunk') throw new Error('not a log.chunk frame');
      chunks.push(decoded.message);
    },
    () => state.unsent,
  );
  const text = () => chunks.map((c) => c.data).join('');
  const contiguous = () => chunks.every((c, i) => c.offset === (i === 0 ? 0 : chunks[i - 1]!.nextOffset));
  return { follower, chunks, state, text, contiguous, complete: () => chunks.at(-1)?.complete === true };
}

const settle = async (until: () => boolean) => {
  for (let i = 0; i < 500 && !until(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(until()).toBe(true);
};

const lines = (from: number, count: number) => Array.from({ length: count }, (_, i) => `line ${from + i} ${'x'.repeat(90)}\n`).join('');

describe('LogFollower', () => {
  it('clients at the same offset share each read, and every one gets the whole log in order, once', async () => {
    const log = fakeLog('run-1');
    const clients = Array.from({ length: 10 }, () => client(log.pipeline));
    for (const c of clients) await c.follower.follow('run-1', 's', 0);
    for (let i = 0; i < 20; i++) {
      log.write(lines(i * 100, 100));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    log.end();
    await settle(() => clients.every((c) => c.complete()));
    for (const c of clients) {
      expect(c.contiguous()).toBe(true);
      expect(c.text()).toBe(log.bytes().toString());
    }
    // Ten followers, but about one read per chunk (and a few "nothing new yet").
    expect(log.reads()).toBeLessThan(clients[0]!.chunks.length * 3);
  });

  it('a follower that found nothing new gets the next bytes as they are written', async () => {
    const log = fakeLog('run-2');
    const a = client(log.pipeline);
    const b = client(log.pipeline);
    await a.follower.follow('run-2', 's', 0);
    await b.follower.follow('run-2', 's', 0);
    await new Promise((resolve) => setTimeout(resolve, 10)); // both found the empty log
    log.write('first\n');
    await settle(() => a.text() === 'first\n' && b.text() === 'first\n');
    log.write('second\n');
    log.end();
    await settle(() => a.complete() && b.complete());
    expect(a.text()).toBe('first\nsecond\n');
    expect(b.text()).toBe('first\nsecond\n');
  });

  it('a paused follower (its client over the pause threshold) falls behind, then catches up with no gap and no duplicate', async () => {
    const log = fakeLog('run-3');
    const fast = client(log.pipeline);
    const slow = client(log.pipeline);
    await fast.follower.follow('run-3', 's', 0);
    await slow.follower.follow('run-3', 's', 0);
    log.write(lines(0, 50));
    await settle(() => slow.text().length > 0);
    slow.state.unsent = STREAM_PAUSE_BYTES + 1;
    for (let i = 1; i < 40; i++) log.write(lines(i * 50, 50)); // ~200 KiB: several chunks behind
    await settle(() => fast.text() === log.bytes().toString());
    slow.state.unsent = 0;
    log.end();
    await settle(() => slow.complete() && fast.complete());
    for (const c of [fast, slow]) {
      expect(c.contiguous()).toBe(true);
      expect(c.text()).toBe(log.bytes().toString());
    }
  });
});
