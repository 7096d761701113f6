import { useInput, useStdin, type Key } from 'ink';
import { useEffect, useRef } from 'react';
import { splitPresses } from '../state/key-presses.js';

/**
 * Ink's `useInput`, one press at a time: a burst of keys typed faster than a frame (or pasted), and
 * Esc pressed twice quickly, come as one input and are handed on as the presses they are
 * (key-presses.ts). `useInput` does not say which bytes it parsed a press from — `ESC ESC` and a lone
 * `ESC` reach it alike — so the bytes are read off the same event just before it.
 */
export function useKeyPresses(onPresses: (presses: { input: string; key: Key }[]) => void): void {
  const { internal_eventEmitter: events } = useStdin();
  const raw = useRef('');
  useEffect(() => {
    const seen = (data: string) => {
      raw.current = data;
    };
    // First in line, whenever useInput (re)subscribes: the bytes are those of the press it handles.
    events.prependListener('input', seen);
    return () => {
      events.removeListener('input', seen);
    };
  }, [events]);
  useInput((input, key) => onPresses(splitPresses(input, key, raw.current)));
}
