/** Frame interval of a log that can still be read as it scrolls (~15 fps). */
export const LOG_FRAME_MS = 66;
/**
 * Frame interval while lines arrive faster than anyone reads (~10 fps): each frame is a new
 * screenful anyway, and every frame costs a full Ink render (layout, a cell grid, the diff, the
 * write). Key presses do not wait for it: they re-render the app at once.
 */
export const FIREHOSE_FRAME_MS = 100;
/** Above this a log scrolls by faster than it can be read. */
export const READABLE_LINES_PER_SECOND = 100;

/** The interval until the next log frame, from the rate lines arrived at since the last one. */
export function frameInterval(lines: number, elapsedMs: number): number {
  return (lines * 1000) / Math.max(1, elapsedMs) > READABLE_LINES_PER_SECOND ? FIREHOSE_FRAME_MS : LOG_FRAME_MS;
}

/**
 * Coalesces log changes into frames: `changed()` on every chunk, `render()` at most once per
 * interval (at once if the last frame is older than that). The clock and timer are injected so
 * the pacing is a plain unit.
 */
export class FramePacer {
  private timer: unknown = null;
  private lastFrameAt: number;
  private linesAtFrame: number;
  private interval = LOG_FRAME_MS;

  constructor(
    private readonly clock: { now(): number; setTimeout(fn: () => void, ms: number): unknown; clearTimeout(timer: unknown): void },
    private readonly lines: () => number,
    private readonly render: () => void,
  ) {
    this.lastFrameAt = clock.now() - LOG_FRAME_MS;
    this.linesAtFrame = lines();
  }

  changed(): void {
    if (this.timer !== null) return;
    const delay = Math.max(0, this.lastFrameAt + this.interval - this.clock.now());
    this.timer = this.clock.setTimeout(() => this.frame(), delay);
  }

  /** The interval the next frame waits for (for tests and the curious). */
  get nextInterval(): number {
    return this.interval;
  }

  stop(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private frame(): void {
    this.timer = null;
    const now = this.clock.now();
    const lines = this.lines();
    this.interval = frameInterval(lines - this.linesAtFrame, now - this.lastFrameAt);
    this.lastFrameAt = now;
    this.linesAtFrame = lines;
    this.render();
  }
}
