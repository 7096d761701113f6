import { describe, expect, it } from 'vitest';
import { LogBuffer, MAX_LOG_LINES } from './log-buffer.js';

describe('LogBuffer', () => {
  it('joins lines split across chunks and remembers the offset to resume from', () => {
    const buffer = new LogBuffer();
    buffer.append('epoch 1\nepo', 11, false);
    expect(buffer.all()).toEqual(['epoch 1', 'epo']);
    buffer.append('ch 2\n', 16, false);
    expect(buffer.all()).toEqual(['epoch 1', 'epoch 2']);
    expect(buffer.offset).toBe(16);
    buffer.append('done', 20, true);
    expect(buffer.lines).toEqual(['epoch 1', 'epoch 2', 'done']);
    expect(buffer.complete).toBe(true);
  });

  it('dates each line from the side index by its byte offset', () => {
    const buffer = new LogBuffer();
    buffer.append('a\nbé\n', 5, false, [[0, 1000]]);
    buffer.append('c\n', 7, false, [[5, 2000]]);
    expect(buffer.lines).toEqual(['a', 'bé', 'c']);
    expect(buffer.times).toEqual([1000, 1000, 2000]);
  });

  it('keeps a bounded number of lines', () => {
    const buffer = new LogBuffer();
    buffer.append(`${'x\n'.repeat(MAX_LOG_LINES + 5)}`, 1, false);
    expect(buffer.lines.length).toBe(MAX_LOG_LINES);
    expect(buffer.dropped).toBe(5);
  });
});
