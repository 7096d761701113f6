import type { Key } from 'ink';
import { render } from 'ink-testing-library';
import { createElement } from 'react';
import { describe, expect, it } from 'vitest';
import { splitPresses } from './key-presses.js';
import { useKeyPresses } from '../views/use-key-presses.js';

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

/** What each press is, as the keymap reads it. */
const named = (p: { input: string; key: Key }) => (p.key.escape ? 'Esc' : p.key.tab ? 'Tab' : p.key.return ? 'Enter' : p.key.upArrow ? 'Up' : p.key.pageDown ? 'PgDn' : p.input);

/** The presses the App handles for bytes that reach Ink's stdin in one write, through Ink's own parsing. */
async function pressesOf(bytes: string): Promise<string[]> {
  const seen: string[] = [];
  function Probe() {
    useKeyPresses((presses) => {
      for (const press of presses) seen.push(named(press));
    });
    return null;
  }
  const { stdin, unmount } = render(createElement(Probe));
  // Ink reads stdin once its effects ran: the write waits for that.
  await new Promise((r) => setImmediate(r));
  stdin.write(bytes);
  // A read that ends in ESC is held a moment by Ink (the start of a sequence?), then handed on.
  await new Promise((r) => setTimeout(r, 20));
  unmount();
  return seen;
}

describe('Esc typed together with the next key', () => {
  it('is Esc, then that key: Ink would read ESC + Tab as no key and ESC + j as alt+j', async () => {
    expect(await pressesOf('\u001b\t')).toEqual(['Esc', 'Tab']);
    expect(await pressesOf('\u001bj')).toEqual(['Esc', 'j']);
    expect(await pressesOf('\u001bG')).toEqual(['Esc', 'G']);
    expect(await pressesOf('\u001b\r')).toEqual(['Esc', 'Enter']);
  });

  it('leaves the keys Ink names alone: an arrow, Tab, a lone Esc', async () => {
    expect(await pressesOf('\u001b[A')).toEqual(['Up']);
    expect(await pressesOf('\t')).toEqual(['Tab']);
    expect(splitPresses('', { ...key, escape: true, meta: true })).toHaveLength(1);
  });
});

describe('Esc pressed twice quickly', () => {
  it('is two Esc presses, not one: Ink reads ESC ESC in one read as one key, Esc held with alt', async () => {
    expect(await pressesOf('\u001b\u001b')).toEqual(['Esc', 'Esc']);
    expect(await pressesOf('\u001b\u001b\u001b')).toEqual(['Esc', 'Esc', 'Esc']);
    expect(await pressesOf('\u001b')).toEqual(['Esc']);
    // And Esc with an arrow at once (Ink: the arrow held with alt) is Esc, then the arrow.
    expect(await pressesOf('\u001b\u001b[A')).toEqual(['Esc', 'Up']);
    expect(await pressesOf('\u001b\u001b[6~')).toEqual(['Esc', 'PgDn']);
  });
});
