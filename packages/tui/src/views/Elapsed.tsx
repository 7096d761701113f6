import { Text } from 'ink';
import { useEffect, useState } from 'react';

/** Seconds as `42s` / `3m05s`. */
export function formatElapsed(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

/** A finished duration: under a second in milliseconds (`83ms`), as `axum runs` says it, never `0s`; else as {@link formatElapsed}. */
export function formatDuration(ms: number): string {
  return ms >= 0 && ms < 1000 ? `${Math.round(ms)}ms` : formatElapsed(ms);
}

/**
 * A running time that moves by itself: only this cell renders on a tick, not the table around it,
 * and only when its text changes (React keeps a state set to the same string). With Ink's
 * incremental rendering only the line it is on is written to the terminal then.
 */
export function Elapsed({ since, width }: { since: number; width: number }) {
  const [text, setText] = useState(() => formatElapsed(Date.now() - since));
  useEffect(() => {
    setText(formatElapsed(Date.now() - since));
    const timer = setInterval(() => setText(formatElapsed(Date.now() - since)), 1000);
    return () => clearInterval(timer);
  }, [since]);
  return <Text>{text.slice(0, width - 1).padEnd(width)}</Text>;
}
