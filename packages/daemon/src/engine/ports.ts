// The ports the engine talks through. Adapters implement them; tests pass fakes.

/** One attached client, as the transport presents it to the engine. */
export interface ClientConnection {
  /** Short id for logs. */
  readonly id: string;
  /** Queues a text frame; a client whose send buffer is over the cap is dropped instead. */
  send(frame: string): void;
  /** Closes with a WebSocket close code. */
  close(code: number, reason: string): void;
}

/** What the engine does with one connection's frames; returned by `attach`. */
export interface ConnectionHandlers {
  onFrame(frame: unknown): void;
  onClose(): void;
}

/** Structured enough to grep, plain enough to read in `.axum/daemon.log`. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Time, injected so tests are deterministic. */
export interface Clock {
  now(): number;
}
