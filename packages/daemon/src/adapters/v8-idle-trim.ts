// Gives memory back to the system once the daemon goes quiet.
//
// The daemon sits idle most of its life, and V8 sizes its heap for the last burst of work: after
// start-up and after a run the young generation stays at its grown 16 MiB (~8 MiB resident) and
// the old generation keeps pages of garbage until the next full collection, which an idle process
// may not have for a long time (V8's own memory reducer came after ~30 s, or not at all, in
// BENCHMARKS.md's idle-memory runs).
//
// So: `idleMs` after the last poke, one full collection (frees the burst's garbage); V8 only
// shrinks the young generation in a collection that sees a low allocation rate over its last
// ~5 s, so the next ones come from `windowMs` after the poke, every `roundMs`, until it is back to
// its minimum; then a last, compacting one. Each is a few ms on the daemon's ~10 MiB heap (about
// six per quiet period), and any poke starts over. The alternative,
// --max-semi-space-size, keeps the young generation small all the time but halved the log
// fan-out throughput (BENCHMARKS.md).
//
// `gc` is the function node exposes with --expose-gc (the CLI spawns the daemon with it, see
// DAEMON_NODE_FLAGS); started without it, trimming is off.
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

export interface IdleTrimmer {
  /** Something happened (a run changed, a client attached): trim once it has been quiet for `idleMs`. */
  poke(): void;
  stop(): void;
}

/** The young generation at or below this (two 1 MiB semi-spaces, V8's minimum) is trimmed. */
const YOUNG_MIN_BYTES = 2 * 1024 * 1024;

export function createIdleTrimmer(options: {
  idleMs: number;
  windowMs?: number;
  roundMs?: number;
  maxRounds?: number;
  gc?: () => void;
  youngBytes?: () => number;
}): IdleTrimmer {
  const gc = options.gc ?? (globalThis as { gc?: () => void }).gc;
  const windowMs = options.windowMs ?? 4500;
  const roundMs = options.roundMs ?? 250;
  const maxRounds = options.maxRounds ?? 20;
  const youngBytes = options.youngBytes ?? (() => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0);
  let timer: NodeJS.Timeout | null = null;
  let rounds = 0;
  const trim = (): void => {
    rounds++;
    if (youngBytes() > YOUNG_MIN_BYTES && rounds < maxRounds) {
      gc?.();
      // unref: a pending trim never keeps the daemon alive while it shuts down.
      timer = setTimeout(trim, rounds === 1 ? Math.max(roundMs, windowMs - options.idleMs) : roundMs).unref();
      return;
    }
    // Last round: a compacting one. V8 compacts only the most fragmented pages by default, and
    // after start-up and a run the old generation kept ~2 MiB of half-empty pages. The flag is
    // switched on for this one collection only: under load, compacting everything would cost.
    setFlagsFromString('--compact-on-every-full-gc');
    try {
      gc?.();
    } finally {
      setFlagsFromString('--no-compact-on-every-full-gc');
    }
    timer = null;
  };
  return {
    poke() {
      if (!gc) return;
      rounds = 0;
      if (timer) clearTimeout(timer);
      timer = setTimeout(trim, options.idleMs).unref();
    },
    stop() {
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
