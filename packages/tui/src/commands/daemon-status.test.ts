import { describe, expect, it } from 'vitest';
import { notAnsweringLine } from './daemon.js';

describe('axum daemon status of a daemon that does not answer', () => {
  it('says how to resume a stopped one, and only a stopped one', () => {
    expect(notAnsweringLine(42, 'T')).toBe('daemon not answering: pid 42 holds the lock and is stopped (Ctrl-Z or SIGSTOP); resume it with kill -CONT 42');
    expect(notAnsweringLine(42, 'S')).toBe('daemon not answering (pid 42 holds the lock)');
    expect(notAnsweringLine(42, null)).toBe('daemon not answering (pid 42 holds the lock)');
  });
});
