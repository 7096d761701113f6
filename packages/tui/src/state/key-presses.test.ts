import type { Key } from 'ink';
import { describe, expect, it } from 'vitest';
import { splitPresses } from './key-presses.js';

const key = { return: false, tab: false, escape: false, ctrl: false, meta: false } as Key;

describe('splitPresses', () => {
  it('splits a burst of typed characters, Enter and Tab included', () => {
    const presses = splitPresses('tion\r', key);
    expect(presses.map((p) => p.input || (p.key.return ? '⏎' : '?')).join('')).toBe('tion⏎');
    expect(splitPresses('\t\r', key).map((p) => (p.key.tab ? 'tab' : p.key.return ? 'enter' : p.input))).toEqual(['tab', 'enter']);
  });

  it('leaves single keys and escape sequences alone', () => {
    expect(splitPresses('j', key)).toEqual([{ input: 'j', key }]);
    expect(splitPresses('\u001b[A', key)).toHaveLength(1);
  });
});
