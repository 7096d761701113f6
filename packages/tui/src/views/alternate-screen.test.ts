import { describe, expect, it } from 'vitest';
import { enterAlternateScreen } from './alternate-screen.js';

/** A stdout that keeps what is written. */
function fakeStdout() {
  const written: string[] = [];
  return { written, stream: { write: (s: string) => written.push(s) > 0 } as unknown as NodeJS.WriteStream };
}

describe('the alternate screen', () => {
  it('is entered at once and left once, by leave or by an uncaught error, whichever comes first', () => {
    const out = fakeStdout();
    const screen = enterAlternateScreen(out.stream);
    expect(out.written).toEqual(['\u001b[?1049h\u001b[H']);
    // Before Node prints the error: the message lands on the shell's screen, not the TUI's.
    (process.emit as (event: string, ...args: unknown[]) => boolean)('uncaughtExceptionMonitor', new Error('boom'), 'uncaughtException');
    expect(out.written).toEqual(['\u001b[?1049h\u001b[H', '\u001b[?1049l\u001b[?25h']);
    screen.leave();
    expect(out.written).toHaveLength(2);
    expect(process.listeners('exit')).not.toContain(screen.leave);
  });

  it('on a signal someone else listened for first, stops the app and leaves, and lets that listener decide', () => {
    const out = fakeStdout();
    const theirs = () => undefined;
    process.on('SIGHUP', theirs);
    try {
      const screen = enterAlternateScreen(out.stream);
      let stopped = 0;
      screen.onSignals(() => stopped++);
      // The process is still here afterwards: not sent the signal again.
      process.emit('SIGHUP', 'SIGHUP');
      expect(stopped).toBe(1);
      expect(out.written.at(-1)).toBe('\u001b[?1049l\u001b[?25h');
      expect(process.listeners('SIGHUP')).toEqual([theirs]);
    } finally {
      process.off('SIGHUP', theirs);
    }
  });

  it('leaves on a signal that comes before the app is drawn (while the daemon is reached or Ink loads)', () => {
    const out = fakeStdout();
    const theirs = () => undefined;
    process.on('SIGHUP', theirs);
    try {
      enterAlternateScreen(out.stream);
      process.emit('SIGHUP', 'SIGHUP');
      expect(out.written).toEqual(['\u001b[?1049h\u001b[H', '\u001b[?1049l\u001b[?25h']);
      expect(process.listeners('SIGHUP')).toEqual([theirs]);
    } finally {
      process.off('SIGHUP', theirs);
    }
  });
});
